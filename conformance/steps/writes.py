"""When/Then steps about writing qos files: accepted values, refusals and their errno.

Every write goes through the resource registry (which saves and restores a
device the suite did not create). Where a feature table states what a write
should do, the oracle must agree; a disagreement is a suite error, not a driver
failure.
"""

from __future__ import annotations

import errno as errnos
import re

from pytest_bdd import parsers, then, when

from conformance.oracle import formats
from conformance.oracle.formats import KNOBS
from conformance.oracle.grammar import NUMERIC_RANGES, decode_written, errno_names, knob_write
from conformance.oracle.layout import another_write
from conformance.oracle.rounding import (
    APPLIED_DEFAULT,
    DEVICE_REFUSALS,
    refusal_problem,
    sweep_problems,
)
from conformance.oracle.shares import LEVELS
from conformance.steps.rounding import device_refused
from conformance.steps.state import Writes, Written
from conformance.suite.mdev import Mdev
from conformance.suite.outcome import Outcome
from conformance.suite.registry import Resources


def errno_name(code: int | None) -> str:
    """``EINVAL`` for 22."""
    return errnos.errorcode.get(code or 0, str(code))


def attempt(
    resources: Resources, mdev: Mdev, name: str, data: bytes, *, unprivileged: bool = False
) -> Written:
    """Write once and record the count or the errno, with the value read before."""
    before = mdev.raw(name)
    levels = mdev.levels() if name == "priority" else ()
    result = Written(mdev, name, data, before, levels=levels, unprivileged=unprivileged)
    try:
        if unprivileged:
            result.count = resources.write_unprivileged(mdev, name, data)
        else:
            result.count = resources.write(mdev, name, data)
    except OSError as exc:
        result.errno = exc.errno
    return result


def _oracle_agrees(
    outcome: Outcome, written: Written, accepted: bool, codes: frozenset[int] = frozenset()
) -> None:
    """The feature table and the oracle must say the same about a root write to a knob."""
    if written.name not in KNOBS or written.unprivileged:
        return
    verdict = knob_write(written.name, written.data, written.levels or LEVELS)
    agrees = verdict.accepted if accepted else (
        not verdict.accepted and verdict.errnos == codes
    )
    if not agrees:
        outcome.error(
            f"the feature table and the oracle disagree on writing {written.data!r} to "
            f"{written.name}: the oracle says {verdict.describe()}"
        )


# -- one write ------------------------------------------------------------------------
@when(
    parsers.re(
        r'(?:an unprivileged user writes "(?P<value>[^"]*)"|"(?P<notation>.*)" is written) '
        r"to its (?P<name>[a-z_]+)",
        re.DOTALL,
    )
)
def _write(
    subject: Mdev,
    resources: Resources,
    writes: Writes,
    value: str | None,
    notation: str | None,
    name: str,
) -> None:
    """One write to a file of the subject, as root or as an unprivileged user."""
    if value is not None:
        writes.append(attempt(resources, subject, name, value.encode(), unprivileged=True))
    else:
        writes.append(attempt(resources, subject, name, decode_written(notation or "")))


@then("the write returns the full count")
def _full_count(writes: Writes, outcome: Outcome) -> None:
    """The last write succeeded with the full count."""
    written = writes.last
    _oracle_agrees(outcome, written, True)
    if not written.succeeded and not written.unprivileged:
        device_refused(outcome, written.mdev, written.name, written.data, written.errno,
                       written.before)
    expected = len(written.data)
    actual = written.count if written.succeeded else f"error {errno_name(written.errno)}"
    outcome.evidence(f"write {written.data!r} to {written.name}", expected=expected,
                     actual=actual)
    assert written.count == expected, (
        f"writing {written.data!r} to {written.name} of mdev {written.mdev.uuid}: "
        f"expected the full count {expected}, got {actual}"
    )


