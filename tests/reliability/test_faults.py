"""Faults of the environment become ``error`` with a clear message, in bounded time.

- the FUSE mock dies mid-run (SIGKILL: ENOTCONN; SIGTERM: the mount vanishes);
- a sysfs read hangs (a driver whose show never returns) or fails with EIO;
- an ``exec`` workload command times out or exits non-zero.

Never a hang, never a ``fail`` blamed on the driver.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import PARENT, TYPE, Mount, fuse_problem, suite_env

RUN_BOUND_S = 120.0


def _start_run(root: Path, work: Path, *extra: str) -> subprocess.Popen[str]:
    argv = [sys.executable, "-m", "conformance", "run", "--sysfs-root", str(root),
            "--parent", PARENT, "--type", TYPE, "--allow-write", "-q",
            "--state-dir", str(work / "state"), "--report-dir", str(work / "report"), *extra]
    return subprocess.Popen(argv, env=suite_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _finish(proc: subprocess.Popen[str], started: float) -> tuple[int, float, str]:
    try:
        _, err = proc.communicate(timeout=RUN_BOUND_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        try:
            proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        raise AssertionError(f"the run hung: no exit within {RUN_BOUND_S:g} s") from None
    return proc.returncode, time.monotonic() - started, err


def _outstanding(state: Path) -> set[int]:
    """The journal's changes not yet undone: entries with no ``done`` line."""
    entries: set[int] = set()
    done: set[int] = set()
    for journal in state.glob("journal-*"):
        for line in journal.read_text().splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue  # a line being written
            if "entry" in record:
                entries.add(record["entry"]["seq"])
            elif "done" in record:
                done.add(record["done"])
    return entries - done


def _pending_uuids(state: Path) -> set[str]:
    """The mdevs of the journal's entries that have no ``done`` line."""
    uuids: dict[int, str] = {}
    for journal in state.glob("journal-*"):
        for line in journal.read_text().splitlines():
            record = json.loads(line)
            if "entry" in record:
                uuids[record["entry"]["seq"]] = record["entry"]["uuid"]
            else:
                uuids.pop(record["done"], None)
    return set(uuids.values())


def _report(work: Path) -> dict:
    return json.loads((work / "report" / "report.json").read_text())


def _statuses(report: dict) -> dict[str, int]:
    counts: dict[str, int] = {}
    for requirement in report["requirements"]:
        counts[requirement["status"]] = counts.get(requirement["status"], 0) + 1
    return counts


def _reasons(report: dict) -> str:
    return " ".join(r.get("reason", "") for r in report["requirements"]) + " ".join(
        report.get("errors", [])
    )


@pytest.fixture
def needs_fuse() -> None:
    problem = fuse_problem()
    if problem:
        pytest.skip(problem)


@pytest.mark.fuse
@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_the_fuse_mock_dying_mid_run_is_an_error(needs_fuse, tmp_path, sig) -> None:
    (tmp_path / "mnt").mkdir()
    mount = Mount(tmp_path / "mnt")
    try:
        started = time.monotonic()
        # kill while a change is outstanding (the probe's mdev, or the one long
        # scenario's: its mdev runs past 2^32 ns of usage, seconds of real time):
        # the short scenarios of a full run undo their changes within milliseconds,
        # so a kill a fixed time after the first change could find nothing left
        proc = _start_run(mount.root, tmp_path, "--op-timeout", "2", "-k", "power")
        journal_dir = tmp_path / "state"
        while not _outstanding(journal_dir):
            assert proc.poll() is None, proc.communicate()[1]
            assert time.monotonic() - started < RUN_BOUND_S, "the run never started changing"
            time.sleep(0.01)
        mount.proc.send_signal(sig)
        status, took, err = _finish(proc, started)
    finally:
        mount.stop()
    report = _report(tmp_path)
    assert status == 2, err
    assert report["verdict"] == "error"
    assert _statuses(report).get("fail", 0) == 0, _statuses(report)
    reasons = _reasons(report)
    assert "Target" in reasons and ("gone" in reasons or "went away" in reasons), reasons[:800]
    left = report["cleanup"]["left_behind"]
    assert left, "the changes the run could not undo are listed"
    pending = _pending_uuids(journal_dir)  # what the next run will repair
    assert pending and all(any(uuid in line for line in left) for uuid in pending), (
        pending, left)


@pytest.mark.fuse
@pytest.mark.slow
def test_a_hanging_read_is_an_error_within_the_deadline(needs_fuse, tmp_path) -> None:
    (tmp_path / "mnt").mkdir()
    mount = Mount(tmp_path / "mnt", "--mock-driver", "fault_drivers:HangingWeight")
    try:
        started = time.monotonic()
        proc = _start_run(mount.root, tmp_path, "--op-timeout", "1", "--profile", "control")
        status, took, err = _finish(proc, started)
    finally:
        mount.proc.kill()
        mount.stop()
    report = _report(tmp_path)
    assert status == 2, err
    assert _statuses(report).get("fail", 0) == 0, _statuses(report)
    assert "did not return within 1 s" in _reasons(report)
    assert took < RUN_BOUND_S


@pytest.mark.fuse
@pytest.mark.slow
def test_a_read_that_fails_with_eio_is_an_error_not_a_fail(needs_fuse, tmp_path) -> None:
    (tmp_path / "mnt").mkdir()
    mount = Mount(tmp_path / "mnt", "--mock-driver", "fault_drivers:FailingUsage")
    try:
        started = time.monotonic()
        proc = _start_run(mount.root, tmp_path, "--profile", "full")
        status, _, err = _finish(proc, started)
    finally:
        mount.stop()
    report = _report(tmp_path)
    assert "Traceback" not in err
    errored = [r for r in report["requirements"] if r["status"] == "error"]
    assert errored and "Input/output error" in _reasons(report)
    # no requirement fails for the unreadable counter (a real-time run on a
    # heavily loaded machine may fail a timing check for other reasons: that is
    # not what this test is about, and other tests hold the reference to it)
    blamed = [(r["id"], r["reason"][:200]) for r in report["requirements"]
              if r["status"] == "fail" and ("Input/output error" in r["reason"]
                                            or "usage_us" in r["reason"])]
    assert blamed == []
    assert status == 2


@pytest.mark.fuse
@pytest.mark.parametrize(
    ("command", "message"),
    [
        ("sleep 30 # {uuid} {demand}", "timed out after 1 s"),
        ("echo cannot load {uuid} >&2; exit 3 # {demand}", "exit status 3"),
    ],
    ids=["timeout", "non-zero"],
)
def test_a_failing_exec_command_is_an_error(shared_mount, tmp_path, command, message) -> None:
    started = time.monotonic()
    proc = _start_run(
        shared_mount.root, tmp_path, "--profile", "scheduling", "--workload", "exec",
        "--exec-load", command, "--exec-timeout", "1", "-k", "QOS-SCH-001",
    )
    status, took, err = _finish(proc, started)
    report = _report(tmp_path)
    ran = [s for s in report.get("scenarios", []) if s["status"] != "skip"] or [
        r for r in report["requirements"] if r["id"] == "QOS-SCH-001"
    ]
    assert ran and all(item["status"] == "error" for item in ran), ran
    assert message in _reasons(report) or any(message in s.get("reason", "") for s in ran)
    assert _statuses(report).get("fail", 0) == 0
    assert status == 2
    assert took < 60
