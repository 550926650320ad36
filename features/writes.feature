Feature: Writes and errors
  Which writes each knob accepts and how it refuses the rest. Numeric knobs take
  the kernel's kstrtouint grammar: an optional plus sign, decimal digits and at
  most one trailing newline, nothing else, then a range check. priority takes one
  supported level name. A refused write fails with the errno the specification
  names and changes nothing; an accepted one returns the full count and reads back
  in canonical form.

  Written bytes appear as C string literals: \n is a newline, \r a carriage
  return, \t a tab, \0 a NUL byte, and ␠ is a space. Inside a table the backslash
  is doubled, as Gherkin requires. An empty value is written as a lone newline: a
  write of zero bytes never reaches a sysfs store.

  Rule: cap takes the numeric grammar and a value from 1 to 100

    Background:
      Given a fresh mdev of a type that offers cap

  @control @QOS-CAP-002
  Scenario Outline: cap accepts a value from 1 to 100 in the numeric grammar
    When "<written>" is written to its cap
    Then the write returns the full count
    And its cap reads "<reads>"

    Examples:
      | written  | reads |
      | 1        | 1     |
      | 100      | 100   |
      | 60       | 60    |
      | 60\\n     | 60    |
      | +60      | 60    |
      | +060\\n   | 60    |
      | 007      | 7     |
      | 0100     | 100   |

  @control @QOS-CAP-002
  Scenario: cap accepts every value from 1 to 100
    When each value from 1 to 100 in steps of 1 is written to its cap
    Then every one of those writes returned the full count and read back as written

  @control @QOS-CAP-003 @QOS-CAP-005
  Scenario Outline: cap refuses a malformed write with EINVAL and keeps its value
    Given its cap has been set to "70"
    When "<written>" is written to its cap
    Then the write fails with EINVAL
    And its cap still reads the value it had before the write

    Examples:
      | written | why                         |
      | ␠60     | leading space               |
      | 60␠     | trailing space              |
      | 6␠0     | embedded space              |
      | -1      | sign other than plus        |
      | -0      | sign other than plus        |
      | ++60    | two signs                   |
      | +       | sign without digits         |
      | 0x3c    | hexadecimal prefix          |
      | 3c      | hexadecimal digit           |
      | sixty   | letters                     |
      | 60.0    | decimal point               |
      | 1e2     | exponent                    |
      | 60\\n\\n  | two newlines                |
      | \\n      | empty value                 |
      | 60\\r    | carriage return             |
      | \\t60    | tab                         |
      | \\0      | NUL byte                    |
      | ٦٠      | non-ASCII digits            |

  @control @QOS-CAP-004 @QOS-CAP-005
  Scenario Outline: cap refuses a value outside 1..100 and keeps its value
    Given its cap has been set to "70"
    When "<written>" is written to its cap
    Then the write fails with <errno>
    And its cap still reads the value it had before the write

    Examples:
      | written                | errno           |
      | 0                      | EINVAL          |
      | +0                     | EINVAL          |
      | 000\\n                  | EINVAL          |
      | 101                    | EINVAL          |
      | 1000                   | EINVAL          |
      | 4294967295             | EINVAL          |
      | 4294967296             | EINVAL or ERANGE |
      | 4294967346             | EINVAL or ERANGE |
      | 18446744073709551616   | EINVAL or ERANGE |
      | 18446744073709551666   | EINVAL or ERANGE |
      | 99999999999999999999999 | EINVAL or ERANGE |

  Rule: weight takes the numeric grammar and a value from 1 to 10000

    Background:
      Given a fresh mdev of a type that offers weight

  @control @QOS-WGT-002
  Scenario Outline: weight accepts a value from 1 to 10000 in the numeric grammar
    When "<written>" is written to its weight
    Then the write returns the full count
    And its weight reads "<reads>"

    Examples:
      | written  | reads |
      | 1        | 1     |
      | 10000    | 10000 |
      | 250      | 250   |
      | 250\\n    | 250   |
      | +250     | 250   |
      | +0250\\n  | 250   |
      | 0001     | 1     |

  @control @QOS-WGT-002
  Scenario: weight accepts values across its whole range
    When each value from 1 to 10000 in steps of 37 is written to its weight
    Then every one of those writes returned the full count and read back as written

  @control @QOS-WGT-003 @QOS-WGT-005
  Scenario Outline: weight refuses a malformed write with EINVAL and keeps its value
    Given its weight has been set to "300"
    When "<written>" is written to its weight
    Then the write fails with EINVAL
    And its weight still reads the value it had before the write

    Examples:
      | written | why                  |
      | \\n      | empty value          |
      | ␠200    | leading space        |
      | 200␠    | trailing space       |
      | 2␠00    | embedded space       |
      | -200    | minus sign           |
      | 0xc8    | hexadecimal prefix   |
      | max     | cgroup-style keyword |
      | 200\\n\\n | two newlines         |
      | \\0      | NUL byte             |
      | ２００  | full-width digits    |

  @control @QOS-WGT-004 @QOS-WGT-005
  Scenario Outline: weight refuses a value outside 1..10000 and keeps its value
    Given its weight has been set to "300"
    When "<written>" is written to its weight
    Then the write fails with <errno>
    And its weight still reads the value it had before the write

    Examples:
      | written              | errno            |
      | 0                    | EINVAL           |
      | 10001                | EINVAL           |
      | 65535                | EINVAL           |
      | 4294967295           | EINVAL           |
      | 4294967296           | EINVAL or ERANGE |
      | 4294967396           | EINVAL or ERANGE |
      | 18446744073709551616 | EINVAL or ERANGE |
      | 18446744073709551716 | EINVAL or ERANGE |

  Rule: priority takes one supported level name

    Background:
      Given a fresh mdev of a type that offers priority

  @control @QOS-PRI-003
  Scenario Outline: priority accepts a supported level name
    Given the level <level> is supported by it
    When "<written>" is written to its priority
    Then the write returns the full count
    And its active priority level is "<level>"

    Examples:
      | written  | level  |
      | background      | background    |
      | background\\n    | background    |
      | standard   | standard |
      | urgent     | urgent   |
      | urgent\\n   | urgent   |

  @control @QOS-PRI-004 @QOS-PRI-005
  Scenario Outline: priority refuses anything but a supported level name and keeps its level
    Given its priority has been set to a supported level other than standard
    When "<written>" is written to its priority
    Then the write fails with EINVAL
    And its priority still reads the value it had before the write

    Examples:
      | written             | why                         |
      | Standard            | different case              |
      | STANDARD            | different case              |
      | ␠standard           | leading space               |
      | standard␠           | trailing space              |
      | [standard]          | brackets                    |
      | standard\\n\\n      | two newlines                |
      | \\n                 | empty value                 |
      | standard\\r         | carriage return             |
      | urg                 | prefix of a level           |
      | stand               | prefix of a level           |
      | b                   | prefix of a level           |
      | urgently            | longer than a level         |
      | standard.           | trailing punctuation        |
      | medium              | not in the vocabulary       |
      | realtime            | not in the vocabulary       |
      | low                 | Xe's word, not a level here |
      | normal              | Xe's word, not a level here |
      | high                | Xe's word, not a level here |
      | background standard | two level names             |
      | 1                   | a number                    |
      | \\0                 | NUL byte                    |

  @control @QOS-PRI-004 @QOS-PRI-005
  Scenario: priority refuses a level of the vocabulary that the mdev does not support
    When each level of background standard urgent that it does not support is written to its priority
    Then every one of those writes failed with EINVAL and left the level unchanged

  Rule: a file the suite may not change refuses every write

  @control @QOS-MODE-004
  Scenario: A write to a knob the type fixes fails with EACCES and changes nothing
    Given a fresh mdev of a type that fixes a knob
    When another valid value is written to each knob its type fixes
    Then every one of those writes failed with EACCES and left the knob unchanged

  @control @QOS-MODE-006
  Scenario Outline: A write to timeslice_us or a counter fails and changes nothing
    Given a fresh mdev of the type under test that offers QoS
    And its qos directory has <file>
    When "5" is written to its <file>
    Then the write fails with EACCES, EIO or EPERM
    And its <file> still reads the value it had before the write

    Examples:
      | file         |
      | timeslice_us |
      | usage_us     |
      | throttled_us |
      | wait_us      |
      | nr_slices    |
