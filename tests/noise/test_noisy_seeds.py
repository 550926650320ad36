"""Noise within the spec: correct drivers never fail, bound-breaking mutants never pass.

A regression sentinel of the noise studies, one test per run so that pytest-xdist
spreads the runs over its workers: a few seeds of the largest permitted noise
(``--mock-noise SEED``) on the reference and on every conforming real-scheduler model
(0 false fails), one or two per margin mutant (0 false passes), at both precisions,
over the whole ``scheduling`` profile and over the scenarios added since the
300-run studies (``power_noise.NEW_SCENARIO_FEATURES``).

The full studies, 50 seeds of every correct driver and 4 of every margin mutant,
live in ``benchmarks/power_noise.py``, with their results, dates and loads in
``benchmarks/README.md`` ("False fails and false passes under the largest permitted
noise"). Rerun them after a change to a tolerance, the mock's noise or a scenario:

    chrt -i 0 nice -n 19 .venv/bin/python benchmarks/power_noise.py --seeds 50 \\
        --mutant-seeds 4 --precision quick certify
    chrt -i 0 nice -n 19 .venv/bin/python benchmarks/power_noise.py --seeds 50 \\
        --features --precision certify quick
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def load_study_module():
    """Import ``benchmarks/power_noise.py`` (a script, not a package module)."""
    path = ROOT / "benchmarks" / "power_noise.py"
    spec = importlib.util.spec_from_file_location("power_noise", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


POWER = load_study_module()
from mutant_runs import LazyOutcomes, Outcome, distributed, run_many  # noqa: E402

MODELS = POWER.conforming_models()
CORRECT = {"Reference": POWER.REFERENCE, **MODELS}
# (precision, seeds) of each part of the sentinel; the studies run 50 and 4
REFERENCE_SEEDS = {"quick": range(8), "certify": range(3)}
MODEL_SEEDS = {"certify": range(1)}
MUTANT_SEEDS = {"quick": range(2), "certify": range(1)}
NEW_SCENARIO_SEEDS = {"certify": range(3), "quick": range(2)}
MARGINS = {"quick": POWER.MARGIN_MUTANTS, "certify": POWER.CERTIFY_MARGIN_MUTANTS}

Run = tuple[str, str, int, bool]  # driver name, precision, seed, new scenarios only


def planned_runs() -> list[Run]:
    """Every run of the sentinel."""
    runs = [("Reference", p, s, False) for p, seeds in REFERENCE_SEEDS.items() for s in seeds]
    runs += [(m, p, s, False) for p, seeds in MODEL_SEEDS.items() for s in seeds for m in MODELS]
    runs += [(m, p, s, False) for p, seeds in MUTANT_SEEDS.items() for s in seeds
             for m in MARGINS[p]]
    runs += [(d, p, s, True) for p, seeds in NEW_SCENARIO_SEEDS.items() for s in seeds
             for d in CORRECT]
    return runs


def run_id(run: Run) -> str:
    name, precision, seed, new = run
    return f"{name}-{precision}-{seed}" + ("-new" if new else "")


def job(run: Run, base: Path):
    """The ``power_noise`` job of one run, its report under ``base``."""
    name, precision, seed, new = run
    driver = CORRECT.get(name) or POWER.driver_path(name)
    extra = POWER.feature_subset(POWER.NEW_SCENARIO_FEATURES, base / "features") if new else ()
    return POWER.seeded_job(driver, seed, base / run_id(run), precision, extra)


@dataclass
class NoisyRuns:
    """The sentinel's runs, their reports under ``base``."""

    base: Path
    outcomes: Mapping[str, Outcome]

    def of(self, run: Run) -> tuple[Outcome, Path]:
        """The outcome of ``run`` and its report directory."""
        planned = job(run, self.base)
        return self.outcomes[POWER.job_key(planned)], planned[2]


@pytest.fixture(scope="module")
def noisy_runs(request: pytest.FixtureRequest,
               tmp_path_factory: pytest.TempPathFactory) -> Iterator[NoisyRuns]:
    """Alone, the runs of the selected tests at once on every core; under xdist each
    when its test asks (one at a time per worker)."""
    base = tmp_path_factory.mktemp("noise")
    if not distributed():
        selected = {item.callspec.params["run"] for item in request.session.items
                    if "run" in getattr(getattr(item, "callspec", None), "params", {})}
        yield NoisyRuns(base, run_many([job(run, base) for run in selected]))
        return
    jobs = [job(run, base) for run in planned_runs()]
    lazy = LazyOutcomes(jobs)
    yield NoisyRuns(base, lazy)
    lazy.close()


