"""One conformance run from start to finish.

1. open the target (a bad target is refused before anything is changed);
2. lock the target's journal and repair what an interrupted run left behind;
3. run the scenarios (SIGINT/SIGTERM stop the run; cleanup still happens);
4. undo anything still pending, unlock the journal;
5. decide the verdict and write the reports.

The report directory is checked (and a private staging directory made next to
it) before anything else; the spec and the reports are written there and moved
into place at the end, so a bad ``--report-dir`` is refused before any scenario
runs and nothing the suite did not create is replaced (conformance/report/directory.py).
"""

from __future__ import annotations

import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType, ModuleType
from typing import TYPE_CHECKING, Any

import pytest

from conformance import defaults
from conformance.oracle.formats import KNOBS
from conformance.report import FILES, RunFacts, build_report, validate_report, write_reports
from conformance.report.directory import ReportDirectory, ReportDirError
from conformance.suite.claim import claim_context, driver_at
from conformance.suite.journal import JournalError
from conformance.suite.outcome import Outcome, SuiteError
from conformance.suite.registry import Resources
from conformance.suite.runner import (
    DEFAULT_STEP_PLUGINS,
    RunOutcome,
    check_select,
    run_scenarios,
)
from conformance.suite.session import SuiteSession
from conformance.suite.targets import TargetError, TargetOptions, open_session
from conformance.suite.type_layout import probe_layout
from conformance.suite.verdict import decide
from conformance.sysfs.guarded import target_gone

if TYPE_CHECKING:
    from conformance.specbuild.background import SpecBuild
    from conformance.specbuild.requirements import Requirement


class RunRefused(Exception):
    """The run cannot start (bad target, busy journal, broken spec): exit 2, nothing changed."""


@dataclass
class RunRequest:
    """Everything ``mdev-qos run`` was asked to do."""

    target: TargetOptions = field(default_factory=TargetOptions)
    report_dir: Path = Path(defaults.REPORT_DIR)
    spec_url: str = defaults.SPEC_URL
    select: str | None = None
    features: Path | None = None
    step_plugins: Sequence[str | ModuleType] = DEFAULT_STEP_PLUGINS
    requirements: Sequence[Requirement] | None = None  # default: from the spec
    quiet: bool = False
    session: SuiteSession | None = None  # an already opened target (tests, embedding)
    build_spec: bool = True  # with the default spec URL, build the spec next to the report


@dataclass
class RunResult:
    """What a run produced: the report, the exit status and the files written."""
    report: dict[str, Any]
    exit_status: int
    paths: list[Path]
    problem: str | None = None  # the reports could not go to --report-dir (exit 2)


def _load_requirements() -> list[Requirement]:
    from conformance.specbuild.requirements import load_requirements

    try:
        return list(load_requirements())
    except Exception as exc:  # noqa: BLE001 - any spec problem stops the run cleanly
        raise RunRefused(f"cannot read the requirements from the spec: {exc}") from exc


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signal.Signals(signum).name}")


@contextmanager
def _handled(handler: signal.Handlers | Callable[[int, FrameType | None], None],
             signals: tuple[signal.Signals, ...]) -> Iterator[None]:
    """Give ``signals`` to ``handler`` for the block, then the previous handlers back.

    Outside the main thread Python may not set handlers: the signals are left alone.
    """
    previous = {}
    try:
        for sig in signals:
            previous[sig] = signal.signal(sig, handler)
    except ValueError:  # not the main thread
        pass
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _interruptible() -> AbstractContextManager[None]:
    """SIGTERM and SIGHUP behave like SIGINT (KeyboardInterrupt), so cleanup runs."""
    return _handled(_terminate, (signal.SIGTERM, signal.SIGHUP))


def _shielded() -> AbstractContextManager[None]:
    """Ignore SIGINT/SIGTERM/SIGHUP while undoing changes: a second ^C must not stop cleanup."""
    return _handled(signal.SIG_IGN, (signal.SIGINT, signal.SIGTERM, signal.SIGHUP))


