"""Which writes a knob accepts, and with which errno it refuses the rest.

Numeric knobs (``cap``, ``weight``) follow the spec's grammar, the one
``kstrtouint(buf, 10, &val)`` implements::

    numeric-write = [ "+" ] 1*DIGIT [ LF ]

then a range check. Malformed input or a value outside the range is ``EINVAL``;
a value that does not fit in 32 bits may be ``ERANGE`` (what kstrtouint returns)
or ``EINVAL``, and so may any write whose leading digits alone exceed 64 bits,
whatever follows them (kstrtouint stops there). ``priority`` accepts exactly
one supported level name, case sensitive, with at most one trailing newline;
anything else is ``EINVAL``.

Written independently of the reference mock, from the spec's text.
"""

from __future__ import annotations

import errno
from collections.abc import Sequence
from dataclasses import dataclass

from conformance.oracle.shares import CAP_RANGE, LEVELS, WEIGHT_RANGE

U32_MAX = 2**32 - 1
NUMERIC_RANGES: dict[str, tuple[int, int]] = {"cap": CAP_RANGE, "weight": WEIGHT_RANGE}
_ASCII_DIGITS = frozenset(b"0123456789")
_HEX = frozenset("0123456789abcdefABCDEF")
_ESCAPES = {"n": b"\n", "r": b"\r", "t": b"\t", "0": b"\0", "\\": b"\\"}


@dataclass(frozen=True)
class WriteOutcome:
    """What a conforming driver does with one write.

    ``accepted``: the write returns its full count and the file then reads
    ``reads`` (canonical form, without the newline). Otherwise it fails with one
    of ``errnos`` and the value stays as it was.
    """

    accepted: bool
    reads: str = ""
    errnos: frozenset[int] = frozenset()
    why: str = ""

    def describe(self) -> str:
        if self.accepted:
            return f"accepted, reads {self.reads!r}"
        names = " or ".join(sorted(errno.errorcode[e] for e in self.errnos))
        return f"{names} ({self.why})"


def _refused(why: str, *codes: int) -> WriteOutcome:
    return WriteOutcome(False, errnos=frozenset(codes or (errno.EINVAL,)), why=why)


def _body(data: bytes) -> bytes:
    """The buffer without its one permitted trailing newline."""
    return data[:-1] if data.endswith(b"\n") else data


def _leading_digits_overflow_u64(data: bytes) -> bool:
    """True when the run of ASCII digits after an optional '+' exceeds 2**64 - 1."""
    run = data[1:] if data.startswith(b"+") else data
    end = 0
    while end < len(run) and run[end] in _ASCII_DIGITS:
        end += 1
    return end > 0 and int(run[:end]) > 2**64 - 1


def numeric_write(data: bytes, low: int, high: int) -> WriteOutcome:
    """The outcome of writing ``data`` to a numeric knob with range ``low..high``."""
    body = _body(data)
    digits = body[1:] if body.startswith(b"+") else body
    if _leading_digits_overflow_u64(data):
        # kstrtouint reports the overflow of its digit run before it looks at
        # what follows, so junk after a huge number may be ERANGE as well.
        return _refused("leading digits do not fit in 64 bits", errno.EINVAL, errno.ERANGE)
    if not digits:
        return _refused("no digits")
    if not all(byte in _ASCII_DIGITS for byte in digits):
        return _refused("only an optional '+', ASCII digits and one trailing newline")
    value = int(digits)
    if value > U32_MAX:
        return _refused("does not fit in 32 bits", errno.EINVAL, errno.ERANGE)
    if not low <= value <= high:
        return _refused(f"outside {low}..{high}")
    return WriteOutcome(True, reads=str(value))


def knob_write(knob: str, data: bytes, levels: Sequence[str] = LEVELS) -> WriteOutcome:
    """The outcome of writing ``data`` to ``knob`` (``cap``, ``weight`` or ``priority``)."""
    if knob == "priority":
        return priority_write(data, levels)
    if knob not in NUMERIC_RANGES:
        raise ValueError(f"{knob!r} is not a writable knob")
    return numeric_write(data, *NUMERIC_RANGES[knob])


def priority_write(data: bytes, supported: Sequence[str]) -> WriteOutcome:
    """The outcome of writing ``data`` to ``priority`` when ``supported`` levels exist."""
    body = _body(data)
    try:
        name = body.decode("ascii")
    except UnicodeDecodeError:
        return _refused("not a level name")
    if name in supported:
        return WriteOutcome(True, reads=name)
    if name in LEVELS:
        return _refused(f"level {name!r} is not supported by this mdev")
    return _refused("not a supported level name (exact, case-sensitive)")


def decode_written(notation: str) -> bytes:
    r"""Bytes from the notation the feature files use for written data.

    C-style escapes ``\n`` (or a real newline), ``\r``, ``\t``, ``\0``, ``\\`` and
    ``\xHH``; ``␠`` is a space; everything else stands for its UTF-8 encoding.
    """
    out = bytearray()
    i = 0
    while i < len(notation):
        char = notation[i]
        if char == "\\" and i + 1 < len(notation):
            code = notation[i + 1]
            if code in _ESCAPES:
                out += _ESCAPES[code]
                i += 2
                continue
            hex_digits = notation[i + 2 : i + 4]
            if code == "x" and len(hex_digits) == 2 and all(c in _HEX for c in hex_digits):
                out.append(int(hex_digits, 16))
                i += 4
                continue
        out += b" " if char == "␠" else char.encode()
        i += 1
    return bytes(out)


def errno_names(text: str) -> frozenset[int]:
    """``"EINVAL or ERANGE"`` → the errno values (ValueError for an unknown name)."""
    codes = set()
    for word in text.replace(",", " ").split():
        if word == "or":
            continue
        code = getattr(errno, word, None)
        if not isinstance(code, int) or not word.startswith("E"):
            raise ValueError(f"not an errno name: {word!r}")
        codes.add(code)
    if not codes:
        raise ValueError(f"no errno named in {text!r}")
    return frozenset(codes)
