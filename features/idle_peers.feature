Feature: Peers that left or idle count for nothing
  The share formula runs over the active mdevs only: an mdev that was removed, or
  one that has no work, takes nothing from the others, whatever the driver was
  doing when it left and whichever knob was written last. A driver that
  renormalises its weights on one path only (when an mdev is created, or when the
  active set changes, but not when an mdev is removed or a weight is written)
  keeps a share for the absent and leaves it idle. The weight is written after
  the first mdev created was removed, to a later one: a driver that compacts its
  run list on removal but keeps each mdev's index from its creation writes the
  weight into the next mdev's entry.

  QOS-SCH-001: a backlogged mdev that is the only active mdev of its domain "MUST
  receive the whole device"; QOS-WGT-007: "The weight of an idle mdev MUST NOT
  count: the capacity of a level is split among its active mdevs only"; QOS-WGT-006:
  backlogged mdevs of one level "MUST receive shares proportional to their weights".

  The mdevs are named A, B, C in the order they were created.

  @scheduling @QOS-SCH-001
  Scenario: An mdev left alone when its peer is removed receives the whole device
    Given 2 fresh mdevs of the type under test
    And their sharing is work-conserving
    When all of them are backlogged
    And the device has settled
    And B is removed while the others run
    And one measurement window passes
    Then A receives the whole device

  @scheduling @QOS-WGT-007 @QOS-WGT-006
  Scenario: A weight written while a peer idles is split among the active mdevs only
    Given fresh mdevs of the type under test with weights "100 100 100 100"
    And their sharing is work-conserving
    When their loads are "backlog backlog backlog idle"
    And A is removed while the others run
    And the weight of B is changed to "300" while they run
    And one measurement window passes
    Then their shares are "0 3/4 1/4 0"
