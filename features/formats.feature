Feature: Read formats and defaults
  What a read of a qos file returns: one value, one newline, canonical decimal
  for numbers, the level list for priority; and what a new mdev reads before
  anybody wrote to it.

  @static @QOS-FMT-001
  Scenario: Every qos file reads one value followed by one newline
    Given an mdev of the type under test that offers QoS
    Then every file of its qos directory reads one value followed by exactly one newline

  @static @QOS-FMT-002
  Scenario: Numeric files read as unsigned decimal without sign or leading zeros
    Given an mdev of the type under test that offers QoS
    Then every numeric file of its qos directory reads as canonical unsigned decimal

  @static @QOS-FMT-003
  Scenario: Counters fit in an unsigned 64-bit integer
    Given an mdev of the type under test that offers QoS
    Then every counter of its qos directory reads a value below 2 to the power of 64

  @static @QOS-FMT-004
  Scenario: timeslice_us is a constant between 1 and 1000000
    Given an mdev of the type under test that offers QoS
    Then its timeslice_us reads an integer from 1 to 1000000
    And its timeslice_us reads the same value again

  @static @QOS-FMT-005
  Scenario: timeslice_us should be at most 100 ms
    Given an mdev of the type under test that offers QoS
    Then its timeslice_us is at most 100000

  @static @QOS-FMT-006
  Scenario: Reading a knob twice without a write between gives identical bytes
    Given an mdev of the type under test that offers QoS
    Then two consecutive reads of each of its knobs return identical bytes

  @static @QOS-PRI-001
  Scenario: priority lists the supported levels lowest first with the active one bracketed
    Given an mdev of the type under test that offers QoS
    And its qos directory has priority
    Then its priority reads supported levels of the vocabulary background standard urgent, lowest first, the active one in brackets
    And its priority supports standard and at least one other level

  @control
  Scenario Outline: A new mdev's numeric knob reads its default
    Given a fresh mdev of a type that offers <knob>
    Then its <knob> reads "<default>"

    @QOS-CAP-001
    Examples: cap
      | knob | default |
      | cap  | 100     |

    @QOS-WGT-001
    Examples: weight
      | knob   | default |
      | weight | 100     |

  @control @QOS-PRI-002
  Scenario: A new mdev's active priority is standard
    Given a fresh mdev of a type that offers priority
    Then its active priority level is "standard"

  @static @QOS-MODE-003
  Scenario: A knob the type fixes is read-only and reads a value in the knob's format
    Given an mdev whose type fixes a knob
    Then each knob its type fixes has mode 0444
    And each knob its type fixes reads a valid value in the knob's format
