"""Wall time of ``mdev-qos models --run`` (every model, the table printed).

    python benchmarks/models_run.py [--runs 5] [-j 2]

Each run is a fresh process, as a user starts it; the figure is the median of the
runs, with the CPU time of the process and its children and the load average
seen at the start of each run (the build host is shared: a busy machine
stretches wall time, not CPU time). Exits non-zero if the median exceeds the
budget of one minute the issue sets for 2 cores.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time

BUDGET_S = 60.0


def one_run(jobs: int) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (children) and the 1-minute load average at start."""
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "conformance", "models", "--run", "-q",
                           "-j", str(jobs)], capture_output=True, text=True, check=False)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"models --run failed ({done.returncode}): {done.stderr.strip()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, load


def main() -> int:
    """Print the figures; the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("-j", "--jobs", type=int, default=2)
    args = parser.parse_args()
    results = [one_run(args.jobs) for _ in range(args.runs)]
    for i, (wall, cpu, load) in enumerate(results, 1):
        print(f"run {i}: {wall:5.1f} s wall, {cpu:5.1f} s CPU, load average {load:.1f}")
    wall = statistics.median(r[0] for r in results)
    cpu = statistics.median(r[1] for r in results)
    load = statistics.median(r[2] for r in results)
    print(f"median of {args.runs}: {wall:.1f} s wall, {cpu:.1f} s CPU "
          f"(-j {args.jobs}, {os.cpu_count()} cores, load average {load:.1f})")
    if wall > BUDGET_S:
        print(f"over the budget of {BUDGET_S:.0f} s", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
