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
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
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


def outcome_json(outcome: Outcome) -> dict:
    """An outcome as JSON (an xdist worker sends it to the controller)."""
    doc = asdict(outcome)
    doc["profile_tags"] = {k: sorted(v) for k, v in outcome.profile_tags.items()}
    return doc


def outcome_from_json(doc: dict) -> Outcome:
    """The outcome :func:`outcome_json` wrote."""
    tags = {k: set(v) for k, v in doc.get("profile_tags", {}).items()}
    return Outcome(**{**doc, "profile_tags": tags})


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
    workers = workers or default_workers()
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


class WarmRunner:
    """One forkserver kept for a whole session, asked for one run at a time.

    Under pytest-xdist each worker has its own: the mutant tests are spread over
    the workers, each run forked when its test asks for it, one per worker at a
    time, so the workers' runs never add up to more processes than workers.
    """

    def __init__(self) -> None:
        self._server: subprocess.Popen[str] | None = None

    def run(self, driver: str, profile: str, report_dir: Path, extra: tuple[str, ...]) -> Outcome:
        """The outcome of one run, forked from the warm server."""
        if self._server is None:
            self._server = subprocess.Popen(
                [sys.executable, str(HERE / "suite_forkserver.py"), "--workers", "1"],
                cwd=HERE, env=suite_env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                text=True,
            )
        assert self._server.stdin is not None and self._server.stdout is not None
        report_dir.parent.mkdir(parents=True, exist_ok=True)
        argv = suite_command(driver, profile, report_dir, *extra)[3:]
        log = log_path(report_dir)
        self._server.stdin.write(json.dumps({"id": "one", "argv": argv, "log": str(log)}) + "\n")
        self._server.stdin.flush()
        line = self._server.stdout.readline()
        answer = json.loads(line) if line else {"exit_status": -1, "duration_s": 0.0}
        return read_outcome(driver, profile, report_dir, answer["exit_status"],
                            answer["duration_s"],
                            log.read_text(errors="replace") if log.exists() else "")

    def close(self) -> None:
        """Stop the server (it exits when its input ends)."""
        if self._server is not None:
            assert self._server.stdin is not None
            self._server.stdin.close()
            self._server.wait(timeout=RUN_TIMEOUT_S)
            self._server = None


def distributed() -> bool:
    """Whether this is a pytest-xdist worker (the tests are spread over several)."""
    return "PYTEST_XDIST_WORKER" in os.environ


def default_workers() -> int:
    """Every core, shared with the other pytest-xdist workers when there are some."""
    sharing = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT") or 1)
    return max(1, (os.cpu_count() or 1) // max(1, sharing))


Job = tuple[str, str, Path, tuple[str, ...]]


class LazyOutcomes(Mapping[str, Outcome]):
    """Runs keyed like :func:`run_many`'s, each made when first asked for (one at a time).

    Under pytest-xdist, tests that read one run each are spread over the workers:
    each worker then makes only the runs its own tests read.
    """

    def __init__(self, jobs: Iterable[Job], done: dict[str, Outcome] | None = None) -> None:
        self.jobs = {run_key(job[0], job[3]): job for job in jobs}
        self.done = dict(done or {})
        self.runner = WarmRunner()

    def __getitem__(self, key: str) -> Outcome:
        if key not in self.done:
            self.done[key] = self.runner.run(*self.jobs[key])
        return self.done[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.jobs.keys() | self.done.keys())

    def __len__(self) -> int:
        return len(self.jobs.keys() | self.done.keys())

    def close(self) -> None:
        """Stop the warm server."""
        self.runner.close()


def run_key(driver: str, extra: Iterable[str] = ()) -> str:
    """How a run is named: ``module:Class`` plus any extra options."""
    return " ".join([driver, *extra])