@dataclass
class Prepared:
    """An opened target and the requirements (or the spec build that yields them)."""

    session: SuiteSession
    given: Sequence[Requirement] | None = None
    build: SpecBuild | None = None

    def requirements(self) -> list[Requirement]:
        """The requirements; a failed build loses the report's links, not the run."""
        if self.given is not None:
            return list(self.given)
        if self.build is not None:
            from conformance.specbuild.background import BuildFailed

            try:
                return self.build.requirements()
            except BuildFailed as exc:
                self.session.progress(
                    f"note: could not build the spec for the report's links: {exc}")
        return _load_requirements()

    def close(self) -> None:
        """Stop a spec build the run no longer waits for."""
        if self.build is not None:
            self.build.cancel()


def prepare(request: RunRequest, spec_dir: Path | None = None) -> Prepared:
    """Open the target and read the requirements; RunRefused when either fails.

    With the default spec URL the spec is built once (into ``spec_dir``, the report
    directory's staging area, or a scratch directory removed at once) and its
    requirements are used, so the spec is parsed only once per run.
    """
    if request.select:
        try:
            check_select(request.select)
        except ValueError as exc:
            raise RunRefused(str(exc)) from exc
    build = None
    if (request.requirements is None and request.spec_url == defaults.SPEC_URL
            and request.build_spec and spec_dir is not None):
        # started before the target is opened: the child forks from a process
        # without helper threads or open devices
        build = _start_build(spec_dir)
    try:
        session = request.session or open_session(request.target)
    except BaseException as exc:
        if build is not None:
            build.cancel()
        if isinstance(exc, TargetError):
            raise RunRefused(str(exc)) from exc
        if isinstance(exc, Exception):  # e.g. a --mock-driver that fails to load
            raise RunRefused(f"cannot open the target: {type(exc).__name__}: {exc}") from exc
        raise
    if request.quiet:
        session.progress = lambda message: None
    if request.requirements is not None:
        return Prepared(session, given=list(request.requirements))
    if build is None:
        return Prepared(session, given=_load_requirements())
    return Prepared(session, build=build)


def _start_build(spec_dir: Path) -> SpecBuild | None:
    """The spec build for the report's links (None: none can start, the links are lost)."""
    from conformance.specbuild.background import SpecBuild

    try:
        return SpecBuild.start(spec_dir)
    except Exception:  # noqa: BLE001 - e.g. no fork; the requirements are parsed instead
        shutil.rmtree(spec_dir, ignore_errors=True)
        return None


def _write(report: dict[str, Any], reports: ReportDirectory) -> tuple[list[Path], str | None]:
    """Write the reports and move them into place; else say where they went instead."""
    try:
        staged = write_reports(report, reports.staging)
        destination = reports.commit()
        return [destination / path.name for path in staged], None
    except OSError as exc:
        failure = f"cannot write the reports to {reports.destination}: {exc.strerror or exc}"
    if all((reports.staging / name).is_file() for name in FILES):
        kept = reports.keep()  # the run's only record
        return [kept / name for name in FILES], f"{failure}; they are in {kept}"
    try:
        rescue = Path(tempfile.mkdtemp(prefix="mdev-qos-report-"))
        return write_reports(report, rescue), f"{failure}; they are in {rescue}"
    except OSError as exc:
        return [], f"{failure}; nor could they be written to a temporary directory ({exc})"


def execute(request: RunRequest) -> RunResult:
    """Run the suite as requested and write the reports. Raises RunRefused before acting."""
    with _interruptible():  # a SIGTERM anywhere still removes the staging directory
        try:
            reports = ReportDirectory(request.report_dir)
        except ReportDirError as exc:
            raise RunRefused(str(exc)) from exc
        try:
            try:
                prepared = prepare(request, reports.staging / "spec")
            except KeyboardInterrupt as exc:
                raise RunRefused(f"interrupted ({exc or 'SIGINT'}) before the run started") from exc
            try:
                return _execute(request, prepared, reports)
            finally:
                prepared.close()
        finally:
            reports.discard()


