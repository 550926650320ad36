"""Interruption: kill real ``mdev-qos run`` processes at random points, 50 times.

Each kill hits a run against a FUSE mount of the mock that changes the knobs of an
existing mdev named with ``--mdev`` (fuzz profile: hundreds of writes, each saved
in the journal first) or creates mdevs of its own. After SIGINT or SIGTERM the run
itself must have restored every knob and removed every mdev before it exits; after
SIGKILL the next run repairs from the journal before doing anything else. After
every kill the test checks that nothing is left behind: no extra mdev, the named
mdev's knobs and load as before, ``available_instances`` as before.

Two lanes (two mounts, two journals) run side by side to keep the wall time down;
the kill points are drawn from a fixed seed (``MDEV_QOS_KILL_SEED`` picks another).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import DEVICES, PARENT, TYPE, TYPE_DIR, Mount, fuse_problem, suite_env

from conformance.suite.engine import RunRequest, execute
from conformance.suite.journal import target_key
from conformance.suite.targets import TargetOptions
from conformance.sysfs.target import FsTarget

KILLS = int(os.environ.get("MDEV_QOS_KILLS", "50"))
LANES = 2
SEED = int(os.environ.get("MDEV_QOS_KILL_SEED", "2017"))
EXIT_BOUND_S = 30.0  # a run must exit this soon after SIGINT/SIGTERM
START_BOUND_S = 60.0  # a run must start changing things this soon
BASELINE = {"cap": b"37", "weight": b"4321", "priority": b"background"}
SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGKILL)
NOTHING = "no_scenario_has_this_name"


@dataclass
class Kill:
    """One kill and what was found after it."""

    lane: int
    signal: str
    named: bool
    delay_s: float
    phase: str  # "startup" (before the first change) or "changing"
    exit_status: int | None
    exit_s: float
    repaired: int = 0
    left: list[str] = field(default_factory=list)


class Lane:
    """One FUSE mount with a named mdev, its journal, and the runs killed on it."""

    def __init__(self, index: int, root: Path) -> None:
        self.index = index
        (root / "mnt").mkdir(parents=True)
        self.mount = Mount(root / "mnt")
        self.target = FsTarget(str(root / "mnt"))
        self.state_dir = root / "state"
        self.report_dir = root / "report"
        self.journal = self.state_dir / f"journal-{target_key(self.target.description)}.jsonl"
        self.uuid = self.mount.create()
        for knob, value in BASELINE.items():
            self.target.write(f"{DEVICES}/{self.uuid}/qos/{knob}", value)
        self.baseline = self.snapshot()

    def snapshot(self) -> dict[str, object]:
        """Everything a run could leave behind."""
        qos = f"{DEVICES}/{self.uuid}/qos"
        return {
            "mdevs": self.target.listdir(DEVICES),
            "knobs": {k: self.target.read(f"{qos}/{k}") for k in BASELINE},
            "load": self.target.read(f"/sys/kernel/debug/mqos/{self.uuid}/load"),
            "available": self.target.read(f"{TYPE_DIR}/available_instances"),
        }

    def command(self, named: bool) -> list[str]:
        argv = [
            sys.executable, "-m", "conformance", "run",
            "--sysfs-root", str(self.mount.root), "--parent", PARENT, "--type", TYPE,
            "--allow-write", "--profile", "fuzz", "--max-examples", "15",
            "--state-dir", str(self.state_dir), "--report-dir", str(self.report_dir), "-q",
            "-k", "fuzz",
        ]
        return argv + ["--mdev", self.uuid] if named else argv

    def changing(self) -> bool:
        try:
            return self.journal.stat().st_size > 0
        except FileNotFoundError:
            return False

    def kill_once(self, rng: random.Random) -> Kill:
        sig = rng.choice(SIGNALS)
        named = rng.random() < 0.6
        during_changes = rng.random() < 0.8
        delay = rng.uniform(0.0, 1.5) if during_changes else rng.uniform(0.0, 2.0)
        proc = subprocess.Popen(
            self.command(named), env=suite_env(), stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        started = time.monotonic()
        if during_changes:
            while not self.changing() and proc.poll() is None:
                if time.monotonic() - started > START_BOUND_S:
                    proc.kill()
                    raise AssertionError(f"lane {self.index}: the run made no change in time")
                time.sleep(0.01)
        phase = "changing" if self.changing() else "startup"
        time.sleep(delay)
        if proc.poll() is None:
            proc.send_signal(sig)
        signalled = time.monotonic()
        try:
            status = proc.wait(EXIT_BOUND_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            tail = proc.stderr.read().decode(errors="replace")[-800:] if proc.stderr else ""
            raise AssertionError(
                f"lane {self.index}: the run did not exit within {EXIT_BOUND_S:g} s "
                f"of {signal.Signals(sig).name}; its stderr ends: {tail}"
            ) from None
        finally:
            err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
            if proc.stderr:
                proc.stderr.close()
        kill = Kill(
            self.index, signal.Signals(sig).name, named, round(delay, 3), phase, status,
            round(time.monotonic() - signalled, 3),
        )
        if sig == signal.SIGKILL:
            kill.repaired = self.next_run_repairs()
        kill.left = self.leftovers()
        if kill.left:
            kill.left.append(f"stderr of the killed run: {err[-600:]}")
        return kill

    def next_run_repairs(self) -> int:
        """The next run, in-process: it repairs first (then selects no scenario)."""
        options = TargetOptions(
            sysfs_root=str(self.mount.root), parent=PARENT, type_id=TYPE, allow_write=True,
            mdevs=(self.uuid,), profile="fuzz", state_dir=str(self.state_dir),
        )
        result = execute(
            RunRequest(target=options, report_dir=self.report_dir, select=NOTHING, quiet=True)
        )
        cleanup = result.report["cleanup"]
        assert cleanup["left_behind"] == [], cleanup
        return len(cleanup["repaired_before"])

    def leftovers(self) -> list[str]:
        now = self.snapshot()
        left = [f"{key}: {self.baseline[key]!r} became {now[key]!r}"
                for key in self.baseline if now[key] != self.baseline[key]]
        if self.changing():
            left.append(f"the journal {self.journal} still lists pending changes")
        return left


def _lane_loop(lane: Lane, kills: int, rng: random.Random, out: list[Kill],
               errors: list[BaseException]) -> None:
    try:
        for _ in range(kills):
            out.append(lane.kill_once(rng))
    except BaseException as exc:  # noqa: BLE001 - reported by the test thread
        errors.append(exc)


@pytest.mark.slow
@pytest.mark.fuse
@pytest.mark.filterwarnings("ignore::pytest.PytestUnknownMarkWarning")  # the in-process next run
def test_fifty_random_kills_leave_nothing_behind(tmp_path: Path) -> None:
    problem = fuse_problem()
    if problem:
        pytest.skip(problem)
    lanes: list[Lane] = []
    kills: list[Kill] = []
    errors: list[BaseException] = []
    try:
        for i in range(LANES):
            lanes.append(Lane(i, tmp_path / f"lane{i}"))
        threads = [
            threading.Thread(
                target=_lane_loop,
                args=(lane, KILLS // LANES + (i < KILLS % LANES), random.Random(SEED + i),
                      kills, errors),
            )
            for i, lane in enumerate(lanes)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        for lane in lanes:
            lane.mount.stop()
    if errors:
        raise errors[0]
    figures = Path(os.environ.get("MDEV_QOS_KILL_LOG", tmp_path / "kills.json"))
    figures.write_text(json.dumps([vars(k) for k in kills], indent=1))
    assert len(kills) == KILLS
    assert [k for k in kills if k.left] == []
    by_signal = {s.name: sum(k.signal == s.name for k in kills) for s in SIGNALS}
    assert all(by_signal.values()), by_signal  # every signal was tried
    assert sum(k.phase == "changing" for k in kills) >= KILLS // 2
    assert any(k.repaired for k in kills if k.signal == "SIGKILL")
