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