def runs_of(kind: str) -> list[pytest.param]:
    """The planned runs of one kind (reference, model, mutant, new), one test each."""
    def kind_of(run: Run) -> str:
        name, _, _, new = run
        if new:
            return "new"
        return "reference" if name == "Reference" else "model" if name in MODELS else "mutant"

    return [pytest.param(run, id=run_id(run)) for run in planned_runs() if kind_of(run) == kind]


@pytest.mark.slow
@pytest.mark.parametrize("run", runs_of("reference"))
def test_reference_never_fails_under_permitted_noise(run: Run, noisy_runs: NoisyRuns) -> None:
    outcome, _ = noisy_runs.of(run)
    assert not POWER.is_false_fail(outcome), outcome.describe()


@pytest.mark.slow
@pytest.mark.parametrize("run", runs_of("model"))
def test_conforming_model_never_fails_under_permitted_noise(run: Run,
                                                            noisy_runs: NoisyRuns) -> None:
    # NVIDIA fixed share failed every seed at certify before its slots were held to
    # the cap they state (12 % for 1/8) and late preemptions were paid back (issue 17)
    outcome, _ = noisy_runs.of(run)
    assert not POWER.is_false_fail(outcome), outcome.describe()


@pytest.mark.slow
@pytest.mark.parametrize("run", runs_of("mutant"))
def test_margin_mutant_is_caught_under_noise(run: Run, noisy_runs: NoisyRuns) -> None:
    name, precision, _, _ = run
    outcome, _ = noisy_runs.of(run)
    assert not POWER.is_false_pass(outcome, MARGINS[precision][name]), outcome.describe()


@pytest.mark.slow
@pytest.mark.parametrize("run", runs_of("new"))
def test_new_scenarios_never_fail_a_correct_driver(run: Run, noisy_runs: NoisyRuns) -> None:
    """The scenarios added since the 300-run studies, alone; the reference runs every one."""
    outcome, report_dir = noisy_runs.of(run)
    assert not POWER.is_false_fail(outcome), outcome.describe()
    if run[0] == "Reference":
        scenarios = json.loads((report_dir / "report.json").read_text())["scenarios"]
        files = {Path(s["location"].split(":")[0]).stem for s in scenarios}
        assert files == set(POWER.NEW_SCENARIO_FEATURES)
        assert {s["status"] for s in scenarios} == {"pass"}, outcome.describe()


def test_the_sentinel_has_every_correct_driver_and_margin_mutant() -> None:
    runs = planned_runs()
    assert {"nvidia-best-effort", "nvidia-fixed-share"} <= set(MODELS)
    assert {name for name, _, _, _ in runs} == {*CORRECT, *POWER.MARGIN_MUTANTS,
                                                *POWER.CERTIFY_MARGIN_MUTANTS}
    assert {(name, new) for name, precision, _, new in runs if precision == "certify"} >= {
        (name, new) for name in CORRECT for new in (False, True)}


def test_the_study_runs_drivers_with_mock_noise() -> None:
    """Every run of the study is a catalogue driver plus ``--mock-noise SEED``."""
    assert POWER.noisy("Reference", 3) == ("conformance.mock:QosDriver", ("--mock-noise", "3"))
    assert POWER.noisy("CapExceeded", 0) == (
        "mqos_mutants.cap:CapExceeded", ("--mock-noise", "0"))
    driver, profile, _, options = POWER.seeded_job(POWER.REFERENCE, 7, Path("r"), "certify")
    assert (driver, profile, options) == (
        POWER.REFERENCE, "scheduling", ("--mock-noise", "7", "--precision", "certify"))


def test_a_feature_subset_selects_only_its_files(tmp_path: Path) -> None:
    options = POWER.feature_subset(["crowds", "cap_values"], tmp_path / "f")
    assert options == ("--features", str(tmp_path / "f"), "-k", "scheduling")
    assert sorted(p.name for p in (tmp_path / "f").iterdir()) == [
        "cap_values.feature", "crowds.feature"]
    with pytest.raises(SystemExit, match="no feature file"):
        POWER.feature_subset(["no_such_feature"], tmp_path / "g")
