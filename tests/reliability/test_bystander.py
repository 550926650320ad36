"""A busy bystander: work of an mdev the suite did not create, during a window.

The expected shares assume the window's mdevs are alone on their parents. An
unnamed mdev at 10% load (``periodic 100 1000``) on the parent under test made
the reference mock fail MUSTs; now every window it disturbs ends ``error``,
naming the bystander's UUID, and the verdict is ``error`` (exit 2), never
``non-conformant``. An idle bystander changes nothing; the bystander itself is
left as it was.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid as uuidlib
from pathlib import Path

import pytest
from conftest import DEVICES, PARENT, TYPE, TYPE_DIR, suite_env

from conformance.suite.engine import RunRequest, execute
from conformance.suite.measure import BystanderLoad, Meter
from conformance.suite.targets import TargetOptions, open_session

TEN_PERCENT = b"periodic 100 1000"
# share checks of every kind (weight, cap, level, work conservation, accounting)
SHARES = "QOS-SCH-001 or QOS-WGT-006 or QOS-CAP-007 or QOS-PRI-007 or QOS-ACC-004"
LOAD = "/sys/kernel/debug/mqos/{}/load"


def _state(target, uuid: str) -> dict[str, bytes]:
    qos = f"{DEVICES}/{uuid}/qos"
    state = {name: target.read(f"{qos}/{name}") for name in ("cap", "weight", "priority")}
    state["load"] = target.read(LOAD.format(uuid))
    return state


def _run_with_bystander(tmp_path: Path, load: bytes) -> tuple[dict, str, dict, dict]:
    session = open_session(TargetOptions(profile="scheduling"))
    session.progress = lambda message: None
    target = session.target
    bystander = str(uuidlib.uuid4())
    target.write(f"{TYPE_DIR}/create", bystander.encode())
    target.write(LOAD.format(bystander), load)
    before = _state(target, bystander)
    report = execute(RunRequest(session=session, report_dir=tmp_path / "report", quiet=True,
                                select=SHARES, build_spec=False)).report
    return report, bystander, before, _state(target, bystander)


def test_a_busy_bystander_is_an_environment_error_naming_it(tmp_path) -> None:
    report, bystander, before, after = _run_with_bystander(tmp_path, TEN_PERCENT)
    assert report["verdict"] == "error", report["reason"]
    assert report["exit_status"] == 2
    failed = [(r["id"], r["reason"][:200]) for r in report["requirements"]
              if r["status"] == "fail"]
    assert failed == []
    ran = [s for s in report["scenarios"] if s["status"] != "skip"]
    assert len(ran) >= 5
    assert all(s["status"] == "error" and bystander in s["reason"] for s in ran), [
        (s["name"], s["status"], s["reason"][:100]) for s in ran]
    assert after == before  # the suite neither idled nor changed it


def test_an_idle_bystander_changes_nothing(tmp_path) -> None:
    report, _, before, after = _run_with_bystander(tmp_path, b"idle")
    assert report["verdict"] == "conformant", report["reason"]
    assert after == before


class _Clock:
    def __init__(self) -> None:
        self.now = 0

    def now_us(self) -> int:
        return self.now

    def elapse(self, us: int) -> None:
        self.now += us


class _Counters:
    """usage_us files; the bystander's grows by ``step`` at each read after the first."""

    def __init__(self, under_test: str, bystander: str, step: int) -> None:
        self.values = {under_test: 0, bystander: 0}
        self.bystander, self.step = bystander, step

    def exists(self, path: str) -> bool:
        return path.endswith("/usage_us")

    def read(self, path: str) -> bytes:
        uuid = path.split("/")[-3]
        value = self.values[uuid]
        if uuid == self.bystander:
            self.values[uuid] += self.step
        return f"{value}\n".encode()


@pytest.mark.parametrize(("step", "busy"), [(0, False), (1, True)])
def test_the_window_itself_watches_the_bystanders(step, busy) -> None:
    """One microsecond of bystander work is enough; none raises nothing."""
    mine, other = str(uuidlib.uuid4()), str(uuidlib.uuid4())
    meter = Meter(_Counters(mine, other, step), _Clock(), [mine], 1000, bystanders=[other])
    if busy:
        with pytest.raises(BystanderLoad, match=other):
            meter.measure()
    else:
        assert meter.measure().length > 0


@pytest.mark.fuse
def test_a_busy_bystander_over_fuse(shared_mount, tmp_path) -> None:
    target = shared_mount.target
    bystander = shared_mount.create()
    target.write(LOAD.format(bystander), TEN_PERCENT)
    before = _state(target, bystander)
    argv = [sys.executable, "-m", "conformance", "run", "--sysfs-root", str(shared_mount.root),
            "--parent", PARENT, "--type", TYPE, "--allow-write", "-q",
            "-k", "QOS-SCH-001 and not random",
            "--state-dir", str(tmp_path / "state"), "--report-dir", str(tmp_path / "report")]
    result = subprocess.run(argv, env=suite_env(), capture_output=True, text=True, timeout=300,
                            check=False)
    assert "Traceback" not in result.stderr
    assert result.returncode == 2, result.stdout + result.stderr
    report = json.loads((tmp_path / "report" / "report.json").read_text())
    ran = [s for s in report["scenarios"]
           if "QOS-SCH-001" in s["requirements"] and s["status"] != "skip"]
    assert ran, "no QOS-SCH-001 scenario ran"
    assert all(s["status"] == "error" and bystander in s["reason"] for s in ran), [
        (s["name"], s["status"], s["reason"][:200]) for s in ran]
    after = _state(target, bystander)
    target.write(LOAD.format(bystander), b"idle")  # the mount is shared with other tests
    assert after == before
