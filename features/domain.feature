Feature: Scheduling domain
  The scheduling domain is the set of mdevs that share one engine's time; qos/domain
  names it (an mdev without the file is in its parent's domain). Parents and domains
  differ on real hardware: the SR-IOV virtual functions of one device are parents
  that share one engine, and a device with several engines has several domains under
  one parent. Isolation is between domains, sharing within one, whatever the parents.

  @static @QOS-DOM-001
  Scenario: domain names the scheduling domain and does not change
    Given an mdev of the type under test that offers QoS
    And its qos directory has domain
    Then its domain reads one domain name, the same at every read

  @static @QOS-DOM-002
  Scenario: All mdevs of one type on one parent are in one domain
    Given every mdev of the type under test on its parent, and a second one where the suite may create it
    Then they are all in one scheduling domain

  @scheduling @QOS-DOM-003
  Scenario: mdevs of two parents in one domain share it
    Given fresh mdevs of the type under test with weights "100"
    And fresh mdevs of the type under test on another parent in the same domain with weights "100"
    And their sharing is work-conserving
    When all of them are backlogged
    And one measurement window passes
    Then their shares are "1/2 1/2"
