Feature: The target dies in the middle of a scenario
  The FUSE mock behind the run is killed at a point the step chooses.

  @control @QOS-LAY-002
  Scenario: a presence check after the target died
    Given a new mdev with its cap set to "60"
    When the target dies
    Then it has a qos directory

  @control @QOS-CAP-001
  Scenario: a judgement of what was read just before the target died
    Given a new mdev with its cap set to "60"
    And its cap is read
    When the target dies
    Then the cap read is "100"

  @control @QOS-CAP-005
  Scenario: a create the target never confirmed
    When the target dies
    Then a new mdev cannot be created

  @control @QOS-CAP-001
  Scenario: a skip decided by what was read just before the target died
    Given a new mdev with its cap set to "60"
    And its cap is read
    When the target dies
    Then the requirement does not apply unless the cap read is "100"
