"""What a run costs a driver with few features: work done by scenarios that then skip.

    python benchmarks/few_features.py [--rev REV] [--driver MODULE:CLASS] [--runs 5] [--out FILE]
                                      [-- RUN OPTIONS...]
    python benchmarks/few_features.py --compare BEFORE.json AFTER.json

A driver that offers counters only (the kernel's converted ``mdpy`` sample: no
``cap``, ``weight``, ``priority``, no ``sharing`` word) is skipped by nearly every
scenario. On a slow target (a guest under TCG) what makes such a run long is what
a scenario does before it finds the file absent: mdevs created, loads started,
device time waited. This runs the suite on the embedded mock with ``--mock-driver``
(default ``sharing_drivers:CountersOnly`` of ``tests/sharing``; the mutants of
``tests/mutants`` load too), in-process with
seeded UUIDs and random seed, counts those three per scenario and the CPU time of
the run, then times the same run against a FUSE mount of the mock on a real clock
(``mdev-qos mock mount --clock real``, workload ``sample``), ``--runs`` times, and
prints the medians. ``--rev`` measures a git revision (``git archive``) instead of
the working tree; options after ``--`` go to the embedded run (e.g. ``--type
mqos-fixed``).

``--out`` keeps the figures and every scenario's status, skip kind and reason
(UUIDs normalised); ``--compare`` prints, for two such files, whether any status,
skip kind, reason, requirement status, claim or verdict differs, and the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from report_diff import THREAD_COUNTS, checkout  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DRIVERS = [ROOT / "tests" / "sharing", ROOT / "tests" / "mutants"]  # drivers to load
DEFAULT_DRIVER = "sharing_drivers:CountersOnly"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

# Counts, per scenario, what the run does to the target, then runs mdev-qos in-process.
COUNTING_RUN = """\
import json, os, random, sys, uuid
from collections import defaultdict
rng = random.Random(20261130)
uuid.uuid4 = lambda: uuid.UUID(int=rng.getrandbits(128), version=4)
from conformance.cli import main
from conformance.suite import registry
from conformance.workload.base import parse_load
work = defaultdict(lambda: {"creates": 0, "loads": 0, "device_us": 0})
def scenario():
    return os.environ.get("PYTEST_CURRENT_TEST", "").rsplit(" (", 1)[0]
def counted(name, key, amount):
    original = getattr(registry.Resources, name)
    def wrapper(self, *args, **kwargs):
        work[scenario()][key] += amount(args)
        return original(self, *args, **kwargs)
    setattr(registry.Resources, name, wrapper)
counted("create_mdev", "creates", lambda args: 1)
counted("set_load", "loads", lambda args: int(parse_load(args[1]).kind != "idle"))
original_elapse = registry.DeviceClock.elapse
def elapse(self, us):
    work[scenario()]["device_us"] += max(0, int(us))
    return original_elapse(self, us)
registry.DeviceClock.elapse = elapse
status = main(["run", "-q", "--seed", "1", *sys.argv[2:]])
with open(sys.argv[1], "w") as out:
    json.dump(work, out)
