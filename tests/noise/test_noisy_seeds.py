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


@pytest.mark.slow
def test_reference_never_fails_under_permitted_noise(study) -> None:
    assert len(study.reference) == 50
    failures = [o.describe() for o in study.false_fails()]
    assert failures == [], "\n".join(failures)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(POWER.MARGIN_MUTANTS))
def test_twice_tolerance_mutant_is_always_caught(name: str, study) -> None:
    assert len(study.mutants[name]) == len(MUTANT_SEEDS)
    passes = [o.describe() for o in study.false_passes(name)]
    assert passes == [], "\n".join(passes)


def test_noisy_drivers_really_add_noise() -> None:
    """The seeded wrapper installs the spec's largest noise before any mdev exists."""
    sys.path.insert(0, str(ROOT / "tests" / "mutants"))
    from mqos_mutants import noisy

    from conformance.mock import MockKernel

    kernel = MockKernel(driver_cls=noisy.Reference_seed3)
    noise = kernel.engine.noise
    assert (noise.overrun_fraction, noise.granular, noise.delay) == (0.1, True, True)
    assert noise.interference_fraction == 0.02 and noise.seed == 3
    uuid = "3e9a0c1d-2b4f-4a6e-8c0d-1e2f3a4b5c6d"
    kernel.create_mdev("mqos0", "mqos-full", uuid)
    kernel.vfs_write(f"/sys/kernel/debug/mqos/{uuid}/load", b"backlog")
    kernel.advance(80_040)
    usage = int(kernel.vfs_read(f"/sys/bus/mdev/devices/{uuid}/qos/usage_us"))
    assert 0.95 * 80_040 < usage < 80_040, "interference should take some time"
