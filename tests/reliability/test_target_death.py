"""A target that dies mid-run: never a driver failure, never a clean bill it cannot give.

The FUSE mock is killed at a point the test chooses (SIGKILL: every operation then
fails with ENOTCONN; SIGTERM: the daemon unmounts, leaving the empty mount point).
Whatever is read afterwards is the environment's error, not an answer ("absent",
"empty"), and every change the run journaled but could not see undone stays in
the journal and is listed in ``cleanup.left_behind``.
"""

from __future__ import annotations

import errno
import os
import signal
import threading
from pathlib import Path

import dying_steps
import pytest
from conftest import HERE, PARENT, TYPE, Mount

from conformance.specbuild.requirements import Requirement
from conformance.suite.engine import RunRequest, execute
from conformance.suite.outcome import Outcome, SuiteError
from conformance.suite.registry import Resources
from conformance.suite.session import SuiteSession
from conformance.suite.targets import TargetOptions, open_session
from conformance.sysfs.guarded import (
    GuardedTarget,
    TargetFault,
    TargetHung,
    TargetLost,
    target_gone,
)
from conformance.sysfs.target import FsTarget, Stat

SIGNALS = pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM],
                                  ids=["SIGKILL", "SIGTERM"])
REQUIREMENTS = [
    Requirement("QOS-LAY-002", "MUST", "base", "", "qos/ holds usage_us", "layout"),
    Requirement("QOS-CAP-001", "MUST", "cap", "cap present", "cap reads 100", "cap"),
    Requirement("QOS-CAP-005", "MUST", "cap", "cap present", "failed write keeps cap", "cap"),
]


# -- without FUSE: a tree whose root went away -------------------------------------------
@pytest.mark.parametrize("answer", ["exists", "listdir"])
def test_an_answer_of_absence_from_a_vanished_tree_is_target_lost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answer: str
) -> None:
    (tmp_path / "sys" / "qos").mkdir(parents=True)
    guarded = GuardedTarget(FsTarget(str(tmp_path)), deadline_s=5.0)
    try:
        assert not guarded.exists("/sys/weight") and guarded.listdir("/sys/qos") == []
        assert target_gone(guarded) is None  # the same tree: plain answers
        monkeypatch.setattr(guarded, "_device_of_root", lambda: None)  # cannot be reached
        with pytest.raises(TargetLost, match="no longer the one the run started on"):
            if answer == "exists":
                guarded.exists("/sys/weight")
            else:
                guarded.listdir("/sys/qos")  # what the empty mount point would list
        assert target_gone(guarded) is not None
    finally:
        guarded.close()


# -- a real FUSE mount, killed at a chosen point -----------------------------------------
@pytest.fixture
def mount(fuse_mount: Mount) -> Mount:
    """conftest's fresh FUSE mount of the mock: the tests below kill its daemon."""
    return fuse_mount


def kill(mount: Mount, sig: int) -> None:
    """Stop the mock's daemon and wait until it is gone (SIGTERM: it unmounts first)."""
    mount.proc.send_signal(sig)
    mount.proc.wait(15)


def fuse_session(mount: Mount, tmp_path: Path) -> SuiteSession:
    """A writing session on the mount, as ``mdev-qos run --sysfs-root`` opens it."""
    session = open_session(TargetOptions(
        sysfs_root=str(mount.root), parent=PARENT, type_id=TYPE, allow_write=True,
        profile="control", state_dir=str(tmp_path / "state"), op_timeout_s=5.0))
    session.progress = lambda message: None
    return session


@pytest.mark.fuse
@SIGNALS
def test_cleanup_never_marks_undone_what_a_dead_target_did_not_confirm(
    mount: Mount, tmp_path: Path, sig: int
) -> None:
    session = fuse_session(mount, tmp_path)
    assert session.journal.open() == []
    try:
        resources = Resources(session, Outcome())
        mdev = resources.create_mdev()
        kill(mount, sig)
        with pytest.raises(SuiteError, match="the target is gone|went away"):
            resources.close()
        assert [e.uuid for e in session.journal.pending()] == [mdev.uuid]
        left = []
        session.journal.repair(session.target, lambda e, exc: left.append(e.unconfirmed(exc)))
        assert len(left) == 1 and f"mdev {mdev.uuid} may still exist" in left[0]
        assert session.journal.pending()  # for the next run to repair
    finally:
        session.journal.close()
        session.target.close()
    journal = next((tmp_path / "state").glob("journal-*"))
    assert f'"uuid": "{mdev.uuid}"' in journal.read_text()  # not emptied: still pending


