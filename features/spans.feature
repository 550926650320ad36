Feature: Every span of a window
  The lag bound of the measurement method holds over any interval, not only over
  the window the run happens to measure. A driver that serves its mdevs in bursts
  of a fixed period looks exact in every window whose length that period divides;
  the spans between reads taken once per timeslice inside a window are windows of
  every other length, each checked with the tolerance of its own length.

  The mdevs are named A, B, C in the order they were created.

  @scheduling @QOS-SCH-004
  Scenario: Backlogged mdevs share the parent equally over every span of a window
    Given 2 fresh mdevs of the type under test
    And their sharing is work-conserving
    When all of them are backlogged
    And one measurement window passes, read every timeslice
    Then their shares are "1/2 1/2" over every span between two of those reads
