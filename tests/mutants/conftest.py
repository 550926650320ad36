"""Runs the suite once per catalogue driver (in parallel) and reports the mutation score."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from mqos_mutants import MutantInfo, catalogue  # noqa: E402
from mutant_runs import Outcome, profile_for, run_driver, run_many  # noqa: E402
from mutant_score import REFERENCE, SCORE_FILE, score_table  # noqa: E402

_score_lines: list[str] = []

@pytest.fixture(scope="session")
def mutant_catalogue() -> list[MutantInfo]:
    return catalogue()


@pytest.fixture(scope="session")
def suite_outcomes(
    tmp_path_factory: pytest.TempPathFactory, mutant_catalogue: list[MutantInfo]
) -> dict[str, Outcome]:
    """One suite run for the reference (profile full), then one per mutant in parallel,
    with the smallest profile that runs every scenario of the requirement it breaks."""
    base = tmp_path_factory.mktemp("mutants")
    reference = run_driver(REFERENCE, "full", base / "reference")
    variants = sorted({e.run_options for e in mutant_catalogue if e.run_options})
    jobs = [(REFERENCE, "full", base / f"reference{i}", opts) for i, opts in enumerate(variants)]
    jobs += [
        (e.spec, profile_for(reference.profile_tags.get(e.breaks, {"control", "scheduling"})),
         base / e.name, e.run_options)
        for e in mutant_catalogue
    ]
    outcomes = run_many(jobs)
    outcomes[REFERENCE] = reference
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
