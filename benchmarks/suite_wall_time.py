"""Wall time of a full default run (`mdev-qos run`, embedded mock, profile full).

    python benchmarks/suite_wall_time.py [--runs 5] [--phases] [--cold]
        [--baseline-python OTHER/.venv/bin/python] [-- RUN OPTIONS...]

Each run is a fresh process started from an empty directory, exactly as a user
starts it; the figure is the median of the runs. ``--cold`` also gives every run
an empty cache directory (``XDG_CACHE_HOME``), as on a first run in a fresh CI
container: nothing built by an earlier run is reused. ``--baseline-python`` runs
another installation (e.g. main's venv) in turn with this one, so that both see
the same machine load, and prints the ratio of the medians. ``--phases`` also
times the engine's phases in-process (imports, requirements, scenarios, reports,
spec build) to tell which part is slow.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BUDGET_S = 10.0


def children_cpu_s() -> float:
    """User plus system CPU seconds of every finished child so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


CPU: list[tuple[str, float]] = []  # (python, CPU seconds) of each run, in order


def one_run(extra: list[str], python: str = sys.executable,
            cold: bool = False) -> tuple[float, str]:
    """Seconds for one ``mdev-qos run`` and its verdict (its CPU time goes to CPU)."""
    work = Path(tempfile.mkdtemp(prefix="mdev-qos-bench-"))
    env = dict(os.environ)
    if cold:
        env["XDG_CACHE_HOME"] = str(work / "cache")
    try:
        command = [python, "-m", "conformance", "run", "-q", *extra]
        started, cpu = time.monotonic(), children_cpu_s()
        subprocess.run(command, cwd=work, check=False, stdout=subprocess.DEVNULL, env=env)
        elapsed = time.monotonic() - started
        CPU.append((python, children_cpu_s() - cpu))
        verdict = json.loads((work / "mdev-qos-report" / "report.json").read_text())["verdict"]
        return elapsed, verdict
    finally:
        shutil.rmtree(work, ignore_errors=True)


def phases() -> dict[str, float]:
    """Seconds per phase of one run, in-process."""
    marks = {}
    t = time.monotonic()
    from conformance.report import RunFacts, build_report, write_reports
    from conformance.suite.runner import run_scenarios
    from conformance.suite.targets import TargetOptions, open_session
    from conformance.suite.verdict import decide

    marks["imports"] = time.monotonic() - t
    t = time.monotonic()
    from conformance.specbuild.html import build

    scratch = Path(tempfile.mkdtemp(prefix="mdev-qos-bench-spec-"))
    requirements = build(scratch / "spec").trace.requirements
    marks["spec build (links; gives the requirements)"] = time.monotonic() - t
    t = time.monotonic()
    session = open_session(TargetOptions())
    session.progress = lambda message: None
    outcome = run_scenarios(session)
    marks["scenarios (pytest-bdd, collection included)"] = time.monotonic() - t
    marks["  of which inside scenarios"] = sum(r.duration_s for r in outcome.results)
    t = time.monotonic()
    with tempfile.TemporaryDirectory() as out:
        verdict = decide(requirements, outcome.results)
        facts = RunFacts(session.describe(), "full", 0.0, 1.0, outcome.results)
        write_reports(build_report(verdict, facts), Path(out))
        marks["verdict and reports"] = time.monotonic() - t
    shutil.rmtree(scratch, ignore_errors=True)
    return marks


def main() -> int:
    """Print the median wall time of the runs; the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--phases", action="store_true", help="also time the phases")
    parser.add_argument("--cold", action="store_true", help="an empty cache for every run")
    parser.add_argument("--baseline-python", help="python of another installation to compare")
    parser.add_argument("extra", nargs="*", help="options passed to mdev-qos run")
    args = parser.parse_args()
    times: list[float] = []
    baseline: list[float] = []
    for index in range(args.runs):
        elapsed, verdict = one_run(args.extra, cold=args.cold)
        times.append(elapsed)
        line = f"run {index + 1}: {elapsed:.2f} s, verdict {verdict}"
        if args.baseline_python:
            other, other_verdict = one_run(args.extra, args.baseline_python, args.cold)
            baseline.append(other)
            line += f"; baseline {other:.2f} s, verdict {other_verdict}"
        print(line)
    median = statistics.median(times)
    cpu = statistics.median(c for p, c in CPU if p == sys.executable)
    print(f"median of {args.runs}: {median:.2f} s, CPU {cpu:.2f} s (budget {BUDGET_S:.0f} s)")
    if baseline:
        base = statistics.median(baseline)
        base_cpu = statistics.median(c for p, c in CPU if p == args.baseline_python)
        print(f"baseline median: {base:.2f} s, CPU {base_cpu:.2f} s; ratio {median / base:.2f} "
              f"(CPU {cpu / base_cpu:.2f})")
    if args.phases:
        for name, seconds in phases().items():
            print(f"  {name:<45} {seconds:6.2f} s")
    return 0 if median <= BUDGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
