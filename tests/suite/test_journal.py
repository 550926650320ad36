"""The cleanup journal: written before acting, repaired by the next run, locked."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.suite.journal import Journal, JournalBusy, Scope
from conformance.sysfs.target import FsTarget

UUID = "6c2e1b0a-3f4d-4e5a-9b6c-7d8e9f0a1b2c"
NAMED = Scope(named=frozenset({UUID}))  # the run names the mdev whose cap it saved


def make_tree(root: Path, value: bytes = b"100") -> str:
    """A plain-file tree; a plain file is not truncated by a write, so values keep 3 digits."""
    qos = root / "sys/bus/mdev/devices/6c2e1b0a-3f4d-4e5a-9b6c-7d8e9f0a1b2c/qos"
    qos.mkdir(parents=True)
    (qos / "cap").write_bytes(value)
    return "/sys/bus/mdev/devices/6c2e1b0a-3f4d-4e5a-9b6c-7d8e9f0a1b2c/qos/cap"


def test_pending_entries_survive_and_are_repaired_newest_first(tmp_path: Path) -> None:
    target = FsTarget(str(tmp_path / "root"))
    cap = make_tree(tmp_path / "root")
    first = Journal(tmp_path / "j.jsonl", scope=NAMED)
    assert first.open() == []
    first.record("save", cap, b"100", uuid=UUID)
    target.write(cap, b"060")
    first.record("save", cap, b"060", uuid=UUID)
    target.write(cap, b"030")
    first._file.close()  # the process dies: no done lines, no unlock, no truncation
    second = Journal(tmp_path / "j.jsonl", scope=NAMED)
    leftovers = second.open()
    assert [e.value for e in leftovers] == [b"100", b"060"]
    second.repair(target)
    assert target.read(cap) == b"100"  # newest undone first, so the oldest value wins
    second.close()
    assert (tmp_path / "j.jsonl").read_text() == ""


def test_done_entries_are_not_repaired(tmp_path: Path) -> None:
    target = FsTarget(str(tmp_path / "root"))
    cap = make_tree(tmp_path / "root")
    journal = Journal(tmp_path / "j.jsonl", scope=NAMED)
    journal.open()
    entry = journal.record("save", cap, b"100", uuid=UUID)
    journal.done(entry)
    target.write(cap, b"042")
    journal._file.close()
    again = Journal(tmp_path / "j.jsonl", scope=NAMED)
    assert again.open() == []
    assert target.read(cap) == b"042"
    again.close()


def test_a_second_run_on_the_same_target_is_refused(tmp_path: Path) -> None:
    holder = Journal(tmp_path / "j.jsonl", scope=NAMED)
    holder.open()
    with pytest.raises(JournalBusy, match="another mdev-qos run"):
        Journal(tmp_path / "j.jsonl", scope=NAMED).open()
    holder.close()
    Journal(tmp_path / "j.jsonl", scope=NAMED).open()


def test_a_torn_last_line_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    entry = {"seq": 1, "op": "save", "path": f"/sys/bus/mdev/devices/{UUID}/qos/cap",
             "value": "", "uuid": UUID}
    path.write_text(json.dumps({"entry": entry}) + '\n{"entr')
    path.chmod(0o600)
    journal = Journal(path, scope=NAMED)
    assert [e.seq for e in journal.open()] == [1]
    journal.close()


def test_repair_after_sigkill_in_another_process(tmp_path: Path) -> None:
    """A process journals a change, makes it, and is SIGKILLed; the next run repairs it."""
    root = tmp_path / "root"
    cap = make_tree(root)
    script = f"""
import os, signal
from pathlib import Path
from conformance.suite.journal import Journal, Scope
from conformance.sysfs.target import FsTarget
journal = Journal(Path({str(tmp_path / "j.jsonl")!r}), scope=Scope(named=frozenset({{{UUID!r}}})))
journal.open()
journal.record("save", {cap!r}, b"100", uuid={UUID!r})
FsTarget({str(root)!r}).write({cap!r}, b"005")
os.kill(os.getpid(), signal.SIGKILL)
"""
    proc = subprocess.run([sys.executable, "-c", script], timeout=60)
    assert proc.returncode == -signal.SIGKILL
    target = FsTarget(str(root))
    assert target.read(cap) == b"005"
    journal = Journal(tmp_path / "j.jsonl", scope=NAMED)
    assert len(journal.open()) == 1
    journal.repair(target)
    journal.close()
    assert target.read(cap) == b"100"
    assert os.path.getsize(tmp_path / "j.jsonl") == 0
