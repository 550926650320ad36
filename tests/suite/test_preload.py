"""A warm process (models runner, mutant forkserver) preloads what every forked run needs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

# one run in the process that preloaded, then the modules the run still had to import
RUN_AFTER_PRELOAD = """\
import sys
from conformance.cli.forked import preload
preload()
before = set(sys.modules)
from conformance.cli import main
status = main(["run", "--profile", "static", "--spec-url", "x", "-q", "--report-dir", sys.argv[1]])
print("after preload:", status, " ".join(sorted(set(sys.modules) - before)))
"""
# the scenario module is imported afresh by every run, on purpose (runner.py)
STILL_IMPORTED = {"conformance.suite.scenarios"}


def test_a_run_after_preload_imports_none_of_pytest_pytest_bdd_or_the_suite(
    tmp_path: Path,
) -> None:
    """Each forked run imported 84 modules itself (pytest's plugins, pytest-bdd's plugin
    with mako and pygments, the other subcommands), about 0.1 s of CPU per run."""
    done = subprocess.run(
        [sys.executable, "-c", RUN_AFTER_PRELOAD, str(tmp_path / "report")],
        capture_output=True, text=True, check=True, cwd=tmp_path,
    )
    line = done.stdout.strip().splitlines()[-1]
    assert line.startswith("after preload: "), done.stdout[-2000:]
    status, _, imported = line.removeprefix("after preload: ").partition(" ")
    assert status == "0", done.stderr[-2000:]
    heavy = {name for name in imported.split()
             if name.split(".")[0] in ("_pytest", "pytest", "pytest_bdd", "conformance", "mako",
                                       "pygments")}
    assert heavy <= STILL_IMPORTED | {"_pytest._argcomplete", "pytest_bdd.hooks"}
