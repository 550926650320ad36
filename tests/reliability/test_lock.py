"""One run per tree: the lock is keyed on the tree's identity, not on its spelling.

Issue 10, finding 4. Two runs through a symbolic link to the same FUSE mount, or
with two state directories, used to overlap (and both called the reference
driver non-conformant). Now the second is refused (exit 2, one line) while the
first holds the tree; read-only runs may overlap each other, never a writing run.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import DEVICES, PARENT, TYPE, suite_env
from statefiles import NO_SPEC, journal_of, refusal_line, run_suite, static_run

from conformance.suite.journal import Journal, JournalBusy, target_key
from conformance.suite.lock import TargetBusy, TargetLock
from conformance.sysfs.target import FsTarget


def _holder(root: Path, state: Path, *, shared: bool = False) -> Journal:
    """What a run on ``root`` holds: its journal in ``state``, under the tree's lock."""
    key = target_key(FsTarget(str(root)).description)
    journal = Journal.for_target(state, key, read_only=shared,
                                 lock=TargetLock(str(root), shared=shared))
    journal.open()
    return journal


@pytest.mark.fuse
def test_a_run_through_a_symlink_to_a_held_mount_is_refused(shared_mount, tmp_path) -> None:
    link = tmp_path / "link"
    link.symlink_to(shared_mount.root)
    holder = _holder(shared_mount.root, tmp_path / "state-a")
    devices = shared_mount.target.listdir(DEVICES)
    try:
        result = run_suite(link, tmp_path / "state-b", "--allow-write", "--profile", "control")
    finally:
        holder.close()
    line = refusal_line(result)
    assert "another mdev-qos run" in line and str(shared_mount.root) in line
    assert shared_mount.target.listdir(DEVICES) == devices


@pytest.mark.fuse
def test_two_state_dirs_do_not_make_two_runs_on_one_tree(shared_mount, tmp_path) -> None:
    holder = _holder(shared_mount.root, tmp_path / "state-a")
    try:
        result = run_suite(shared_mount.root, tmp_path / "state-b", "--allow-write",
                           "--profile", "control")
    finally:
        holder.close()
    assert "another mdev-qos run" in refusal_line(result)


@pytest.mark.fuse
def test_a_static_run_waits_for_no_writer_and_is_refused_by_one(shared_mount, tmp_path) -> None:
    uuid = shared_mount.create()
    argv = ("--profile", "static", "--mdev", uuid)
    reader = _holder(shared_mount.root, tmp_path / "state-a", shared=True)
    try:  # readers share the tree
        shared = run_suite(shared_mount.root, tmp_path / "state-b", *argv)
        with pytest.raises(JournalBusy, match="another mdev-qos run"):
            _holder(shared_mount.root, tmp_path / "state-c")  # but keep writers out
    finally:
        reader.close()
    assert shared.returncode in (0, 1) and "Traceback" not in shared.stderr, shared.stderr
    writer = _holder(shared_mount.root, tmp_path / "state-a")
    try:
        result = run_suite(shared_mount.root, tmp_path / "state-b", *argv)
    finally:
        writer.close()
    assert "another mdev-qos run" in refusal_line(result)


def test_the_lock_is_on_the_identity_of_sys(tmp_path: Path) -> None:
    """Every spelling of a tree (/, /., a link to it) meets on its resolved sys directory."""
    tree = tmp_path / "tree"
    (tree / "sys").mkdir(parents=True)
    link = tmp_path / "link"
    link.symlink_to(tree)
    first = TargetLock(str(tree))
    first.acquire()
    try:
        for spelling in (link, f"{tree}/.", f"{link}/sys/.."):
            with pytest.raises(TargetBusy, match="another mdev-qos run"):
                TargetLock(str(spelling), shared=True).acquire()
    finally:
        first.release()
    again = TargetLock(str(link))
    again.acquire()
    assert again.identity == (tree.joinpath("sys").stat().st_dev,
                              tree.joinpath("sys").stat().st_ino)
    again.release()
    assert TargetLock("/").path == "/sys"


def test_a_second_run_on_a_held_tree_is_refused_while_the_first_runs(tmp_path: Path) -> None:
    """Two real processes: the second is refused while the first holds the recorded tree."""
    from statefiles import FIXTURE

    link = tmp_path / "link"
    link.symlink_to(FIXTURE)
    script = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from conformance.suite.journal import Journal\n"
        "from conformance.suite.lock import TargetLock\n"
        f"j = Journal(Path({str(tmp_path / 'a' / 'j.jsonl')!r}),\n"
        f"            lock=TargetLock({str(FIXTURE)!r}))\n"
        "j.open(); print('held', flush=True); sys.stdin.read(); j.close()\n"
    )
    first = subprocess.Popen([sys.executable, "-c", script], env=suite_env(), text=True,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert first.stdout is not None and first.stdout.readline().strip() == "held"
        second = run_suite(link, tmp_path / "b", "--allow-write", "--profile", "control")
    finally:
        first.communicate("", timeout=30)
    assert "another mdev-qos run" in refusal_line(second)
    after = static_run(tmp_path / "c")  # and the tree is free again afterwards
    assert after.returncode in (0, 1), after.stderr


@pytest.mark.fuse
@pytest.mark.slow
def test_two_real_runs_through_two_spellings_never_overlap(fuse_mount, tmp_path) -> None:
    """A writing run holds the mount; a second through a link, with its own state, is refused."""
    link = tmp_path / "link"
    link.symlink_to(fuse_mount.root)
    state_a = tmp_path / "state-a"
    argv = [sys.executable, "-m", "conformance", "run", "--sysfs-root", str(fuse_mount.root),
            "--parent", PARENT, "--type", TYPE, "--allow-write", "--profile", "control",
            "--state-dir", str(state_a), "--report-dir", str(tmp_path / "report-a"), "-q",
            *NO_SPEC]
    first = subprocess.Popen(argv, env=suite_env(), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    journal = journal_of(state_a, fuse_mount.root)
    deadline = time.monotonic() + 60
    while not (journal.exists() and journal.stat().st_size > 0):  # it is acting: it holds
        assert first.poll() is None and time.monotonic() < deadline, first.communicate()
        time.sleep(0.01)
    second = run_suite(link, tmp_path / "state-b", "--allow-write", "--profile", "control",
                       report=tmp_path / "report-b")
    out, err = first.communicate(timeout=300)
    assert "another mdev-qos run" in refusal_line(second)
    assert first.returncode == 0, (out, err)
    assert "verdict: conformant" in out
