"""Mutants of refused and rounded writes (spec, Refused and rounded writes), and the
two conforming devices of ``conformance.mock.rounding`` as margin entries."""

from __future__ import annotations

import errno
from typing import Any

from conformance.mock import QosDriver
from conformance.mock.kernfs import kernel_error
from conformance.mock.rounding import FirmwareRefusalDriver, RoundingDriver

REFUSED_CAP = 37


class RefusedCapApplied(QosDriver):
    """The firmware refuses a cap of 37 with EIO, but the driver recorded it first."""

    breaks = "QOS-FMT-008"

    def apply_knob(self, mdev: Any, name: str, value: Any) -> None:
        super().apply_knob(mdev, name, value)
        if name == "cap" and value == REFUSED_CAP:
            raise kernel_error(errno.EIO)


class RefusedCapEinval(QosDriver):
    """The firmware's refusal of a cap of 37 is reported as EINVAL, as if 37 were bad input."""

    breaks = "QOS-FMT-008"

    def apply_knob(self, mdev: Any, name: str, value: Any) -> None:
        if name == "cap" and value == REFUSED_CAP:
            raise kernel_error(errno.EINVAL)
        super().apply_knob(mdev, name, value)


class CapRoundsDown(RoundingDriver):
    """Caps are applied in steps of 5 but rounded down (64 applies 60, not 65)."""

    breaks = "QOS-FMT-009"

    def parse_cap(self, mdev: Any, buf: bytes) -> int:
        value = QosDriver.parse_cap(self, mdev, buf)
        return max(self.cap_step, value // self.cap_step * self.cap_step)


class WeightRoundsAway(RoundingDriver):
    """Weights are applied in steps of 10 but rounded away from the written value's
    nearest step once in a while (every value ending in 4 goes up: 104 applies 110)."""

    breaks = "QOS-FMT-009"

    def parse_weight(self, mdev: Any, buf: bytes) -> int:
        value = QosDriver.parse_weight(self, mdev, buf)
        if value % 10 == 4:
            return min(self.weight_range[1], value + 6)
        return super().parse_weight(mdev, buf)


class RoundingDevice(RoundingDriver):
    """A device that applies caps in steps of 5 and weights in steps of 10, rounding to
    the nearest and reading what it applies: conforming."""

    breaks = "QOS-FMT-009"
    expect = "conform"


class RefusingFirmware(FirmwareRefusalDriver):
    """A device whose firmware refuses a cap of 37 with EIO and keeps the old cap:
    conforming (the run reports that it could not check that write)."""

    breaks = "QOS-FMT-008"
    expect = "conform"


class WeightRoundsUp(RoundingDriver):
    """Weights are applied in steps of 20 but always rounded up (25 applies 40, not 20)."""

    breaks = "QOS-FMT-009"
    weight_step = 20

    def parse_weight(self, mdev: Any, buf: bytes) -> int:
        value = QosDriver.parse_weight(self, mdev, buf)
        return min(self.weight_range[1], -(-value // self.weight_step) * self.weight_step)
