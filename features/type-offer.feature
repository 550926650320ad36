Feature: The offer of a type
  A type states what QoS it offers in the qos/ directory of its type directory:
  which files its mdevs have, which knobs it fixes and at what value, which
  priority levels, the scheduling domain and the timeslice, so that a management
  tool can choose a type before it creates anything.

  Background:
    Given an mdev of each type on the parent under test

  @static @QOS-DISC-001
  Scenario: A type that offers QoS states its offer in its type directory
    Then the type of each of them that offers QoS states its offer in its type directory

  @static @QOS-DISC-002
  Scenario: The offer of a type holds its files and nothing else, read-only
    Then the offer of each of their types holds only its files, each read-only

  @static @QOS-DISC-003
  Scenario: The offer of a type agrees with its mdevs
    Then the offer of each of their types agrees with its qos directory

  @static @QOS-DISC-004
  Scenario: A type without QoS states no offer
    Then each of them without a qos directory has a type without an offer
