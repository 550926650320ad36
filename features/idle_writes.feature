Feature: Knobs written while an mdev idles
  A knob applies to the mdev whatever it is doing when the knob is written: a
  value written while the mdev has no work is the one it runs with when work
  comes back. A driver that programs a knob only into a run-list entry or a
  context descriptor it rewrites at dispatch, and leaves an idle mdev's entry as
  it was, gets these wrong while every write made before the first load or while
  the mdev runs looks right.

  QOS-CAP-006: "The share of a backlogged mdev MUST NOT exceed its cap plus the
  tolerance"; QOS-PRI-006: "while an mdev of a higher level is backlogged and not
  held by its cap, the mdevs of lower levels in the domain MUST receive no device
  time beyond the tolerance". Neither depends on when the knob was written.

  Each mdev runs first (its entry exists), then idles, is written, and comes back.
  The mdevs are named A, B, C in the order they were created.

  @scheduling @QOS-CAP-006
  Scenario: A cap written while an mdev idles holds when it comes back
    Given fresh mdevs of the type under test with caps "100"
    When all of them are backlogged
    And the device has settled
    And their loads are "idle"
    And the cap of A is changed to "20" while it idles
    And all of them are backlogged
    And one measurement window passes
    Then the share of A does not exceed its cap

  @scheduling @QOS-PRI-006
  Scenario: A level written while an mdev idles applies when it comes back
    Given fresh mdevs of the type under test with priorities "background standard"
    When their loads are "backlog idle"
    And the device has settled
    And their loads are "idle idle"
    And the priority of A is changed to "urgent" while it idles
    And all of them are backlogged
    And one measurement window passes
    Then their shares are "1 0"
