Feature: throttled_us counts a spent cap budget, not a wait
  An mdev is held back by its cap once it has run what its cap allows, whoever runs
  meanwhile; while its cap would still let it run, it is not throttled, however
  long its peers or a higher level keep it waiting. Only service spends the
  budget, so throttled time follows usage. A driver that tests "has a cap below
  100" instead of "has spent its budget" counts every wait of a capped mdev as
  throttled time: where the cap does not bind, that is far more than its usage
  allows.

  QOS-ACC-008: "An mdev MUST NOT be counted as throttled while its cap would still
  let it run: over any window in which its cap does not change, its throttled_us
  delta MUST NOT exceed 100/cap - 1 times its usage_us delta, within the
  tolerance". The bound is the measurement method's row "throttled time (any
  window)": (100/cap - 1)(Δusage + T) + T.

  The mdevs are named A, B, C in the order they were created.

  @scheduling @QOS-ACC-008
  Scenario Outline: A capped mdev that waits with budget left is not throttled for it
    Given fresh mdevs of the type under test with <settings>
    When all of them are backlogged
    And one measurement window passes
    Then the throttled_us of A grew by no more than 100/cap - 1 times its usage_us

    Examples:
      | settings                                              |
      | caps "80 100"                                         |
      | weights "100 300" and caps "50 100"                   |
      | priorities "background standard" and caps "50 100"    |
