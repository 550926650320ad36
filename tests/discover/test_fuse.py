"""``mdev-qos discover`` against a FUSE mount of the mock: complete, valid, and no write."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import fusemount
import pytest

from .conftest import FULL, run_cli, validate

pytestmark = [pytest.mark.fuse]
if (reason := fusemount.fuse_missing()) is not None:
    pytestmark.append(pytest.mark.skip(reason=reason))


@pytest.fixture
def mount() -> Iterator[Any]:
    root = Path(tempfile.mkdtemp(prefix="mdevqos-discover-"))
    root.chmod(0o755)
    mnt = fusemount.MockMount(root)  # virtual clock: nothing changes unless written
    try:
        yield mnt
    finally:
        assert mnt.stop() == 0
        root.rmdir()


def _contents(root: Path) -> dict[str, bytes]:
    """Every regular file's content (the mock's tree is small)."""
    found = {}
    for directory, _, files in os.walk(root / "sys"):
        for name in files:
            path = Path(directory, name)
            if os.stat(path).st_mode & 0o444:
                try:
                    found[str(path)] = path.read_bytes()
                except OSError as exc:
                    found[str(path)] = f"errno {exc.errno}".encode()
    return found


def test_discover_lists_a_fuse_mount_and_writes_nothing(mount: Any) -> None:
    types = mount.path("/sys/class/mdev_bus/mqos0/mdev_supported_types")
    (types / "mqos-full/create").write_text(FULL + "\n")
    mount.path(f"/sys/bus/mdev/devices/{FULL}/qos/cap").write_text("60\n")
    before = _contents(mount.root)
    proc = run_cli("--sysfs-root", str(mount.root), "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    validate(doc)
    kinds = {(p["name"], t["id"]): t for p in doc["parents"] for t in p["types"]}
    assert kinds[("mqos1", "mqos-fixed")]["offer"]["fixed"]["cap"] == "50"
    (mdev,) = kinds[("mqos0", "mqos-full")]["mdevs"]
    assert mdev["uuid"] == FULL and mdev["knobs"]["cap"] == "60"
    assert _contents(mount.root) == before
