"""What a claim states, read from a sysfs tree: driver, module version, kernel."""

from __future__ import annotations

import os
from pathlib import Path

from conformance.suite.claim import Observed, claim_context, driver_at, driver_of, kernel_of
from conformance.sysfs.target import FsTarget


def tree(root: Path, *, version: str | None = "1.1", srcversion: str | None = None) -> FsTarget:
    device = root / "sys/devices/virtual/mqos/mqos0"
    (root / "sys/bus/mdev/drivers/mqos").mkdir(parents=True)
    device.mkdir(parents=True)
    (device / "driver").symlink_to("../../../../bus/mdev/drivers/mqos")
    (root / "sys/bus/mdev/drivers/mqos/module").symlink_to("../../../../module/mqos")
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
    assert observed.to_json() == {"sharing": [], "timeslice_us": [], "cap_period_us": [],
                                  "window_us": None}
    observed.timeslice(2000)
    observed.sharing("reserved")
    observed.sharing("none")
    observed.sharing("reserved")
    observed.window(1000, 400000)
    observed.window(1000, 120000)
    context = claim_context(tree(tmp_path), "mqos0", observed, embedded_mock=False)
    assert context["timeslice_us"] == [1000, 2000]
    assert context["sharing"] == ["none", "reserved"]
    assert context["window_us"] == {"count": 2, "min": 120000, "max": 400000}


def test_a_parent_without_driver_names_the_driver_of_an_mdev(tmp_path: Path) -> None:
    """Like the kernel's mdev samples (and kmod/), the parent is a class device."""
    target = tree(tmp_path)
    (tmp_path / "sys/devices/virtual/mqos/mqos0/driver").unlink()
    mdev = tmp_path / "sys/devices/virtual/mqos/mqos0/7e1a0c3c-0000-4000-8000-000000000001"
    mdev.mkdir()
    (mdev / "driver").symlink_to("../../../../../bus/mdev/drivers/mqos")
    (tmp_path / "sys/bus/mdev/devices").mkdir(parents=True)
    (tmp_path / "sys/bus/mdev/devices" / mdev.name).symlink_to(
        "../../../devices/virtual/mqos/mqos0/" + mdev.name)
    seen = driver_at(target, f"/sys/bus/mdev/devices/{mdev.name}")
    assert seen == {"name": "mqos", "version": "1.1"}
    assert driver_of(target, "mqos0", embedded_mock=False) == {"name": None, "version": None}
    assert driver_of(target, "mqos0", embedded_mock=False, mdev_driver=seen) == seen