@pytest.mark.fuse
@SIGNALS
def test_a_dead_target_is_never_absent(mount: Mount, tmp_path: Path, sig: int) -> None:
    target = GuardedTarget(FsTarget(str(mount.root)), deadline_s=5.0)
    uuid = mount.create()
    device = f"/sys/bus/mdev/devices/{uuid}"
    try:
        assert target.exists(f"{device}/qos") and not target.exists(f"{device}/nothing")
        kill(mount, sig)
        with pytest.raises(TargetFault):
            target.exists(f"{device}/qos")
        assert target_gone(target) is not None
    finally:
        target.close()
    if sig == signal.SIGKILL:  # the plain tree raises too: it cannot tell, so no False
        with pytest.raises(OSError, match="not connected"):
            FsTarget(str(mount.root)).exists(f"{device}/qos")


@pytest.mark.fuse
@pytest.mark.parametrize(("scenario", "select"), [
    ("a presence check after the target died", "presence"),
    ("a judgement of what was read just before the target died", "judgement"),
    ("a create the target never confirmed", "confirmed"),
    ("a skip decided by what was read just before the target died", "skip"),
])
@SIGNALS
def test_a_scenario_whose_target_dies_is_an_error_and_lists_what_is_left(
    mount: Mount, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scenario: str, select: str,
    sig: int,
) -> None:
    monkeypatch.setattr(dying_steps, "KILL", lambda: kill(mount, sig))
    session = fuse_session(mount, tmp_path)
    try:
        result = execute(RunRequest(
            report_dir=tmp_path / "report", features=HERE / "dying",
            step_plugins=[dying_steps], requirements=REQUIREMENTS, session=session,
            select=select,
            build_spec=False))
    finally:
        session.target.close()
    report = result.report
    statuses = {r["id"]: r["status"] for r in report["requirements"]}
    ran = next(s for s in report["scenarios"] if s["name"] == scenario)
    assert ran["status"] == "error", ran
    assert "fail" not in statuses.values(), statuses
    assert (result.exit_status, report["verdict"]) == (2, "error")
    assert any("went away" in e for e in report["errors"]), report["errors"]
    left = report["cleanup"]["left_behind"]
    assert len(left) == 1 and "may still exist" in left[0] and "not confirmed" in left[0], left


@pytest.mark.fuse
def test_an_undo_the_journal_could_not_mark_is_reported(
    mount: Mount, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The probe's mdev is removed but its done line cannot be written; then the target dies.

    The journal keeps the probe's entry (the next run will undo it again) beside the
    scenario's: the report says why, instead of listing only what the target refused.
    """
    import conformance.suite.journal as journal_module

    real_write = journal_module.os.write

    def no_done_lines(fd: int, data: bytes) -> int:
        if b'"done"' in data:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    monkeypatch.setattr(journal_module.os, "write", no_done_lines)
    monkeypatch.setattr(dying_steps, "KILL", lambda: kill(mount, signal.SIGKILL))
    session = fuse_session(mount, tmp_path)
    try:
        result = execute(RunRequest(
            report_dir=tmp_path / "report", features=HERE / "dying",
            step_plugins=[dying_steps], requirements=REQUIREMENTS, session=session,
            select="presence", build_spec=False))
    finally:
        session.target.close()
    errors = result.report["errors"]
    assert any(e.startswith("journal: cannot write journal") for e in errors), errors
    assert result.exit_status == 2


class HungCreate:
    """A target whose ``create`` write never returns (until released); nothing exists."""

    description = "a target whose create hangs"
    writable = True

    def __init__(self) -> None:
        self.release = threading.Event()

    def read(self, path: str) -> bytes:
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), path)

    def write(self, path: str, data: bytes, *, uid: int | None = None) -> int:
        self.release.wait()  # stuck in the driver: the create may still happen
        return len(data)

    def stat(self, path: str) -> Stat:
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), path)

    def listdir(self, path: str) -> list[str]:
        return []

    def readlink(self, path: str) -> str:
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), path)

    def exists(self, path: str) -> bool:
        return False


def test_a_create_that_hung_stays_in_the_journal_though_the_device_is_not_there_yet() -> None:
    inner = HungCreate()
    session = SuiteSession(target=GuardedTarget(inner, deadline_s=0.1), parent=PARENT,
                           type_id=TYPE)
    try:
        resources = Resources(session, Outcome())
        with pytest.raises(TargetHung):
            resources.create_mdev()
        assert len(session.journal.pending()) == 1  # it may still land: not marked undone
    finally:
        inner.release.set()
