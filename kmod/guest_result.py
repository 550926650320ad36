"""What the guest's checks share: a check's result and the mdev part of sysfs.

Imported by guest_checks.py (the suite's Python) and guest_mgmt.py (which may
run under another distribution's python3, with nothing but the standard
library): so this module needs the standard library only. Both run as scripts
from kmod/, which puts this file on their import path.
"""

from __future__ import annotations

import json
import os
import uuid as uuidlib
from dataclasses import asdict, dataclass
from pathlib import Path

MDEV_DEVICES = "/sys/bus/mdev/devices"
RESULTS = "checks.jsonl"  # one CheckResult per line, guest.sh's own steps included


@dataclass(frozen=True)
class CheckResult:
    """One named check: passed or not, and why (a line of checks.jsonl)."""

    name: str
    ok: bool
    detail: str = ""

    def line(self) -> str:
        """The console line: ``PASS name`` or ``FAIL name: why``."""
        return f"PASS {self.name}" if self.ok else f"FAIL {self.name}: {self.detail}"

    def json(self) -> str:
        """The checks.jsonl line, without its newline."""
        return json.dumps(asdict(self))


class Sysfs:
    """The mdev part of sysfs under ``root`` ("/" in the guest)."""

    def __init__(self, root: str | Path = "/") -> None:
        self.root = Path(root)

    def path(self, sysfs_path: str) -> Path:
        """A path of the real sysfs, under ``root``."""
        return self.root / sysfs_path.lstrip("/")

    def device(self, uuid: str) -> Path:
        """An mdev's sysfs directory."""
        return self.path(f"{MDEV_DEVICES}/{uuid}")

    def create(self, parent: str, type_id: str) -> str:
        """Create an mdev of ``type_id`` on ``parent``; its UUID."""
        uuid = str(uuidlib.uuid4())
        create = f"/sys/class/mdev_bus/{parent}/mdev_supported_types/{type_id}/create"
        self.path(create).write_text(uuid)
        return uuid

    def remove(self, uuid: str) -> None:
        """Remove an mdev, if it is there."""
        if self.device(uuid).exists():
            (self.device(uuid) / "remove").write_text("1")

    def read(self, uuid: str, name: str) -> str:
        """One attribute of an mdev, as the kernel shows it."""
        return (self.device(uuid) / name).read_text()

    def store(self, attr: Path, value: str) -> None:
        """One write of ``value`` to an attribute file (sysfs: one store call).

        No O_CREAT (as Path.write_text would add): on a file that vanished with its
        device, creating it fails with EACCES, which would look like the driver's.
        """
        fd = os.open(attr, os.O_WRONLY)
        try:
            os.write(fd, value.encode())
        finally:
            os.close(fd)
