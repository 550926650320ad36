Feature: Sharing guarantees
  What a driver promises about how its mdevs share the device is what its
  qos/sharing file names: work-conserving (the share requirements: an idle mdev
  neither receives nor dilutes, a lone busy mdev gets the whole device) or
  reserved (every mdev holds a reserved share, computed over all mdevs of its
  domain, busy or idle). Without the file a driver only exports its counters and
  promises neither. The work-conserving scenarios of cap.feature and
  weight.feature start with the same condition.

  Shares are measured from usage_us over one measurement window; the mdevs are
  named A, B, C in the order they were created.

  @static @QOS-FMT-007
  Scenario: sharing names one guarantee, the same for every mdev of the type
    Given every mdev of the type under test on its parent, and a second one where the suite may create it
    Then each of them states the same sharing guarantee, work-conserving or reserved

  @scheduling @QOS-SCH-003
  Scenario Outline: An idle peer receives nothing and dilutes nobody
    Given 3 fresh mdevs of the type under test
    And their sharing is work-conserving
    When their loads are "<loads>"
    And one measurement window passes
    Then their shares are "<shares>"

    Examples:
      | loads             | shares    |
      | backlog idle idle | 1 0 0     |
      | idle backlog idle | 0 1 0     |

  @scheduling @QOS-SCH-005
  Scenario Outline: A reserved share holds whatever the other mdevs of the domain do
    Given 3 fresh mdevs of the type under test
    And their sharing is reserved
    When their loads are "<loads>"
    And one measurement window passes
    Then each backlogged mdev receives at least its reserved share

    Examples:
      | loads                   |
      | backlog backlog backlog |
      | backlog idle idle       |
      | idle idle backlog       |
