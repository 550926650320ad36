Feature: A valid value followed by a NUL byte
  A store method that parses its buffer as a C string stops at the first NUL: plain
  kstrtouint takes "60\0x" as 60 and sysfs_streq takes "standard\0x" as standard.
  The specification makes a NUL malformed wherever it is (spec, Numeric and
  Priority write grammar), so each knob refuses such a write with EINVAL and
  keeps its value, in the claim-making profile and not only under fuzzing.

  Written bytes appear as C string literals: \0 is a NUL byte.

  @control @QOS-CAP-003 @QOS-CAP-005
  Scenario: cap refuses a valid value followed by a NUL byte and more
    Given a fresh mdev of a type that offers cap
    And its cap has been set to "70"
    When "60\0x" is written to its cap
    Then the write fails with EINVAL
    And its cap still reads the value it had before the write

  @control @QOS-WGT-003 @QOS-WGT-005
  Scenario: weight refuses a valid value followed by a NUL byte and more
    Given a fresh mdev of a type that offers weight
    And its weight has been set to "300"
    When "200\0x" is written to its weight
    Then the write fails with EINVAL
    And its weight still reads the value it had before the write

  @control @QOS-PRI-004 @QOS-PRI-005
  Scenario: priority refuses a level name followed by a NUL byte and more
    Given a fresh mdev of a type that offers priority
    And its priority has been set to a supported level other than standard
    When "standard\0x" is written to its priority
    Then the write fails with EINVAL
    And its priority still reads the value it had before the write
