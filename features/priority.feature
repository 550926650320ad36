Feature: Priority
  Priority levels are served strictly, highest first. What a level leaves, because
  its mdevs are capped or idle, goes to the next level down. An mdev that becomes
  active while only lower levels run is dispatched within one timeslice.

  Shares are measured from usage_us over one measurement window; the mdevs are
  named A, B, C in the order they were created.

  @scheduling @QOS-PRI-006
  Scenario Outline: Lower levels receive nothing while a higher level is backlogged
    Given fresh mdevs of the type under test with priorities "<levels>"
    When all of them are backlogged
    And one measurement window passes
    Then their shares are "<shares>"

    Examples:
      | levels          | shares      |
      | urgent standard     | 1 0         |
      | standard background      | 1 0         |
      | urgent background background    | 1 0 0       |
      | background urgent standard | 0 1 0       |

  @scheduling @QOS-PRI-007
  Scenario Outline: What a level leaves goes to the next level down
    Given fresh mdevs of the type under test with priorities "<levels>", weights "<weights>" and caps "<caps>"
    When their loads are "<loads>"
    And one measurement window passes
    Then their shares are "<shares>"

    Examples:
      | levels          | weights     | caps       | loads                | shares        |
      | urgent standard     | 100 100     | 30 100     | backlog backlog      | 3/10 7/10     |
      | urgent urgent background   | 100 100 100 | 20 20 100  | backlog backlog backlog | 1/5 1/5 3/5 |
      | urgent standard background | 100 100 100 | 50 30 100  | backlog backlog backlog | 1/2 3/10 1/5 |
      | standard background background  | 100 100 300 | 40 100 100 | backlog backlog backlog | 2/5 3/20 9/20 |

  @scheduling @QOS-PRI-007
  Scenario: What an idle level leaves goes to the next level down
    Given fresh mdevs of the type under test with priorities "urgent standard", weights "100 100" and caps "100 100"
    And their sharing is work-conserving
    When their loads are "idle backlog"
    And one measurement window passes
    Then their shares are "0 1"

  @scheduling @QOS-PRI-008
  Scenario: A higher-level mdev that becomes active is dispatched within one timeslice
    Given fresh mdevs of the type under test with priorities "background urgent"
    When their loads are "backlog idle"
    And the device has settled
    And B becomes backlogged
    Then B is dispatched within one timeslice

  @scheduling @QOS-PRI-009
  Scenario: A priority change applies to running mdevs in the next window
    Given fresh mdevs of the type under test with priorities "standard standard"
    When all of them are backlogged
    And the priority of A is changed to "urgent" while they run
    And one measurement window passes
    Then their shares are "1 0"

  @scheduling @QOS-PRI-010
  Scenario: A starved lower-level mdev accumulates wait_us
    Given fresh mdevs of the type under test with priorities "urgent background"
    When all of them are backlogged
    And one measurement window passes
    Then the wait_us of B grew by about the whole window
