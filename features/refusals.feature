Feature: Refused and rounded writes
  The device or its firmware may refuse a valid knob write: EIO when the firmware
  refused it, EPERM when it is not applicable on this device now, and the knob
  keeps its value. A device that applies only some values of cap or weight may
  round a written value: the knob then reads the applied value nearest the one
  written, and keeps it when it is written. A device that does neither passes
  these scenarios by their condition.

  @control @QOS-FMT-008
  Scenario Outline: A valid write the device refuses fails with EIO or EPERM and changes nothing
    Given a fresh mdev of a type that offers <knob>
    When each value from <first> to <last> in steps of <step> is written to its <knob>
    Then every one of those writes the device refused failed with EIO or EPERM and left the knob unchanged

    Examples:
      | knob   | first | last  | step |
      | cap    | 1     | 100   | 1    |
      | weight | 1     | 10000 | 37   |

  @control @QOS-FMT-009
  Scenario Outline: A rounded cap or weight reads the applied value nearest the one written
    Given a fresh mdev of a type that offers <knob>
    When each value from <first> to <last> in steps of 1 is written to its <knob>
    Then every value read back is the one written or the applied value nearest it, which the knob keeps

    Examples:
      | knob   | first | last |
      | cap    | 1     | 100  |
      | weight | 1     | 300  |
      | weight | 9900  | 10000 |
