"""The kernel's string-to-integer grammar, as sysfs store methods apply it.

``kstrtouint(buf, 10, &val)`` (lib/kstrtox.c): an optional ``+``, one or more
decimal digits, at most one trailing newline, nothing else; a value beyond the
type's range is ``ERANGE``, anything else malformed is ``EINVAL``. A store sees
the whole write buffer, so a NUL byte anywhere is malformed here as well.
"""

from __future__ import annotations

import errno

from conformance.mock.kernfs import kernel_error

U32_MAX = 0xFFFF_FFFF
U64_MAX = 0xFFFF_FFFF_FFFF_FFFF
_DIGITS = frozenset(b"0123456789")


def strip_one_newline(buf: bytes) -> bytes:
    """Drop exactly one trailing newline, as sysfs stores conventionally do."""
    return buf[:-1] if buf.endswith(b"\n") else buf


def kstrtouint(buf: bytes, limit: int = U32_MAX) -> int:
    """Parse ``buf`` like ``kstrtouint(buf, 10, ...)``; errors are ``OSError``."""
    body = strip_one_newline(buf)
    if body.startswith(b"+"):
        body = body[1:]
    if not body or not all(byte in _DIGITS for byte in body):
        raise kernel_error(errno.EINVAL)
    value = int(body)
    if value > limit:
        raise kernel_error(errno.ERANGE)
    return value


def kstrtoul_auto(buf: bytes) -> int:
    """``kstrtoul(buf, 0, ...)``: like :func:`kstrtouint` but also ``0x``/octal."""
    body = strip_one_newline(buf)
    if body.startswith(b"+"):
        body = body[1:]
    base = 10
    lowered = body.lower()
    if lowered.startswith(b"0x"):
        base, body = 16, body[2:]
    elif body.startswith(b"0") and len(body) > 1:
        base, body = 8, body[1:]
    try:
        text = body.decode("ascii")
        if not text or not text.isalnum():
            raise ValueError(text)
        value = int(text, base)
    except (UnicodeDecodeError, ValueError):
        raise kernel_error(errno.EINVAL) from None
    if value > U64_MAX:
        raise kernel_error(errno.ERANGE)
    return value
