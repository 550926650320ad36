"""Reference drivers for devices that round knob values or refuse valid writes.

Both conform to the spec (Refused and rounded writes); a vendor whose device
aligns values or whose firmware may refuse a change runs the suite against them
(``--mock-driver conformance.mock.rounding:RoundingDriver``) to see how it judges
such a device.
"""

from __future__ import annotations

import errno
from typing import TYPE_CHECKING, Any

from conformance.mock.driver import QosDriver
from conformance.mock.kernfs import kernel_error

if TYPE_CHECKING:
    from conformance.mock.mdevcore import Mdev


def round_to_step(value: int, step: int, bounds: tuple[int, int]) -> int:
    """The multiple of ``step`` within ``bounds`` nearest ``value`` (ties upward)."""
    low, high = bounds
    candidates = [m for m in (value // step * step, value // step * step + step)
                  if low <= m <= high]
    if not candidates:
        raise ValueError(f"no multiple of {step} in {low}..{high}")
    return min(candidates, key=lambda m: (abs(m - value), -m))


class RoundingDriver(QosDriver):
    """A device that applies caps in steps of 5 % and weights in steps of 10.

    A written value is rounded to the nearest step (ties upward) and the knob reads
    the value applied, which is also what the scheduler uses.
    """

    cap_step = 5
    weight_step = 10

    def parse_cap(self, mdev: Mdev, buf: bytes) -> int:
        """A cap write, rounded to a multiple of ``cap_step``."""
        return round_to_step(super().parse_cap(mdev, buf), self.cap_step, self.cap_range)

    def parse_weight(self, mdev: Mdev, buf: bytes) -> int:
        """A weight write, rounded to a multiple of ``weight_step``."""
        value = super().parse_weight(mdev, buf)
        return round_to_step(value, self.weight_step, self.weight_range)


class FirmwareRefusalDriver(QosDriver):
    """A device whose firmware refuses to program a cap of 37 %: ``EIO``, nothing changes."""

    refused_cap = 37

    def apply_knob(self, mdev: Mdev, name: str, value: Any) -> None:
        """Refuse the one value the firmware will not take, before recording anything."""
        if name == "cap" and value == self.refused_cap:
            raise kernel_error(errno.EIO)
        super().apply_knob(mdev, name, value)
