Feature: Accounting
  The counters usage_us, wait_us, throttled_us and nr_slices make the scheduler's
  behaviour observable. They start at 0, never decrease, stay still while an mdev
  is idle, and add up: a parent never hands out more time than passed.

  The mdevs are named A, B, C in the order they were created.

  @control @QOS-ACC-001
  Scenario: Every counter of a new mdev reads 0
    Given a fresh mdev of the type under test that offers QoS
    Then every counter of its qos directory reads "0"

  @scheduling @QOS-ACC-002 @QOS-FMT-004
  Scenario: Counters never decrease
    Given fresh mdevs of the type under test with weights "100 100"
    When all of them are backlogged
    And one measurement window passes
    And their loads are "idle backlog"
    And one measurement window passes
    And their loads are "backlog idle"
    And one measurement window passes
    Then no counter of any of them decreased between measurements
    And the timeslice_us of each of them did not change

  @scheduling @QOS-ACC-002 @QOS-FMT-004
  Scenario: Writing a knob does not restart the counters nor change the timeslice
    Given fresh mdevs of the type under test with weights "100 100"
    When all of them are backlogged
    And one measurement window passes
    And every writable knob of A is given another valid value while they run
    And one measurement window passes
    Then no counter of any of them decreased between measurements
    And the timeslice_us of each of them did not change

  @scheduling @QOS-FMT-001
  Scenario: A busy mdev's files still read one value and one newline
    Given fresh mdevs of the type under test with weights "100"
    When all of them are backlogged
    And one measurement window passes
    Then every file of the qos directory of A reads one value followed by exactly one newline

  @scheduling @QOS-FMT-002
  Scenario: A busy mdev's counters still read as canonical unsigned decimal
    Given fresh mdevs of the type under test with weights "100"
    When all of them are backlogged
    And one measurement window passes
    Then every numeric file of the qos directory of A reads as canonical unsigned decimal

  @scheduling @QOS-FMT-003
  Scenario: A busy mdev's counters fit in an unsigned 64-bit integer
    Given fresh mdevs of the type under test with weights "100"
    When all of them are backlogged
    And one measurement window passes
    Then every counter of the qos directory of A reads a value below 2 to the power of 64

  @scheduling @QOS-ACC-003
  Scenario: An idle mdev accumulates nothing
    Given fresh mdevs of the type under test with weights "100 100"
    When their loads are "backlog idle"
    And one measurement window passes
    Then no counter of B grew

  @scheduling @QOS-ACC-003
  Scenario: An idle capped mdev accumulates nothing, not even throttled time
    Given fresh mdevs of the type under test with weights "100 100" and caps "100 30"
    When their loads are "backlog idle"
    And one measurement window passes
    Then no counter of B grew

  @scheduling @QOS-ACC-004
  Scenario Outline: A parent never hands out more time than passed
    Given fresh mdevs of the type under test with weights "<weights>"
    When all of them are backlogged
    And one measurement window passes
    Then the usage_us of all of them together grew by no more than the window

    Examples:
      | weights         |
      | 100             |
      | 100 200 300     |
      | 100 100 100 100 |

  @scheduling @QOS-ACC-005
  Scenario: A backlogged mdev is either running or waiting
    Given fresh mdevs of the type under test with weights "100 300"
    When all of them are backlogged
    And one measurement window passes
    Then the usage_us and wait_us of A together grew by the window
    And the usage_us and wait_us of B together grew by the window

  @scheduling @QOS-ACC-006
  Scenario: Each dispatch runs at most one timeslice
    Given fresh mdevs of the type under test with weights "100 100"
    When all of them are backlogged
    And one measurement window passes
    Then the usage_us of A grew by no more than its nr_slices delta allows
    And the usage_us of B grew by no more than its nr_slices delta allows
