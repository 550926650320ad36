"""Suite wall time on the embedded mock, per profile, and what the meta-test costs.

Each run is a fresh ``mdev-qos run --profile P`` process (as a user starts it,
reports written, the linked spec not built: ``--spec-url``); the figure is the
median of the runs, with the children's user CPU time beside it (the part that
does not depend on what else the machine is doing).

    .venv/bin/python benchmarks/power_walltime.py            # --runs 5
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROFILES = ("static", "control", "scheduling", "full")


def one_run(profile: str) -> tuple[float, float, str, int]:
    """Wall seconds, user CPU seconds, verdict and scenario count of one run."""
    with tempfile.TemporaryDirectory(prefix="mdev-qos-power-") as tmp:
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
        started = time.monotonic()
        subprocess.run(
            [sys.executable, "-m", "conformance", "run", "--profile", profile, "-q",
             "--report-dir", "report", "--spec-url", "https://example.invalid/spec/"],
            cwd=tmp, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        wall = time.monotonic() - started
        user = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime - before
        report = json.loads((Path(tmp) / "report" / "report.json").read_text())
        ran = sum(v for k, v in report["summary"]["scenarios"].items() if k != "skip")
        return wall, user, report["verdict"], ran


def main(argv: list[str] | None = None) -> int:
    """Print the figures; the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profiles", nargs="+", default=list(PROFILES), choices=PROFILES)
    args = parser.parse_args(argv)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print("| profile | scenarios run | verdict | wall median | wall runs | user CPU median |")
    print("|---|---:|---|---:|---|---:|")
    for profile in args.profiles:
        runs = [one_run(profile) for _ in range(args.runs)]
        walls = [r[0] for r in runs]
        verdicts = {r[2] for r in runs}
        print(f"| {profile} | {runs[0][3]} | {', '.join(sorted(verdicts))} "
              f"| {statistics.median(walls):.2f} s | {', '.join(f'{w:.2f}' for w in walls)} "
              f"| {statistics.median(r[1] for r in runs):.2f} s |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
