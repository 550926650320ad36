Feature: Knob combinations
  Each knob works beside the others: a cap that does not bind leaves the weights to
  decide, what a capped mdev leaves is split by the weights of the others however
  unequal they are, and each dispatch stays within one timeslice whatever the
  weights and caps. Drivers that keep one register per mdev for "the" knob, or
  that switch their algorithm when a second knob appears, get these wrong while
  each knob alone looks right.

  Shares are measured from usage_us over one measurement window; the mdevs are
  named A, B, C in the order they were created.

  @scheduling @QOS-WGT-006 @QOS-CAP-007
  Scenario: A cap that does not bind leaves the weights to decide
    Given fresh mdevs of the type under test with weights "100 300" and caps "100 80"
    When all of them are backlogged
    And one measurement window passes
    Then their shares are "1/4 3/4"

  @scheduling @QOS-CAP-007
  Scenario: What a heavy capped mdev leaves goes to the others by their unequal weights
    Given fresh mdevs of the type under test with weights "400 100 300" and caps "10 100 100"
    When all of them are backlogged
    And one measurement window passes
    Then their shares are "1/10 9/40 27/40"

  @scheduling @QOS-ACC-006
  Scenario: Each dispatch runs at most one timeslice, whatever the weights and caps
    Given fresh mdevs of the type under test with weights "100 300 100" and caps "100 100 30"
    When all of them are backlogged
    And one measurement window passes
    Then the usage_us of A grew by no more than its nr_slices delta allows
    And the usage_us of B grew by no more than its nr_slices delta allows
    And the usage_us of C grew by no more than its nr_slices delta allows

  @scheduling @QOS-CAP-006
  Scenario: A cap holds on a priority level other than the default
    Given fresh mdevs of the type under test with priorities "urgent background" and caps "30 40"
    When all of them are backlogged
    And one measurement window passes
    Then their shares are "3/10 2/5"

  @scheduling @QOS-PRI-006
  Scenario: Strict priority holds whatever the weights
    Given fresh mdevs of the type under test with priorities "urgent background background" and weights "300 100 5000"
    When all of them are backlogged
    And one measurement window passes
    Then their shares are "1 0 0"

  @scheduling @QOS-SCH-002
  Scenario: A higher level backlogged in another domain does not change a domain's shares
    Given fresh mdevs of the type under test with priorities "standard"
    And fresh mdevs of the type under test in another domain with priorities "urgent"
    And their sharing is work-conserving
    When all of them are backlogged
    And one measurement window passes
    Then A receives the whole device

  @scheduling @QOS-PRI-008
  Scenario: A middle-level mdev that becomes active is dispatched within one timeslice
    Given fresh mdevs of the type under test with priorities "background standard"
    When their loads are "backlog idle"
    And the device has settled
    And B becomes backlogged
    Then B is dispatched within one timeslice
