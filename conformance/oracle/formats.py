"""What a conforming read of a ``qos/`` file looks like.

Every read is exactly one value followed by exactly one newline, with no other
whitespace. Numeric files read as unsigned decimal without sign or leading zeros;
counters fit in 64 bits; ``sharing`` names one guarantee; ``priority`` lists the
supported levels of the ordered vocabulary ``background standard urgent``, lowest
first, the active one in brackets; ``domain`` names a scheduling domain (1 to 64 of
``A-Z a-z 0-9 . _ : -``).
Each parser raises :class:`FormatError` saying what is wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from conformance.oracle.shares import DEFAULT_LEVEL, LEVELS

U64_MAX = 2**64 - 1
TIMESLICE_RANGE = (1, 1_000_000)
TIMESLICE_ADVISED_MAX = 100_000

KNOBS = ("cap", "weight", "priority")
COUNTERS = ("usage_us", "throttled_us", "wait_us", "nr_slices")
QOS_FILES = ("cap", "cap_period_us", "weight", "priority", "timeslice_us", "sharing",
             *COUNTERS, "domain")
SHARING = ("work-conserving", "reserved")
"""The sharing guarantees a ``sharing`` file may name."""
NO_SHARING = "none"
"""How a run notes an mdev without ``qos/sharing``: it promises no way of sharing."""
NUMERIC_FILES = ("cap", "cap_period_us", "weight", "timeslice_us", *COUNTERS)
CAP_PERIOD_MAX = 1_000_000  # cap_period_us: from the mdev's timeslice_us to this

_DOMAIN = re.compile(r"[A-Za-z0-9._:-]{1,64}")
_CANONICAL_UINT = re.compile(rb"0|[1-9][0-9]*")
_PRIORITY_WORD = re.compile(r"\[?[a-z]+\]?")


class FormatError(ValueError):
    """A read that does not follow the spec's format."""


def single_value(raw: bytes) -> str:
    """The value of a read: exactly one value and one trailing newline, no other space."""
    if not raw.endswith(b"\n"):
        raise FormatError(f"{raw!r} does not end with a newline")
    body = raw[:-1]
    if not body:
        raise FormatError("empty value")
    if b"\n" in body:
        raise FormatError(f"{raw!r} has more than one line")
    if body != body.strip() or b"\t" in body or b"\r" in body:
        raise FormatError(f"{raw!r} has leading or trailing whitespace")
    try:
        return body.decode("ascii")
    except UnicodeDecodeError:
        raise FormatError(f"{raw!r} is not ASCII") from None


def unsigned(raw: bytes, limit: int | None = U64_MAX) -> int:
    """A numeric read: canonical unsigned decimal (no sign, no leading zeros) up to ``limit``.

    ``limit=None`` checks the form only (the width is a separate requirement).
    """
    text = single_value(raw)
    if " " in text:
        raise FormatError(f"{raw!r} holds more than one value")
    if not _CANONICAL_UINT.fullmatch(text.encode()):
        raise FormatError(f"{raw!r} is not unsigned decimal without sign or leading zeros")
    value = int(text)
    if limit is not None and value > limit:
        raise FormatError(f"{value} does not fit in {limit.bit_length()} bits")
    return value


def sharing(raw: bytes) -> str:
    """A ``sharing`` read: one word of :data:`SHARING` and a newline."""
    text = single_value(raw)
    if text not in SHARING:
        raise FormatError(f"{raw!r} is not one of {', '.join(SHARING)}")
    return text


@dataclass(frozen=True)
class PriorityRead:
    """A parsed ``priority`` read: the supported levels (lowest first) and the active one."""

    levels: tuple[str, ...]
    active: str

    def render(self) -> str:
        return " ".join(f"[{lv}]" if lv == self.active else lv for lv in self.levels)


def priority(raw: bytes) -> PriorityRead:
    """Parse and check a ``priority`` read, e.g. ``background [standard] urgent``."""
    text = single_value(raw)
    words = text.split(" ")
    if any(not w for w in words):
        raise FormatError(f"{raw!r}: levels are separated by exactly one space")
    if not all(_PRIORITY_WORD.fullmatch(w) for w in words):
        raise FormatError(f"{raw!r}: every word is a level name, the active one bracketed")
    active = [w for w in words if w.startswith("[")]
    if len(active) != 1 or not active[0].endswith("]"):
        raise FormatError(f"{raw!r}: exactly one level must be bracketed")
    levels = tuple(w.strip("[]") for w in words)
    unknown = [lv for lv in levels if lv not in LEVELS]
    if unknown:
        raise FormatError(f"{raw!r}: {unknown} not in the vocabulary {' '.join(LEVELS)}")
    if list(levels) != sorted(set(levels), key=LEVELS.index):
        raise FormatError(f"{raw!r}: levels must be distinct and listed lowest first")
    if DEFAULT_LEVEL not in levels:
        raise FormatError(f"{raw!r}: {DEFAULT_LEVEL!r} is always supported")
    if len(levels) < 2:
        raise FormatError(f"{raw!r}: at least two levels must be supported")
    return PriorityRead(levels, active[0].strip("[]"))


def knob_value(name: str, raw: bytes) -> str:
    """The value a knob read shows: the number, or the active priority level."""
    if name == "priority":
        return priority(raw).active
    if name in ("cap", "weight"):
        return str(unsigned(raw))
    raise ValueError(f"{name!r} is not a knob")


def domain(raw: bytes) -> str:
    """A ``domain`` read: one domain name and a newline (QOS-DOM-001)."""
    text = single_value(raw)
    if not _DOMAIN.fullmatch(text):
        raise FormatError(
            f"{raw!r} is not a domain name (1 to 64 of A-Z a-z 0-9 . _ : -)"
        )
    return text


def qos_file(name: str, raw: bytes) -> str:
    """Check any ``qos/`` file's read; returns the value as text."""
    if name == "priority":
        return priority(raw).active
    if name == "domain":
        return domain(raw)
    if name == "sharing":
        return sharing(raw)
    if name in COUNTERS:
        return str(unsigned(raw, U64_MAX))
    if name in NUMERIC_FILES:
        return str(unsigned(raw))
    raise ValueError(f"{name!r} is not a file this spec defines")


def canonical_form(raw: bytes) -> int:
    """Judge only the form of a numeric read's value.

    Unsigned decimal, no sign, no leading zeros. One trailing newline is set aside
    (its presence is a separate rule).
    """
    body = raw[:-1] if raw.endswith(b"\n") else raw
    if not _CANONICAL_UINT.fullmatch(body):
        raise FormatError(f"{raw!r} is not unsigned decimal without sign or leading zeros")
    return int(body)


def loose_integers(raw: bytes) -> list[int]:
    """Every whitespace-separated signed decimal integer in a read (others are ignored).

    For checks of a value's width that must not also judge its form.
    """
    values = []
    for word in raw.split():
        if re.fullmatch(rb"[+-]?[0-9]+", word):
            values.append(int(word))
    return values
