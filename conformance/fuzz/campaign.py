"""One fuzz campaign: generated writes to one knob file, each judged by the oracle.

For every input: read the knob, write the input once, read it again, and compare
the driver's answer (count or errno) and the value read back with
:func:`conformance.fuzz.expect.expect`. A mismatch is recorded against the
requirement the input exercises; the campaign never stops early on one, so the
report lists every kind of bad answer. The knob's original value is written back
at the end and checked.

Only the target's own operations are used (``read`` and ``write``), so a
campaign runs the same on the in-process mock, a FUSE mount and a live ``/sys``.
A :class:`~conformance.sysfs.guarded.TargetFault` (hung or lost target) is not
a driver's answer: it propagates and the scenario becomes ``error``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed

from conformance import defaults
from conformance.fuzz.expect import (
    PAGE_SIZE,
    REQUIREMENTS,
    Answer,
    Expectation,
    expect,
    expected_read,
    levels_of,
)
from conformance.fuzz.inputs import U64_MAX, writes
from conformance.oracle.formats import FormatError, knob_value, priority
from conformance.oracle.grammar import NUMERIC_RANGES, U32_MAX
from conformance.oracle.rounding import (
    APPLIED_DEFAULT,
    DEVICE_REFUSALS,
    nearer_values,
    sweep_problems,
)
from conformance.oracle.shares import LEVELS
from conformance.sysfs.target import Target

SHOWN_BYTES = 40

Write = Callable[[str, bytes], int]


class FuzzError(RuntimeError):
    """The campaign could not run or could not restore the knob (an environment error)."""


def show(data: bytes) -> str:
    """A short printable form of a buffer: long runs are summarised with their length."""
    if len(data) <= SHOWN_BYTES:
        return repr(data)
    return f"{data[:16]!r}…{data[-16:]!r} ({len(data)} bytes)"


@dataclass
class Mismatch:
    """One input whose answer or read-back differs from the oracle's."""

    requirement: str
    data: bytes
    expected: str
    actual: str

    def describe(self) -> str:
        return f"{show(self.data)}: expected {self.expected}; got {self.actual}"


@dataclass
class Tally:
    """How many inputs exercised a requirement, and which ones broke it."""

    requirement: str
    tried: int = 0
    mismatches: list[Mismatch] = field(default_factory=list)


@dataclass
class CampaignResult:
    """Everything one campaign tried and found."""

    knob: str
    path: str
    tried: int = 0
    distinct: int = 0
    longest: int = 0
    tallies: dict[str, Tally] = field(default_factory=dict)
    restored: bool = False
    duration_s: float = 0.0

    def tally(self, requirement: str) -> Tally:
        return self.tallies.setdefault(requirement, Tally(requirement))

    @property
    def mismatches(self) -> list[Mismatch]:
        return [m for t in self.tallies.values() for m in t.mismatches]

    def to_json(self) -> dict[str, Any]:
        return {
            "knob": self.knob,
            "path": self.path,
            "tried": self.tried,
            "distinct": self.distinct,
            "longest": self.longest,
            "restored": self.restored,
            "duration_s": round(self.duration_s, 3),
            "requirements": {
                rid: {"tried": t.tried, "mismatches": [m.describe() for m in t.mismatches]}
                for rid, t in sorted(self.tallies.items())
            },
        }


def explicit_inputs(knob: str, low: int, high: int, supported: tuple[str, ...]) -> list[bytes]:
    """The spec's table rows and the page edges: always tried, whatever is generated."""
    page = [
        b"0" * (PAGE_SIZE - 2) + b"60",  # exactly one page, accepted
        b"0" * (PAGE_SIZE - 1) + b"60",  # store sees ...06: accepted as 6
        b"60\n" + b"\0" * PAGE_SIZE,  # NUL within the page
        b" " * (PAGE_SIZE + 100),
        b"9" * (2 * PAGE_SIZE),
    ]
    numeric = [
        b"", b"\n", b"0", str(low).encode(), str(high).encode(), str(high + 1).encode(),
        b"+060\n", b"-1", b"-0", b" 60", b"60 ", b"6 0", b"60\n\n", b"60\r\n", b"0x3c",
        b"60%", b"sixty", b"60\0", "٦٠".encode(), str(U32_MAX).encode(),
        str(U32_MAX + 1).encode(), str(U64_MAX + 1).encode(), b"+", b"++1", b"1\t",
    ]
    words = [
        b"", b"\n", *(lv.encode() for lv in supported), *((lv + "\n").encode() for lv in supported),
        b"Urgent", b"URGENT", b" urgent", b"urgent ", b"[urgent]", b"urgent\n\n", b"high", b"2",
        b"standard\0", " ".join(supported).encode(), "ständard".encode(),
    ]
    own = words if knob == "priority" else numeric
    return own + page + (numeric if knob == "priority" else words)


