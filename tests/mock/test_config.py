"""MockConfig: one way to configure the mock; the driver and the noise compose."""

from __future__ import annotations

import warnings

import pytest
from mockbench import Bench
from sample_drivers import EqualWeights

from conformance.mock import MockConfig, QosDriver


def _largest_noise(kernel) -> tuple[float, bool, bool, float, int]:
    noise = kernel.engine.noise
    return (noise.overrun_fraction, noise.granular, noise.delay,
            noise.interference_fraction, noise.seed)


def test_the_default_is_the_reference_without_noise() -> None:
    kernel = MockConfig().build()
    assert type(kernel.driver) is QosDriver and not kernel.engine.noise.enabled
    assert MockConfig().describe() == ""


def test_a_vendor_driver_runs_with_the_noise() -> None:
    config = MockConfig(driver="sample_drivers:EqualWeights", noise_seed=3)
    kernel = config.build()
    assert isinstance(kernel.driver, EqualWeights)
    assert _largest_noise(kernel) == (0.1, True, True, 0.02, 3)
    assert config.describe() == "driver sample_drivers:EqualWeights, permitted noise, seed 3"
    bench = Bench(kernel)
    a, b = bench.create(), bench.create()
    bench.write(a, "weight", "300")
    bench.load(a, "backlog")
    bench.load(b, "backlog")
    shares = bench.shares([a, b])
    # the driver's behaviour (equal shares, whatever the weight) under the noise
    assert abs(shares[0] - shares[1]) < 0.1
    assert sum(shares) < 1.0, "interference should take some time"


def test_the_noise_seed_wins_over_the_deprecated_noisy_driver() -> None:
    config = MockConfig(driver="conformance.mock.noise:NoisyQosDriver", noise_seed=7)
    with pytest.warns(DeprecationWarning, match="--mock-noise"):
        kernel = config.build()
    assert kernel.engine.noise.seed == 7


def test_the_deprecated_noisy_driver_still_adds_its_noise() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        kernel = MockConfig(driver="conformance.mock.noise:NoisyQosDriver").build()
    assert _largest_noise(kernel) == (0.1, True, True, 0.02, 1)
