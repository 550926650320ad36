"""Run ``mdev-qos run`` on a driver loaded through ``--mock-driver`` and read its report.

Each run has its own process (the suite runs pytest in-process, so runs must not
share an interpreter): :func:`run_driver` starts a fresh one as a user would;
:func:`run_many` forks them from a warm server, both cores busy.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
RUN_TIMEOUT_S = 600
PROFILE_TAGS = ("static", "control", "scheduling", "fuzz")
SPEC_URL = "https://example.invalid/mdev-qos/spec/"
RANDOM_SEED = 1  # the fresh seed of every run here (the fixed one is the suite's)


@dataclass
class Outcome:
    """What one run of the suite concluded."""

    driver: str
    profile: str
    exit_status: int
    verdict: str
    reason: str = ""
    failed: list[str] = field(default_factory=list)  # MUST requirements with status fail
    warnings: list[str] = field(default_factory=list)  # SHOULD/MAY requirements that failed
    errors: list[str] = field(default_factory=list)  # requirements with status error
    features: dict[str, str] = field(default_factory=dict)  # requirement -> feature
    profile_tags: dict[str, set[str]] = field(default_factory=dict)  # requirement -> tags
    duration_s: float = 0.0
    stderr: str = ""

    def describe(self) -> str:
        text = f"{self.driver} [{self.profile}]: {self.verdict} (exit {self.exit_status})"
        if self.reason:
            text += f" - {self.reason}"
        if self.failed:
            text += f"; failed {', '.join(self.failed)}"
        if self.errors:
            text += f"; errors {', '.join(self.errors)}"
        return text


def suite_command(driver: str, profile: str, report_dir: Path, *extra: str) -> list[str]:
    """The command a vendor would type, run with this interpreter."""
    return [
        sys.executable, "-m", "conformance", "run",
        "--mock-driver", driver,
        "--profile", profile,
        "--report-dir", str(report_dir),
        "--quiet",
        "--spec-url", SPEC_URL,  # link the report to the published spec, build nothing
        "--seed", str(RANDOM_SEED),  # the random sequences' fresh seed: a verdict per mutant
        *extra,
    ]


def suite_env() -> dict[str, str]:
    """The environment of a run: the catalogue importable as ``mqos_mutants``."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE), env.get("PYTHONPATH")]))
    return env


def run_driver(driver: str, profile: str, report_dir: Path, *extra: str) -> Outcome:
    """Run the suite in a fresh process, exactly as a user starts it."""
    report_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    proc = subprocess.run(
        suite_command(driver, profile, report_dir, *extra),
        cwd=HERE, env=suite_env(), capture_output=True, text=True, timeout=RUN_TIMEOUT_S,
    )
    return read_outcome(driver, profile, report_dir, proc.returncode,
                        time.monotonic() - started, proc.stderr)


def read_outcome(driver: str, profile: str, report_dir: Path, exit_status: int,
                 duration_s: float, stderr: str) -> Outcome:
    """Parse the run's report.json into an :class:`Outcome`."""
    report_path = report_dir / "report.json"
    if not report_path.exists():
        return Outcome(driver, profile, exit_status, "no-report",
                       reason=stderr.strip()[-2000:], duration_s=duration_s, stderr=stderr)
    report = json.loads(report_path.read_text())
    outcome = Outcome(
        driver=driver,
        profile=profile,
        exit_status=exit_status,
        verdict=report["verdict"],
        reason=report.get("reason", ""),
        duration_s=duration_s,
        stderr=stderr,
    )
    for req in report["requirements"]:
        outcome.features[req["id"]] = req["feature"]
        if req["status"] == "fail":
            (outcome.failed if req["level"] == "MUST" else outcome.warnings).append(req["id"])
        elif req["status"] == "error":
            outcome.errors.append(req["id"])
    for scenario in report.get("scenarios", []):
        tags = set(scenario.get("tags", [])) & set(PROFILE_TAGS) or {"control"}
        for req_id in scenario.get("requirements", []):
            outcome.profile_tags.setdefault(req_id, set()).update(tags)
    return outcome


def profile_for(tags: set[str]) -> str:
    """The smallest profile that runs every scenario with these profile tags."""
    tags = tags - {"fuzz"}
    if tags <= {"static"}:
        return "static"
    if "scheduling" not in tags:
        return "control"
    if "control" not in tags:
        return "scheduling"
    return "full"


def run_many(
    jobs: Iterable[tuple[str, str, Path, tuple[str, ...]]], workers: int | None = None
) -> dict[str, Outcome]:
    """Run ``(driver, profile, report_dir, extra)`` jobs, ``workers`` at a time.

    The runs are children forked from one warm process (:func:`run_argv_many`),
    each calling the ``mdev-qos`` entry point with its own ``--mock-driver``.
    Keyed by :func:`run_key` (the driver, followed by any extra options).
    """
    jobs = list(jobs)
    argv_jobs = []
    for driver, profile, report_dir, extra in jobs:
        report_dir.parent.mkdir(parents=True, exist_ok=True)  # the run creates its own
        argv = suite_command(driver, profile, report_dir, *extra)[3:]  # after "-m conformance"
        argv_jobs.append((run_key(driver, extra), argv, log_path(report_dir)))
    finished = run_argv_many(argv_jobs, workers)
    outcomes = {}
    for driver, profile, report_dir, extra in jobs:
        key = run_key(driver, extra)
        exit_status, duration = finished.get(key, (-1, 0.0))
        log = log_path(report_dir)
        outcomes[key] = read_outcome(
            driver, profile, report_dir, exit_status, duration,
            log.read_text(errors="replace") if log.exists() else "",
        )
    return outcomes


def log_path(report_dir: Path) -> Path:
    """A run's output, beside its report directory (the run refuses a foreign one)."""
    return report_dir.with_name(report_dir.name + ".log")


def run_argv_many(
    jobs: Iterable[tuple[str, list[str], Path]], workers: int | None = None
) -> dict[str, tuple[int, float]]:
    """Run ``mdev-qos ARGV...`` for each ``(key, argv, log)``, forked from a warm server.

    Returns key -> (exit status, seconds); output goes to each job's log file.
    """
    workers = workers or max(1, os.cpu_count() or 1)
    server = subprocess.Popen(
        [sys.executable, str(HERE / "suite_forkserver.py"), "--workers", str(workers)],
        cwd=HERE, env=suite_env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    assert server.stdin is not None and server.stdout is not None
    for key, argv, log in jobs:
        server.stdin.write(json.dumps({"id": key, "argv": argv, "log": str(log)}) + "\n")
    server.stdin.close()
    finished = {}
    for line in server.stdout:
        answer = json.loads(line)
        finished[answer["id"]] = (answer["exit_status"], answer["duration_s"])
    server.wait(timeout=RUN_TIMEOUT_S)
    return finished


def run_key(driver: str, extra: Iterable[str] = ()) -> str:
    """How a run is named: ``module:Class`` plus any extra options."""
    return " ".join([driver, *extra])