@then(parsers.re(r"the write fails with (?P<names>E[A-Z]+(?:(?:, | or )E[A-Z]+)*)"))
def _fails_with(writes: Writes, outcome: Outcome, names: str) -> None:
    """The last write failed with one of the errnos named."""
    written = writes.last
    codes = errno_names(names)
    _oracle_agrees(outcome, written, False, codes)
    actual = f"returned {written.count}" if written.succeeded else errno_name(written.errno)
    outcome.evidence(f"write {written.data!r} to {written.name}", expected=names, actual=actual)
    assert not written.succeeded and written.errno in codes, (
        f"writing {written.data!r} to {written.name} of mdev {written.mdev.uuid}: "
        f"expected {names}, got {actual}"
    )


@then(parsers.re(r"its (?P<name>[a-z_]+) still reads the value it had before the write"))
def _unchanged(writes: Writes, outcome: Outcome, name: str) -> None:
    """A refused write left the file as it was."""
    written = writes.last
    after = written.mdev.raw(name)
    outcome.evidence(f"{name} after a refused write",
                     expected=written.before.decode(errors="replace"),
                     actual=after.decode(errors="replace"))
    assert after == written.before, (
        f"{name} of mdev {written.mdev.uuid} changed from {written.before!r} to {after!r} "
        f"after the refused write {written.data!r}"
    )


# -- many writes ---------------------------------------------------------------------------
@when(
    parsers.re(
        r"each value from (?P<low>\d+) to (?P<high>\d+) in steps of (?P<step>\d+) "
        r"is written to its (?P<knob>cap|weight)"
    )
)
def _write_range(
    subject: Mdev, resources: Resources, writes: Writes, low: str, high: str, step: str,
    knob: str,
) -> None:
    """Write every value of a range to a knob, reading each back."""
    values = list(range(int(low), int(high) + 1, int(step)))
    if values[-1] != int(high):
        values.append(int(high))
    for value in values:
        written = attempt(resources, subject, knob, str(value).encode())
        written.after = subject.raw(knob)
        writes.append(written)


@then("every one of those writes returned the full count and read back as written")
def _range_read_back(writes: Writes, outcome: Outcome) -> None:
    """Each valid write succeeded and reads back canonically (or rounded, QOS-FMT-009)."""
    problems, reads, refused = [], {}, []
    for written in writes:
        expected = written.data.decode()
        if written.count != len(written.data):
            if written.errno in DEVICE_REFUSALS and written.after == written.before:
                refused.append(f"{expected}: {errno_name(written.errno)}")
                continue
            got = errno_name(written.errno) if written.errno else written.count
            problems.append(f"{expected}: {got}")
            continue
        try:
            shown = formats.knob_value(written.name, written.after)
        except formats.FormatError as exc:
            problems.append(f"{expected}: reads {written.after!r} ({exc})")
            continue
        if written.name in NUMERIC_RANGES:
            reads[int(expected)] = int(shown)
        elif shown != expected:
            problems.append(f"{expected}: reads {shown}")
    knob = writes.last.name if writes else ""
    if reads:
        problems += sweep_problems(reads, NUMERIC_RANGES[knob], APPLIED_DEFAULT.get(knob))
    outcome.evidence("values written and read back", expected=len(writes),
                     actual=len(writes) - len(problems) - len(refused),
                     note="; ".join((problems + refused)[:10]))
    assert not problems, f"{len(problems)} valid writes misbehaved: " + "; ".join(problems[:10])
    if refused:
        outcome.unsupported(
            f"the device refused {len(refused)} valid writes with EIO or EPERM and kept "
            f"its value (QOS-FMT-008), e.g. {refused[0]}: this run cannot check them"
        )


