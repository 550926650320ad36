"""A hostile journal is refused before anything in it is replayed.

Issue 10, findings 1 and 8. A journal left in the state directory (by a bug, a
crash of an older version, or someone who could write there) may name files
outside the target, a bystander mdev's ``cap`` or ``remove``, or hold lines of
the wrong type. The run refuses with one line naming the journal and saying how
to recover (exit 2); the victim, the bystander and the journal are unchanged.
A well-formed journal of a killed run is still repaired, through the links of
a real tree.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import uuid as uuidlib
from pathlib import Path

import pytest
from conftest import DEVICES
from statefiles import entry_line, journal_of, private_dir, refusal_line, run_suite

from conformance.suite.journal import Journal, JournalError, Scope
from conformance.suite.lock import TargetLock
from conformance.sysfs.guarded import GuardedTarget
from conformance.sysfs.target import FsTarget

B64 = base64.b64encode
SECRET = b"do not overwrite\n"


def _plant(state: Path, root: Path, text: str) -> Path:
    journal = journal_of(private_dir(state), root)
    journal.write_text(text)
    journal.chmod(0o600)
    return journal


def _writing_run(mount, state: Path, *extra: str):
    return run_suite(mount.root, state, "--allow-write", "--profile", "control", *extra)


@pytest.fixture
def bystander(shared_mount) -> str:
    """An mdev someone else made, with a cap of their choosing."""
    uuid = shared_mount.create()
    shared_mount.target.write(f"{DEVICES}/{uuid}/qos/cap", b"41")
    return uuid


def _refused_and_unchanged(result, journal: Path, before: str) -> str:
    line = refusal_line(result)
    assert str(journal) in line
    assert journal.read_text() == before  # the evidence stays for whoever investigates
    return line


# -- entries that point where the suite never writes -----------------------------------
@pytest.mark.fuse
def test_an_entry_escaping_the_target_with_dot_dot_is_refused(shared_mount, tmp_path) -> None:
    victim = tmp_path / "victim"
    victim.write_bytes(SECRET)
    named = shared_mount.create()
    escape = "/" + os.path.relpath(victim, shared_mount.root)  # /../../…/victim
    text = entry_line(1, "save", escape, named, B64(b"owned\n").decode())
    journal = _plant(tmp_path / "state", shared_mount.root, text)
    line = _refused_and_unchanged(_writing_run(shared_mount, tmp_path / "state", "--mdev", named),
                                  journal, text)
    assert "line 1: entry/path" in line and "delete" in line  # the schema refuses ".."
    assert victim.read_bytes() == SECRET


@pytest.mark.fuse
def test_a_save_of_a_bystander_cap_is_refused(shared_mount, bystander, tmp_path) -> None:
    cap = f"{DEVICES}/{bystander}/qos/cap"
    text = entry_line(1, "save", cap, bystander, B64(b"7\n").decode())
    journal = _plant(tmp_path / "state", shared_mount.root, text)
    line = _refused_and_unchanged(_writing_run(shared_mount, tmp_path / "state"), journal, text)
    assert f"--mdev {bystander}" in line  # how to recover when it was a real save
    assert shared_mount.target.read(cap) == b"41\n"


@pytest.mark.fuse
def test_a_create_entry_pointing_at_a_bystander_remove_is_refused(
    shared_mount, bystander, tmp_path
) -> None:
    ours = str(uuidlib.uuid4())
    text = entry_line(1, "create", f"{DEVICES}/{bystander}/remove", ours)
    journal = _plant(tmp_path / "state", shared_mount.root, text)
    line = _refused_and_unchanged(_writing_run(shared_mount, tmp_path / "state"), journal, text)
    assert "its own remove" in line
    assert shared_mount.target.exists(f"{DEVICES}/{bystander}")


@pytest.mark.fuse
def test_a_create_entry_for_an_mdev_named_with_mdev_is_refused(
    shared_mount, bystander, tmp_path
) -> None:
    text = entry_line(1, "create", f"{DEVICES}/{bystander}/remove", bystander)
    journal = _plant(tmp_path / "state", shared_mount.root, text)
    result = _writing_run(shared_mount, tmp_path / "state", "--mdev", bystander)
    assert "never removes a device it did not create" in _refused_and_unchanged(
        result, journal, text)
    assert shared_mount.target.exists(f"{DEVICES}/{bystander}")


@pytest.mark.fuse
def test_a_load_entry_outside_a_load_file_is_refused(shared_mount, bystander, tmp_path) -> None:
    text = entry_line(1, "load", f"{DEVICES}/{bystander}/qos/cap", bystander,
                      B64(b"idle\n").decode())
    journal = _plant(tmp_path / "state", shared_mount.root, text)
    _refused_and_unchanged(_writing_run(shared_mount, tmp_path / "state", "--mdev", bystander),
                           journal, text)
    assert shared_mount.target.read(f"{DEVICES}/{bystander}/qos/cap") == b"41\n"


def _link_escape_tree(tmp_path: Path, uuid: str) -> tuple[Path, Path]:
    """A recorded-style tree whose device link leads out of it, to a planted qos/cap."""
    root = tmp_path / "tree"
    (root / "sys/class/mdev_bus/mqos0/mdev_supported_types/mqos-full").mkdir(parents=True)
    outside = tmp_path / "outside" / uuid
    (outside / "qos").mkdir(parents=True)
    victim = outside / "qos" / "cap"
    victim.write_bytes(SECRET)
    devices = root / "sys/bus/mdev/devices"
    devices.mkdir(parents=True)
    (devices / uuid).symlink_to(os.path.relpath(outside, devices))
    return root, victim


def test_an_entry_escaping_the_target_through_a_link_is_refused(tmp_path: Path) -> None:
    uuid = str(uuidlib.uuid4())
    root, victim = _link_escape_tree(tmp_path, uuid)
    text = entry_line(1, "save", f"{DEVICES}/{uuid}/qos/cap", uuid, B64(b"owned\n").decode())
    journal = _plant(tmp_path / "state", root, text)
    result = run_suite(root, tmp_path / "state", "--allow-write", "--profile", "control",
                       "--mdev", uuid)
    line = _refused_and_unchanged(result, journal, text)
    assert "out of the target" in line
    assert victim.read_bytes() == SECRET


# -- lines of the wrong shape ----------------------------------------------------------
UUID = "6c2e1b0a-3f4d-4e5a-9b6c-7d8e9f0a1b2c"
REMOVE = f"{DEVICES}/{UUID}/remove"
GOOD = entry_line(1, "create", REMOVE, UUID)
HOSTILE_LINES = {
    "seq is a string": json.dumps({"entry": {"seq": "1", "op": "create", "path": REMOVE,
                                             "value": "", "uuid": UUID}}) + "\n",
    "path is a number": json.dumps({"entry": {"seq": 1, "op": "create", "path": 5,
                                              "value": "", "uuid": UUID}}) + "\n",
    "unknown op": entry_line(1, "chmod", REMOVE, UUID),
    "extra field": json.dumps({"entry": {"seq": 1, "op": "create", "path": REMOVE,
                                         "value": "", "uuid": UUID, "mode": 511}}) + "\n",
    "value not base64": entry_line(1, "create", REMOVE, UUID, "%%%"),
    "a list": GOOD + "[1, 2]\n",
    "a number": GOOD + "7\n",
    "done of nothing": '{"done": 9}\n',
    "done is a string": GOOD + '{"done": "1"}\n',
    "two records in one": json.dumps({"done": 1, "entry": {}}) + "\n",
    "torn line in the middle": GOOD + '{"entr\n' + GOOD.replace('"seq": 1', '"seq": 2'),
    "same entry twice": GOOD + GOOD,
    "not UTF-8": GOOD + "\udcff\n",
}


def _bare_tree(tmp_path: Path) -> Path:
    root = tmp_path / "tree"
    (root / "sys/class/mdev_bus/mqos0/mdev_supported_types/mqos-full").mkdir(parents=True)
    (root / "sys/bus/mdev/devices").mkdir(parents=True)
    return root


def _plant_bytes(tmp_path: Path, root: Path, case: str) -> Path:
    journal = journal_of(private_dir(tmp_path / "state"), root)
    journal.write_bytes(HOSTILE_LINES[case].encode(errors="surrogateescape"))
    journal.chmod(0o600)
    return journal


@pytest.mark.parametrize("case", sorted(HOSTILE_LINES))
def test_a_journal_line_of_the_wrong_shape_is_refused_naming_file_and_line(
    tmp_path: Path, case: str
) -> None:
    root = _bare_tree(tmp_path)
    path = _plant_bytes(tmp_path, root, case)
    before = path.read_bytes()
    journal = Journal(path, scope=Scope(target=FsTarget(str(root))), lock=TargetLock(str(root)))
    with pytest.raises(JournalError) as refused:
        journal.open()
    message = str(refused.value)
    assert message.startswith(f"journal {path} ") and "\n" not in message
    assert " line " in message and "delete" in message
    assert path.read_bytes() == before
    again = TargetLock(str(root))  # nothing is held after a refusal
    again.acquire()
    again.release()
    with path.open("rb") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)


def test_a_run_over_a_journal_of_the_wrong_shape_ends_in_one_line(tmp_path: Path) -> None:
    root = _bare_tree(tmp_path)
    path = _plant_bytes(tmp_path, root, "seq is a string")
    before = path.read_bytes()
    line = refusal_line(run_suite(root, tmp_path / "state", "--allow-write",
                                  "--profile", "control"))
    assert f"journal {path} line 1: entry/seq: '1' is not of type 'integer'" in line
    assert path.read_bytes() == before


# -- a journal of a killed run is still repaired, through the links of a real tree -------
@pytest.mark.fuse
def test_a_genuine_journal_resolves_through_the_mount_and_is_repaired(shared_mount, tmp_path):
    target = GuardedTarget(FsTarget(str(shared_mount.root)))
    named, created = shared_mount.create(), shared_mount.create()
    cap = f"{DEVICES}/{named}/qos/cap"
    target.write(cap, b"33")
    text = (entry_line(1, "save", cap, named, B64(b"33\n").decode())
            + entry_line(2, "create", f"{DEVICES}/{created}/remove", created)
            + entry_line(3, "load", f"/sys/kernel/debug/mqos/{created}/load", created,
                         B64(b"idle\n").decode()))
    path = _plant(tmp_path / "state", shared_mount.root, text)
    target.write(cap, b"80")
    journal = Journal(path, scope=Scope(target=target, named=frozenset({named})))
    try:
        assert [e.seq for e in journal.open()] == [1, 2, 3]
        journal.repair(target)
    finally:
        journal.close()
        target.close()
    assert shared_mount.target.read(cap) == b"33\n"
    assert not shared_mount.target.exists(f"{DEVICES}/{created}")
    assert path.read_bytes() == b""
