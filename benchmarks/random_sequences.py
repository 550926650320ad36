"""Random sequences (issue 12): their cost in a default run, and false fails under noise.

``cost``: the default ``mdev-qos run`` on the embedded mock, alternately with the
random sequences at their default budget and with ``--random-budget 0`` (a
same-run baseline), wall and CPU time of each, medians over ``--runs``:

    .venv/bin/python benchmarks/random_sequences.py cost --runs 5

``false-fails``: campaigns on the reference driver and on the conforming models,
each with ``--mock-noise`` (every noise the spec permits, at its largest), one
noise seed per campaign seed; a false fail is any failure or error:

    .venv/bin/python benchmarks/random_sequences.py false-fails --seeds 50 --budget 5
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))



def conforming_drivers() -> list[str | None]:
    """The reference (None) and every model the pinned models run finds conformant."""
    run = json.loads((ROOT / "spec" / "models-run.json").read_text())
    return [None, *(m["driver"] for m in run["models"] if m["verdict"] == "conformant")]


def one_run(*options: str) -> tuple[float, float, dict]:
    """Wall and CPU seconds of one ``mdev-qos run`` in a fresh process, and its report."""
    with tempfile.TemporaryDirectory() as scratch:
        started = time.monotonic()
        before = os.times()
        subprocess.run([sys.executable, "-m", "conformance", "run", "-q", "--report-dir",
                        f"{scratch}/r", *options], check=False, capture_output=True)
        after = os.times()
        wall = time.monotonic() - started
        cpu = (after.children_user - before.children_user
               + after.children_system - before.children_system)
        report = json.loads(Path(f"{scratch}/r/report.json").read_text(encoding="utf-8"))
    return wall, cpu, report


def cost(runs: int) -> None:
    """Median wall and CPU of the default run with and without the random sequences."""
    timing: dict[str, list[tuple[float, float]]] = {"random": [], "off": []}
    device: list[float] = []
    for _ in range(runs):
        for label, options in (("random", ("--seed", "1")), ("off", ("--random-budget", "0"))):
            wall, cpu, report = one_run(*options)
            timing[label].append((wall, cpu))
            if label == "random":
                device.append(sum(c["device_time_s"] for c in report["random"]["campaigns"]))
    for label, pairs in timing.items():
        print(f"{label:>6}: wall {statistics.median(w for w, _ in pairs):.2f} s, "
              f"CPU {statistics.median(c for _, c in pairs):.2f} s (median of {runs})")
    extra_wall = (statistics.median(w for w, _ in timing["random"])
                  - statistics.median(w for w, _ in timing["off"]))
    extra_cpu = (statistics.median(c for _, c in timing["random"])
                 - statistics.median(c for _, c in timing["off"]))
    print(f"random sequences: +{extra_wall:.2f} s wall, +{extra_cpu:.2f} s CPU, "
          f"{statistics.median(device):.2f} s of device time")


def false_fails(seeds: int, budget_s: float) -> int:
    """Campaigns with the largest noise on every conforming driver; the false fails."""
    from stateful.conftest import campaign_on_mock

    total = 0
    for driver in conforming_drivers():
        found = 0
        started = time.monotonic()
        windows = 0
        for seed in range(seeds):
            result, _ = campaign_on_mock(seed, budget_s, driver=driver, noise=seed)
            windows += result.windows
            if result.failure is not None or result.error is not None:
                found += 1
                print(f"FALSE FAIL {driver} seed {seed}: {result.error or ''}\n"
                      f"{result.failure.gherkin if result.failure else ''}", flush=True)
        total += found
        print(f"{driver or 'reference'}: {seeds} seeds x {budget_s:g} s, {windows} windows, "
              f"{found} false fails ({time.monotonic() - started:.0f} s)", flush=True)
    return total


def main() -> int:
    """Parse the command line and run one study."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="study", required=True)
    c = sub.add_parser("cost")
    c.add_argument("--runs", type=int, default=5)
    f = sub.add_parser("false-fails")
    f.add_argument("--seeds", type=int, default=50)
    f.add_argument("--budget", type=float, default=5.0)
    args = parser.parse_args()
    if args.study == "cost":
        cost(args.runs)
        return 0
    return 1 if false_fails(args.seeds, args.budget) else 0


if __name__ == "__main__":
    sys.exit(main())
