Feature: Layout and discovery of the qos attribute group
  Where the QoS files of an mdev live and which of them a driver must offer
  together. A driver offers QoS per mdev through the attribute group qos/ of the
  mdev device; each knob is optional, but some files come in sets so that every
  required behaviour can be observed through the files themselves.

  @static @QOS-LAY-001
  Scenario: The qos directory is reached through the bus and through the parent
    Given an mdev of the type under test that offers QoS
    Then its qos directory exists under /sys/bus/mdev/devices
    And the same qos directory is reached through its parent under /sys/class/mdev_bus

  @static @QOS-LAY-009
  Scenario: A driver without QoS for an mdev creates no qos directory at all
    Given an mdev of each type on the parent under test
    Then each of their qos directories is either absent or holds a knob or usage_us

  @static @QOS-LAY-002
  Scenario: A qos directory always holds usage_us and timeslice_us
    Given an mdev of each type on the parent under test
    Then each of their qos directories is either absent or holds usage_us and timeslice_us

  @static @QOS-LAY-003
  Scenario: The qos directory holds only files this specification defines
    Given an mdev of the type under test that offers QoS
    Then every entry of its qos directory is one of cap, weight, priority, timeslice_us, usage_us, throttled_us, wait_us and nr_slices

  @static
  Scenario Outline: A knob comes with the counters that make its behaviour observable
    Given an mdev of the type under test that offers QoS
    And its qos directory has <knob>
    Then its qos directory also has <companions>

    @QOS-LAY-004
    Examples: cap needs throttled_us
      | knob     | companions            |
      | cap      | throttled_us          |

    @QOS-LAY-005
    Examples: priority needs wait_us and nr_slices
      | knob     | companions            |
      | priority | wait_us and nr_slices |

  @static @QOS-LAY-006
  Scenario: Every entry of the qos directory is a regular file
    Given an mdev of the type under test that offers QoS
    Then every entry of its qos directory is a regular file

  @static @QOS-LAY-007
  Scenario: All mdevs of one type on one parent offer the same qos files
    Given every mdev of the type under test on its parent, and a second one where the suite may create it
    Then their qos directories list the same files

  @static @QOS-LAY-008
  Scenario: wait_us and nr_slices are offered even without priority
    Given an mdev of the type under test that offers QoS
    Then its qos directory also has wait_us and nr_slices
