"""Random sequences on devices that round or refuse (QOS-FMT-008, QOS-FMT-009)."""

from __future__ import annotations

import pytest

from .conftest import campaign_on_mock

ROUNDING = "conformance.mock.rounding:RoundingDriver"
REFUSING = "conformance.mock.rounding:FirmwareRefusalDriver"


@pytest.mark.parametrize("driver", [ROUNDING, REFUSING])
@pytest.mark.parametrize("seed", range(3))
def test_a_rounding_or_refusing_device_is_no_failure(driver: str, seed: int) -> None:
    result, _ = campaign_on_mock(seed, 2.0, driver=driver, noise=seed)
    assert result.error is None
    assert result.failure is None, result.failure and result.failure.gherkin


def test_a_weight_rounded_away_from_the_nearest_is_found() -> None:
    found = [campaign_on_mock(seed, 2.0, driver="mqos_mutants.refusals:WeightRoundsUp")[0]
             for seed in range(3)]
    failures = [r.failure for r in found if r.failure is not None]
    assert failures, "no seed found a weight rounded up"
    assert {f.violation.requirement for f in failures} == {"QOS-WGT-002"}
    assert any("nearer" in f.violation.message for f in failures)
