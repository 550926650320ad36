"""The mutation score: a session that ran no mutant gets one line and exit 2, not a crash."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from mqos_mutants import catalogue
from mutant_runs import Outcome, run_key
from mutant_score import REFERENCE, NoMutantRun, score_table

HERE = Path(__file__).resolve().parent


def conformant(driver: str) -> Outcome:
    return Outcome(driver=driver, profile="full", exit_status=0, verdict="conformant")


def test_no_mutant_has_no_score() -> None:
    with pytest.raises(NoMutantRun, match="no mutant of the catalogue was run"):
        score_table([], {REFERENCE: conformant(REFERENCE)}, {})


def test_one_mutant_is_scored() -> None:
    entry = next(e for e in catalogue() if e.name == "CapExceeded")
    survived = conformant(entry.spec)
    lines = score_table([entry], {run_key(entry.spec, entry.run_options): survived},
                        {entry.breaks: "cap"})
    assert "  total" in "\n".join(lines) and "0/1" in lines[-2]
    assert lines[-1].startswith(f"  SURVIVED {entry.spec}")


@pytest.mark.slow
def test_a_selection_without_mutants_exits_2_with_one_line(tmp_path: Path) -> None:
    """Under xdist the controller scores what the workers ran; ``-k`` that runs the
    reference (a test that reads it) but no mutant used to end in ZeroDivisionError."""
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "-q", "-p", "no:cacheprovider",
         str(HERE / "test_mutants.py"), "-k", "test_catalogue_covers",
         "--basetemp", str(tmp_path / "base")],
        capture_output=True, text=True, check=False, timeout=600)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    errors = [line for line in done.stdout.splitlines() if line.startswith("error: ")]
    assert errors == ["error: no mutant of the catalogue was run (the -k selection names "
                      "none), so there is no mutation score"], done.stdout
    assert "1 passed" in done.stdout
