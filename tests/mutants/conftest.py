"""Runs the suite once per catalogue driver (in parallel) and reports the mutation score."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from mqos_mutants import MutantInfo, catalogue  # noqa: E402
from mutant_runs import (  # noqa: E402
    LazyOutcomes,
    Outcome,
    distributed,
    outcome_from_json,
    outcome_json,
    profile_for,
    run_driver,
    run_key,
    run_many,
)
from mutant_score import REFERENCE, SCORE_FILE, NoMutantRun, score_table  # noqa: E402

_score_lines: list[str] = []

@pytest.fixture(scope="session")
def mutant_catalogue() -> list[MutantInfo]:
    return catalogue()


@pytest.fixture(scope="session")
def suite_outcomes(
    tmp_path_factory: pytest.TempPathFactory, mutant_catalogue: list[MutantInfo]
) -> Iterator[Mapping[str, Outcome]]:
    """One suite run for the reference (profile full), then one per mutant,
    with the smallest profile that runs every scenario of the requirement it breaks.

    Alone, every run is made here, two at a time. Under pytest-xdist each worker
    runs the reference, then each mutant when its test asks (one at a time per
    worker, so the runs never outnumber the workers); the controller prints the
    score from what the workers send back.
    """
    base = tmp_path_factory.mktemp("mutants")
    reference = run_driver(REFERENCE, "full", base / "reference")
    variants = sorted({e.run_options for e in mutant_catalogue if e.run_options})
    jobs = [(REFERENCE, "full", base / f"reference{i}", opts) for i, opts in enumerate(variants)]
    jobs += [
        (e.spec, profile_for(reference.profile_tags.get(e.breaks, {"control", "scheduling"})),
         base / e.name, e.run_options)
        for e in mutant_catalogue
    ]
    if distributed():
        lazy = LazyOutcomes(jobs, {REFERENCE: reference})
        yield lazy
        lazy.close()
        _worker_outcomes.update(lazy.done)
        return
    outcomes = run_many(jobs)
    outcomes[REFERENCE] = reference
    features = outcomes[REFERENCE].features
    _score_lines[:] = score_table(mutant_catalogue, outcomes, features)
    (base / SCORE_FILE).write_text("\n".join(_score_lines) + "\n")
    _score_lines.append(f"  (also in {base / SCORE_FILE})")
    yield outcomes


_worker_outcomes: dict[str, Outcome] = {}
_gathered: dict[str, Outcome] = {}


def pytest_sessionfinish(session: pytest.Session) -> None:
    """An xdist worker sends the outcomes of the runs it made to the controller; the
    controller scores what they ran. A session that ran the reference but no mutant
    (``-k`` selected none) has no score: one line says so and the exit status is 2
    (unless a test already failed)."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        if _worker_outcomes:
            workeroutput["mutant_outcomes"] = json.dumps(
                {key: outcome_json(o) for key, o in _worker_outcomes.items()})
        return
    if _score_lines or REFERENCE not in _gathered:
        return
    entries = [e for e in catalogue() if run_key(e.spec, e.run_options) in _gathered]
    try:
        _score_lines[:] = score_table(entries, _gathered, _gathered[REFERENCE].features)
    except NoMutantRun as error:
        _score_lines[:] = [f"error: {error}"]
        if session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.INTERRUPTED  # 2: the selection, not a test
        return
    if len(entries) < len(catalogue()):
        _score_lines.append(f"  ({len(entries)} of {len(catalogue())} mutants run)")


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: object, error: object) -> None:
    """The controller gathers what each xdist worker ran."""
    sent = getattr(node, "workeroutput", {}).get("mutant_outcomes")
    if sent:
        _gathered.update({k: outcome_from_json(v) for k, v in json.loads(sent).items()})


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _score_lines:
        terminalreporter.section("mutant catalogue")
        for line in _score_lines:
            terminalreporter.write_line(line)
