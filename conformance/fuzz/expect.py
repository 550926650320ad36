"""What a conforming driver behind real sysfs answers to one write(2).

The spec's grammar oracle (:mod:`conformance.oracle.grammar`) says what a knob's
``store`` must do with a buffer. Between ``write(2)`` and ``store`` sits kernfs
(``fs/kernfs/file.c`` ``kernfs_fop_write_iter`` and ``fs/sysfs/file.c``
``sysfs_kf_write`` in torvalds/linux), which changes two things the oracle alone
would get wrong:

- a zero-length write never reaches ``store``: ``sysfs_kf_write`` returns 0,
  so the write returns 0 and nothing changes (the spec's table says so too; it
  is judged under the knob's "a failed write changes nothing" requirement);
- a regular sysfs attribute has no ``atomic_write_len``, so kernfs passes at
  most ``PAGE_SIZE`` (4096) bytes to ``store`` and a successful write returns
  that many: a longer buffer is judged by its first 4096 bytes and succeeds
  with a short count.

Each generated input is attributed to the requirement it exercises, so a
mismatch is reported against that requirement.
"""

from __future__ import annotations

import errno
import re
from collections.abc import Sequence
from dataclasses import dataclass

from conformance.oracle.formats import PriorityRead, priority
from conformance.oracle.grammar import knob_write

PAGE_SIZE = 4096
_WELL_FORMED_NUMBER = re.compile(rb"\+?[0-9]+\n?")

# requirement IDs by knob: accepted, malformed, out of range, unchanged after failure
REQUIREMENTS: dict[str, dict[str, str]] = {
    "cap": {
        "accepted": "QOS-CAP-002",
        "malformed": "QOS-CAP-003",
        "out-of-range": "QOS-CAP-004",
        "unchanged": "QOS-CAP-005",
    },
    "weight": {
        "accepted": "QOS-WGT-002",
        "malformed": "QOS-WGT-003",
        "out-of-range": "QOS-WGT-004",
        "unchanged": "QOS-WGT-005",
    },
    "priority": {
        "accepted": "QOS-PRI-003",
        "malformed": "QOS-PRI-004",
        "unchanged": "QOS-PRI-005",
    },
}
FUZZED_KNOBS = tuple(REQUIREMENTS)


@dataclass(frozen=True)
class Answer:
    """What one write(2) returned: a count, or an errno."""

    count: int | None = None
    errno: int | None = None

    def describe(self) -> str:
        if self.errno is not None:
            return errno.errorcode.get(self.errno, str(self.errno))
        return f"returned {self.count}"


@dataclass(frozen=True)
class Expectation:
    """The answer a conforming driver gives and the value it then reads."""

    category: str  # accepted, malformed, out-of-range, empty
    requirement: str  # the requirement the input exercises
    count: int | None  # accepted: what write(2) returns
    errnos: frozenset[int]  # refused: the acceptable errnos
    reads: str | None  # accepted: the value the next read shows (None: unchanged)
    stored: bytes  # what store() sees
    why: str

    @property
    def accepted(self) -> bool:
        return self.count is not None and self.category != "empty"

    def describe(self) -> str:
        if self.category == "empty":
            return "returns 0 and changes nothing (sysfs never calls store)"
        if self.accepted:
            short = f" (store sees the first {PAGE_SIZE} bytes)" if self.count == PAGE_SIZE else ""
            return f"returns {self.count}{short}, then reads {self.reads!r}"
        names = " or ".join(sorted(errno.errorcode[e] for e in self.errnos))
        return f"fails with {names} ({self.why}) and changes nothing"

    def answer_ok(self, answer: Answer) -> bool:
        """Whether the driver's answer is one a conforming driver could give."""
        if self.category == "empty":
            return answer.count == 0
        if self.accepted:
            return answer.count == self.count
        return answer.errno in self.errnos


def expect(knob: str, data: bytes, levels: Sequence[str]) -> Expectation:
    """The expectation for writing ``data`` to ``knob`` when ``levels`` are supported."""
    names = REQUIREMENTS[knob]
    if not data:
        return Expectation(
            "empty", names["unchanged"], 0, frozenset(), None, b"",
            "a zero-length write never reaches store",
        )
    stored = data[:PAGE_SIZE]
    outcome = knob_write(knob, stored, levels)
    if outcome.accepted:
        return Expectation(
            "accepted", names["accepted"], len(stored), frozenset(), outcome.reads, stored,
            "in the grammar and the range",
        )
    category = "malformed"
    if knob != "priority" and _WELL_FORMED_NUMBER.fullmatch(stored):
        category = "out-of-range"
    return Expectation(
        category, names[category], None, outcome.errnos, None, stored, outcome.why
    )


def expected_read(knob: str, reads: str, levels: Sequence[str]) -> bytes:
    """The exact bytes a read shows after an accepted write (canonical form)."""
    if knob == "priority":
        return (PriorityRead(tuple(levels), reads).render() + "\n").encode()
    return f"{reads}\n".encode()


def levels_of(raw: bytes) -> tuple[str, ...]:
    """The supported levels a priority read lists, lowest first (FormatError if malformed)."""
    return priority(raw).levels