def _answer(write: Write, path: str, data: bytes) -> Answer:
    try:
        return Answer(count=write(path, data))
    except OSError as exc:
        return Answer(errno=exc.errno)


ROUNDED_PROBED = 20  # rounded reads whose nearer values are written, at most
NEARER_PROBED = 200  # nearer values written for one rounded read, at most


class _Probe:
    """Judges one input at a time and keeps the tallies."""

    def __init__(
        self, target: Target, path: str, knob: str, levels: tuple[str, ...], write: Write
    ) -> None:
        self.target = target
        self.path = path
        self.knob = knob
        self.levels = levels
        self.write = write
        self.result = CampaignResult(knob=knob, path=path)
        self.seen: set[bytes] = set()
        self.unchanged_requirement = REQUIREMENTS[knob]["unchanged"]
        self.reads: dict[int, int] = {}  # accepted number -> the number read after it
        self.read_back: dict[int, bytes] = {}  # the first input that wrote each number
        self.on_tried: Callable[[int], None] | None = None  # told the count after each input

    def __call__(self, data: bytes) -> None:
        result = self.result
        result.tried += 1
        result.longest = max(result.longest, len(data))
        if data not in self.seen:
            self.seen.add(data)
            result.distinct += 1
        before = self._read()
        expectation = expect(self.knob, data, self.levels)
        answer = _answer(self.write, self.path, data)
        after = self._read()
        self._judge(data, expectation, answer, before, after)
        if self.on_tried is not None:
            self.on_tried(result.tried)

    def _rounded(self, data: bytes, reads: str, after: bytes | str) -> bool:
        """Record the number read after an accepted number: False if it is no number."""
        if self.knob not in NUMERIC_RANGES or not isinstance(after, bytes):
            return False
        try:
            shown = int(knob_value(self.knob, after))
        except (FormatError, ValueError):
            return False
        self.reads[int(reads)] = shown
        self.read_back.setdefault(int(reads), data)
        return True

    def finish(self) -> None:
        """Judge the rounded reads together: the nearest applied value, kept when written."""
        if not self.reads:
            return
        bounds = NUMERIC_RANGES[self.knob]
        requirement = REQUIREMENTS[self.knob]["accepted"]
        tally = self.result.tally(requirement)
        problems = sweep_problems(self.reads, bounds, APPLIED_DEFAULT.get(self.knob))
        rounded = [(w, r) for w, r in sorted(self.reads.items()) if w != r][:ROUNDED_PROBED]
        for written, shown in rounded:
            nearer = nearer_values(written, shown, bounds)[:NEARER_PROBED]
            kept = [v for v in nearer + [shown] if self._keeps(v)]
            if shown not in kept:
                problems.append(f"{written}: reads {shown}, but writing {shown} does not keep it")
            elif kept != [shown]:
                problems.append(f"{written}: reads {shown}, but {kept[0]} is applied and nearer")
        for problem in problems:
            number = int(problem.split(":", 1)[0]) if problem[0].isdigit() else None
            data = self.read_back.get(number, b"") if number is not None else b""
            tally.mismatches.append(
                Mismatch(requirement, data, "the value written, or the applied value "
                         "nearest it (QOS-FMT-009)", problem)
            )

    def _keeps(self, value: int) -> bool:
        """Write ``value`` alone: does the knob then read it?"""
        answer = _answer(self.write, self.path, str(value).encode())
        return answer.errno is None and self._read() == b"%d\n" % value

    def _read(self) -> bytes | str:
        try:
            return self.target.read(self.path)
        except OSError as exc:  # the driver's answer to a read: judged, not raised
            return f"read failed: {exc}"

    def _judge(
        self,
        data: bytes,
        expectation: Expectation,
        answer: Answer,
        before: bytes | str,
        after: bytes | str,
    ) -> None:
        tally = self.result.tally(expectation.requirement)
        tally.tried += 1
        if expectation.category == "empty":
            if not expectation.answer_ok(answer) or after != before:
                tally.mismatches.append(
                    Mismatch(
                        expectation.requirement,
                        data,
                        f"{expectation.describe()}, the value stays {before!r}",
                        f"{answer.describe()}, then reads {after!r}",
                    )
                )
            return
        if expectation.accepted and answer.errno in DEVICE_REFUSALS and after == before:
            pass  # the device refused a valid value and kept its own (QOS-FMT-008)
        elif not expectation.answer_ok(answer):
            actual = answer.describe()
            if after != before:
                actual += f", then reads {after!r}"
            tally.mismatches.append(
                Mismatch(expectation.requirement, data, expectation.describe(), actual)
            )
        elif expectation.accepted:
            wanted = expected_read(self.knob, expectation.reads or "", self.levels)
            # every number read back is judged together in finish() (QOS-FMT-009)
            recorded = self._rounded(data, expectation.reads or "", after)
            if after != wanted and not recorded:
                tally.mismatches.append(
                    Mismatch(
                        expectation.requirement,
                        data,
                        f"{expectation.describe()} ({wanted!r})",
                        f"{answer.describe()}, then reads {after!r}",
                    )
                )
        if answer.errno is not None:
            unchanged = self.result.tally(self.unchanged_requirement)
            unchanged.tried += 1
            if after != before:
                unchanged.mismatches.append(
                    Mismatch(
                        self.unchanged_requirement,
                        data,
                        f"the value stays {before!r}",
                        f"{answer.describe()}, then reads {after!r}",
                    )
                )