def _execute(request: RunRequest, prepared: Prepared, reports: ReportDirectory) -> RunResult:
    session = prepared.session
    started = time.time()
    try:
        leftovers = session.journal.open()
    except JournalError as exc:
        raise RunRefused(str(exc)) from exc
    errors: list[str] = []
    left_behind: list[str] = []
    repaired: list[str] = []
    outcome = RunOutcome(results=[])
    try:
        with _shielded():
            if leftovers:
                session.progress(f"repairing {len(leftovers)} change(s) left by an earlier run")
            for entry in session.journal.repair(
                session.target, lambda e, exc: left_behind.append(e.unconfirmed(exc))
            ):
                repaired.append(entry.describe())
        if left_behind:
            errors.append("an earlier run left changes that could not be repaired")
        else:
            with _interruptible():
                try:
                    session.qos_offered = probe_qos(session, errors)
                    outcome = run_scenarios(
                        session,
                        features=request.features,
                        step_plugins=request.step_plugins,
                        select=request.select,
                    )
                except KeyboardInterrupt as exc:
                    outcome.interrupted = True
                    errors.append(f"interrupted ({exc or 'SIGINT'})")
    finally:
        with _shielded():
            for entry in session.journal.repair(
                session.target, lambda e, exc: left_behind.append(e.unconfirmed(exc))
            ):
                session.progress(f"undone after the run: {entry.describe()}")
            session.journal.close()
    if outcome.interrupted and not any(e.startswith("interrupted") for e in errors):
        errors.append("interrupted")
    # an undo done but not marked: the journal lists it, and the next run undoes it again
    errors.extend(f"journal: {problem}" for problem in session.journal.problems)
    gone = target_gone(session.target)
    if gone is not None:
        errors.append(f"the target went away during the run ({gone}): what it could not "
                      "answer is not judged")
    errors.extend(outcome.collection_errors)
    try:
        requirements = prepared.requirements()
    except RunRefused as exc:
        errors.append(str(exc))
        requirements = []
    verdict = decide(
        requirements,
        outcome.results,
        engine_errors=errors,
        selected=bool(request.select),
        qos_offered=session.qos_offered,
        left_behind=left_behind,
        knobs_offered=session.knobs_offered,
    )
    facts = RunFacts(
        target=session.describe(),
        profile=session.profile,
        started=started,
        finished=time.time(),
        scenarios=outcome.results,
        spec_url=request.spec_url,
        repaired_before=repaired,
        left_behind=left_behind,
        precision=session.precision,
        device_time_us=session.device_time_us,
        context=claim_context(session.target, session.parent, session.observed,
                              embedded_mock=session.embedded_mock),
        random=session.random,
    )
    report = build_report(verdict, facts)
    validate_report(report)
    paths, problem = _write(report, reports)
    status = 2 if problem else report["exit_status"]
    return RunResult(report=report, exit_status=status, paths=paths, problem=problem)


def probe_qos(session: SuiteSession, errors: list[str] | None = None) -> bool | None:
    """Whether the type under test has a ``qos/`` group (None: cannot tell).

    Looks at the first mdev named with ``--mdev``, else creates (and removes) one.
    When that mdev cannot be removed (the driver refuses), why goes to ``errors``:
    an environment error naming the mdev, never a crash.
    """
    registry = Resources(session, Outcome())
    offered: bool | None = None
    try:
        mdev = registry.device()
        offered = mdev.has_qos()
        session.observed.mdev_driver = driver_at(session.target, mdev.dir)
        if offered:
            session.knobs_offered = {knob: mdev.has(knob) and not mdev.is_fixed(knob)
                                     for knob in KNOBS}
            session.layout = probe_layout(mdev)
    except (Exception, pytest.skip.Exception):  # noqa: BLE001 - the scenarios will say why
        offered = None
    finally:
        try:
            registry.close()
        except SuiteError as exc:
            if errors is not None:
                errors.append(f"probe: {exc}")
    return offered


def refused_status(message: str) -> int:
    """Print why the run could not start; the exit status is 2."""
    print(f"mdev-qos run: {message}", file=sys.stderr)
    return 2
