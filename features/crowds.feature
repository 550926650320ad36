Feature: Crowded parents
  The promises of one timeslice hold however many mdevs run on a parent: a
  higher-level mdev that becomes active is dispatched within one timeslice when
  several lower-level mdevs run, not only when one does, and each dispatch lasts
  at most one timeslice when more than four mdevs are busy. Schedulers that
  re-sort their levels only once per round of the run list, or that lengthen
  slices to save world switches when many mdevs are busy, keep both with one or
  two peers.

  QOS-PRI-008: an mdev that becomes active while only lower-level mdevs run "MUST
  be dispatched within one timeslice_us of becoming active (plus the measurement
  tolerance)"; QOS-ACC-006: "Each dispatch MUST run for at most one timeslice".
  Neither names a number of peers.

  The mdevs are named A, B, C in the order they were created.

  @scheduling @QOS-PRI-008
  Scenario: An urgent mdev that becomes active while four lower-level mdevs run is dispatched within one timeslice
    Given fresh mdevs of the type under test with priorities "background background background background urgent"
    When their loads are "backlog backlog backlog backlog idle"
    And the device has settled
    And E becomes backlogged
    Then E is dispatched within one timeslice

  @scheduling @QOS-ACC-006
  Scenario: Each dispatch runs at most one timeslice while five mdevs are busy
    Given 5 fresh mdevs of the type under test
    When all of them are backlogged
    And one measurement window passes
    Then the usage_us of A grew by no more than its nr_slices delta allows
    And the usage_us of B grew by no more than its nr_slices delta allows
    And the usage_us of C grew by no more than its nr_slices delta allows
    And the usage_us of D grew by no more than its nr_slices delta allows
    And the usage_us of E grew by no more than its nr_slices delta allows
