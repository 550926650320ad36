Feature: Topologies
  A parent's shares hold however many mdevs it carries, up to its type's instance
  limit, and however many of them have knobs of their own. Hardware and firmware
  often keep a run list or a table of knobs with a fixed number of entries: these
  scenarios put more mdevs on one parent, and more of them with non-default knobs,
  than the scenarios of the Cap and Weight features do.

  Shares are measured from usage_us over one measurement window; the mdevs are
  named A, B, C in the order they were created.

  @scheduling @QOS-SCH-004
  Scenario: Backlogged mdevs up to the type's instance limit share the parent equally
    Given as many fresh mdevs of the type under test as its parent allows, up to 8
    And their sharing is work-conserving
    When all of them are backlogged
    And one measurement window passes
    Then their shares follow the share formula for the knobs they read

  @scheduling @QOS-CAP-006
  Scenario: Every cap holds when more than four mdevs of a parent are capped
    Given fresh mdevs of the type under test with caps "10 10 10 10 10 100"
    When all of them are backlogged
    And one measurement window passes
    Then their shares are "1/10 1/10 1/10 1/10 1/10 1/2"

  @scheduling @QOS-WGT-006
  Scenario: Every weight counts when more than four mdevs of a parent have their own
    Given fresh mdevs of the type under test with weights "100 100 100 100 400 400"
    When all of them are backlogged
    And one measurement window passes
    Then their shares are "1/12 1/12 1/12 1/12 1/3 1/3"
