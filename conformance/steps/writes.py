"""When/Then steps about writing qos files: accepted values, refusals and their errno.

Every write goes to an mdev the suite created or through ``ctx.write`` (which
saves and restores a device the suite did not create). Where a feature table
states what a write should do, the oracle must agree; a disagreement is a suite
error, not a driver failure.
"""

from __future__ import annotations

import errno as errnos
import re
from typing import Any

from pytest_bdd import parsers, then, when

from conformance.oracle import formats
from conformance.oracle.grammar import decode_written, errno_names, knob_write
from conformance.oracle.shares import LEVELS
from conformance.steps.scene import (
    KNOBS,
    Scene,
    Written,
    read_raw,
    supported_levels,
)

UNPRIVILEGED_UID = 65534


def _subject(scene: Scene) -> str:
    if scene.subject is None:
        raise LookupError("the scenario has no subject mdev")
    return scene.subject


def errno_name(code: int | None) -> str:
    return errnos.errorcode.get(code or 0, str(code))


def attempt(ctx: Any, uuid: str, name: str, data: bytes, *, uid: int | None = None) -> Written:
    """Write once and record the count or the errno, with the value read before."""
    before = read_raw(ctx, uuid, name)
    levels = supported_levels(ctx, uuid) if name == "priority" else ()
    result = Written(uuid, name, data, before, levels=levels, uid=uid)
    try:
        result.count = ctx.write_attr(uuid, name, data, uid=uid)
    except OSError as exc:
        result.errno = exc.errno
    return result


def _oracle_agrees(
    ctx: Any, written: Written, accepted: bool, codes: frozenset[int] = frozenset()
) -> None:
    """The feature table and the oracle must say the same about a root write to a knob."""
    if written.name not in KNOBS or written.uid is not None:
        return
    outcome = knob_write(written.name, written.data, written.levels or LEVELS)
    agrees = outcome.accepted if accepted else (
        not outcome.accepted and outcome.errnos == codes
    )
    if not agrees:
        ctx.error(
            f"the feature table and the oracle disagree on writing {written.data!r} to "
            f"{written.name}: the oracle says {outcome.describe()}"
        )


# -- one write ------------------------------------------------------------------------
@when(parsers.re(r'"(?P<notation>.*)" is written to its (?P<name>[a-z_]+)', re.DOTALL))
def _write(ctx: Any, scene: Scene, notation: str, name: str) -> None:
    scene.writes.append(attempt(ctx, _subject(scene), name, decode_written(notation)))


@when(parsers.re(r'an unprivileged user writes "(?P<value>[^"]*)" to its (?P<knob>[a-z]+)'))
def _write_unprivileged(ctx: Any, scene: Scene, value: str, knob: str) -> None:
    if not ctx.session.can_switch_user:
        ctx.unsupported("the suite cannot act as an unprivileged user here (run it as root)")
    scene.writes.append(
        attempt(ctx, _subject(scene), knob, value.encode(), uid=UNPRIVILEGED_UID)
    )


@then("the write returns the full count")
def _full_count(ctx: Any, scene: Scene) -> None:
    written = scene.last_write
    _oracle_agrees(ctx, written, True)
    expected = len(written.data)
    actual = written.count if written.succeeded else f"error {errno_name(written.errno)}"
    ctx.evidence(f"write {written.data!r} to {written.name}", expected=expected, actual=actual)
    assert written.count == expected, (
        f"writing {written.data!r} to {written.name} of mdev {written.uuid}: "
        f"expected the full count {expected}, got {actual}"
    )


@then(parsers.re(r"the write fails with (?P<names>E[A-Z]+(?:(?:, | or )E[A-Z]+)*)"))
def _fails_with(ctx: Any, scene: Scene, names: str) -> None:
    written = scene.last_write
    codes = errno_names(names)
    _oracle_agrees(ctx, written, False, codes)
    actual = f"returned {written.count}" if written.succeeded else errno_name(written.errno)
    ctx.evidence(f"write {written.data!r} to {written.name}", expected=names, actual=actual)
    assert not written.succeeded and written.errno in codes, (
        f"writing {written.data!r} to {written.name} of mdev {written.uuid}: "
        f"expected {names}, got {actual}"
    )


