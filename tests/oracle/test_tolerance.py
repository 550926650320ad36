"""Windows and tolerances follow the measurement method's formulas."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conformance.oracle.tolerance import Tolerance, share_bound


def test_virtual_mock_numbers() -> None:
    tol = Tolerance(q=1000)
    assert tol.lag == 2000
    assert tol.usage == 4002  # T = 4q + 2s + 2r
    assert tol.window() == 80040  # W = 20 * (4q + 2)
    assert tol.share(80040) == pytest.approx(0.05)
    assert tol.live == 5002
    assert tol.settle == 2000
    assert tol.latency == 1250  # q + q/4 + 2s
    assert tol.conservation(80040, 3) == 80040 + 1000 + 3
    assert tol.slices(40) == 44000 + 4002


def test_interference_covers_at_least_a_hundred_timeslices() -> None:
    tol = Tolerance(q=1000)
    assert tol.interference(200_000) == pytest.approx(0.02)
    assert tol.interference(80_040) == pytest.approx(2000 / 80_040)


def test_skew_widens_every_tolerance() -> None:
    calm, skewed = Tolerance(1000), Tolerance(1000, skew=50)
    assert skewed.usage == calm.usage + 100
    assert skewed.latency == calm.latency + 100
    assert skewed.window() > calm.window()


def test_a_cap_period_within_one_timeslice_changes_nothing() -> None:
    """Issue 14, finding 8: a cap held within every timeslice is inside the lag bound."""
    assert Tolerance(1000, cap_period=1000) == Tolerance(1000, cap_period=1000)
    for period in (0, 1, 1000):
        tol = Tolerance(1000, cap_period=period)
        assert (tol.period, tol.usage, tol.settle) == (0, 4002, 2000)


def test_a_cap_period_widens_the_tolerance_by_half_a_period() -> None:
    """CFS bandwidth: cpu.max's default 100 ms period over a 2 ms quantum."""
    tol = Tolerance(2000, cap_period=100_000)
    assert tol.period == 100_000
    assert tol.usage == 8002 + 50_000  # T = 4q + 2s + 2r + P/2
    assert tol.window() == 1_160_040  # about twelve periods at δ = 0.05
    assert tol.share(tol.window()) == pytest.approx(0.05)
    assert tol.settle == 4000 + 100_000  # S = 2q + P
    assert Tolerance(2000, cap_period=100_001).usage == 8002 + 50_001  # P/2 rounded up


@pytest.mark.parametrize("bad", [dict(q=0), dict(q=1000, skew=-1),
                                 dict(q=1000, cap_period=-1)])
def test_invalid_inputs(bad: dict) -> None:
    with pytest.raises(ValueError):
        Tolerance(**bad)


@pytest.mark.parametrize("target", [0, 1, -0.1])
def test_invalid_share_target(target: float) -> None:
    with pytest.raises(ValueError):
        Tolerance(1000).window(target)


@settings(deadline=None)  # a busy machine is not a slow function
@given(st.integers(1, 1_000_000), st.integers(0, 10_000), st.floats(0.001, 0.5))
def test_window_meets_its_share_target(q: int, skew: int, target: float) -> None:
    tol = Tolerance(q, skew)
    window = tol.window(target)
    assert tol.share(window) <= target
    assert tol.share(window - 1) > target or window == 1


def test_share_bound_is_one_sided_for_interference() -> None:
    """Interference is lost to nobody: it lowers a share x by at most ιx."""
    bound = share_bound(0.5, 0.05, 0.02)
    assert bound.holds(0.44) and bound.holds(0.55)
    assert not bound.holds(0.439) and not bound.holds(0.551)
    assert "0.5000" in bound.describe()
