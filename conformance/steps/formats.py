"""Then steps about what reads return, the defaults, and file modes."""

from __future__ import annotations

from typing import Any

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
from conformance.oracle.shares import DEFAULT_LEVEL, LEVELS
from conformance.steps.scene import (
    Scene,
    counters_in,
    is_fixed,
    knobs_in,
    qos_entries,
    read_knob,
    read_raw,
    require_file,
    spec_files,
)

KNOB = r"(?P<knob>cap|weight|priority)"


OF_WHOM = r"(?:its qos directory|the qos directory of (?P<name>[A-Z]))"


def _subject(scene: Scene, name: str | None = None) -> str:
    """The mdev a step means: a named one, else the scenario's subject ("it")."""
    if name:
        return scene.uuid(name)
    if scene.subject is None:
        raise LookupError("the scenario has no subject mdev")
    return scene.subject


def _readable(ctx: Any, uuid: str, names: list[str]) -> list[str]:
    """Spec files that are regular files: a directory, a link (never followed: it could
    lead out of a recorded tree) or a FIFO is a layout failure, not a read."""
    return [n for n in names if ctx.target.stat(ctx.qos(uuid, n)).kind == "file"]


def _check_each(ctx: Any, uuid: str, names: list[str], check: Any, what: str) -> None:
    problems = []
    for name in names:
        raw = read_raw(ctx, uuid, name)
        try:
            check(name, raw)
        except FormatError as exc:
            problems.append(f"{name} reads {raw!r}: {exc}")
    ctx.evidence(what, expected="every file conforms", actual=problems or "all conform",
                 note=", ".join(names))
    assert not problems, f"mdev {uuid}: " + "; ".join(problems)


# -- read formats -----------------------------------------------------------------------
def _one_value(name: str, raw: bytes) -> None:
    text = formats.single_value(raw)
    if name != "priority" and " " in text:
        raise FormatError("holds more than one value")


@then(parsers.re(rf"every file of {OF_WHOM} reads one value followed by exactly one newline"))
def _one_line(ctx: Any, scene: Scene, name: str | None) -> None:
    uuid = _subject(scene, name)
    names = _readable(ctx, uuid, spec_files(qos_entries(ctx, uuid) or []))
    _check_each(ctx, uuid, names, _one_value, "one value and one newline")


@then(parsers.re(rf"every numeric file of {OF_WHOM} reads as canonical unsigned decimal"))
def _canonical(ctx: Any, scene: Scene, name: str | None) -> None:
    uuid = _subject(scene, name)
    entries = qos_entries(ctx, uuid) or []
    names = _readable(ctx, uuid, [n for n in spec_files(entries) if n in NUMERIC_FILES])
    _check_each(ctx, uuid, names, lambda _n, raw: formats.canonical_form(raw),
                "canonical unsigned decimal")


@then(parsers.re(rf"every counter of {OF_WHOM} reads a value below 2 to the power of 64"))
def _u64(ctx: Any, scene: Scene, name: str | None) -> None:
    uuid = _subject(scene, name)
    names = _readable(ctx, uuid, counters_in(qos_entries(ctx, uuid) or []))
    problems = []
    for name in names:
        raw = read_raw(ctx, uuid, name)
        outside = [v for v in formats.loose_integers(raw) if not 0 <= v <= U64_MAX]
        if outside:
            problems.append(f"{name} reads {raw!r}, outside 0..2**64-1")
    ctx.evidence("counters within u64", expected=[], actual=problems)
    assert not problems, f"mdev {uuid}: " + "; ".join(problems)


def _timeslice_value(ctx: Any, uuid: str) -> int:
    require_file(ctx, uuid, "timeslice_us")
    raw = read_raw(ctx, uuid, "timeslice_us")
    values = formats.loose_integers(raw)
    if len(values) != 1:
        raise AssertionError(f"timeslice_us of mdev {uuid} reads {raw!r}, not one integer")
    return values[0]


@then("its timeslice_us reads an integer from 1 to 1000000")
def _timeslice_range(ctx: Any, scene: Scene) -> None:
    uuid = _subject(scene)
    value = _timeslice_value(ctx, uuid)
    low, high = TIMESLICE_RANGE
    ctx.evidence("timeslice_us", expected=f"{low}..{high}", actual=value, unit="us")
    assert low <= value <= high, f"timeslice_us of mdev {uuid}: expected {low}..{high}, got {value}"


@then("its timeslice_us reads the same value again")
def _timeslice_constant(ctx: Any, scene: Scene) -> None:
    uuid = _subject(scene)
    first, second = read_raw(ctx, uuid, "timeslice_us"), read_raw(ctx, uuid, "timeslice_us")
    ctx.evidence("timeslice_us read twice", expected=first.decode(errors="replace"),
                 actual=second.decode(errors="replace"))
    assert first == second, f"timeslice_us of mdev {uuid} changed from {first!r} to {second!r}"


@then("its timeslice_us is at most 100000")
def _timeslice_advised(ctx: Any, scene: Scene) -> None:
    uuid = _subject(scene)
    if not ctx.target.exists(ctx.qos(uuid, "timeslice_us")):
        ctx.skip(f"mdev {uuid} has no timeslice_us to judge; its absence fails QOS-LAY-002")
    value = _timeslice_value(ctx, uuid)
    ctx.evidence("timeslice_us", expected=f"<= {TIMESLICE_ADVISED_MAX}", actual=value, unit="us")
    assert value <= TIMESLICE_ADVISED_MAX, (
        f"timeslice_us of mdev {uuid} is {value} µs; it should be at most "
        f"{TIMESLICE_ADVISED_MAX} µs so that measurement windows stay short"
    )


