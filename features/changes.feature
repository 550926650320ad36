Feature: Live changes in every direction
  A knob applies to running mdevs whichever way it moves: a cap raised or set back
  to 100 as much as one lowered, a weight lowered or set back to its default as
  much as one raised. A driver that only programs the change it expects, or defers
  the other direction until the mdev idles, is caught here.

  Each change is written while the mdevs run, after they have run for one
  measurement window with the old value; the window checked starts at the write.
  The mdevs are named A, B, C in the order they were created.

  @scheduling @QOS-CAP-008
  Scenario: A cap set back to 100 on a running mdev gives it the whole device
    Given fresh mdevs of the type under test with caps "1"
    When all of them are backlogged
    And one measurement window passes
    And the cap of A is changed to "100" while they run
    And one measurement window passes
    Then A receives the whole device

  @scheduling @QOS-WGT-008
  Scenario: A weight set back to the default on a running mdev restores equal shares
    Given fresh mdevs of the type under test with weights "300 100"
    When all of them are backlogged
    And one measurement window passes
    And the weight of A is changed to "100" while they run
    And one measurement window passes
    Then their shares are "1/2 1/2"

  @scheduling @QOS-PRI-009
  Scenario: A priority set back to standard on a running mdev restores equal shares
    Given fresh mdevs of the type under test with priorities "urgent standard"
    When all of them are backlogged
    And one measurement window passes
    And the priority of A is changed to "standard" while they run
    And one measurement window passes
    Then their shares are "1/2 1/2"
