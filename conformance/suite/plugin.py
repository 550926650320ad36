"""The pytest plugin behind every scenario: the ``ctx`` fixture and the run's session.

The runner stores a :class:`SuiteSession` in ``config.stash``. Without a runner
(``pytest -p conformance.suite.plugin -p conformance.steps ...``) the plugin opens
the embedded reference mock on first use, so step authors can iterate with plain
pytest.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from conformance.suite.context import SuiteContext
from conformance.suite.session import SuiteSession

SESSION_KEY = pytest.StashKey[SuiteSession]()
CTX_KEY = pytest.StashKey[SuiteContext]()


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
def ctx(request: pytest.FixtureRequest) -> Iterator[SuiteContext]:
    """One scenario's handle on the target; everything it changed is undone after."""
    context = SuiteContext(suite_session(request.config), scenario=request.node.nodeid)
    request.node.stash[CTX_KEY] = context
    try:
        yield context
    finally:
        context.close()
