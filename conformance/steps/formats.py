"""Then steps about what reads return, the defaults, and file modes."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pytest_bdd import parsers, then

from conformance.oracle import formats
from conformance.oracle.formats import (
    COUNTERS,
    NUMERIC_FILES,
    TIMESLICE_ADVISED_MAX,
    TIMESLICE_RANGE,
    U64_MAX,
    FormatError,
)
from conformance.oracle.grammar import NUMERIC_RANGES
from conformance.oracle.layout import (
    KNOB_MODE,
    READ_ONLY_MODE,
    enough_levels,
    one_value,
    spec_files,
)
from conformance.steps.require import require_file
from conformance.steps.state import Named, Writes, whom
from conformance.suite.mdev import Mdev
from conformance.suite.outcome import Outcome
from conformance.suite.registry import Resources
from conformance.suite.rounding import rounded_read

OF_WHOM = r"(?:its qos directory|the qos directory of (?P<name>[A-Z]))"


def _readable(mdev: Mdev, names: list[str]) -> list[str]:
    """Spec files that are regular files.

    A directory, a link (never followed: it could lead out of a recorded tree) or a
    FIFO is a layout failure, not a read.
    """
    return [n for n in names if mdev.stat(n).kind == "file"]


def _check_each(
    outcome: Outcome,
    mdev: Mdev,
    names: list[str],
    check: Callable[[str, bytes], object],
    what: str,
) -> None:
    problems = []
    for name in names:
        raw = mdev.raw(name)
        try:
            check(name, raw)
        except FormatError as exc:
            problems.append(f"{name} reads {raw!r}: {exc}")
    outcome.evidence(what, expected="every file conforms", actual=problems or "all conform",
                     note=", ".join(names))
    assert not problems, f"mdev {mdev.uuid}: " + "; ".join(problems)


# -- read formats -----------------------------------------------------------------------
@then(parsers.re(rf"every file of {OF_WHOM} reads one value followed by exactly one newline"))
def _one_line(
    request: pytest.FixtureRequest, named: Named, outcome: Outcome, name: str | None
) -> None:
    """Each spec file of the mdev reads one value and one newline."""
    mdev = whom(request, named, name)
    names = _readable(mdev, spec_files(mdev.entries() or []))
    _check_each(outcome, mdev, names, one_value, "one value and one newline")


def _canonical_form(_name: str, raw: bytes) -> None:
    formats.canonical_form(raw)


@then(parsers.re(rf"every numeric file of {OF_WHOM} reads as canonical unsigned decimal"))
def _canonical(
    request: pytest.FixtureRequest, named: Named, outcome: Outcome, name: str | None
) -> None:
    """Each numeric file of the mdev reads canonical unsigned decimal."""
    mdev = whom(request, named, name)
    entries = mdev.entries() or []
    names = _readable(mdev, [n for n in spec_files(entries) if n in NUMERIC_FILES])
    _check_each(outcome, mdev, names, _canonical_form, "canonical unsigned decimal")


@then(parsers.re(rf"every counter of {OF_WHOM} reads a value below 2 to the power of 64"))
def _u64(
    request: pytest.FixtureRequest, named: Named, outcome: Outcome, name: str | None
) -> None:
    """Each counter of the mdev fits in 64 bits."""
    mdev = whom(request, named, name)
    names = _readable(mdev, mdev.counters_present())
    problems = []
    for counter in names:
        raw = mdev.raw(counter)
        outside = [v for v in formats.loose_integers(raw) if not 0 <= v <= U64_MAX]
        if outside:
            problems.append(f"{counter} reads {raw!r}, outside 0..2**64-1")
    outcome.evidence("counters within u64", expected=[], actual=problems)
    assert not problems, f"mdev {mdev.uuid}: " + "; ".join(problems)


def _timeslice_value(outcome: Outcome, mdev: Mdev) -> int:
    require_file(outcome, mdev, "timeslice_us")
    raw = mdev.raw("timeslice_us")
    values = formats.loose_integers(raw)
    if len(values) != 1:
        raise AssertionError(f"timeslice_us of mdev {mdev.uuid} reads {raw!r}, not one integer")
    return values[0]


@then("its timeslice_us reads an integer from 1 to 1000000")
def _timeslice_range(subject: Mdev, outcome: Outcome) -> None:
    """timeslice_us is within the range the spec allows."""
    value = _timeslice_value(outcome, subject)
    low, high = TIMESLICE_RANGE
    outcome.evidence("timeslice_us", expected=f"{low}..{high}", actual=value, unit="us")
    assert low <= value <= high, (
        f"timeslice_us of mdev {subject.uuid}: expected {low}..{high}, got {value}"
    )


@then(parsers.re(r"its (?P<name>timeslice_us|cap_period_us) reads the same value again"))
def _constant(subject: Mdev, outcome: Outcome, name: str) -> None:
    """Two reads of a constant (timeslice_us, cap_period_us) agree."""
    first, second = subject.raw(name), subject.raw(name)
    outcome.evidence(f"{name} read twice", expected=first.decode(errors="replace"),
                     actual=second.decode(errors="replace"))
    assert first == second, f"{name} of mdev {subject.uuid} changed from {first!r} to {second!r}"


@then("its timeslice_us is at most 100000")
def _timeslice_advised(subject: Mdev, outcome: Outcome) -> None:
    """timeslice_us stays below the advised maximum (a SHOULD)."""
    if not subject.has("timeslice_us"):
        outcome.skip(
            f"mdev {subject.uuid} has no timeslice_us to judge; its absence fails QOS-LAY-002"
        )
    value = _timeslice_value(outcome, subject)
    outcome.evidence("timeslice_us", expected=f"<= {TIMESLICE_ADVISED_MAX}", actual=value,
                     unit="us")
    assert value <= TIMESLICE_ADVISED_MAX, (
        f"timeslice_us of mdev {subject.uuid} is {value} µs; it should be at most "
        f"{TIMESLICE_ADVISED_MAX} µs so that measurement windows stay short"
    )


@then("two consecutive reads of each of its knobs return identical bytes")
def _stable_reads(subject: Mdev, outcome: Outcome) -> None:
    """Reads without a write between them agree."""
    knobs = _readable(subject, subject.knobs_present())
    if not knobs:
        outcome.skip(f"mdev {subject.uuid} offers no knob: every knob is optional")
    changed = {}
    for knob in knobs:
        first, second = subject.raw(knob), subject.raw(knob)
        if first != second:
            changed[knob] = [first.decode(errors="replace"), second.decode(errors="replace")]
    outcome.evidence("knobs read twice", expected={}, actual=changed)
    assert not changed, f"mdev {subject.uuid}: reads differ without a write between: {changed}"


# -- priority ----------------------------------------------------------------------------
@then(
    "its priority reads supported levels of the vocabulary background standard urgent, "
    "lowest first, the active one in brackets"
)
def _priority_format(subject: Mdev, outcome: Outcome) -> None:
    """Priority reads its levels lowest first, the active one bracketed."""
    raw = subject.raw("priority")
    try:
        parsed = formats.priority(raw)
    except FormatError as exc:
        outcome.evidence("priority", expected="e.g. background [standard] urgent",
                         actual=raw.decode(errors="replace"))
        raise AssertionError(f"priority of mdev {subject.uuid} reads {raw!r}: {exc}") from None
    outcome.evidence("priority", expected="e.g. background [standard] urgent",
                     actual=parsed.render())


@then("its priority supports standard and at least one other level")
def _priority_levels(subject: Mdev, outcome: Outcome) -> None:
    """Priority offers standard and another level."""
    raw = subject.raw("priority")
    words = [w.strip("[]") for w in raw.decode(errors="replace").split()]
    outcome.evidence("supported levels", expected="standard and another", actual=words)
    assert enough_levels(words), (
        f"priority of mdev {subject.uuid} reads {raw!r}: expected standard and at least one "
        "other level"
    )


# -- knob values and defaults --------------------------------------------------------------
@then(
    parsers.re(
        r'its (?:active (?P<level>priority) level is|(?P<knob>cap|weight|priority) reads) '
        r'"(?P<value>[^"]*)"'
    )
)
def _knob_reads(
    subject: Mdev, resources: Resources, writes: Writes, outcome: Outcome, level: str | None,
    knob: str | None, value: str,
) -> None:
    """The knob's value; for priority, the active (bracketed) level.

    Right after an accepted write of a number, a device that rounds may read the
    applied value nearest the one written (QOS-FMT-009): that is probed, not assumed.
    """
    name = level or knob or ""
    actual = subject.knob(name)
    outcome.evidence(name, expected=value, actual=actual)
    just_written = bool(writes) and writes.last.name == name and writes.last.succeeded
    if actual != value and just_written and name in NUMERIC_RANGES and actual.isdigit():
        problem = rounded_read(resources, subject, name, int(value), int(actual))
        assert problem is None, f"{name} of mdev {subject.uuid}: {problem}"
        return
    assert actual == value, f"{name} of mdev {subject.uuid}: expected {value!r}, read {actual!r}"


# -- modes ---------------------------------------------------------------------------------
@then("each knob its type fixes reads a valid value in the knob's format")
def _fixed_value(subject: Mdev, outcome: Outcome) -> None:
    """A knob the type fixes still reads a valid value."""
    problems, seen = [], {}
    for knob in subject.fixed_knobs():
        raw = subject.raw(knob)
        try:
            value = formats.knob_value(knob, raw)
        except FormatError as exc:
            problems.append(f"{knob} reads {raw!r}: {exc}")
            continue
        seen[knob] = value
        if knob in NUMERIC_RANGES:
            low, high = NUMERIC_RANGES[knob]
            if not low <= int(value) <= high:
                problems.append(f"{knob} reads {value}, outside {low}..{high}")
    outcome.evidence("type-fixed knobs", expected="valid values", actual=seen,
                     note="; ".join(problems))
    assert not problems, f"mdev {subject.uuid}: " + "; ".join(problems)


@then(
    "every knob of its qos directory that its type does not fix has mode 0644 and owner root"
)
def _knob_modes(subject: Mdev, outcome: Outcome) -> None:
    """Writable knobs are regular files 0644 owned by root."""
    writable = [k for k in subject.knobs_present() if not subject.is_fixed(k)]
    if not writable:
        outcome.skip(f"mdev {subject.uuid} has no writable knob: every knob is optional")
    found = {}
    for knob in writable:
        st = subject.stat(knob)
        found[knob] = (st.kind, oct(st.mode), st.uid)
    wrong = {k: v for k, v in found.items() if v != ("file", oct(KNOB_MODE), 0)}
    outcome.evidence("writable knobs (kind, mode, owner)", expected=("file", oct(KNOB_MODE), 0),
                     actual=found)
    assert not wrong, (
        f"mdev {subject.uuid}: writable knobs must be regular files 0644 owned by root: {wrong}"
    )


READ_ONLY = {
    "each knob its type fixes has": ("modes of type-fixed knobs", "a knob its type fixes"),
    "timeslice_us and every counter of its qos directory have": (
        "modes of timeslice_us and counters", "timeslice_us and counters"),
}


@then(parsers.re(
    "(?P<which>" + "|".join(READ_ONLY) + ") mode 0444"
))
def _read_only_modes(subject: Mdev, outcome: Outcome, which: str) -> None:
    """The knobs the type fixes, or timeslice_us and the counters, are read-only."""
    if which.startswith("each knob"):
        names = list(subject.fixed_knobs())
    else:
        entries = subject.entries() or []
        names = [n for n in ("timeslice_us", *COUNTERS) if n in entries]
    modes = {n: oct(subject.stat(n).mode) for n in names}
    wrong = {n: m for n, m in modes.items() if m != oct(READ_ONLY_MODE)}
    evidence, who = READ_ONLY[which]
    outcome.evidence(evidence, expected=oct(READ_ONLY_MODE), actual=modes)
    assert not wrong, f"mdev {subject.uuid}: {who} must have mode 0444, found {wrong}"
