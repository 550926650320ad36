"""A hostile tree (huge files, links out, FIFOs, odd names) is read safely and reported."""

from __future__ import annotations

import json
import os
from pathlib import Path

from .conftest import FULL, SHARE_CAP_MDEV, SHARE_CAP_OFFER, build_tree, run_cli, validate


def hostile(root: Path) -> Path:
    build_tree(root, SHARE_CAP_OFFER, SHARE_CAP_MDEV)
    device = root / "sys/devices/pci0000:00/0000:00:03.0"
    qos = device / FULL / "qos"
    (qos / "cap").unlink()
    (qos / "cap").symlink_to("/etc/passwd")  # a link out of the tree
    (qos / "weight").unlink()
    os.mkfifo(qos / "weight")  # opening it would block
    (qos / "usage_us").write_bytes(b"7" * (8 << 20))  # 8 MiB
    odd = device / "mdev_supported_types" / "odd\nname \xe9"
    (odd / "qos").mkdir(parents=True)
    (odd / "qos" / "files").write_bytes(b"cap \xff\xfe\n")
    (odd / "qos" / os.fsdecode(b"bad\xffname")).write_text("1\n")
    (root / "sys/class/mdev_bus/escape").symlink_to("../../../../../../../../etc")
    return root


def test_a_hostile_tree_is_read_without_harm(tmp_path: Path) -> None:
    root = hostile(tmp_path / "tree")
    proc = run_cli("--sysfs-root", str(root), "--json", "--op-timeout", "5", timeout=60)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    validate(doc)
    parents = {p["name"]: p for p in doc["parents"]}
    assert parents["escape"]["types"] == []  # the link resolves inside the tree: nothing there
    types = {t["id"]: t for t in parents["0000:00:03.0"]["types"]}
    (mdev,) = types["vnd-a"]["mdevs"]
    assert mdev["qos"]["cap"] == {"kind": "link", "mode": "0777"}  # never followed
    assert mdev["qos"]["weight"]["kind"] == "other"  # never opened
    assert len(mdev["qos"]["usage_us"]["value"]) == 4096  # one page, as sysfs
    odd = types["odd\nname \xe9"]
    assert odd["offer"]["entries"]["files"]["value"] == "cap \\xff\\xfe"


def test_the_table_quotes_odd_names(tmp_path: Path) -> None:
    root = hostile(tmp_path / "tree")
    proc = run_cli("--sysfs-root", str(root), timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "'odd\\nname \\xe9'" in proc.stdout
    assert all(line.isprintable() for line in proc.stdout.splitlines())
