"""Wall time against the device-time limit, per precision, on a real clock.

    PATH=.venv/bin:$PATH python benchmarks/realtime_ratio.py [--runs 1] [--profile scheduling]
    PATH=.venv/bin:$PATH python benchmarks/realtime_ratio.py --guest [--precision quick]

Runs ``.ci/mock-fuse-run`` (the reference mock behind a FUSE mount, real clock,
workload ``sample``, ``timeslice_us`` = 1000) once per precision and run, and reads
from each report the run's duration and its device-time limit: every settling
period and window the method asked for (``timing.device_time_limit_s``). The
ratio is what a run costs beyond the device time it cannot avoid.

``--guest``: the C module instead, in the QEMU guest of ``kmod/run-in-guest.sh``
(TCG, ``timeslice_us`` = 10000 unless ``--module-args``), running only the suite
(``benchmarks/guest_ratio.sh``); needs root and the packages of ``.ci/setup``.
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
PRECISIONS = ("quick", "certify")


def one_run(precision: str, profile: str, extra: list[str]) -> dict[str, float | str]:
    """Duration, device-time limit and verdict of one FUSE run."""
    with tempfile.TemporaryDirectory(prefix="mdev-qos-ratio-") as tmp:
        report_dir = Path(tmp) / "report"
        started = time.monotonic()
        subprocess.run(
            ["bash", str(ROOT / ".ci" / "mock-fuse-run"), str(report_dir), "-q",
             "--profile", profile, "--precision", precision, *extra],
            check=False, stdout=subprocess.DEVNULL, cwd=tmp,
        )
        process_s = time.monotonic() - started
        report = json.loads((report_dir / "report.json").read_text())
    timing = report["timing"]
    return {
        "verdict": report["verdict"],
        "run_s": timing["duration_s"],
        "process_s": process_s,
        "limit_s": timing["device_time_limit_s"],
    }


def one_guest_run(precision: str, profile: str, extra: list[str], module_args: str,
                  kernels: list[str]) -> list[dict[str, float | str]]:
    """Per kernel: duration, device-time limit and verdict of the C module in the guest."""
    with tempfile.TemporaryDirectory(prefix="mdev-qos-ratio-guest-") as tmp:
        command = ["bash", str(ROOT / "kmod" / "run-in-guest.sh"), "--out", tmp,
                   "--script", str(ROOT / "benchmarks" / "guest_ratio.sh")]
        for kernel in kernels:
            command += ["--kernel", kernel]
        if module_args:
            command += ["--module-args", module_args]
        started = time.monotonic()
        subprocess.run([*command, "--", "--profile", profile, "--precision", precision,
                        *extra], check=False, stdout=subprocess.DEVNULL)
        process_s = time.monotonic() - started
        results = []
        # run-in-guest.sh writes each kernel's results to OUT/VERSION/
        for path in sorted(Path(tmp).glob("*/report/report.json")):
            report = json.loads(path.read_text())
            timing = report["timing"]
            results.append({"kernel": path.parents[1].name, "verdict": report["verdict"],
                            "run_s": timing["duration_s"], "process_s": process_s,
                            "limit_s": timing["device_time_limit_s"]})
        if not results:
            raise SystemExit(f"no guest report under {tmp}: did the guest boot?")
    return results


def main() -> int:
    """Print the figures; the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--profile", default="scheduling")
    parser.add_argument("--precision", choices=PRECISIONS, action="append",
                        help="only this precision (repeatable; default both)")
    parser.add_argument("--guest", action="store_true",
                        help="the C module in the QEMU guest instead of the FUSE mock")
    parser.add_argument("--module-args", default="", help="with --guest: e.g. timeslice_us=1000")
    parser.add_argument("--kernel", action="append", default=[],
                        help="with --guest: this kernel only (repeatable; default both)")
    parser.add_argument("extra", nargs="*", help="more mdev-qos run options")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'precision':<10}{'kernel':<24}{'verdict':<16}{'limit s':>9}{'run s':>9}"
          f"{'process s':>11}{'run/limit':>11}")
    for precision in args.precision or PRECISIONS:
        ratios = []
        for _ in range(args.runs):
            runs = (one_guest_run(precision, args.profile, args.extra, args.module_args,
                                  args.kernel)
                    if args.guest else [{"kernel": "FUSE mock",
                                         **one_run(precision, args.profile, args.extra)}])
            for r in runs:
                ratio = float(r["run_s"]) / float(r["limit_s"]) if r["limit_s"] else float("inf")
                ratios.append(ratio)
                print(f"{precision:<10}{r['kernel']!s:<24}{r['verdict']!s:<16}"
                      f"{r['limit_s']:>9.2f}{r['run_s']:>9.2f}{r['process_s']:>11.2f}"
                      f"{ratio:>11.2f}")
        if args.runs > 1:
            print(f"{precision:<10}median run/limit {statistics.median(ratios):.2f}")
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
