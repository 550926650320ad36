"""The pytest plugin behind every scenario: the run's session and the step fixtures.

Steps receive typed fixtures, each the only way to do its job:
``under_test`` (:class:`~conformance.suite.under_test.UnderTest`, what the run is
about), ``resources`` (:class:`~conformance.suite.registry.Resources`, every
change to the target, undone after the scenario), ``clock``
(:class:`~conformance.suite.registry.DeviceClock`) and ``outcome``
(:class:`~conformance.suite.outcome.Outcome`: skip, unsupported, error, evidence).
Handles on mdevs (:class:`~conformance.suite.mdev.Mdev`) come from ``resources``.

The runner stores a :class:`SuiteSession` in ``config.stash``. Without a runner
(``pytest -p conformance.suite.plugin -p conformance.steps ...``) the plugin opens
the embedded reference mock on first use, so step authors can iterate with plain
pytest.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from conformance.suite.outcome import Outcome
from conformance.suite.registry import DeviceClock, Resources
from conformance.suite.session import SuiteSession
from conformance.suite.under_test import UnderTest

SESSION_KEY = pytest.StashKey[SuiteSession]()
OUTCOME_KEY = pytest.StashKey[Outcome]()


def suite_session(config: pytest.Config) -> SuiteSession:
    """The run's session; the embedded mock when no runner configured one."""
    if SESSION_KEY not in config.stash:
        from conformance.suite.targets import TargetOptions, open_session

        config.stash[SESSION_KEY] = open_session(TargetOptions())
    return config.stash[SESSION_KEY]


def pytest_configure(config: pytest.Config) -> None:
    """Let the scenarios' requirement and profile tags pass as markers."""
    config.addinivalue_line("filterwarnings", "ignore::pytest.PytestUnknownMarkWarning")


@pytest.fixture
def outcome(request: pytest.FixtureRequest) -> Outcome:
    """How the scenario stops short of pass or fail, and the evidence it records."""
    result = Outcome(suite_session(request.config).progress)
    request.node.stash[OUTCOME_KEY] = result
    return result


@pytest.fixture
def resources(request: pytest.FixtureRequest, outcome: Outcome) -> Iterator[Resources]:
    """Every change the scenario makes; all undone after it, newest first."""
    registry = Resources(suite_session(request.config), outcome)
    try:
        yield registry
    finally:
        registry.close()


@pytest.fixture
def under_test(request: pytest.FixtureRequest) -> UnderTest:
    """The parent, type and named devices of the run."""
    return UnderTest(suite_session(request.config))


@pytest.fixture
def clock(resources: Resources) -> DeviceClock:
    """The device's time (the workload adapter's clock)."""
    return DeviceClock(resources)
