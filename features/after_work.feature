Feature: What a busy mdev leaves behind
  The counters describe the mdev they belong to, from its creation on, and only
  while it has work. A driver that charges the context still switched in after
  its work has ended (as GVT-g charges the current vGPU until the next switch),
  clears an mdev's pending flag only when a watchdog expires, or keeps its
  statistics in a slot per instance that the next mdev inherits, gets these
  wrong while every mdev that never ran, or that idles beside a busy peer,
  looks right.

  QOS-ACC-003: "An idle mdev (no work pending or running) MUST NOT accumulate
  usage_us, wait_us, throttled_us or nr_slices"; QOS-ACC-001: "Every counter MUST
  read 0 right after the mdev is created". The window starts after the settling
  time S = 2q that follows the load change (spec/measurement.rst, Settling), so
  a counter charged at the end of the last dispatch is already read before it;
  an idle mdev's counters then grow by nothing at all.

  The mdevs are named A, B, C in the order they were created.

  @scheduling @QOS-ACC-003
  Scenario: An mdev that has run alone and gone idle accumulates nothing
    Given fresh mdevs of the type under test with weights "100"
    When all of them are backlogged
    And the device has settled
    And their loads are "idle"
    And one measurement window passes
    Then no counter of A grew

  @scheduling @QOS-ACC-001
  Scenario: An mdev created after a busy one was removed starts with every counter at 0
    Given fresh mdevs of the type under test with weights "100"
    When all of them are backlogged
    And the device has settled
    And A is removed while it has work and another fresh mdev is created
    Then every counter of B reads "0"
