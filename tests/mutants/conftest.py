"""Runs the suite once per catalogue driver (in parallel) and reports the mutation score."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from mqos_mutants import MutantInfo, catalogue  # noqa: E402
from mutant_runs import Outcome, run_many  # noqa: E402
from mutant_score import REFERENCE, SCORE_FILE, score_table  # noqa: E402

_score_lines: list[str] = []

@pytest.fixture(scope="session")
def mutant_catalogue() -> list[MutantInfo]:
    return catalogue()


@pytest.fixture(scope="session")
def suite_outcomes(
    tmp_path_factory: pytest.TempPathFactory, mutant_catalogue: list[MutantInfo]
) -> dict[str, Outcome]:
    """One suite run for the reference (profile full) and one per mutant (its profile)."""
    base = tmp_path_factory.mktemp("mutants")
    jobs = [(REFERENCE, "full", base / "reference", ())]
    jobs += [(e.spec, e.profile, base / e.name, ()) for e in mutant_catalogue]
    outcomes = run_many(jobs)
    features = outcomes[REFERENCE].features
    _score_lines[:] = score_table(mutant_catalogue, outcomes, features)
    (base / SCORE_FILE).write_text("\n".join(_score_lines) + "\n")
    _score_lines.append(f"  (also in {base / SCORE_FILE})")
    return outcomes


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _score_lines:
        terminalreporter.section("mutant catalogue")
        for line in _score_lines:
            terminalreporter.write_line(line)
