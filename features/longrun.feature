Feature: Long runs
  Counters are 64-bit and never decrease, however long an mdev runs or waits; a
  driver's behaviour does not change once an mdev has been busy for a while.

  Windows follow each other without a gap; every snapshot is compared with the
  one before it. The mdevs are named A, B, C in the order they were created.

  @scheduling @QOS-ACC-002
  Scenario: Counters keep growing past 2 to the power of 32 nanoseconds
    Given fresh mdevs of the type under test with weights "10000 1"
    When all of them are backlogged
    And they stay busy past 2 to the power of 32 nanoseconds, measured window after window
    Then no counter of any of them decreased between measurements