@then(
    "every one of those writes the device refused failed with EIO or EPERM "
    "and left the knob unchanged"
)
def _refusals(writes: Writes, outcome: Outcome) -> None:
    """QOS-FMT-008: a valid write the device does not apply is EIO or EPERM, and harmless."""
    refused = [w for w in writes if not w.succeeded]
    if not refused:
        outcome.skip(
            f"the device applied all {len(writes)} valid writes: none was refused, so "
            "QOS-FMT-008's condition does not hold"
        )
    problems = []
    for written in refused:
        before = written.before.decode(errors="replace").strip()
        after = (written.after or b"").decode(errors="replace").strip()
        problem = refusal_problem(written.errno, before, after)
        if problem:
            problems.append(f"{written.data.decode(errors='replace')}: {problem}")
    outcome.evidence("valid writes refused", expected="EIO or EPERM, knob unchanged",
                     actual=f"{len(refused)} refused, {len(problems)} wrongly",
                     note="; ".join(problems[:10]))
    assert not problems, (
        f"{written.name} of mdev {written.mdev.uuid}: " + "; ".join(problems[:10])
    )


@then(
    "every value read back is the one written or the applied value nearest it, "
    "which the knob keeps"
)
def _rounding(
    subject: Mdev, resources: Resources, writes: Writes, outcome: Outcome
) -> None:
    """QOS-FMT-009: a rounded value is the nearest the device applies, and it is kept."""
    reads: dict[int, int] = {}
    for written in writes:
        if written.succeeded and written.after is not None:
            try:
                reads[int(written.data)] = int(formats.knob_value(written.name, written.after))
            except (formats.FormatError, ValueError):
                continue  # a malformed read is QOS-FMT-001/002's failure, not this one's
    rounded = {w: r for w, r in reads.items() if w != r}
    if not rounded:
        outcome.skip(
            f"every one of the {len(reads)} values written read back as written: the "
            "device rounds none of them, so QOS-FMT-009's condition does not hold"
        )
    knob = writes.last.name
    problems = sweep_problems(reads, NUMERIC_RANGES[knob], APPLIED_DEFAULT.get(knob))
    for shown in sorted(set(rounded.values()))[:20]:
        resources.write(subject, knob, str(shown))
        kept = subject.raw(knob)
        if kept != b"%d\n" % shown:
            problems.append(f"{shown} is read back, but writing it reads {kept!r}")
    outcome.evidence("values rounded", expected="nearest applied value, kept when written",
                     actual=f"{len(rounded)} of {len(reads)} rounded",
                     note="; ".join(problems[:10] or
                                    [f"{w} -> {r}" for w, r in list(rounded.items())[:10]]))
    assert not problems, f"{knob} of mdev {subject.uuid}: " + "; ".join(problems[:10])


@when("each level of background standard urgent that it does not support "
      "is written to its priority")
def _write_unsupported(
    subject: Mdev, resources: Resources, outcome: Outcome, writes: Writes
) -> None:
    """Write every level of the vocabulary the subject does not offer."""
    missing = [lv for lv in LEVELS if lv not in subject.levels()]
    if not missing:
        outcome.skip(f"mdev {subject.uuid} supports every level of the vocabulary: none to refuse")
    for level in missing:
        writes.append(attempt(resources, subject, "priority", level.encode()))


@when("another valid value is written to each knob its type fixes")
def _write_fixed(subject: Mdev, resources: Resources, writes: Writes) -> None:
    """Try to change each knob the subject's type fixes."""
    for knob in subject.fixed_knobs():
        raw = subject.raw(knob)
        writes.append(attempt(resources, subject, knob, another_write(knob, raw)))


@then(
    parsers.re(
        r"every one of those writes failed with (?P<names>E[A-Z]+) "
        r"and left the (?:level|knob) unchanged"
    )
)
def _all_refused(writes: Writes, outcome: Outcome, names: str) -> None:
    """Each write failed with the errno named and changed nothing."""
    codes = errno_names(names)
    problems = []
    for written in writes:
        after = written.mdev.raw(written.name)
        if written.succeeded or written.errno not in codes:
            got = f"returned {written.count}" if written.succeeded else errno_name(written.errno)
            problems.append(f"{written.name} <- {written.data!r}: expected {names}, got {got}")
        if after != written.before:
            problems.append(f"{written.name} changed from {written.before!r} to {after!r}")
    outcome.evidence("refused writes", expected=f"{names}, unchanged",
                     actual=problems or "as expected")
    assert not problems, "; ".join(problems)
