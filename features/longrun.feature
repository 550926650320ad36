Feature: Long runs
  Counters are 64-bit and never decrease, however long an mdev runs or waits; a
  driver's behaviour does not change once an mdev has been busy for a while.

  Windows follow each other without a gap; every snapshot is compared with the
  one before it. A counter kept in 32-bit nanoseconds wraps after 2^32 ns (4.3 s)
  of device time, which these 4.5 s show; one kept in 32-bit microseconds wraps
  after 71.6 minutes, which no run waits for. Capped at 1, A is held back for 99 %
  of those 4.5 s, so throttled_us and wait_us pass 2^32 ns too (a type without a
  writable cap runs it uncapped: A runs, B waits). An anti-hog decay is seen when it
  starts within the busy time of a scenario; a limit the driver enforces per period
  of one second (as Linux's real-time throttling gives the other levels 50 ms of
  every second) is seen in a run of two seconds, which holds a whole period
  wherever periods start; a virtual runtime kept in a u32 of nanoseconds scaled
  by 1024/weight, as CFS scales it, wraps after 0.42 s of an mdev's device time at
  weight 100, which two equal mdevs reach within one second. The mdevs are
  named A, B, C in the order they were created.

  @scheduling @QOS-ACC-002
  Scenario: Counters keep growing past 2 to the power of 32 nanoseconds
    Given fresh mdevs of the type under test with weights "10000 1"
    And the cap of A has been set to "1" if its type offers a writable cap
    When all of them are backlogged
    And they stay busy past 2 to the power of 32 nanoseconds, measured window after window
    Then no counter of any of them decreased between measurements

  @scheduling @QOS-PRI-006
  Scenario: A higher level keeps the device after it has been busy for a while
    Given fresh mdevs of the type under test with priorities "urgent standard"
    When all of them are backlogged
    And they stay busy for 2 seconds, measured window after window
    Then their shares are "1 0" in every one of those windows

  @scheduling @QOS-SCH-004
  Scenario: Mdevs keep equal shares after each has run for half a second
    Given 2 fresh mdevs of the type under test
    And their sharing is work-conserving
    When all of them are backlogged
    And they stay busy for 1 second, measured window after window
    Then their shares are "1/2 1/2" in every one of those windows