sys.exit(status)
"""


def python_path(source: Path) -> str:
    """The drivers and the suite of ``source`` first on the path."""
    return os.pathsep.join([*map(str, DRIVERS), str(source)])


def counted_run(source: Path, driver: str, scratch: Path, options: list[str]) -> dict[str, Any]:
    """One seeded in-process run on the embedded mock: the report and the work per scenario."""
    report_dir, counts = scratch / "report", scratch / "work.json"
    env = {**os.environ, "PYTHONPATH": python_path(source), "PYTHONHASHSEED": "0"}
    command = [sys.executable, "-c", COUNTING_RUN, str(counts), "--mock-driver", driver,
               "--report-dir", str(report_dir), *options]
    started, cpu = time.monotonic(), os.times()
    done = subprocess.run(command, cwd=scratch, env=env, capture_output=True, text=True)
    wall = time.monotonic() - started
    after = os.times()
    cpu_s = after.children_user + after.children_system - cpu.children_user - cpu.children_system
    if not (report_dir / "report.json").exists():
        raise SystemExit(f"no report: {done.stderr.strip()[-800:]}")
    report = json.loads((report_dir / "report.json").read_text())
    work = json.loads(counts.read_text())
    return {"report": report, "work": work, "wall_s": wall, "cpu_s": cpu_s,
            "exit": done.returncode}


def fuse_run(source: Path, driver: str, scratch: Path) -> float:
    """Seconds of one run against a FUSE mount of the mock on a real clock."""
    mount, state = scratch / "mnt", scratch / "state"
    mount.mkdir()
    state.mkdir()
    env = {**os.environ, "PYTHONPATH": python_path(source)}
    mdev_qos = [sys.executable, "-m", "conformance"]
    mock = subprocess.Popen([*mdev_qos, "mock", "mount", str(mount), "--clock", "real",
                             "--mock-driver", driver], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            if (mount / "sys" / "class" / "mdev_bus").exists():
                break
            time.sleep(0.05)
        started = time.monotonic()
        subprocess.run([*mdev_qos, "run", "-q", "--sysfs-root", str(mount), "--parent", "mqos0",
                        "--type", "mqos-full", "--allow-write", "--workload", "sample",
                        "--state-dir", str(state), "--report-dir", str(scratch / "report")],
                       env=env, capture_output=True, check=False)
        return time.monotonic() - started
    finally:
        mock.terminate()
        mock.wait()
        if subprocess.run(["mountpoint", "-q", str(mount)], check=False).returncode == 0:
            subprocess.run(["fusermount3", "-u", str(mount)], check=False)


def summary(run: dict[str, Any], fuse_walls: list[float]) -> dict[str, Any]:
    """Figures and the normalised outcome of every scenario."""
    scenarios = {}
    totals = {"creates": 0, "loads": 0, "device_us": 0}
    skipped = {"creates": 0, "loads": 0, "device_us": 0, "scenarios_with_work": 0}
    for scenario in run["report"]["scenarios"]:
        key = f"{scenario['location']} {scenario['name']}"
        work = run["work"].get(scenario["id"], {"creates": 0, "loads": 0, "device_us": 0})
        scenarios.setdefault(key, []).append({
            "status": scenario["status"], "skip_kind": scenario.get("skip_kind", ""),
            "reason": UUID.sub("<uuid>", scenario.get("reason", "")), "work": work,
            "evidence": THREAD_COUNTS.sub(r"N \1", UUID.sub("<uuid>", json.dumps(
                [{k: e.get(k) for k in ("name", "expected", "actual")}
                 for e in scenario.get("evidence", [])], sort_keys=True))),
        })
        for name in totals:
            totals[name] += work[name]
        if scenario["status"] == "skip":
            for name in totals:
                skipped[name] += work[name]
            skipped["scenarios_with_work"] += any(work.values())
    report = run["report"]
    return {
        "verdict": report["verdict"],
        "claims": {f: c["status"] for f, c in report["claims"].items()},
        "requirements": {r["id"]: r["status"] for r in report["requirements"]},
        "scenarios": scenarios,
        "totals": totals,
        "skipped": skipped,
        "context": {k: report["context"][k] for k in ("sharing", "timeslice_us")},
        "embedded_wall_s": round(run["wall_s"], 2),
        "embedded_cpu_s": round(run["cpu_s"], 2),
        "fuse_walls_s": [round(w, 2) for w in fuse_walls],
        "fuse_median_s": round(statistics.median(fuse_walls), 2) if fuse_walls else None,
    }


def measure(rev: str | None, driver: str, runs: int, options: list[str]) -> dict[str, Any]:
    """The counted embedded run, then ``runs`` FUSE runs on a real clock."""
    work = Path(tempfile.mkdtemp(prefix="mdev-qos-few-features-"))
    try:
        source = checkout(rev, work / "source") if rev else ROOT
        (work / "embedded").mkdir()
        counted = counted_run(source, driver, work / "embedded", options)
        walls = []
        for index in range(runs):
            (work / f"fuse{index}").mkdir()
            walls.append(fuse_run(source, driver, work / f"fuse{index}"))
        return summary(counted, walls)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def outcome_only(scenarios: dict[str, list[dict[str, Any]]]) -> dict[str, list[tuple[str, ...]]]:
    """Each scenario's status, skip kind and reason, and the evidence of one that did not pass.

    What a passing scenario measured is left out: the mock's scheduling hashes by
    the UUIDs, drawn in creation order, so fewer mdevs created change those values.
    """
    return {key: [(s["status"], s["skip_kind"], s["reason"],
                   s["evidence"] if s["status"] != "pass" else "") for s in runs]
            for key, runs in scenarios.items()}


def compare(before: dict[str, Any], after: dict[str, Any]) -> int:
    """Print what differs in outcome (nothing, we hope) and the costs; 1 if outcomes differ."""
    differing = 0
    for part in ("verdict", "claims", "requirements", "context"):
        same = before[part] == after[part]
        differing += not same
        print(f"{part}: {'identical' if same else 'DIFFERS'}")
    old, new = outcome_only(before["scenarios"]), outcome_only(after["scenarios"])
    changed = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
    print(f"scenarios: {len(new)}, {len(changed)} with a different status, skip kind, reason "
          "or (not passing) evidence")
    for key in changed:
        print(f"  {key}: {old.get(key)} -> {new.get(key)}")
    differing += bool(changed)
    for part in ("totals", "skipped"):
        for name, value in before[part].items():
            print(f"{part} {name}: {value} -> {after[part][name]}")
    print(f"embedded run CPU: {before['embedded_cpu_s']} s -> {after['embedded_cpu_s']} s")
    if before["fuse_median_s"] and after["fuse_median_s"]:
        ratio = after["fuse_median_s"] / before["fuse_median_s"]
        print(f"FUSE real-clock run, median: {before['fuse_median_s']} s -> "
              f"{after['fuse_median_s']} s (x{ratio:.2f})")
    return 1 if differing else 0


def main(argv: list[str] | None = None) -> int:
    """Measure (and keep with ``--out``) or compare two measurements."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rev", help="a git revision to measure (default: the working tree)")
    parser.add_argument("--driver", default=DEFAULT_DRIVER, help=f"default {DEFAULT_DRIVER}")
    parser.add_argument("--runs", type=int, default=5, help="FUSE runs on a real clock")
    parser.add_argument("--out", type=Path, help="keep the figures and outcomes (JSON)")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    parser.add_argument("options", nargs="*", help="after --: options of the embedded run")
    args = parser.parse_args(argv)
    if args.compare:
        before, after = (json.loads(p.read_text()) for p in args.compare)
        return compare(before, after)
    figures = measure(args.rev, args.driver, args.runs, args.options)
    if args.out:
        args.out.write_text(json.dumps(figures, indent=1, sort_keys=True) + "\n")
    print(f"verdict {figures['verdict']}; claims {figures['claims']}")
    print(f"every scenario: {figures['totals']}")
    print(f"scenarios that skipped: {figures['skipped']}")
    print(f"embedded run {figures['embedded_wall_s']} s (CPU {figures['embedded_cpu_s']} s); "
          "FUSE real clock "
          f"{figures['fuse_walls_s']} s, median {figures['fuse_median_s']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
