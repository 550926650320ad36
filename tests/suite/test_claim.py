"""What a claim states, read from a sysfs tree: driver, module version, kernel."""

from __future__ import annotations

import os
from pathlib import Path

from conformance.suite.claim import Observed, claim_context, driver_of, kernel_of
from conformance.sysfs.target import FsTarget


def tree(root: Path, *, version: str | None = "1.1", srcversion: str | None = None) -> FsTarget:
    device = root / "sys/devices/virtual/mqos/mqos0"
    (root / "sys/bus/mdev/drivers/mqos").mkdir(parents=True)
    device.mkdir(parents=True)
    (device / "driver").symlink_to("../../../../bus/mdev/drivers/mqos")
    (root / "sys/class/mdev_bus").mkdir(parents=True)
    (root / "sys/class/mdev_bus/mqos0").symlink_to("../../devices/virtual/mqos/mqos0")
    module = root / "sys/module/mqos"
    module.mkdir(parents=True)
    if version is not None:
        (module / "version").write_text(version + "\n")
    if srcversion is not None:
        (module / "srcversion").write_text(srcversion + "\n")
    return FsTarget(str(root), writable=False)


def test_driver_and_module_version_come_from_sysfs(tmp_path: Path) -> None:
    target = tree(tmp_path)
    assert driver_of(target, "mqos0", embedded_mock=False) == {"name": "mqos", "version": "1.1"}


def test_srcversion_stands_in_for_a_missing_version(tmp_path: Path) -> None:
    target = tree(tmp_path, version=None, srcversion="ABCDEF0123456789")
    assert driver_of(target, "mqos0", embedded_mock=False)["version"] == "ABCDEF0123456789"


def test_what_sysfs_does_not_say_is_none(tmp_path: Path) -> None:
    target = tree(tmp_path, version=None)
    assert driver_of(target, "mqos0", embedded_mock=False) == {"name": "mqos", "version": None}
    assert driver_of(target, "other0", embedded_mock=False) == {"name": None, "version": None}
    assert kernel_of(target, embedded_mock=False) is None


def test_the_kernel_is_read_through_the_target(tmp_path: Path) -> None:
    """A run inside a guest reads the guest's release, not the host's."""
    target = tree(tmp_path)
    (tmp_path / "proc/sys/kernel").mkdir(parents=True)
    (tmp_path / "proc/sys/kernel/osrelease").write_text("6.12.57+deb13-amd64\n")
    assert kernel_of(target, embedded_mock=False) == "6.12.57+deb13-amd64"
    assert kernel_of(target, embedded_mock=True) == os.uname().release


def test_observed_windows_and_timeslices(tmp_path: Path) -> None:
    observed = Observed()
    assert observed.to_json() == {"timeslice_us": [], "window_us": None}
    observed.timeslice(2000)
    observed.window(1000, 400000)
    observed.window(1000, 120000)
    context = claim_context(tree(tmp_path), "mqos0", observed, embedded_mock=False)
    assert context["timeslice_us"] == [1000, 2000]
    assert context["window_us"] == {"count": 2, "min": 120000, "max": 400000}
