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
    assert tol.conservation(80040, 3) == 80040 + 1100 + 3  # W + 1.1q + 2s + n·r
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


def test_throttled_time_follows_service() -> None:
    """QOS-ACC-008: Δthrottled ≤ (100/cap − 1)(Δusage + T) + T."""
    tol = Tolerance(q=1000)
    assert tol.throttled(80, 40_000) == 20 * 44_002 // 80 + 4002 + 1  # rounded up
    assert tol.throttled(50, 0) == 4002 + 4002  # starved: only the tolerance
    assert tol.throttled(100, 80_040) == 4002  # no cap: none beyond the tolerance
    assert tol.throttled(50, 0, live=True) == 2 * 5002
    for bad in (0, 101):
        with pytest.raises(ValueError):
            tol.throttled(bad, 0)


@settings(max_examples=200, deadline=None)
@given(cap=st.integers(1, 100), q=st.integers(100, 100_000), skew=st.integers(0, 1000),
       period=st.sampled_from([0, 10_000, 100_000]), windows=st.integers(20, 200))
def test_throttled_bound_accepts_what_the_held_at_cap_row_accepts(
    cap: int, q: int, skew: int, period: int, windows: int
) -> None:
    """At the cap, the least usage and the most throttled time of a conforming driver
    (QOS-CAP-009's row: cW − T and (1 − c)W + T) meet the bound exactly."""
    tol = Tolerance(q, skew=skew, cap_period=period)
    window = windows * tol.usage
    usage = -(-cap * window // 100) - tol.usage  # an integer no less than cW − T
    assert tol.throttled(cap, usage) >= (1 - cap / 100) * window + tol.usage - 1e-6


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


def test_conservation_admits_the_overrun_dispatch_charged_at_its_end() -> None:
    """A conforming driver at the edge: the dispatch running when the window opens
    started 1.1q - 1 µs before it (the permitted overrun) and is charged whole when
    it ends inside the window, while the engine stays busy to the window's end;
    the other counters are rounded up by r each (the old bound, W + q, failed it)."""
    q, window, members = 1000, 80_040, 3
    tol = Tolerance(q)
    moved = int(q * 1.1) - 1
    charged = window + moved + members * tol.resolution
    assert charged <= tol.conservation(window, members)
    assert charged + 2 > tol.conservation(window, members)  # and not much more
