Feature: Precision of large shares
  A share above 1/2 may lose up to ι of itself to the device's interference, so
  its band reaches further below it than a small share's. When the backlogged
  mdevs of a parent should keep it busy, the suite also measures the device time
  the parent delivered and holds each share to its part of that time: a heavy
  mdev served short while the device was busy is caught although its share of
  the window is within x(1 − ι) − δ (spec: Measurement method, Precision (a)).

  @scheduling @QOS-WGT-006
  Scenario Outline: A heavy mdev among light ones gets its part of the device time delivered
    Given fresh mdevs of the type under test with weights "<weights>"
    When all of them are backlogged
    And one measurement window passes
    Then their shares are "<shares>"

    Examples:
      | weights          | shares                 |
      | 100 100 100 1700 | 1/20 1/20 1/20 17/20   |