@then("two consecutive reads of each of its knobs return identical bytes")
def _stable_reads(ctx: Any, scene: Scene) -> None:
    uuid = _subject(scene)
    knobs = _readable(ctx, uuid, knobs_in(qos_entries(ctx, uuid) or []))
    if not knobs:
        ctx.skip(f"mdev {uuid} offers no knob: every knob is optional")
    changed = {}
    for knob in knobs:
        first, second = read_raw(ctx, uuid, knob), read_raw(ctx, uuid, knob)
        if first != second:
            changed[knob] = [first.decode(errors="replace"), second.decode(errors="replace")]
    ctx.evidence("knobs read twice", expected={}, actual=changed)
    assert not changed, f"mdev {uuid}: reads differ without a write between: {changed}"


# -- priority ----------------------------------------------------------------------------
@then(
    "its priority reads supported levels of the vocabulary low normal high, "
    "lowest first, the active one in brackets"
)
def _priority_format(ctx: Any, scene: Scene) -> None:
    uuid = _subject(scene)
    raw = read_raw(ctx, uuid, "priority")
    try:
        parsed = formats.priority(raw)
    except FormatError as exc:
        ctx.evidence("priority", expected="e.g. low [normal] high",
                     actual=raw.decode(errors="replace"))
        raise AssertionError(f"priority of mdev {uuid} reads {raw!r}: {exc}") from None
    ctx.evidence("priority", expected="e.g. low [normal] high", actual=parsed.render())


@then("its priority supports normal and at least one other level")
def _priority_levels(ctx: Any, scene: Scene) -> None:
    uuid = _subject(scene)
    raw = read_raw(ctx, uuid, "priority")
    words = [w.strip("[]") for w in raw.decode(errors="replace").split()]
    ctx.evidence("supported levels", expected="normal and another", actual=words)
    assert DEFAULT_LEVEL in words and len(set(words) & set(LEVELS)) >= 2, (
        f"priority of mdev {uuid} reads {raw!r}: expected normal and at least one other level"
    )


# -- knob values and defaults --------------------------------------------------------------
@then(parsers.re(r'its active priority level is "(?P<value>[a-z]+)"'))
def _active_level(ctx: Any, scene: Scene, value: str) -> None:
    _knob_reads(ctx, scene, "priority", value)


@then(parsers.re(rf'its {KNOB} reads "(?P<value>[^"]*)"'))
def _knob_reads(ctx: Any, scene: Scene, knob: str, value: str) -> None:
    """The knob's value; for priority, the active (bracketed) level."""
    uuid = _subject(scene)
    actual = read_knob(ctx, uuid, knob)
    ctx.evidence(knob, expected=value, actual=actual)
    assert actual == value, f"{knob} of mdev {uuid}: expected {value!r}, read {actual!r}"


# -- modes ---------------------------------------------------------------------------------
@then("each knob its type fixes has mode 0444")
def _fixed_mode(ctx: Any, scene: Scene) -> None:
    uuid = _subject(scene)
    modes = {k: oct(ctx.target.stat(ctx.qos(uuid, k)).mode) for k in scene.fixed[uuid]}
    wrong = {k: m for k, m in modes.items() if m != oct(0o444)}
    ctx.evidence("modes of type-fixed knobs", expected="0o444", actual=modes)
    assert not wrong, f"mdev {uuid}: a knob its type fixes must have mode 0444, found {wrong}"


@then("each knob its type fixes reads a valid value in the knob's format")
def _fixed_value(ctx: Any, scene: Scene) -> None:
    uuid = _subject(scene)
    problems, seen = [], {}
    for knob in scene.fixed[uuid]:
        raw = read_raw(ctx, uuid, knob)
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
    ctx.evidence("type-fixed knobs", expected="valid values", actual=seen, note="; ".join(problems))
    assert not problems, f"mdev {uuid}: " + "; ".join(problems)


@then(
    "every knob of its qos directory that its type does not fix has mode 0644 and owner root"
)
def _knob_modes(ctx: Any, scene: Scene) -> None:
    uuid = _subject(scene)
    knobs = knobs_in(qos_entries(ctx, uuid) or [])
    writable = [k for k in knobs if not is_fixed(ctx, uuid, k)]
    if not writable:
        ctx.skip(f"mdev {uuid} has no writable knob: every knob is optional")
    found = {}
    for knob in writable:
        st = ctx.target.stat(ctx.qos(uuid, knob))
        found[knob] = (st.kind, oct(st.mode), st.uid)
    wrong = {k: v for k, v in found.items() if v != ("file", oct(0o644), 0)}
    ctx.evidence("writable knobs (kind, mode, owner)", expected=("file", "0o644", 0),
                 actual=found)
    assert not wrong, (
        f"mdev {uuid}: writable knobs must be regular files 0644 owned by root: {wrong}"
    )


@then("timeslice_us and every counter of its qos directory have mode 0444")
def _readonly_modes(ctx: Any, scene: Scene) -> None:
    uuid = _subject(scene)
    entries = qos_entries(ctx, uuid) or []
    names = [n for n in ("timeslice_us", *COUNTERS) if n in entries]
    modes = {n: oct(ctx.target.stat(ctx.qos(uuid, n)).mode) for n in names}
    wrong = {n: m for n, m in modes.items() if m != oct(0o444)}
    ctx.evidence("modes of timeslice_us and counters", expected="0o444", actual=modes)
    assert not wrong, f"mdev {uuid}: timeslice_us and counters must be 0444, found {wrong}"
