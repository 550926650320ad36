Feature: Concurrency and permissions
  Who may write a knob, with which file modes, and what concurrent readers and
  writers observe: a complete value, old or new, never a torn one.

  @static @QOS-MODE-001
  Scenario: A writable knob has mode 0644 and belongs to root
    Given an mdev of the type under test that offers QoS
    Then every knob of its qos directory that its type does not fix has mode 0644 and owner root

  @static @QOS-MODE-002
  Scenario: timeslice_us and the counters are read-only
    Given an mdev of the type under test that offers QoS
    Then timeslice_us and every counter of its qos directory have mode 0444

  @control @QOS-MODE-005
  Scenario Outline: An unprivileged user cannot write a knob
    Given a fresh mdev of a type that offers <knob>
    When an unprivileged user writes "<value>" to its <knob>
    Then the write fails with EACCES or EPERM
    And its <knob> still reads the value it had before the write

    Examples:
      | knob     | value |
      | cap      | 50    |
      | weight   | 500   |
      | priority | urgent  |

  @control @QOS-CONC-001
  Scenario Outline: Concurrent writers leave one of the written values
    Given a fresh mdev of a type that offers <knob>
    When 4 threads write the values "<values>" to its <knob> at the same time
    Then every one of those writes returned the full count or an errno
    And its <knob> reads one of the values that were written successfully

    Examples:
      | knob     | values          |
      | cap      | 10 20 30 40     |
      | weight   | 1 50 5000 10000 |
      | priority | background standard urgent |

  @control @QOS-CONC-002
  Scenario Outline: A reader racing writers sees a complete value
    Given a fresh mdev of a type that offers <knob>
    When 2 threads write the values "<values>" to its <knob> while 2 threads read it
    Then every read was a complete value: the old one or one of the written ones

    Examples:
      | knob     | values          |
      | cap      | 1 55 100        |
      | weight   | 7 777 7777      |
      | priority | background standard urgent |

  @scheduling @QOS-CONC-003
  Scenario: Counters read during a running workload never go backwards
    Given fresh mdevs of the type under test with weights "100 100"
    When all of them are backlogged
    And 3 threads read their counters while one measurement window passes
    Then every counter read was well-formed and none went backwards

  @control @QOS-LIFE-001 @QOS-CONC-002
  Scenario: An mdev created and removed while other threads use its knobs
    Given a fresh mdev of the type under test that offers QoS
    When it is created and removed 20 times while 2 threads write its knobs and 2 threads read them
    Then every access found the mdev whole or gone: a complete value, or ENOENT or ENODEV
    And no mdev of the race is left and available_instances reads as before
