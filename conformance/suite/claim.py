"""What a conformance claim states besides the verdict (spec: "What a claim states").

The driver and its version, the kernel, the ``timeslice_us`` values and the
measurement windows of the run.

The driver is the one bound to the parent (``<parent>/driver``), its version the
module's ``version`` (``MODULE_VERSION``) or, failing that, its ``srcversion``;
the kernel is the release of the machine that runs the target, read through the
target (``/proc/sys/kernel/osrelease``), so that a run inside a guest names the
guest's kernel. Whatever cannot be read is ``None``: a report says so rather
than guess.
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass, field
from typing import Any

from conformance import __version__
from conformance.sysfs import paths
from conformance.sysfs.target import Target

MOCK_DRIVER = "mdev-qos embedded reference mock"
OSRELEASE = "/proc/sys/kernel/osrelease"


@dataclass
class Observed:
    """The ``timeslice_us`` values read and the window lengths measured during a run."""

    timeslices_us: set[int] = field(default_factory=set)
    windows_us: list[int] = field(default_factory=list)

    def timeslice(self, value: int) -> None:
        self.timeslices_us.add(int(value))

    def window(self, timeslice_us: int, length_us: int) -> None:
        self.timeslice(timeslice_us)
        self.windows_us.append(int(length_us))

    def to_json(self) -> dict[str, Any]:
        windows = self.windows_us
        return {
            "timeslice_us": sorted(self.timeslices_us),
            "window_us": (
                {"count": len(windows), "min": min(windows), "max": max(windows)}
                if windows else None
            ),
        }


def _text(target: Target, path: str) -> str | None:
    try:
        value = target.read(path).decode("utf-8", "replace").strip()
    except (OSError, ValueError):
        return None
    return value or None


def driver_of(target: Target, parent: str, *, embedded_mock: bool) -> dict[str, str | None]:
    """The parent's driver and its version (``None`` where sysfs does not say)."""
    if embedded_mock:
        return {"name": MOCK_DRIVER, "version": __version__}
    try:
        name = posixpath.basename(target.readlink(f"{paths.parent_dir(parent)}/driver"))
    except (OSError, ValueError):
        return {"name": None, "version": None}
    module = f"/sys/module/{name.replace('-', '_')}"
    version = _text(target, f"{module}/version") or _text(target, f"{module}/srcversion")
    return {"name": name or None, "version": version}


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
        "driver": driver_of(target, parent, embedded_mock=embedded_mock),
        "kernel": kernel_of(target, embedded_mock=embedded_mock),
        **observed.to_json(),
    }
