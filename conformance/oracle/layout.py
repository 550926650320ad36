"""What the spec requires of the qos/ group: required and optional files, modes, values.

The steps ask these questions; the answers are the spec's, kept here beside the
other oracles so that no step carries policy of its own.
"""

from __future__ import annotations

from collections.abc import Mapping

from conformance.oracle.formats import QOS_FILES, FormatError, priority, single_value, unsigned
from conformance.oracle.shares import DEFAULT_CAP, DEFAULT_LEVEL, DEFAULT_WEIGHT, LEVELS, Member

REQUIRED = {"usage_us": "QOS-LAY-002", "timeslice_us": "QOS-LAY-002"}
"""Files every qos/ group holds, with the requirement that says so."""

ABSENT_REASON = {
    "cap": "this mdev has no qos/cap: every knob is optional, and what the spec says "
    "of cap applies only where cap is present",
    "weight": "this mdev has no qos/weight: every knob is optional, and what the spec says "
    "of weight applies only where weight is present",
    "priority": "this mdev has no qos/priority: every knob is optional, and what the spec "
    "says of priority applies only where priority is present",
    "cap_period_us": "this mdev has no qos/cap_period_us: a driver states a cap period only "
    "when its cap holds over a period longer than one timeslice",
    "throttled_us": "this mdev has no qos/throttled_us: it is required only together with cap",
    "wait_us": "this mdev has no qos/wait_us: it is required only together with priority",
    "nr_slices": "this mdev has no qos/nr_slices: it is required only together with priority",
    "domain": "this mdev has no qos/domain: it is optional, and without it the mdev's "
    "scheduling domain is its parent",
}
"""Why a scenario does not apply when an optional file is absent."""

KNOB_MODE = 0o644  # a knob the type does not fix: regular file, owner root
READ_ONLY_MODE = 0o444  # timeslice_us, counters and knobs the type fixes


def absent_reason(name: str) -> str:
    """Why the requirements on ``name`` do not apply to an mdev without it."""
    return ABSENT_REASON.get(name, f"this mdev has no qos/{name}")


def spec_files(entries: list[str]) -> list[str]:
    """The entries this spec defines, in the spec's order."""
    return [name for name in QOS_FILES if name in entries]


def one_value(name: str, raw: bytes) -> None:
    """A read holds one value and one newline (priority: its list of levels)."""
    text = single_value(raw)
    if name != "priority" and " " in text:
        raise FormatError("holds more than one value")


def enough_levels(words: list[str]) -> bool:
    """A priority offers standard and at least one other level of the vocabulary."""
    return DEFAULT_LEVEL in words and len(set(words) & set(LEVELS)) >= 2


def another_value(knob: str, current: str, levels: tuple[str, ...]) -> str:
    """A valid value for ``knob`` other than ``current``."""
    if knob == "priority":
        return next(lv for lv in reversed(levels) if lv != current)
    first, second = ("90", "80") if knob == "cap" else ("200", "300")
    return first if current != first else second


def another_write(knob: str, raw: bytes) -> bytes:
    """A valid write to ``knob`` other than the value ``raw`` shows (however it reads)."""
    if knob == "priority":
        try:
            shown = priority(raw)
            levels, active = shown.levels, shown.active
        except FormatError:
            levels, active = LEVELS, ""
        return next(lv for lv in reversed(levels) if lv != active).encode()
    try:
        current = unsigned(raw)
    except FormatError:
        current = 0
    return str(current % 100 + 1).encode()


def member(name: str, knobs: Mapping[str, int | str]) -> Member:
    """An mdev as the share oracle takes it: its knobs, defaults for those it lacks."""
    return Member(
        name,
        weight=int(knobs.get("weight", DEFAULT_WEIGHT)),
        cap=int(knobs.get("cap", DEFAULT_CAP)),
        level=str(knobs.get("level", DEFAULT_LEVEL)),
    )


def cap_of(knobs: Mapping[str, int | str]) -> int:
    """The cap an mdev has (100 when it has none)."""
    return int(knobs.get("cap", DEFAULT_CAP))

