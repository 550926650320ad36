"""Fixtures for ``mdev-qos discover``: the mock with live mdevs, the schema, the command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from conformance.mock import MockConfig
from conformance.resources import schema_path
from conformance.sysfs import paths
from conformance.sysfs.mock_target import MockTarget

FULL = "0b8f1c1e-5f7a-4c1b-9d5e-0123456789ab"
FIXED = "1c9e2d2f-6a8b-4d2c-8e6f-123456789abc"


def validate(document: Any) -> None:
    """Fail with the first few schema errors of a discover document."""
    schema = json.loads(schema_path("discover").read_text(encoding="utf-8"))
    errors = sorted(Draft202012Validator(schema).iter_errors(document), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def populate(target: MockTarget) -> None:
    """Two live mdevs on mqos0: mqos-full with cap 60, weight 300, urgent; mqos-fixed."""
    target.write(paths.create_file("mqos0", "mqos-full"), FULL.encode())
    for knob, value in (("cap", b"60"), ("weight", b"300"), ("priority", b"urgent")):
        target.write(paths.qos(FULL, knob), value)
    target.write(paths.create_file("mqos0", "mqos-fixed"), FIXED.encode())


@pytest.fixture
def mock_target() -> MockTarget:
    target = MockTarget(MockConfig().build())
    populate(target)
    return target


def run_cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """``mdev-qos discover ARGS`` in a child process."""
    return subprocess.run([sys.executable, "-m", "conformance", "discover", *args],
                          capture_output=True, text=True, timeout=timeout, check=False)


def repo() -> Path:
    return Path(__file__).resolve().parents[2]


def build_tree(root: Path, offer: dict[str, str], mdev_files: dict[str, str],
               parent: str = "0000:00:03.0", type_id: str = "vnd-a", uuid: str = FULL) -> Path:
    """A sysfs-like tree on disk: one PCI parent, one type with ``offer``, one mdev.

    Values are written as given (add the newline yourself); every file 0444 but the
    knobs cap, weight and priority of the mdev (0644).
    """
    device = root / "sys/devices/pci0000:00" / parent
    (root / "sys/bus/pci").mkdir(parents=True)
    (device).mkdir(parents=True)
    (device / "subsystem").symlink_to("../../../bus/pci")
    (root / "sys/class/mdev_bus").mkdir(parents=True)
    (root / "sys/class/mdev_bus" / parent).symlink_to(f"../../devices/pci0000:00/{parent}")
    kind = device / "mdev_supported_types" / type_id
    (kind / "qos").mkdir(parents=True)
    (kind / "devices").mkdir()
    for name, value in {"name": "a\n", "available_instances": "4\n",
                        "device_api": "vfio-pci\n"}.items():
        (kind / name).write_text(value)
    for name, value in offer.items():
        (kind / "qos" / name).write_text(value)
        (kind / "qos" / name).chmod(0o444)
    mdev = device / uuid
    (mdev / "qos").mkdir(parents=True)
    for name, value in mdev_files.items():
        (mdev / "qos" / name).write_text(value)
        (mdev / "qos" / name).chmod(0o644 if name in ("cap", "weight", "priority") else 0o444)
    (root / "sys/bus/mdev/devices").mkdir(parents=True)
    (root / "sys/bus/mdev/devices" / uuid).symlink_to(
        f"../../../devices/pci0000:00/{parent}/{uuid}")
    (kind / "devices" / uuid).symlink_to(f"../../../{uuid}")
    return root


SHARE_CAP_OFFER = {
    "files": "cap cap_period_us weight timeslice_us sharing usage_us throttled_us domain\n",
    "domain": "0000:00:03.0\n",
    "timeslice_us": "1000\n",
    "sharing": "work-conserving\n",
    "cap_period_us": "1000\n",
}
SHARE_CAP_MDEV = {
    "cap": "60\n", "cap_period_us": "1000\n", "weight": "100\n", "timeslice_us": "1000\n",
    "sharing": "work-conserving\n", "usage_us": "5\n", "throttled_us": "0\n",
    "domain": "0000:00:03.0\n",
}
