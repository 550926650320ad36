Feature: Lifecycle
  The qos directory lives and dies with its mdev. Nothing persists across remove
  and re-create: keeping settings is the job of the toolstack (mdevctl attrs,
  libvirt). Each mdev's knobs are its own.

  @control @QOS-LIFE-001
  Scenario: The qos files exist as soon as create returns and go away on remove
    Given a fresh mdev of the type under test that offers QoS
    Then its qos directory already holds usage_us and timeslice_us, each readable
    When the mdev is removed
    Then its qos directory no longer exists

  @control @QOS-LIFE-002
  Scenario Outline: Knob values do not persist across remove and re-create
    Given a fresh mdev of a type that offers <knob>
    And its <knob> has been set to "<value>"
    When the mdev is removed and created again with the same UUID
    Then its <knob> reads "<default>"

    Examples:
      | knob     | value | default |
      | cap      | 30    | 100     |
      | weight   | 700   | 100     |
      | priority | urgent  | standard  |
      | priority | background   | standard  |

  @scheduling @QOS-LIFE-003
  Scenario: Counters restart at 0 after remove and re-create
    Given fresh mdevs of the type under test with weights "100"
    When all of them are backlogged
    And one measurement window passes
    And A is removed and created again with the same UUID
    Then every counter of A reads "0"

  @control @QOS-LIFE-004
  Scenario Outline: Writing a knob of one mdev changes no knob of another
    Given <count> fresh mdevs of the type under test
    And the <knob> of A has been set to "<value>"
    Then every knob of B reads its default

    Examples:
      | count | knob     | value |
      | 2     | cap      | 10    |
      | 2     | weight   | 9000  |
      | 2     | priority | urgent  |
