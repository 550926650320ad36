"""Skip a scenario for an absent file before its steps create mdevs or start loads.

A driver with few features (counters only, like the kernel's converted ``mdpy``
sample) is skipped by nearly every scenario, each time by a step that finds a
knob or the ``sharing`` file absent on an mdev the scenario has just created. On
a slow target the creates, not the skips, are what the run costs.

Before the first step runs, this plugin walks the scenario's steps as long as
each has a *presence check* here: a function that predicts, from the layout the
run's probe mdev showed (:class:`~conformance.suite.type_layout.TypeLayout`),
what the step would do on an mdev of that type: go on, skip for an absent file
(the same reason, through the same :class:`~conformance.suite.outcome.Outcome`),
or something it cannot predict (:class:`Unpredictable`: the walk stops and the
steps run as they always did). The first step without a check ends the walk.
So a scenario is skipped early only where the steps before its skip create
mdevs of the type under test on the parent under test and write knobs the
type offers, on a writable target whose probe read cleanly: exactly where they
would have passed on their way to that skip. Its status and skip kind are the
ones the steps give; reasons that name an mdev's UUID are never predicted.

If pytest-bdd no longer has the functions this relies on, nothing is skipped
early: this module changes cost, never results.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from typing import Any

import pytest

import conformance.steps.devices as devices
import conformance.steps.load as load
import conformance.steps.sharing as sharing
import conformance.steps.topology as topology
from conformance.oracle.layout import REQUIRED, absent_reason
from conformance.oracle.shares import DEFAULT_KNOBS
from conformance.steps.devices import SETTING, SETTING_KNOB, SETTINGS, instance_room
from conformance.steps.require import sharing_word
from conformance.steps.state import mdev_name
from conformance.suite.outcome import Outcome
from conformance.suite.plugin import suite_session
from conformance.suite.registry import Resources
from conformance.suite.session import SuiteSession
from conformance.suite.type_layout import TypeLayout

try:
    _bdd: Any = importlib.import_module("pytest_bdd.scenario")
    if not all(hasattr(_bdd, n) for n in ("get_step_function", "parse_step_arguments")):
        _bdd = None
except ImportError:  # pragma: no cover - pytest-bdd is a core dependency
    _bdd = None


class Unpredictable(Exception):
    """The step may end otherwise than the layout says: stop walking, run the steps."""


class Plan:
    """What the steps walked so far would have done: mdevs created and named."""

    def __init__(
        self, session: SuiteSession, layout: TypeLayout, request: pytest.FixtureRequest
    ) -> None:
        self.session = session
        self.layout = layout
        self.request = request
        self.names: list[str] = []  # named mdevs (A, B, ...), all of the type under test
        self.creates = 0  # mdevs the steps create on the parent under test
        self.subject = False  # "it" is an mdev of the type under test
        self.evidence: list[tuple[str, object, object]] = []  # what the steps would record

    def room(self) -> int:
        """How many more mdevs of the type under test the parent under test allows now."""
        resources: Resources = self.request.getfixturevalue("resources")
        outcome: Outcome = self.request.getfixturevalue("outcome")
        try:
            return instance_room(outcome, resources)
        except (AssertionError, OSError) as exc:
            raise Unpredictable("available_instances") from exc

    def create(self, count: int, *, named: bool) -> None:
        """The step creates ``count`` mdevs of the type under test on the parent under test."""
        self.creates += count
        for _ in range(count if named else 0):
            self.names.append(mdev_name(len(self.names)))

    def require_file(self, name: str) -> None:
        """As :func:`~conformance.steps.require.require_file` on an mdev of the type."""
        if self.layout.has(name):
            return
        if name in REQUIRED:
            raise Unpredictable(name)  # a failure, the steps' to report
        self.skip(absent_reason(name))

    def require_writable(self, knob: str) -> None:
        """As :func:`~conformance.steps.require.require_writable`, where it names no UUID."""
        self.require_file(knob)
        if knob in self.layout.fixed:
            raise Unpredictable(knob)

    def settable(self, knob: str, value: str) -> None:
        """A valid write the driver accepts; a level the type lacks skips with a UUID."""
        if knob == "priority" and value not in self.layout.levels:
            raise Unpredictable(value)

    def skip(self, reason: str) -> None:
        """Skip as the step would, if the type has room for what the steps create first."""
        if self.creates and self.room() < self.creates:
            raise Unpredictable("room")
        outcome: Outcome = self.request.getfixturevalue("outcome")
        for name, expected, actual in self.evidence:
            outcome.evidence(name, expected=expected, actual=actual)
        outcome.skip(reason)


Check = Callable[..., None]
CHECKS: dict[Callable[..., object], Check] = {}


def presence_check(step: Callable[..., object]) -> Callable[[Check], Check]:
    """Register ``check(plan, **step arguments)`` as what ``step`` does on the layout."""

    def register(check: Check) -> Check:
        CHECKS[step] = check
        return check

    return register


@presence_check(devices._an_mdev)
def _an_mdev(plan: Plan, fresh: str, qos: str | None) -> None:
    plan.create(1, named=False)
    plan.subject = True


@presence_check(devices._fresh_with_knob)
def _fresh_with_knob(plan: Plan, knob: str) -> None:
    plan.create(1, named=False)
    plan.subject = True
    plan.require_writable(knob)


@presence_check(devices._has_file)
def _has_file(plan: Plan, name: str) -> None:
    if not plan.subject:
        raise Unpredictable("subject")
    plan.require_file(name)


@presence_check(devices._each_has_file)
def _each_has_file(plan: Plan, name: str) -> None:
    if not plan.names:
        raise Unpredictable("no named mdevs")
    plan.require_file(name)


@presence_check(devices._fresh_count)
def _fresh_count(plan: Plan, count: str) -> None:
    plan.create(int(count), named=True)


@presence_check(topology._fill_parent)
def _fill_parent(plan: Plan, most: str) -> None:
    count = min(int(most), plan.room())
    if count < 2:
        raise Unpredictable("room")
    plan.evidence.append(("mdevs created", f"min({most}, available_instances)", count))
    plan.create(count, named=True)


@presence_check(devices._fresh_with_settings)
def _fresh_with_settings(plan: Plan, where: str | None, settings: str) -> None:
    if where or not SETTINGS.fullmatch(settings):
        raise Unpredictable(settings)
    parsed = {SETTING_KNOB[key]: values.split() for key, values in SETTING.findall(settings)}
    lengths = {len(values) for values in parsed.values()}
    if len(lengths) != 1:
        raise Unpredictable(settings)
    plan.create(lengths.pop(), named=True)
    for knob, values in parsed.items():  # as devices.configure writes them
        for value in values:
            if value == DEFAULT_KNOBS[knob] and not plan.layout.has(knob):
                continue
            plan.require_writable(knob)
            plan.settable(knob, value)


@presence_check(devices._knob_set)
def _knob_set(plan: Plan, knob: str, name: str | None, value: str) -> None:
    if not name or name not in plan.names:
        raise Unpredictable("subject")
    plan.require_writable(knob)
    plan.settable(knob, value)


@presence_check(sharing._sharing_is)
def _sharing_is(plan: Plan, word: str) -> None:
    stated = {name: sharing_word(plan.layout.sharing) for name in plan.names}
    reason = sharing.sharing_unpromised(word, stated)
    plan.evidence.append(("sharing", word, stated))
    if reason:
        plan.skip(reason)


@presence_check(load._loads)
def _loads(plan: Plan, every: str | None, loads: str | None) -> None:
    wanted = ["backlog"] * len(plan.names) if every else (loads or "").split()
    if (plan.session.workload is None or len(wanted) != len(plan.names)
            or not set(wanted) <= set(load.LOADS)):
        raise Unpredictable("loads")  # the step says why


@presence_check(load._live_change)
def _live_change(plan: Plan, knob: str, name: str, value: str) -> None:
    if name not in plan.names:
        raise Unpredictable("name")
    plan.require_writable(knob)
    raise Unpredictable("window")  # the step settles and writes: what follows is measured


def pytest_bdd_before_scenario(request: pytest.FixtureRequest, scenario: Any) -> None:
    """Walk the scenario's steps on the probe's layout; skip now if one would skip."""
    session = suite_session(request.config)
    layout = session.layout
    if _bdd is None or layout is None or not layout.clean or not session.writable:
        return
    plan = Plan(session, layout, request)
    for step in scenario.steps:
        context = _bdd.get_step_function(request=request, step=step)
        check = CHECKS.get(context.step_func) if context is not None else None
        if check is None:
            return
        try:
            arguments = _bdd.parse_step_arguments(step=step, context=context)
            wanted = inspect.signature(check).parameters
            check(plan, **{k: v for k, v in arguments.items() if k in wanted})
        except Unpredictable:
            return
