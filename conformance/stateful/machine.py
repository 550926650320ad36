"""The state machine hypothesis draws random sequences from.

Rules: create an mdev (``mdevs`` bundle) in any slot with room, remove one
(consumed from the bundle), set one knob to a value drawn from a list that starts
with the default (so shrinking moves knobs back to their defaults), change a
load, let a window of 1 to 2 W pass. The invariant: every mdev of the sequence
exists with its ``qos/`` group and every removed one is gone (QOS-LIFE-001).
Each operation is also kept as its Gherkin line; a violation raises
:class:`Found` with the lines so far, which hypothesis shrinks.

One machine is one example; :func:`machine_for` binds the class to its campaign.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    precondition,
    rule,
)

from conformance.oracle.shares import DEFAULT_LEVEL, LEVELS
from conformance.stateful import gherkin
from conformance.stateful.checks import Violation
from conformance.workload.base import parse_load

if TYPE_CHECKING:
    from conformance.stateful.campaign import Campaign, Example
    from conformance.stateful.explorer import Tracked

CAPS = ("100", "50", "30", "20", "70", "10", "90", "60")
WEIGHTS = ("100", "200", "50", "400", "25", "300", "1000", "10")
LEVEL_ORDER = (DEFAULT_LEVEL, *(lv for lv in reversed(LEVELS) if lv != DEFAULT_LEVEL))
"""Priority values, the default first (shrinking moves towards it), then highest first."""
KNOB_VALUES = {"cap": CAPS, "weight": WEIGHTS}
PERIODIC = ((1, 2, 1), (1, 4, 1), (2, 5, 1), (3, 10, 1), (1, 3, 2))
"""Periodic loads as (run, period, divisor) in timeslices: run q·run/div every q·period/div."""


class Found(AssertionError):
    """A check of the oracle did not hold; carries the sequence that led there."""

    def __init__(self, violation: Violation, lines: list[str]) -> None:
        super().__init__(str(violation))
        self.violation = violation
        self.lines = list(lines)


def load_text(kind: str, variant: int, q: int) -> str:
    """A load's text: backlog, idle, or the ``variant``-th periodic one scaled to q."""
    if kind != "periodic":
        return kind
    run, period, div = PERIODIC[variant % len(PERIODIC)]
    return f"periodic {q * run // div} {q * period // div}"


class SequenceMachine(RuleBasedStateMachine):
    """Random sequences of operations on the target, judged after every window."""

    campaign: Campaign
    mdevs = Bundle("mdevs")

    def __init__(self) -> None:
        """One example: a fresh registry and model."""
        super().__init__()
        self.example: Example = self.campaign.start_example()
        self.names = 0
        self.removed: list[Any] = []

    # -- rules -----------------------------------------------------------------------
    @precondition(lambda self: self.example.has_room())
    @rule(target=mdevs, choice=st.integers(0, 3), busy=st.booleans())
    def create(self, choice: int, busy: bool) -> str:
        """Create an mdev in a slot with room (the choice wraps); ``busy`` backlogs it."""
        slot = self.example.room(choice)
        name = string.ascii_uppercase[self.names % 26]  # steps per example < 26
        self.names += 1
        self.example.model[name] = slot
        self._do(gherkin.created(name, slot), lambda: self.example.create(name, slot))
        if busy and self.example.tracked(name) is not None:
            self._do(gherkin.load_set(name, "backlog"),
                     lambda: self.example.explorer.set_load(name, parse_load("backlog")))
        return name

    @rule(name=consumes(mdevs))
    def remove(self, name: str) -> None:
        """Remove an mdev of the sequence; one never created has nothing to remove."""
        slot = self.example.model.pop(name, None)
        if slot is None:
            return
        self._do(gherkin.removed(name), lambda: self.example.remove(name, slot))

    @rule(name=mdevs, knob=st.sampled_from(("cap", "weight", "priority")),
          choice=st.integers(0, 7))
    def set_knob(self, name: str, knob: str, choice: int) -> None:
        """Set a writable knob to the ``choice``-th value (0: its default)."""
        one = self.example.tracked(name)
        if one is None or knob not in one.writable:
            return
        self._write(name, knob, self._value(one, knob, choice))

    @rule(name=mdevs, cap=st.integers(0, 7), weight=st.integers(0, 7), level=st.integers(0, 2))
    def configure(self, name: str, cap: int, weight: int, level: int) -> None:
        """Give an mdev a combination of knobs at once (a write for each that changes)."""
        one = self.example.tracked(name)
        if one is None:
            return
        for knob, choice in (("priority", level), ("weight", weight), ("cap", cap)):
            if knob not in one.writable:
                continue
            value = self._value(one, knob, choice)
            key = "level" if knob == "priority" else knob
            if str(one.knobs.get(key)) != value:
                self._write(name, knob, value)

    @rule(name=mdevs, kind=st.sampled_from(("backlog", "idle", "periodic")),
          variant=st.integers(0, len(PERIODIC) - 1))
    def set_load(self, name: str, kind: str, variant: int) -> None:
        """Give an mdev a load: backlog, idle, or one of the periodic ones."""
        one = self.example.tracked(name)
        if one is None:
            return
        text = load_text(kind, variant, one.timeslice)
        if str(one.load) == text:
            return  # no change
        self._do(gherkin.load_set(name, text),
                 lambda: self.example.explorer.set_load(name, parse_load(text)))

    @precondition(lambda self: bool(self.example.model))
    @rule(permille=st.integers(1000, 1999))
    def window(self, permille: int) -> None:
        """Let a window of permille/1000 W pass; the oracle judges it."""
        self._do(gherkin.window_passes(permille), lambda: self.example.window(permille))

    @invariant()
    def devices_match_model(self) -> None:
        """Every mdev of the sequence has its qos/ group; every removed one is gone."""
        self._do("", self.example.check_devices)

    def teardown(self) -> None:
        """Undo the example's changes (journaled), newest first."""
        self.example.close()

    # -- helpers ---------------------------------------------------------------------
    def _write(self, name: str, knob: str, value: str) -> None:
        self._do(gherkin.knob_set(name, knob, value),
                 lambda: self.example.explorer.set_knob(name, knob, value))

    @staticmethod
    def _value(one: Tracked, knob: str, choice: int) -> str:
        """The ``choice``-th value of a knob (0: its default)."""
        if knob == "priority":
            levels = [lv for lv in LEVEL_ORDER if lv in one.levels]
            return levels[choice % len(levels)]
        values = KNOB_VALUES[knob]
        return values[choice % len(values)]

    def _do(self, line: str, action: Callable[[], Any]) -> None:
        """Keep the line, run the operation unless the campaign stopped; raise on a violation."""
        if line:
            self.example.lines.append(line)
        if not self.example.active():
            return
        violation = self.example.attempt(action)
        if violation is not None:
            self.campaign.found(violation, self.example.lines)
            raise Found(violation, self.example.lines)


def machine_for(campaign: Campaign) -> type[SequenceMachine]:
    """A machine class whose examples belong to ``campaign``."""
    return type("RandomSequence", (SequenceMachine,), {"campaign": campaign})
