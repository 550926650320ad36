Feature: Cap period
  A driver that enforces its cap per period longer than a timeslice states the
  period in cap_period_us (Linux CFS bandwidth control: 100 ms by default). The
  windows and tolerances of every check that involves its mdevs follow from it;
  without the file a cap holds within every timeslice.

  @static @QOS-CAP-010
  Scenario: cap_period_us is a constant from the timeslice to one second
    Given an mdev of the type under test that offers QoS
    And its qos directory has cap_period_us
    Then its cap_period_us reads an integer from its timeslice_us to 1000000
    And its cap_period_us reads the same value again
