Feature: A window longer than a narrow register counts
  A counter is read whenever a tool wants, not every few dispatches. A driver that
  keeps the dispatch count of an mdev in a narrow field of the device (an 8-bit
  count in a context status page) and folds it into nr_slices only when the file
  is read loses 256 dispatches whenever more happen between two reads; windows of
  the quick precision hold fewer than that, so this one holds more.

  QOS-ACC-006: "Each dispatch MUST run for at most one timeslice: over a window, the
  usage_us delta MUST NOT exceed the nr_slices delta times timeslice_us (with the
  overrun and tolerance of the measurement method)". Any window: the bound is
  Δnr_slices · q · 1.1 + T with T = 4q + 2s + 2 (spec/measurement.rst, The
  checks, "slices"), for a window of 300 timeslices as for one of the run's W.

  The mdevs are named A, B, C in the order they were created.

  @scheduling @QOS-ACC-006
  Scenario: Every dispatch of a lone busy mdev is counted over 300 timeslices
    Given fresh mdevs of the type under test with weights "100"
    When all of them are backlogged
    And one measurement window of at least 300 timeslices passes
    Then the usage_us of A grew by no more than its nr_slices delta allows
