"""Mutants of the write grammar (numeric: kstrtouint; priority: exact level names)."""

from __future__ import annotations

import errno
from typing import Any

from conformance.mock import QosDriver
from conformance.mock.grammar import strip_one_newline
from conformance.mock.kernfs import kernel_error


class CapAcceptsLeadingSpace(QosDriver):
    """cap accepts leading spaces (`` 60``)."""

    breaks = "QOS-CAP-003"

    def parse_cap(self, mdev: Any, buf: bytes) -> int:
        return super().parse_cap(mdev, buf.lstrip(b" "))


class CapAcceptsMinus(QosDriver):
    """cap takes ``-N`` as N (a signed parse and abs())."""

    breaks = "QOS-CAP-003"

    def parse_cap(self, mdev: Any, buf: bytes) -> int:
        return super().parse_cap(mdev, buf[1:] if buf.startswith(b"-") else buf)


class CapAcceptsTwoNewlines(QosDriver):
    """cap strips every trailing newline, so ``60\\n\\n`` succeeds."""

    breaks = "QOS-CAP-003"

    def parse_cap(self, mdev: Any, buf: bytes) -> int:
        return super().parse_cap(mdev, buf.rstrip(b"\n") + b"\n")


class CapAcceptsTrailingWhitespace(QosDriver):
    """cap strips trailing whitespace (``strim``), so ``60\\r`` and ``60 `` succeed."""

    breaks = "QOS-CAP-003"

    def parse_cap(self, mdev: Any, buf: bytes) -> int:
        body = strip_one_newline(buf).rstrip(b" \t\r")
        return super().parse_cap(mdev, body)


class CapRejectsPlus(QosDriver):
    """cap refuses the ``+`` sign kstrtouint accepts."""

    breaks = "QOS-CAP-002"

    def parse_cap(self, mdev: Any, buf: bytes) -> int:
        if buf.startswith(b"+"):
            raise kernel_error(errno.EINVAL)
        return super().parse_cap(mdev, buf)


class CapKeepsWrittenText(QosDriver):
    """cap reads back the text as written (``+060``) instead of the canonical form."""

    breaks = "QOS-CAP-002"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._text: dict[str, str] = {}

    def store_knob(self, mdev: Any, name: str, buf: bytes) -> None:
        super().store_knob(mdev, name, buf)
        if name == "cap":
            self._text[mdev.uuid] = strip_one_newline(buf).decode("ascii")

    def format_cap(self, mdev: Any, value: int) -> str:
        return f"{self._text.get(mdev.uuid, value)}\n"


class WeightAcceptsHex(QosDriver):
    """weight accepts ``0x`` (and octal) like kstrtouint with base 0."""

    breaks = "QOS-WGT-003"

    def parse_weight(self, mdev: Any, buf: bytes) -> int:
        body = strip_one_newline(buf)
        try:
            value = int(body.decode("ascii"), 0)
        except (UnicodeDecodeError, ValueError):
            raise kernel_error(errno.EINVAL) from None
        return self.parse_ranged(str(value).encode(), self.weight_range)


class WeightAcceptsTrailingGarbage(QosDriver):
    """weight parses leading digits and ignores the rest (``simple_strtoul``)."""

    breaks = "QOS-WGT-003"

    def parse_weight(self, mdev: Any, buf: bytes) -> int:
        digits = b""
        for byte in buf.lstrip(b"+"):
            if not 0x30 <= byte <= 0x39:
                break
            digits += bytes([byte])
        return self.parse_ranged(digits or buf, self.weight_range)


class WeightMalformedEio(QosDriver):
    """A malformed weight fails with EIO instead of EINVAL."""

    breaks = "QOS-WGT-003"

    def parse_weight(self, mdev: Any, buf: bytes) -> int:
        value = self.parse_uint_or_eio(buf)
        return self.parse_ranged(str(value).encode(), self.weight_range)

    def parse_uint_or_eio(self, buf: bytes) -> int:
        try:
            return self.parse_uint(buf)
        except OSError as exc:
            if exc.errno == errno.EINVAL:
                raise kernel_error(errno.EIO) from None
            raise


class PriorityCaseInsensitive(QosDriver):
    """priority accepts ``URGENT`` and ``Urgent``."""

    breaks = "QOS-PRI-004"

    def parse_priority(self, mdev: Any, buf: bytes) -> str:
        return super().parse_priority(mdev, buf.lower())


class PriorityStripsSpaces(QosDriver):
    """priority strips surrounding whitespace (``" urgent "`` succeeds)."""

    breaks = "QOS-PRI-004"

    def parse_priority(self, mdev: Any, buf: bytes) -> str:
        return super().parse_priority(mdev, buf.strip(b" \t"))


class PriorityPrefixMatch(QosDriver):
    """priority takes any prefix of a level name (``urg`` means urgent)."""

    breaks = "QOS-PRI-004"

    def parse_priority(self, mdev: Any, buf: bytes) -> str:
        body = strip_one_newline(buf)
        for level in self.supported_levels(mdev):
            if body and level.encode().startswith(body):
                return level
        raise kernel_error(errno.EINVAL)


class PriorityUnknownEnoent(QosDriver):
    """An unknown level fails with ENOENT instead of EINVAL."""

    breaks = "QOS-PRI-004"

    def parse_priority(self, mdev: Any, buf: bytes) -> str:
        try:
            return super().parse_priority(mdev, buf)
        except OSError:
            raise kernel_error(errno.ENOENT) from None


class PriorityRejectsNewline(QosDriver):
    """priority refuses a level name followed by a newline (what ``echo`` writes)."""

    breaks = "QOS-PRI-003"

    def parse_priority(self, mdev: Any, buf: bytes) -> str:
        if buf.endswith(b"\n"):
            raise kernel_error(errno.EINVAL)
        return super().parse_priority(mdev, buf)