@then(parsers.re(r"its (?P<name>[a-z_]+) still reads the value it had before the write"))
def _unchanged(ctx: Any, scene: Scene, name: str) -> None:
    written = scene.last_write
    after = read_raw(ctx, written.uuid, name)
    ctx.evidence(f"{name} after a refused write", expected=written.before.decode(errors="replace"),
                 actual=after.decode(errors="replace"))
    assert after == written.before, (
        f"{name} of mdev {written.uuid} changed from {written.before!r} to {after!r} "
        f"after the refused write {written.data!r}"
    )


# -- many writes ---------------------------------------------------------------------------
@when(
    parsers.re(
        r"each value from (?P<low>\d+) to (?P<high>\d+) in steps of (?P<step>\d+) "
        r"is written to its (?P<knob>cap|weight)"
    )
)
def _write_range(ctx: Any, scene: Scene, low: str, high: str, step: str, knob: str) -> None:
    uuid = _subject(scene)
    values = list(range(int(low), int(high) + 1, int(step)))
    if values[-1] != int(high):
        values.append(int(high))
    for value in values:
        written = attempt(ctx, uuid, knob, str(value).encode())
        written.after = read_raw(ctx, uuid, knob)
        scene.writes.append(written)


@then("every one of those writes returned the full count and read back as written")
def _range_read_back(ctx: Any, scene: Scene) -> None:
    problems = []
    for written in scene.writes:
        expected = written.data.decode()
        if written.count != len(written.data):
            got = errno_name(written.errno) if written.errno else written.count
            problems.append(f"{expected}: {got}")
            continue
        try:
            shown = formats.knob_value(written.name, written.after)
        except formats.FormatError as exc:
            problems.append(f"{expected}: reads {written.after!r} ({exc})")
            continue
        if shown != expected:
            problems.append(f"{expected}: reads {shown}")
    ctx.evidence("values written and read back", expected=len(scene.writes),
                 actual=len(scene.writes) - len(problems), note="; ".join(problems[:10]))
    assert not problems, f"{len(problems)} valid writes misbehaved: " + "; ".join(problems[:10])


@when("each level of low normal high that it does not support is written to its priority")
def _write_unsupported(ctx: Any, scene: Scene) -> None:
    uuid = _subject(scene)
    missing = [lv for lv in LEVELS if lv not in supported_levels(ctx, uuid)]
    if not missing:
        ctx.skip(f"mdev {uuid} supports every level of the vocabulary: none to refuse")
    for level in missing:
        scene.writes.append(attempt(ctx, uuid, "priority", level.encode()))


@when("another valid value is written to each knob its type fixes")
def _write_fixed(ctx: Any, scene: Scene) -> None:
    uuid = _subject(scene)
    for knob in scene.fixed[uuid]:
        raw = read_raw(ctx, uuid, knob)
        scene.writes.append(attempt(ctx, uuid, knob, _another_value(knob, raw)))


def _another_value(knob: str, raw: bytes) -> bytes:
    """A valid value different from the one ``raw`` shows."""
    if knob == "priority":
        try:
            shown = formats.priority(raw)
            levels, active = shown.levels, shown.active
        except formats.FormatError:
            levels, active = LEVELS, ""
        return next(lv for lv in reversed(levels) if lv != active).encode()
    try:
        current = formats.unsigned(raw)
    except formats.FormatError:
        current = 0
    return str(current % 100 + 1).encode()


@then(
    parsers.re(
        r"every one of those writes failed with (?P<names>E[A-Z]+) "
        r"and left the (?:level|knob) unchanged"
    )
)
def _all_refused(ctx: Any, scene: Scene, names: str) -> None:
    codes = errno_names(names)
    problems = []
    for written in scene.writes:
        after = read_raw(ctx, written.uuid, written.name)
        if written.succeeded or written.errno not in codes:
            got = f"returned {written.count}" if written.succeeded else errno_name(written.errno)
            problems.append(f"{written.name} <- {written.data!r}: expected {names}, got {got}")
        if after != written.before:
            problems.append(f"{written.name} changed from {written.before!r} to {after!r}")
    ctx.evidence("refused writes", expected=f"{names}, unchanged", actual=problems or "as expected")
    assert not problems, "; ".join(problems)
