Feature: Caps off the round numbers
  Every cap from 1 to 100 is a ceiling, not only the multiples of five and ten
  the other features use. A device that applies caps in slots of a frame may
  round a cap, but then the file reads the value applied (QOS-FMT-009); a driver
  that rounds up and reads back what was written runs above the cap it shows.

  QOS-CAP-002: cap "MUST accept every value from 1 to 100"; QOS-CAP-006: the share
  "MUST NOT exceed its cap plus the tolerance".

  The mdevs are named A, B, C in the order they were created.

  @scheduling @QOS-CAP-006
  Scenario: A cap of 31 holds
    Given fresh mdevs of the type under test with caps "31"
    When all of them are backlogged
    And one measurement window passes
    Then the share of A does not exceed its cap