def fuzz_knob(
    target: Target,
    path: str,
    knob: str,
    *,
    max_examples: int = defaults.MAX_EXAMPLES,
    seed: int | None = None,
    write: Write | None = None,
    progress: Callable[[str], None] | None = None,
) -> CampaignResult:
    """Try generated writes on the knob file ``path``; return what was tried and found.

    ``write`` replaces ``target.write`` (the suite passes its resource registry's, which saves a
    named device's value first). ``seed`` None: the same inputs on every run.
    ``progress`` is told how far the campaign got, ten times over its course.
    """
    if knob not in REQUIREMENTS:
        raise ValueError(f"no grammar oracle for {knob!r}: fuzzing covers {sorted(REQUIREMENTS)}")
    if max_examples < 1:
        raise ValueError("max_examples must be at least 1")
    started = time.monotonic()
    try:
        original = target.read(path)
        levels = levels_of(original) if knob == "priority" else LEVELS
    except (OSError, ValueError) as exc:
        raise FuzzError(f"cannot read {path} before fuzzing it: {exc}") from exc
    writer: Write = write or (lambda p, d: target.write(p, d))
    probe = _Probe(target, path, knob, levels, writer)
    low, high = NUMERIC_RANGES.get(knob, (1, 100))
    explicit = explicit_inputs(knob, low, high, levels)
    if progress is not None:
        probe.on_tried = _reporter(probe.result, len(explicit) + max_examples, progress)
    try:
        for data in explicit:
            probe(data)
        _generate(probe, writes(knob, NUMERIC_RANGES.get(knob), levels), max_examples, seed)
        probe.finish()
    finally:
        probe.result.restored = _restore(target, path, knob, original, writer)
        probe.result.duration_s = time.monotonic() - started
    if not probe.result.restored:
        raise FuzzError(f"{path} could not be restored to {original!r} after fuzzing")
    return probe.result


def _reporter(
    result: CampaignResult, planned: int, progress: Callable[[str], None]
) -> Callable[[int], None]:
    """A callback that reports every tenth of the planned inputs."""
    every = max(1, planned // 10)

    def tried(count: int) -> None:
        if count % every == 0:
            progress(f"{result.knob}: {count} of up to {planned} inputs tried, "
                     f"{len(result.mismatches)} mismatch(es) so far")

    return tried


def _generate(probe: _Probe, strategy: Any, max_examples: int, seed: int | None) -> None:
    @settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        derandomize=seed is None,
        phases=(Phase.generate,),
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
        print_blob=False,
    )
    @given(strategy)
    def generated(data: bytes) -> None:
        probe(data)

    run = hypothesis_seed(seed)(generated) if seed is not None else generated
    run()


def _restore(target: Target, path: str, knob: str, original: bytes, write: Write) -> bool:
    """Write the original value back and check it reads as before."""
    if knob == "priority":
        value = priority(original).active.encode()  # "background [standard] urgent" -> b"standard"
    else:
        value = original.rstrip(b"\n")
    try:
        if target.read(path) != original:
            write(path, value)
        return target.read(path) == original
    except OSError:
        return False
