"""A counter copy refreshed on a timer is caught whatever its period and phase.

``CountersCopiedEvery10ms`` and its siblings (``mqos_mutants.vendor.counters``)
show counter files copied by a periodic timer; ``SlicesCopiedEvery10ms`` only
nr_slices. The scenarios of features/counter_spans.feature read the counters once
per timeslice q and check QOS-ACC-005 (usage plus wait of two backlogged mdevs)
and QOS-ACC-006 (usage against nr_slices of a lone one) over every span between
two reads: the two reads either side of a refresh differ in age by at least
P − q, more than the tolerance T = 4q + 2 µs once P > 5q + 2 µs
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

USAGE_PLUS_WAIT = "running_or_waiting_over_every_span"  # QOS-ACC-005
SLICES = "timeslice_over_every_span"  # QOS-ACC-006
COPIED = {USAGE_PLUS_WAIT: CopiedByTimer.copied, SLICES: ("nr_slices",)}
PERIODS_MS = (6, 7, 10, 16, 25, 50, 120)  # from just above 5q to longer than the window
PHASES = (0, 0.29, 0.5, 0.83)  # where the timer's period starts, as a part of the period


def status(monkeypatch: pytest.MonkeyPatch, driver: type[QosDriver], precision: str,
           noise_seed: int | None = None, scenario: str = USAGE_PLUS_WAIT) -> str:
    """The status of one scenario (pass, fail...) on an embedded mock with ``driver``."""

    class Kernel(MockKernel):
        def __init__(self, *args: object, **kwargs: object) -> None:
            kwargs["driver_cls"] = driver
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(mock_config, "MockKernel", Kernel)  # what MockConfig.build makes
    session = open_session(TargetOptions(profile="scheduling", precision=precision,
                                         mock_noise=noise_seed))
    session.progress = lambda _line: None
    outcome = run_scenarios(session, select=scenario, on_result=lambda _r: None)
    assert not outcome.collection_errors, outcome.collection_errors
    (result,) = outcome.results
    return result.status


def copied(period_ms: int, phase: float, counters: tuple[str, ...] = CopiedByTimer.copied
           ) -> type[QosDriver]:
    """A driver whose ``counters`` are copied every ``period_ms``, from ``phase`` of it."""
    period = period_ms * 1000
    return type(f"CopiedEvery{period_ms}ms", (CopiedByTimer,),
                {"period_us": period, "phase_us": int(phase * period), "copied": counters})


# every period at every phase at quick; two periods at two phases at certify
CAUGHT = [("quick", period, phase) for period in PERIODS_MS for phase in PHASES] + [
    ("certify", period, phase) for period in (7, 25) for phase in (0, 0.5)]


@pytest.mark.parametrize("scenario", sorted(COPIED))
@pytest.mark.parametrize(("precision", "period_ms", "phase"), CAUGHT)
def test_copy_caught_whatever_the_phase(
    monkeypatch: pytest.MonkeyPatch, precision: str, period_ms: int, phase: float,
    scenario: str,
) -> None:
    driver = copied(period_ms, phase, COPIED[scenario])
    assert status(monkeypatch, driver, precision, scenario=scenario) == "fail"


@pytest.mark.parametrize("scenario", sorted(COPIED))
@pytest.mark.parametrize("driver", [QosDriver, CountersCopiedAtDispatch],
                         ids=["reference", "copied at dispatch"])
@pytest.mark.parametrize("noise_seed", [None, 1, 2, 3])
def test_charging_lag_the_spec_permits_passes(
    monkeypatch: pytest.MonkeyPatch, driver: type[QosDriver], noise_seed: int | None,
    scenario: str,
) -> None:
    """Counters charged at each decision lag by the dispatch in progress: within T."""
    assert status(monkeypatch, driver, "quick", noise_seed, scenario=scenario) == "pass"
