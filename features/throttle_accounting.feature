Feature: throttled_us around a cap change
  throttled_us counts the time an mdev is held back by its cap, and only that:
  once its cap is set back to 100 it stops growing, even while the mdev waits for
  others, and a cap change does not restart it. Drivers that keep the throttled
  time in the bandwidth structure a cap write rebuilds, or that test "was ever
  capped" instead of "is held back", get this wrong while every scenario that
  sets a cap once looks right.

  QOS-ACC-007: "throttled_us MUST grow only while the mdev is held back by its
  cap: an mdev whose cap is 100 never accumulates it"; QOS-ACC-002: "Counters
  MUST NOT decrease". The window starts at the write, so the bound is the
  live-change tolerance T_live = T + q: the cap may apply one timeslice late, and
  a counter may lag one timeslice.

  The mdevs are named A, B, C in the order they were created.

  @scheduling @QOS-ACC-007 @QOS-ACC-002
  Scenario: A cap set back to 100 stops throttled_us and does not restart it
    Given fresh mdevs of the type under test with caps "20 100"
    When all of them are backlogged
    And one measurement window passes
    And the cap of A is changed to "100" while they run
    And one measurement window passes
    Then the throttled_us of A grew by no more than a live change allows
    And no counter of any of them decreased between measurements
