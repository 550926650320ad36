"""A counter copy refreshed on a timer is caught whatever its period and phase.

``CountersCopiedEvery10ms`` and its siblings (``mqos_mutants.vendor.counters``)
show counter files copied by a periodic timer. The scenario "A backlogged mdev is
running or waiting over every span of a window" (features/counter_spans.feature)
reads the counters once per timeslice q and checks QOS-ACC-005 over every span
between two reads: the two reads either side of a refresh differ in age by at
least P − q, more than the tolerance T = 4q + 2 µs once P > 5q + 2 µs
(spec/measurement.rst, "Spans of a window"). So the kill must not depend on
where the timer's period starts, nor on how long the run idled before the
scenario: each period below is run with its timer started at several phases.
A copy of period 5q or less is within T and is not claimed (it passes at some
phases); a copy taken at every scheduling decision lags by the dispatch in
progress, which the spec permits, and passes.
"""

from __future__ import annotations

import pytest
from mqos_mutants.vendor.counters import CopiedByTimer, CountersCopiedAtDispatch

import conformance.mock.config as mock_config
from conformance.mock import MockKernel, QosDriver
from conformance.suite.runner import run_scenarios
from conformance.suite.targets import TargetOptions, open_session

Q = 1000  # timeslice_us of the default topology
SCENARIO = "running_or_waiting_over_every_span"
PERIODS_MS = (6, 7, 10, 16, 25, 50, 120)  # from just above 5q to longer than the window
PHASES = (0, 0.29, 0.5, 0.83)  # where the timer's period starts, as a part of the period


def acc_005(monkeypatch: pytest.MonkeyPatch, driver: type[QosDriver], precision: str,
            noise_seed: int | None = None) -> str:
    """The status of the spans scenario (pass or fail) on an embedded mock with ``driver``."""

    class Kernel(MockKernel):
        def __init__(self, *args: object, **kwargs: object) -> None:
            kwargs["driver_cls"] = driver
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(mock_config, "MockKernel", Kernel)  # what MockConfig.build makes
    session = open_session(TargetOptions(profile="scheduling", precision=precision,
                                         mock_noise=noise_seed))
    session.progress = lambda _line: None
    outcome = run_scenarios(session, select=SCENARIO, on_result=lambda _r: None)
    assert not outcome.collection_errors, outcome.collection_errors
    (result,) = outcome.results
    return result.status


def copied(period_ms: int, phase: float) -> type[QosDriver]:
    """A driver whose counter files are copied every ``period_ms``, from ``phase`` of it."""
    period = period_ms * 1000
    return type(f"CopiedEvery{period_ms}ms", (CopiedByTimer,),
                {"period_us": period, "phase_us": int(phase * period)})


@pytest.mark.parametrize("phase", PHASES)
@pytest.mark.parametrize("period_ms", PERIODS_MS)
def test_copy_caught_at_quick_whatever_the_phase(
    monkeypatch: pytest.MonkeyPatch, period_ms: int, phase: float
) -> None:
    assert acc_005(monkeypatch, copied(period_ms, phase), "quick") == "fail"


@pytest.mark.parametrize("phase", (0, 0.5))
@pytest.mark.parametrize("period_ms", (7, 25))
def test_copy_caught_at_certify(
    monkeypatch: pytest.MonkeyPatch, period_ms: int, phase: float
) -> None:
    assert acc_005(monkeypatch, copied(period_ms, phase), "certify") == "fail"


@pytest.mark.parametrize("driver", [QosDriver, CountersCopiedAtDispatch],
                         ids=["reference", "copied at dispatch"])
@pytest.mark.parametrize("noise_seed", [None, 1, 2, 3])
def test_charging_lag_the_spec_permits_passes(
    monkeypatch: pytest.MonkeyPatch, driver: type[QosDriver], noise_seed: int | None
) -> None:
    """Counters charged at each decision lag by the dispatch in progress: within T."""
    assert acc_005(monkeypatch, driver, "quick", noise_seed) == "pass"
