"""What a conformance claim states besides the verdict (spec: "What a claim states").

The driver and its version, the kernel, the sharing guarantee the mdevs state
(``sharing``, or ``none`` where they have no such file), the ``timeslice_us``
and ``cap_period_us`` values and the measurement windows of the run.

The driver is the one bound to the parent (``<parent>/driver``, e.g. a GPU's PCI
driver) or, for a parent without one (a class device, as in the kernel's mdev
samples), the one bound to an mdev the run saw; its version is the module's
``version`` (``MODULE_VERSION``) or, failing that, its ``srcversion``;
the kernel is the release of the machine that runs the target, read through the
target (``/proc/sys/kernel/osrelease``), so that a run inside a guest names the
guest's kernel. Whatever cannot be read is ``None``: a report says so rather
than guess. The context is read after the scenarios, from a target that may have
died, hung or vanished meanwhile: that too only makes a value ``None``.
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass, field
from typing import Any

from conformance import __version__
from conformance.sysfs import paths
from conformance.sysfs.guarded import TargetFault
from conformance.sysfs.target import Target

MOCK_DRIVER = "mdev-qos embedded reference mock"
OSRELEASE = "/proc/sys/kernel/osrelease"


@dataclass
class Observed:
    """The ``sharing`` and ``timeslice_us`` values read and the windows measured in a run."""

    timeslices_us: set[int] = field(default_factory=set)
    sharings: set[str] = field(default_factory=set)  # "none": an mdev without sharing
    cap_periods_us: set[int] = field(default_factory=set)
    windows_us: list[int] = field(default_factory=list)
    mdev_driver: dict[str, str | None] | None = None  # the driver of an mdev the run saw

    def timeslice(self, value: int) -> None:
        self.timeslices_us.add(int(value))

    def sharing(self, value: str) -> None:
        self.sharings.add(value)

    def cap_period(self, value: int) -> None:
        self.cap_periods_us.add(int(value))

    def window(self, timeslice_us: int, length_us: int) -> None:
        self.timeslice(timeslice_us)
        self.windows_us.append(int(length_us))

    def to_json(self) -> dict[str, Any]:
        windows = self.windows_us
        return {
            "sharing": sorted(self.sharings),
            "timeslice_us": sorted(self.timeslices_us),
            "cap_period_us": sorted(self.cap_periods_us),
            "window_us": (
                {"count": len(windows), "min": min(windows), "max": max(windows)}
                if windows else None
            ),
        }


def _text(target: Target, path: str) -> str | None:
    try:
        value = target.read(path).decode("utf-8", "replace").strip()
    except (OSError, ValueError, TargetFault):
        return None
    return value or None


def _link_name(target: Target, path: str) -> str | None:
    try:
        return posixpath.basename(target.readlink(path)) or None
    except (OSError, ValueError, TargetFault):
        return None


def driver_at(target: Target, device: str) -> dict[str, str | None] | None:
    """The driver bound to a device directory and its module's version (None: unbound)."""
    name = _link_name(target, f"{device}/driver")
    if name is None:
        return None
    module = _link_name(target, f"{device}/driver/module") or name.replace("-", "_")
    where = f"/sys/module/{module}"
    version = _text(target, f"{where}/version") or _text(target, f"{where}/srcversion")
    return {"name": name, "version": version}


def driver_of(
    target: Target, parent: str, *, embedded_mock: bool,
    mdev_driver: dict[str, str | None] | None = None,
) -> dict[str, str | None]:
    """The parent's driver, else an mdev's, and its version (``None`` where sysfs does not say)."""
    if embedded_mock:
        return {"name": MOCK_DRIVER, "version": __version__}
    return (driver_at(target, paths.parent_dir(parent)) or mdev_driver
            or {"name": None, "version": None})


def kernel_of(target: Target, *, embedded_mock: bool) -> str | None:
    """The kernel release of the machine that runs the target."""
    if embedded_mock:
        return os.uname().release
    return _text(target, OSRELEASE)


def claim_context(
    target: Target, parent: str, observed: Observed, *, embedded_mock: bool
) -> dict[str, Any]:
    """The report's ``context`` section."""
    return {
        "driver": driver_of(target, parent, embedded_mock=embedded_mock,
                            mdev_driver=observed.mdev_driver),
        "kernel": kernel_of(target, embedded_mock=embedded_mock),
        **observed.to_json(),
    }
