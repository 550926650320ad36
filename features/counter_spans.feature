Feature: The counters over every span of a window
  QOS-ACC-005 and QOS-ACC-006 hold over any window, not only over the one the run
  happens to measure. A driver whose counter files show a copy that a periodic
  worker refreshes (a housekeeping timer, firmware statistics or a dispatch count
  folded in on a tick) is exact in every window whose two reads fall at the same
  phase of its period, and off by up to that period in the others. Reads taken
  once per timeslice inside a window make every span between two of them a
  window of its own: two reads either side of a refresh differ in age by at least
  the period less the gap between them, so some span sees it, whatever the phase
  (spec/measurement.rst, "Spans of a window"). The dispatch count is checked on
  a lone mdev, which runs the whole span: a count folded in every P µs shows no
  dispatch over a span of up to P less one gap, while its usage grows by the span.

  The mdevs are named A, B, C in the order they were created.

  @scheduling @QOS-ACC-005
  Scenario: A backlogged mdev is running or waiting over every span of a window
    Given 2 fresh mdevs of the type under test
    And each of their qos directories has wait_us
    When all of them are backlogged
    And one measurement window passes, read every timeslice
    Then the usage_us and wait_us of each of them together grew by every span between two of those reads

  @scheduling @QOS-ACC-006
  Scenario: Each dispatch of a lone busy mdev runs at most one timeslice over every span of a window
    Given fresh mdevs of the type under test with weights "100"
    And each of their qos directories has nr_slices
    When all of them are backlogged
    And one measurement window passes, read every timeslice
    Then the usage_us of each of them grew by no more than its nr_slices delta allows over every span between two of those reads
