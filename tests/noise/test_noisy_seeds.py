"""Noise within the spec: the reference never fails, bound-breaking mutants never pass.

50 seeds of the largest permitted noise on the reference (0 false fails), and the
mutants that miss a bound by twice its tolerance under a few seeds each (0 false
passes). The wider study behind benchmarks/README.md is
``benchmarks/power_noise.py --seeds 50``.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REFERENCE_SEEDS = list(range(50))
MUTANT_SEEDS = list(range(4))
CERTIFY_REFERENCE_SEEDS = list(range(20))
CERTIFY_MUTANT_SEEDS = list(range(2))


def load_study_module():
    """Import ``benchmarks/power_noise.py`` (a script, not a package module)."""
    path = ROOT / "benchmarks" / "power_noise.py"
    spec = importlib.util.spec_from_file_location("power_noise", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


POWER = load_study_module()


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory):
    workdir = tmp_path_factory.mktemp("noise")
    result = POWER.noise_study(REFERENCE_SEEDS, MUTANT_SEEDS, workdir)
    print("\n" + "\n".join(result.table()))
    (workdir / "noise-study.txt").write_text("\n".join(result.table()) + "\n")
    return result


@pytest.fixture(scope="module")
def certify_study(tmp_path_factory: pytest.TempPathFactory):
    workdir = tmp_path_factory.mktemp("noise-certify")
    result = POWER.noise_study(CERTIFY_REFERENCE_SEEDS, CERTIFY_MUTANT_SEEDS, workdir,
                               POWER.CERTIFY_MARGIN_MUTANTS, "certify")
    print("\n" + "\n".join(result.table()))
    return result


# under pytest-xdist, the tests of one study on one worker: it runs once
CERTIFY_GROUP = pytest.mark.xdist_group("noise-certify-study")
QUICK_GROUP = pytest.mark.xdist_group("noise-quick-study")


@pytest.mark.slow
@CERTIFY_GROUP
def test_reference_never_fails_at_certify_under_permitted_noise(certify_study) -> None:
    failures = [o.describe() for o in certify_study.false_fails()]
    assert len(certify_study.reference) == len(CERTIFY_REFERENCE_SEEDS)
    assert failures == [], "\n".join(failures)


@pytest.mark.slow
@CERTIFY_GROUP
@pytest.mark.parametrize("name", list(POWER.CERTIFY_MARGIN_MUTANTS))
def test_certify_margin_mutant_is_caught_under_noise(name: str, certify_study) -> None:
    passes = [o.describe() for o in certify_study.false_passes(name)]
    assert passes == [], "\n".join(passes)


@pytest.mark.slow
@QUICK_GROUP
def test_reference_never_fails_under_permitted_noise(study) -> None:
    assert len(study.reference) == 50
    failures = [o.describe() for o in study.false_fails()]
    assert failures == [], "\n".join(failures)


@pytest.mark.slow
@QUICK_GROUP
@pytest.mark.parametrize("name", list(POWER.MARGIN_MUTANTS))
def test_twice_tolerance_mutant_is_always_caught(name: str, study) -> None:
    assert len(study.mutants[name]) == len(MUTANT_SEEDS)
    passes = [o.describe() for o in study.false_passes(name)]
    assert passes == [], "\n".join(passes)


def test_the_study_runs_drivers_with_mock_noise() -> None:
    """Every run of the study is a catalogue driver plus ``--mock-noise SEED``."""
    assert POWER.noisy("Reference", 3) == ("conformance.mock:QosDriver", ("--mock-noise", "3"))
    assert POWER.noisy("CapExceeded", 0) == (
        "mqos_mutants.cap:CapExceeded", ("--mock-noise", "0"))


MODEL_SEEDS = list(range(5))


@pytest.mark.slow
def test_conforming_models_never_fail_at_certify_under_permitted_noise(
        tmp_path: Path) -> None:
    # NVIDIA fixed share failed every seed before its slots were held to the cap
    # they state (12 % for 1/8) and late preemptions were paid back (issue 17).
    models = POWER.conforming_models()
    assert {"nvidia-best-effort", "nvidia-fixed-share"} <= set(models)
    result = POWER.noise_study(MODEL_SEEDS, [], tmp_path, {}, "certify", models)
    failures = [o.describe() for o in result.false_fails()]
    assert [len(runs) for runs in result.models.values()] == [len(MODEL_SEEDS)] * len(models)
    assert failures == [], "\n".join(failures)
