Feature: Cap
  cap is a ceiling in percent of the parent's device time. It holds even when the
  device would otherwise idle, and what a capped mdev cannot use goes to the other
  active mdevs of its level in proportion to their weights. Without a cap below 100
  the device is work-conserving.

  Shares are measured from usage_us over one measurement window; the mdevs are
  named A, B, C in the order they were created.

  @scheduling @QOS-SCH-001
  Scenario: A lone backlogged mdev without a cap receives the whole device
    Given fresh mdevs of the type under test with caps "100"
    And their sharing is work-conserving
    When all of them are backlogged
    And one measurement window passes
    Then A receives the whole device

  @scheduling @QOS-CAP-006 @QOS-CAP-009 @QOS-ACC-007
  Scenario Outline: A capped mdev alone on the parent stays at its cap and is throttled for the rest
    Given fresh mdevs of the type under test with caps "<cap>"
    When all of them are backlogged
    And one measurement window passes
    Then the share of A does not exceed its cap
    And the throttled_us of A grew by the part of the window its cap withholds
    And the throttled_us of A grew by no more than its wait_us

    Examples:
      | cap |
      | 25  |
      | 50  |
      | 90  |

  @scheduling @QOS-CAP-007 @QOS-CAP-006
  Scenario Outline: What a capped mdev cannot use goes to the others of its level by weight
    Given fresh mdevs of the type under test with weights "<weights>" and caps "<caps>"
    When all of them are backlogged
    And one measurement window passes
    Then their shares are "<shares>"

    Examples:
      | weights     | caps       | shares          |
      | 100 100     | 20 100     | 1/5 4/5         |
      | 100 100 100 | 30 30 100  | 3/10 3/10 2/5   |
      | 100 300     | 100 50     | 1/2 1/2         |
      | 100 100 200 | 10 100 100 | 1/10 3/10 3/5   |
      | 100 100 100 | 60 60 100  | 1/3 1/3 1/3     |
      | 100 100     | 10 20      | 1/10 1/5        |

  @scheduling @QOS-CAP-008
  Scenario: A cap change applies to a running mdev in the next window
    Given fresh mdevs of the type under test with caps "100 100"
    When all of them are backlogged
    And the cap of A is changed to "25" while they run
    And one measurement window passes
    Then their shares are "1/4 3/4"

  @scheduling @QOS-ACC-007
  Scenario: throttled_us grows only while the cap holds an mdev back
    Given fresh mdevs of the type under test with caps "100 40"
    When all of them are backlogged
    And one measurement window passes
    Then the throttled_us of A did not grow
    And the throttled_us of B grew by no more than its wait_us
