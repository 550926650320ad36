"""The meta-test: the suite passes the reference driver and kills every mutant.

Every driver is loaded only through the public ``--mock-driver module:Class`` path.
The mutation score per feature is printed at the end of the session (and written
to ``mutation-score.txt`` in the session's temporary directory).
"""

from __future__ import annotations

import pytest
from mqos_mutants import AREAS, catalogue
from mutant_runs import Outcome, run_key
from mutant_score import REFERENCE, killed, outcome_of

ENTRIES = catalogue()
FEATURES = ("base", "share", "reserve", "cap", "weight", "priority")


VARIANTS = [()] + sorted({e.run_options for e in ENTRIES if e.run_options})


@pytest.mark.parametrize("options", VARIANTS, ids=[" ".join(v) or "default" for v in VARIANTS])
def test_reference_is_conformant(options, suite_outcomes: dict[str, Outcome]) -> None:
    outcome = suite_outcomes[run_key(REFERENCE, options)]
    assert outcome.verdict == "conformant", outcome.describe()
    assert outcome.exit_status == 0
    assert outcome.failed == [] and outcome.errors == [] and outcome.warnings == []


def as_param(entry):
    """A mutant; one that a reported suite gap lets survive is a strict xfail, so
    the test turns red as soon as the gap is fixed and the marker is due to go."""
    if not entry.known_gap:
        return pytest.param(entry, id=entry.name)
    return pytest.param(entry, id=entry.name,
                        marks=pytest.mark.xfail(strict=True, reason=entry.known_gap))


@pytest.mark.parametrize("entry", [as_param(e) for e in ENTRIES])
def test_mutant_is_killed(entry, suite_outcomes: dict[str, Outcome]) -> None:
    outcome = outcome_of(entry, suite_outcomes)
    expected_exit = 0 if entry.expect in ("warning", "conform") else 1
    assert killed(entry, outcome), f"{entry.breaks} not caught: {outcome.describe()}"
    assert outcome.exit_status == expected_exit, outcome.describe()


def test_catalogue_covers_every_feature_and_area(suite_outcomes: dict[str, Outcome]) -> None:
    features = suite_outcomes[REFERENCE].features
    assert len([e for e in ENTRIES if e.expect == "fail"]) >= 40
    unknown = sorted({e.breaks for e in ENTRIES} - set(features))
    assert not unknown, f"mutants name unknown requirements: {unknown}"
    assert {features[e.breaks] for e in ENTRIES} == set(FEATURES)
    assert {e.area for e in ENTRIES} == set(AREAS)


def test_each_mutant_names_one_requirement() -> None:
    for entry in ENTRIES:
        assert entry.breaks.startswith("QOS-") and entry.breaks.count("-") == 2, entry
        assert entry.summary, f"{entry.name} needs a one-line docstring"
