Feature: Short dispatches
  An mdev whose jobs are shorter than a timeslice gives the engine back before its
  slice ends. Its counters charge the time it ran, not the slice it was given, so
  the accounting rules hold for periodic work as for a backlog.

  Each mdev runs a job of a fraction of its timeslice_us q, released every q. The
  mdevs are named A, B, C in the order they were created.

  @scheduling @QOS-ACC-004
  Scenario: Jobs shorter than a timeslice are charged the time they ran
    Given 2 fresh mdevs of the type under test
    When each of them runs a job of 1/5 of a timeslice every timeslice
    And one measurement window passes
    Then the usage_us of all of them together grew by no more than the window
