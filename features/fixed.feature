Feature: Type-fixed knobs and busy re-create
  A knob the mdev type fixes is not just a value to read: the scheduler holds the
  mdev to it, as it would hold it to a written one, and goes on doing so after the
  mdev's other knobs are written and after a write to the fixed file is refused.
  An mdev removed while it has work leaves nothing behind: created again with the
  same UUID it starts with default knobs, counters at 0 and a scheduler that
  treats it as new.

  Shares are measured from usage_us over one measurement window; the mdevs are
  named A, B, C in the order they were created.

  @scheduling @QOS-MODE-007
  Scenario: A cap its type fixes holds under load, also after writes to every knob
    Given a fresh mdev of a type that fixes its cap, named A
    When every knob of A is given another valid value, the ones its type fixes included
    And all of them are backlogged
    And one measurement window passes
    Then their shares follow the share formula for the knobs they read
    And the throttled_us of A grew by the part of the window its cap withholds

  @scheduling @QOS-LIFE-002
  Scenario: An mdev removed while it has work comes back with default knobs
    Given fresh mdevs of the type under test with weights "5000 100" and caps "30 100"
    When all of them are backlogged
    And the device has settled
    And A is removed while it has work and created again with the same UUID
    Then every knob of A reads its default
    When all of them are backlogged
    And one measurement window passes
    Then their shares are "1/2 1/2"

  @scheduling @QOS-LIFE-003
  Scenario: An mdev removed while it has work comes back with its counters at 0
    Given fresh mdevs of the type under test with weights "100"
    When all of them are backlogged
    And the device has settled
    And A is removed while it has work and created again with the same UUID
    Then every counter of A reads "0"
