Feature: History
  What an mdev has done before a window must not change what it is owed in it.
  An mdev that joins after others have run, goes idle after running, or comes
  back after idling is served by the share formula from the next window on,
  whatever credit, virtual runtime or run-list slot the driver kept for it.

  Every window starts after the settling time S = 2q that follows the last load
  change; only the last window is checked. The mdevs are named A, B, C in the
  order they were created.

  @scheduling @QOS-SCH-004
  Scenario: An mdev that joins after another has run gets its equal share at once
    Given 2 fresh mdevs of the type under test
    And their sharing is work-conserving
    When their loads are "backlog idle"
    And one measurement window passes
    And all of them are backlogged
    And one measurement window passes
    Then their shares are "1/2 1/2"

  @scheduling @QOS-SCH-003 @QOS-WGT-007
  Scenario: An mdev that goes idle after running leaves the whole device to the others
    Given fresh mdevs of the type under test with weights "100 300"
    And their sharing is work-conserving
    When all of them are backlogged
    And one measurement window passes
    And their loads are "backlog idle"
    And one measurement window passes
    Then their shares are "1 0"

  @scheduling @QOS-SCH-004
  Scenario: An mdev that comes back after idling gets its equal share at once
    Given 2 fresh mdevs of the type under test
    And their sharing is work-conserving
    When all of them are backlogged
    And one measurement window passes
    And their loads are "backlog idle"
    And one measurement window passes
    And all of them are backlogged
    And one measurement window passes
    Then their shares are "1/2 1/2"

  @scheduling @QOS-CAP-006
  Scenario: A capped mdev that comes back after idling stays within its cap
    Given fresh mdevs of the type under test with caps "20"
    When all of them are backlogged
    And one measurement window passes
    And their loads are "idle"
    And one measurement window passes
    And all of them are backlogged
    And one measurement window passes
    Then the share of A does not exceed its cap
