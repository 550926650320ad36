Feature: Weight
  Backlogged mdevs of one priority level on one parent share the device in
  proportion to their weights. Only active mdevs count: an idle peer, or one whose
  guest never booted, neither receives nor dilutes. Weights compare only within
  one scheduling domain (qos/domain; the parent when an mdev has none).

  Shares are measured from usage_us over one measurement window; the mdevs are
  named A, B, C in the order they were created.

  @scheduling @QOS-SCH-004
  Scenario Outline: Backlogged mdevs with default knobs share the parent equally
    Given <count> fresh mdevs of the type under test
    And their sharing is work-conserving
    When all of them are backlogged
    And one measurement window passes
    Then their shares are "<shares>"

    Examples:
      | count | shares      |
      | 2     | 1/2 1/2     |
      | 3     | 1/3 1/3 1/3 |

  @scheduling @QOS-SCH-004
  Scenario: One scheduling domain is shared whatever the types of its mdevs
    Given 2 fresh mdevs of the type under test
    And a fresh mdev of another type in the same domain
    And their sharing is work-conserving
    When all of them are backlogged
    And one measurement window passes
    Then their shares are "1/3 1/3 1/3"

  @scheduling @QOS-WGT-006
  Scenario Outline: Backlogged mdevs share the parent in proportion to their weights
    Given fresh mdevs of the type under test with weights "<weights>"
    When all of them are backlogged
    And one measurement window passes
    Then their shares are "<shares>"

    Examples:
      | weights        | shares            |
      | 100 200 300    | 1/6 1/3 1/2       |
      | 100 300        | 1/4 3/4           |
      | 1 10000        | 1/10001 10000/10001 |
      | 500 500 1000   | 1/4 1/4 1/2       |
      | 10000 2500     | 4/5 1/5           |

  @scheduling @QOS-WGT-007
  Scenario Outline: An idle peer's weight does not count
    Given fresh mdevs of the type under test with weights "<weights>"
    And their sharing is work-conserving
    When their loads are "<loads>"
    And one measurement window passes
    Then their shares are "<shares>"

    Examples:
      | weights      | loads                | shares    |
      | 100 300 600  | backlog backlog idle | 1/4 3/4 0 |
      | 100 5000     | backlog idle         | 1 0       |

  @scheduling @QOS-WGT-008
  Scenario: A weight change applies to running mdevs in the next window
    Given fresh mdevs of the type under test with weights "100 100"
    When all of them are backlogged
    And the weight of B is changed to "300" while they run
    And one measurement window passes
    Then their shares are "1/4 3/4"

  @scheduling @QOS-WGT-009
  Scenario: Weights in one domain do not affect shares in another domain
    Given fresh mdevs of the type under test with weights "100 300"
    And fresh mdevs of the type under test in another domain with weights "100 100"
    When all of them are backlogged
    And the weight of A is changed to "200" while they run
    And one measurement window passes
    Then their shares are "2/5 3/5 1/2 1/2"

  @scheduling @QOS-SCH-002
  Scenario: Load in another domain does not change a domain's shares
    Given fresh mdevs of the type under test with weights "100"
    And fresh mdevs of the type under test in another domain with weights "100 100 100"
    And their sharing is work-conserving
    When all of them are backlogged
    And one measurement window passes
    Then A receives the whole device
