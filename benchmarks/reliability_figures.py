"""Reliability figures: inputs fuzzed, races run, kills survived (docs/reliability.md).

    .venv/bin/python benchmarks/reliability_figures.py fuzz  [--max-examples 1000] [--fuse]
    .venv/bin/python benchmarks/reliability_figures.py races [--rounds 1000] [--fuse]
    .venv/bin/python benchmarks/reliability_figures.py kills KILLS.json

``fuzz`` and ``races`` run against the embedded mock, or with ``--fuse`` against a
FUSE mount of it (root, /dev/fuse). ``kills`` summarises the log that
``MDEV_QOS_KILL_LOG=KILLS.json pytest tests/reliability/test_interruption.py``
writes. Every command prints a Markdown table and exits non-zero if anything
was found (a mismatch, a race problem, something left behind).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid as uuidlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from conformance.fuzz.campaign import fuzz_knob  # noqa: E402
from conformance.fuzz.races import race_counters, race_knob, race_lifecycle  # noqa: E402
from conformance.sysfs.target import Target  # noqa: E402

TYPE_DIR = "/sys/class/mdev_bus/mqos0/mdev_supported_types/mqos-full"
DEVICES = "/sys/bus/mdev/devices"
KNOBS = ("cap", "weight", "priority")
VALUES = {
    "cap": [b"10", b"20\n", b"55", b"100"],
    "weight": [b"1", b"777\n", b"5000", b"10000"],
    "priority": [b"background", b"standard\n", b"urgent"],
}


@contextmanager
def target(fuse: bool) -> Iterator[tuple[Target, str]]:
    """The embedded mock, or a FUSE mount of it; yields (target, description)."""
    if not fuse:
        from conformance.mock import MockKernel
        from conformance.sysfs.mock_target import MockTarget

        yield MockTarget(MockKernel()), "embedded mock (in-process)"
        return
    from conformance.sysfs.target import FsTarget

    with tempfile.TemporaryDirectory(prefix="mdev-qos-fig-") as scratch:
        env = dict(os.environ, PYTHONPATH=str(REPO))
        proc = subprocess.Popen(
            [sys.executable, "-m", "conformance", "mock", "mount", scratch], env=env,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 20
            while not os.path.isdir(f"{scratch}/sys/class"):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("the FUSE mount did not come up")
                time.sleep(0.05)
            yield FsTarget(scratch), "FUSE mount of the mock"
        finally:
            proc.terminate()
            proc.wait(15)


def new_mdev(t: Target) -> str:
    """Create an mdev on the target; its UUID."""
    uuid = str(uuidlib.uuid4())
    t.write(f"{TYPE_DIR}/create", uuid.encode())
    return uuid


def fuzz_figures(args: argparse.Namespace) -> int:
    """Fuzz every knob and print what was found; the number of findings."""
    found = 0
    with target(args.fuse) as (t, where):
        print(f"Fuzz campaigns on the {where}, --max-examples {args.max_examples}, "
              f"seed {args.seed if args.seed is not None else 'derandomized'}\n")
        print("| knob | inputs | distinct | longest (bytes) | requirement: inputs / mismatches "
              "| s |")
        print("|---|---:|---:|---:|---|---:|")
        uuid = new_mdev(t)
        for knob in KNOBS:
            result = fuzz_knob(t, f"{DEVICES}/{uuid}/qos/{knob}", knob,
                               max_examples=args.max_examples, seed=args.seed)
            tallies = ", ".join(f"{rid} {tl.tried}/{len(tl.mismatches)}"
                                for rid, tl in sorted(result.tallies.items()))
            print(f"| {knob} | {result.tried} | {result.distinct} | {result.longest} | "
                  f"{tallies} | {result.duration_s:.1f} |")
            for mismatch in result.mismatches[:5]:
                print(f"|   | mismatch: {mismatch.describe()} |")
            found += len(result.mismatches)
    return 1 if found else 0


def race_figures(args: argparse.Namespace) -> int:
    """Race writers and readers on every knob and print the problems; their number."""
    problems = 0
    with target(args.fuse) as (t, where):
        print(f"Races on the {where}, {args.rounds} rounds per thread\n")
        print("| race | operations | succeeded | errnos | problems |")
        print("|---|---:|---:|---|---:|")
        uuid = new_mdev(t)
        reports = [race_knob(t, f"{DEVICES}/{uuid}/qos/{k}", k, VALUES[k], rounds=args.rounds)
                   for k in KNOBS]
        load = "/sys/kernel/debug/mqos"
        t.write(f"{load}/{uuid}/load", b"backlog\n")
        reports.append(race_counters(t, uuid, lambda: t.write(f"{load}/clock_us", b"997"),
                                     rounds=args.rounds))
        t.write(f"{load}/{uuid}/load", b"idle\n")
        reports.append(race_lifecycle(t, TYPE_DIR, knob_values=VALUES, cycles=args.rounds // 4,
                                      rounds=args.rounds))
        for report in reports:
            errnos = ", ".join(f"{k} {v}" for k, v in sorted(report.errnos.items())) or "none"
            print(f"| {report.name} | {report.operations} | {report.succeeded} | {errnos} | "
                  f"{len(report.problems)} |")
            for problem in report.problems[:5]:
                print(f"|   | problem: {problem} |")
            problems += len(report.problems)
    return 1 if problems else 0


def kill_figures(args: argparse.Namespace) -> int:
    """Summarise a kill log by signal and phase."""
    kills = json.loads(Path(args.log).read_text())
    by = collections.Counter((k["signal"], k["phase"]) for k in kills)
    left = [k for k in kills if k["left"]]
    print(f"{len(kills)} kills of real `mdev-qos run` processes; left behind after "
          f"{len(left)} of them\n")
    print("| signal | during startup | while changing | exited within (max s) | "
          "repaired by the next run |")
    print("|---|---:|---:|---:|---:|")
    for sig in ("SIGINT", "SIGTERM", "SIGKILL"):
        mine = [k for k in kills if k["signal"] == sig]
        exit_max = max((k["exit_s"] for k in mine), default=0.0)
        repaired = sum(k["repaired"] for k in mine)
        print(f"| {sig} | {by[(sig, 'startup')]} | {by[(sig, 'changing')]} | {exit_max:.1f} | "
              f"{repaired if sig == 'SIGKILL' else '-'} |")
    return 1 if left else 0


def main(argv: list[str] | None = None) -> int:
    """Run the figures the subcommand names; the exit status."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="what", required=True)
    fuzz = sub.add_parser("fuzz", help="inputs tried and mismatches per knob")
    fuzz.add_argument("--max-examples", type=int, default=1000)
    fuzz.add_argument("--seed", type=int)
    fuzz.add_argument("--fuse", action="store_true")
    fuzz.set_defaults(func=fuzz_figures)
    races = sub.add_parser("races", help="operations and problems per race")
    races.add_argument("--rounds", type=int, default=1000)
    races.add_argument("--fuse", action="store_true")
    races.set_defaults(func=race_figures)
    kills = sub.add_parser("kills", help="summarise a kill log of test_interruption.py")
    kills.add_argument("log")
    kills.set_defaults(func=kill_figures)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
