"""A pytest plugin object that turns test reports into scenario results.

It also applies the profile (scenarios outside it are skipped, saying which
profile would run them) and the capability checks that do not need a scenario
to start (a scheduling scenario without a workload adapter).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conformance.results import ScenarioResult
from conformance.suite.outcome import SuiteError
from conformance.suite.plugin import OUTCOME_KEY
from conformance.suite.profiles import profile_excludes
from conformance.suite.session import SuiteSession
from conformance.sysfs.guarded import target_gone
from conformance.workload.base import WorkloadError

REQUIREMENT_ID = re.compile(r"QOS-[A-Z]+-[0-9]{3}")
_SKIP_KIND = pytest.StashKey[str]()
_PYTEST_MARKS = {"parametrize", "usefixtures", "skip", "skipif", "xfail", "filterwarnings"}


def describe_item(item: pytest.Item) -> ScenarioResult:
    """Feature, scenario, location and tags of a collected scenario."""
    from pytest_bdd.scenario import scenario_wrapper_template_registry

    func = getattr(item, "obj", None)
    template = scenario_wrapper_template_registry.get(func) if func is not None else None
    tags = sorted({mark.name for mark in item.iter_markers()})
    if template is not None:
        feature = template.feature.name or template.feature.rel_filename
        name = template.name
        location = f"{template.feature.rel_filename}:{template.line_number}"
        tags = sorted(set(tags) | set(template.tags) | set(template.feature.tags))
    else:
        feature, name, location = item.path.stem, item.name, item.nodeid
    callspec = getattr(item, "callspec", None)
    example = ""
    if callspec is not None and "_pytest_bdd_example" in callspec.params:
        row = callspec.params["_pytest_bdd_example"]
        example = ", ".join(f"{k}={v}" for k, v in row.items())
    requirements = sorted({t for t in tags if REQUIREMENT_ID.fullmatch(t)})
    return ScenarioResult(
        nodeid=item.nodeid,
        feature=feature,
        name=name,
        location=location,
        requirements=requirements,
        tags=[t for t in tags if t not in requirements and t not in _PYTEST_MARKS],
        example=example,
    )


def classify(excinfo: pytest.ExceptionInfo[BaseException]) -> str:
    """``fail`` for a driver fault (assertion), ``error`` for anything else."""
    exc = excinfo.value
    if isinstance(exc, (SuiteError, WorkloadError)):
        return "error"
    if isinstance(exc, AssertionError) or excinfo.errisinstance(pytest.fail.Exception):
        return "fail"
    return "error"


def failure_text(excinfo: pytest.ExceptionInfo[BaseException]) -> str:
    """The reason a scenario's exception gives, for the report."""
    exc = excinfo.value
    message = str(exc).strip()
    if isinstance(exc, AssertionError):
        # keep the step's own message; drop pytest's rewritten "assert ..." explanation
        own = message.split("\nassert ", 1)[0].strip() if message else ""
        if own and not own.startswith("assert "):
            return own
        return message or _failed_statement(excinfo)
    if excinfo.errisinstance(pytest.fail.Exception):
        return getattr(exc, "msg", message) or message
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def _failed_statement(excinfo: pytest.ExceptionInfo[BaseException]) -> str:
    """The source line of a bare ``assert`` that failed, e.g. ``assert usage >= least``."""
    try:
        entry = excinfo.traceback[-1]
        statement = str(entry.statement).strip()
        if not isinstance(entry.path, Path):
            return "assertion failed"  # code without a file: nothing to point at
        return f"{statement} ({entry.path.name}:{entry.lineno + 1})"
    except (IndexError, AttributeError, OSError):
        return "assertion failed"


