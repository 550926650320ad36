"""Mutants of ranges, defaults, error numbers and failed writes."""

from __future__ import annotations

import errno
from typing import Any

from conformance.mock import QosDriver
from conformance.mock.grammar import U64_MAX, kstrtouint, strip_one_newline
from conformance.mock.kernfs import kernel_error


class CapDefault50(QosDriver):
    """A new mdev's cap is 50."""

    breaks = "QOS-CAP-001"

    def default_cap(self, mdev: Any) -> int:
        return 50 if not self.is_fixed(mdev, "cap") else super().default_cap(mdev)


class WeightDefault1024(QosDriver):
    """A new mdev's weight is 1024 (the cgroup v1 default)."""

    breaks = "QOS-WGT-001"

    def default_weight(self, mdev: Any) -> int:
        return 1024 if not self.is_fixed(mdev, "weight") else super().default_weight(mdev)


class PriorityDefaultLow(QosDriver):
    """A new mdev's level is background."""

    breaks = "QOS-PRI-002"

    def default_priority(self, mdev: Any) -> str:
        if self.is_fixed(mdev, "priority"):
            return super().default_priority(mdev)
        return "background"


class CapAcceptsZero(QosDriver):
    """cap accepts 0."""

    breaks = "QOS-CAP-004"
    cap_range = (0, 100)


class CapAcceptsUpTo255(QosDriver):
    """cap accepts up to 255 (a u8 range check)."""

    breaks = "QOS-CAP-004"
    cap_range = (1, 255)


class CapOutOfRangeErange(QosDriver):
    """An out-of-range cap fails with ERANGE instead of EINVAL."""

    breaks = "QOS-CAP-004"

    def parse_cap(self, mdev: Any, buf: bytes) -> int:
        value = self.parse_uint(buf)
        if not 1 <= value <= 100:
            raise kernel_error(errno.ERANGE)
        return value


class WeightMaxTooLow(QosDriver):
    """weight refuses values above 1000."""

    breaks = "QOS-WGT-002"
    weight_range = (1, 1000)


class WeightAcceptsZero(QosDriver):
    """weight accepts 0."""

    breaks = "QOS-WGT-004"
    weight_range = (0, 10000)


class WeightWrapsAt32Bits(QosDriver):
    """weight parses 64 bits and keeps the low 32 (2**32 + 100 is taken as 100)."""

    breaks = "QOS-WGT-004"

    def parse_weight(self, mdev: Any, buf: bytes) -> int:
        value = kstrtouint(buf, limit=U64_MAX) & 0xFFFF_FFFF
        return self.parse_ranged(str(value).encode(), self.weight_range)


class CapFailedWriteClamps(QosDriver):
    """An out-of-range cap is clamped and stored before EINVAL is returned."""

    breaks = "QOS-CAP-005"

    def store_knob(self, mdev: Any, name: str, buf: bytes) -> None:
        if name == "cap":
            try:
                value = self.parse_uint(buf)
            except OSError:
                value = None
            if value is not None and not 1 <= value <= 100:
                self.apply_knob(mdev, "cap", min(max(value, 1), 100))
        super().store_knob(mdev, name, buf)


class WeightFailedWritePartial(QosDriver):
    """weight stores the leading digits of a malformed write, then fails."""

    breaks = "QOS-WGT-005"

    def store_knob(self, mdev: Any, name: str, buf: bytes) -> None:
        if name == "weight":
            body = strip_one_newline(buf)
            digits = body[: len(body) - len(body.lstrip(b"0123456789"))]
            if digits and digits != body and 1 <= int(digits) <= 10000:
                self.apply_knob(mdev, "weight", int(digits))
        super().store_knob(mdev, name, buf)


class PriorityFailedWriteResets(QosDriver):
    """An unknown level resets priority to the lowest level, then fails."""

    breaks = "QOS-PRI-005"

    def store_knob(self, mdev: Any, name: str, buf: bytes) -> None:
        try:
            super().store_knob(mdev, name, buf)
        except OSError:
            if name == "priority":
                self.apply_knob(mdev, "priority", self.supported_levels(mdev)[0])
            raise
