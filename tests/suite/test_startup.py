"""Fixed cost of a run: the suite's own modules are imported, not assertion-rewritten."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
from conformance.suite.runner import run_scenarios
from conformance.suite.targets import TargetOptions, open_session
session = open_session(TargetOptions(profile="static"))
session.progress = lambda message: None
run_scenarios(session, select="Layout")
loader = type(sys.modules["conformance.steps.shares"].__loader__).__name__
print(loader)
"""


def test_step_modules_are_not_rewritten(tmp_path) -> None:
    """Rewriting every step module again on each run cost about a second per run."""
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=tmp_path, capture_output=True,
                          text=True, check=True, timeout=120)
    assert done.stdout.strip().splitlines()[-1] == "SourceFileLoader", done.stdout


class SetupCounter:
    """Counts the scenarios pytest starts (a skipped one too)."""

    def __init__(self) -> None:
        self.set_up: list[str] = []

    def pytest_runtest_logstart(self, nodeid: str, location: object) -> None:
        self.set_up.append(nodeid)


def test_scenarios_outside_the_profile_are_listed_but_never_set_up(monkeypatch) -> None:
    """A profile's cost grows with its own scenarios, not with every feature file's."""
    import pytest

    from conformance.suite.runner import run_scenarios
    from conformance.suite.targets import TargetOptions, open_session

    counter = SetupCounter()
    real_main = pytest.main
    monkeypatch.setattr(pytest, "main", lambda args, plugins: real_main(
        args, plugins=[*plugins, counter]))
    session = open_session(TargetOptions(profile="static"))
    session.progress = lambda message: None
    outcome = run_scenarios(session, select="Layout or Cap")
    outside = [r for r in outcome.results if r.skip_kind == "profile"]
    inside = [r for r in outcome.results if r.skip_kind != "profile"]
    assert outside and inside
    assert sorted(counter.set_up) == sorted(r.nodeid for r in inside)
    assert all(r.status == "skip" and "--profile" in r.reason for r in outside)
    # results stay in collection order: each feature file's scenarios together, in
    # the file's order, whether skipped or run
    places = [(r.location.split(":")[0], int(r.location.split(":")[1]))
              for r in outcome.results]
    files = [f for i, (f, _) in enumerate(places) if i == 0 or places[i - 1][0] != f]
    assert len(files) == len(set(files))
    assert all(a[1] <= b[1] for a, b in zip(places, places[1:], strict=False)
               if a[0] == b[0])
