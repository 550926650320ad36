Feature: Long runs
  Counters are 64-bit and never decrease, however long an mdev runs or waits; a
  driver's behaviour does not change once an mdev has been busy for a while.

  Windows follow each other without a gap; every snapshot is compared with the
  one before it. A counter kept in 32-bit nanoseconds wraps after 2^32 ns (4.3 s)
  of device time, which these 4.5 s show; one kept in 32-bit microseconds wraps
  after 71.6 minutes, which no run waits for. An anti-hog decay is seen when it
  starts within the busy time of a scenario (two windows here). The mdevs are
  named A, B, C in the order they were created.

  @scheduling @QOS-ACC-002
  Scenario: Counters keep growing past 2 to the power of 32 nanoseconds
    Given fresh mdevs of the type under test with weights "10000 1"
    When all of them are backlogged
    And they stay busy past 2 to the power of 32 nanoseconds, measured window after window
    Then no counter of any of them decreased between measurements

  @scheduling @QOS-PRI-006
  Scenario: A higher level keeps the device after it has been busy for a while
    Given fresh mdevs of the type under test with priorities "urgent standard"
    When all of them are backlogged
    And one measurement window passes
    And one measurement window passes
    Then their shares are "1 0"
