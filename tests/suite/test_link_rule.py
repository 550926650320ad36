"""One rule for links in a tree (``conformance/sysfs/beneath.py``), for each of its callers.

The tree's I/O (``FsTarget``), the journal check before a repair
(``journal_check.resolve``) and the recorder (``snapshot``) follow links alike:
an absolute link starts from the tree's root, ``..`` stays at the root (the
journal check refuses a walk that tried to climb), a loop is ``ELOOP`` and a
dangling link leads nowhere. They once disagreed: the journal check refused the
absolute link a recorded tree may hold, and took a link spelled with the host's
path of the tree for a path inside it, where the tree's I/O looks elsewhere.
"""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from conformance.suite import journal_check
from conformance.suite.snapshot import SnapshotError, snapshot
from conformance.sysfs.beneath import resolve_view
from conformance.sysfs.target import FsTarget

UUID = "0b9f6f5e-4d3c-4b2a-8190-a1b2c3d4e5f6"
DEVICE = f"/sys/devices/mqos0/{UUID}"
LINK = f"/sys/bus/mdev/devices/{UUID}"
CAP = f"{LINK}/qos/cap"


def _tree(tmp_path: Path, link: str) -> Path:
    """A tree with an mdev directory, its device link saying ``link``, and a secret outside."""
    root = tmp_path / "tree"
    (root / DEVICE.lstrip("/") / "qos").mkdir(parents=True)
    (root / DEVICE.lstrip("/") / "qos" / "cap").write_text("60\n")
    (root / "sys/bus/mdev/devices").mkdir(parents=True)
    (root / LINK.lstrip("/")).symlink_to(link)
    outside = tmp_path / "outside" / UUID / "qos"
    outside.mkdir(parents=True)
    (outside / "cap").write_text("secret\n")
    return root


CASES = {  # link text -> where it leads in the tree's view (None: nowhere)
    "absolute": (DEVICE, DEVICE),
    "relative": (f"../../../devices/mqos0/{UUID}", DEVICE),
    "climbing": ("../" * 12 + f"outside/{UUID}", f"/outside/{UUID}"),
    "host spelling": (None, None),  # filled in with the tree's host path below
    "dangling": ("/sys/devices/gone", "/sys/devices/gone"),
}


def _link(tmp_path: Path, case: str) -> str:
    text = CASES[case][0]
    return text if text is not None else str(tmp_path / "tree" / DEVICE.lstrip("/"))


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_tree_io_reads_where_the_rule_leads(tmp_path: Path, case: str) -> None:
    root = _tree(tmp_path, _link(tmp_path, case))
    target = FsTarget(str(root), writable=False)
    if CASES[case][1] == DEVICE:
        assert target.read(CAP) == b"60\n"
    else:  # climbing stays at the root, where the tree has no outside/: never the secret
        with pytest.raises(FileNotFoundError):
            target.read(CAP)


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_journal_check_resolves_as_the_tree_io_reads(tmp_path: Path, case: str) -> None:
    root = _tree(tmp_path, _link(tmp_path, case))
    target = FsTarget(str(root), writable=False)
    resolved = journal_check.resolve(target, CAP)
    if case == "climbing":
        assert resolved is None  # refused: no sysfs link climbs above /
    elif case == "host spelling":  # inside the tree that path does not exist
        assert resolved == str(tmp_path / "tree") + f"{DEVICE}/qos/cap"
    else:
        assert resolved == f"{CASES[case][1]}/qos/cap"
    if resolved is not None and resolved.startswith(DEVICE):
        assert target.read(resolved) == target.read(CAP)


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_recorder_follows_the_same_rule(tmp_path: Path, case: str) -> None:
    root = _tree(tmp_path, _link(tmp_path, case))
    out = tmp_path / "rec"
    if CASES[case][1] == DEVICE:
        manifest = snapshot(str(root), [UUID], out)
        assert manifest["mdevs"][0]["device"] == DEVICE
        assert (out / DEVICE.lstrip("/") / "qos" / "cap").read_text() == "60\n"
    else:
        with pytest.raises(SnapshotError, match="not an mdev's directory"):
            snapshot(str(root), [UUID], out)
        assert not out.exists()


def _looping_tree(tmp_path: Path) -> Path:
    root = tmp_path / "tree"
    (root / "sys/bus/mdev/devices").mkdir(parents=True)
    (root / "sys/a").symlink_to("b")
    (root / "sys/b").symlink_to("/sys/a")
    (root / LINK.lstrip("/")).symlink_to("../../../a")
    return root


def test_a_loop_is_eloop_for_every_caller(tmp_path: Path) -> None:
    root = _looping_tree(tmp_path)
    target = FsTarget(str(root), writable=False)
    with pytest.raises(OSError) as io:
        target.read(CAP)
    assert io.value.errno == errno.ELOOP
    with pytest.raises(OSError) as check:
        journal_check.resolve(target, CAP)
    assert check.value.errno == errno.ELOOP
    with pytest.raises(SnapshotError, match="too many levels of symbolic links"):
        snapshot(str(root), [UUID], tmp_path / "rec")


def test_dot_dot_after_a_link_climbs_from_where_the_link_leads(tmp_path: Path) -> None:
    """As in the kernel: ``link/..`` is the parent of the link's target, not of the link."""
    root = _tree(tmp_path, DEVICE)
    target = FsTarget(str(root), writable=False)
    walked = resolve_view(target, f"{LINK}/../{UUID}/qos/cap")
    assert walked.path == f"{DEVICE}/qos/cap" and not walked.climbed
    assert target.read(f"{LINK}/../{UUID}/qos/cap") == b"60\n"