class Recorder:
    """Collects one :class:`ScenarioResult` per scenario, in run order."""

    def __init__(self, session: SuiteSession, on_result: Callable[[ScenarioResult], None]):
        self.session = session
        self.on_result = on_result
        self.results: list[ScenarioResult] = []
        self.collection_errors: list[str] = []
        self.total = 0
        self.outside_profile = 0
        self.interrupted = ""
        self._current: dict[str, ScenarioResult] = {}
        self._order: dict[str, int] = {}  # nodeid -> place in collection order
        self._started: dict[str, float] = {}
        self._lost_before: dict[str, bool] = {}  # nodeid -> the target was lost at its start

    # -- collection ------------------------------------------------------------------
    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, config: pytest.Config,
                                      items: list[pytest.Item]) -> None:
        """Apply the profile: a scenario outside it is recorded as skipped, never run.

        pytest does not set it up (deselected), so a profile costs little per
        scenario it leaves out; its result keeps its place in collection order.
        """
        kept, outside = [], []
        for index, item in enumerate(items):
            info = describe_item(item)
            self._order[item.nodeid] = index
            reason = profile_excludes(self.session.profile, info.tags)
            if reason:
                info.status, info.reason, info.skip_kind = "skip", reason, "profile"
                outside.append((item, info))
                continue
            self._current[item.nodeid] = info
            kept.append(item)
            if "scheduling" in info.tags and self.session.workload is None:
                item.stash[_SKIP_KIND] = "unsupported"
                problem = self.session.workload_problem or "no workload adapter"
                item.add_marker(pytest.mark.skip(reason=problem))
        self.total = len(items)
        self.outside_profile = len(outside)
        if outside:
            items[:] = kept
            config.hook.pytest_deselected(items=[item for item, _ in outside])
            for _, info in outside:
                self._record(info)
        if self.outside_profile:
            self.session.progress(
                f"profile {self.session.profile}: {self.total - self.outside_profile} "
                f"scenarios to run, {self.outside_profile} outside the profile (skipped)"
            )

    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        self.interrupted = str(excinfo.value) or "SIGINT"

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.collection_errors.append(f"{report.nodeid or 'collection'}: {report.longreprtext}")

    # -- running ---------------------------------------------------------------------
    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
        report = yield
        result = self._current.setdefault(item.nodeid, describe_item(item))
        if call.when == "setup":
            self._started[item.nodeid] = time.monotonic()
            self._lost_before[item.nodeid] = getattr(self.session.target, "lost", None) is not None
            result.status = "pass"
        context = item.stash.get(OUTCOME_KEY, None)
        if report.skipped:
            result.status = "skip"
            result.reason = _skip_reason(report)
            kind = item.stash.get(_SKIP_KIND, "")
            result.skip_kind = (context.skip_kind if context else "") or kind or "unsupported"
        elif report.failed and call.excinfo is not None:
            status = classify(call.excinfo) if call.when == "call" else "error"
            text = failure_text(call.excinfo)
            if call.when == "teardown":
                text = f"after the scenario: {text}"
            if result.status in ("pass", "skip"):
                result.status, result.reason = status, text
            else:
                result.reason = f"{result.reason}; {text}"
        if call.when == "teardown":
            self._unless_target_gone(item.nodeid, result)
            if context is not None:
                result.evidence = [e.to_json() for e in context.evidences]
            result.duration_s = time.monotonic() - self._started.get(item.nodeid, time.monotonic())
            self._record(result)
        return report

    def _unless_target_gone(self, nodeid: str, result: ScenarioResult) -> None:
        """A fail, or a skip the target's answers decided, stands only if the target is there.

        A tree that went away during the scenario (a FUSE daemon killed, a mount
        gone) answers nothing that can be judged, so the scenario is an ``error``
        naming why. A skip decided before the target was lost (from the probe's
        layout, the profile, the workload) keeps its kind.
        """
        judged = result.status == "fail" or (
            result.status == "skip" and result.skip_kind != "profile"
            and not self._lost_before.get(nodeid, False))
        if not judged:
            return
        why = target_gone(self.session.target)
        if why is None:
            return
        was = f"{result.status}: {result.reason}" if result.reason else result.status
        result.status, result.skip_kind = "error", ""
        result.reason = (f"TargetLost: the target went away during the scenario ({why}); "
                         f"what it read is not judged (it would have been {was})")

    def _record(self, result: ScenarioResult) -> None:
        """Keep ``result`` in collection order and pass it on."""
        order = self._order.get(result.nodeid, len(self._order))
        at = len(self.results)
        while at and self._order.get(self.results[at - 1].nodeid, -1) > order:
            at -= 1
        self.results.insert(at, result)
        self.on_result(result)


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        reason = str(longrepr[2])
        return reason.removeprefix("Skipped: ")
    return str(longrepr)
