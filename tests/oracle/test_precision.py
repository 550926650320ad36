"""The two precisions: what their windows let a run claim (spec: Measurement method, Precision)."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conformance.oracle.shares import Member, expected_shares, weighted_pairs
from conformance.oracle.tolerance import (
    CERTIFY,
    INTERFERENCE,
    QUICK,
    RATIO_PRECISION,
    SHARE_PRECISION,
    Tolerance,
    ratio_bound,
    share_bound,
)

qs = st.integers(100, 100_000)
skews = st.integers(0, 2_000)


def pair_inputs(members: list[Member]) -> list[tuple[float, float, float]]:
    return [(float(p.light_share), float(p.heavy_share), float(p.ratio))
            for p in weighted_pairs(members)]


def test_quick_keeps_todays_window() -> None:
    assert QUICK.window(Tolerance(1000)) == 80_040
    assert not QUICK.certifies and CERTIFY.certifies


def test_certify_window_at_one_millisecond() -> None:
    assert CERTIFY.delta_target == 0.01  # 0.02 − ι · 1/2
    assert CERTIFY.window(Tolerance(1000)) == 400_200


@settings(deadline=None)  # a busy machine is not a slow function
@given(qs, skews, st.floats(0.001, 1.0))
def test_certify_rejects_every_share_further_than_the_precision(q: int, skew: int,
                                                                 x: float) -> None:
    """(a) above: always; below: for shares up to 1/2 (beyond, ιx is the device's)."""
    tol = Tolerance(q, skew)
    window = CERTIFY.window(tol)
    bound = share_bound(x, tol.share(window), tol.interference(window))
    assert bound.high - x <= SHARE_PRECISION + 1e-12
    if x <= 0.5:
        assert x - bound.low <= SHARE_PRECISION + 1e-12
    else:
        assert x - bound.low <= SHARE_PRECISION / 2 + INTERFERENCE * x + 1e-12


weights = st.lists(st.integers(1, 10_000), min_size=2, max_size=5)


@settings(deadline=None)  # a busy machine is not a slow function
@given(qs, skews, weights)
def test_certify_window_fits_every_near_pair_in_25_percent(q: int, skew: int,
                                                           ws: list[int]) -> None:
    """(b): every pair up to 1:10 whose shares follow the weights, both ways round."""
    members = [Member(f"M{i}", weight=w) for i, w in enumerate(ws)]
    tol = Tolerance(q, skew)
    window = CERTIFY.window(tol, pair_inputs(members))
    for pair in weighted_pairs(members):
        if pair.ratio > 10:
            continue
        band = ratio_bound(float(pair.heavy_share), float(pair.light_share), tol.usage, window,
                           tol.interference(window))
        assert band.low >= 1 / RATIO_PRECISION - 1e-9 and band.high <= RATIO_PRECISION + 1e-9
        flipped = ratio_bound(float(pair.light_share), float(pair.heavy_share), tol.usage,
                              window, tol.interference(window))
        assert flipped.low >= 1 / RATIO_PRECISION - 1e-9
        assert flipped.high <= RATIO_PRECISION + 1e-9


@settings(deadline=None)  # a busy machine is not a slow function
@given(st.floats(0.01, 0.99), st.floats(0.0, 1.0), st.floats(-1, 1), st.floats(-1, 1),
       st.integers(10_000, 10_000_000))
def test_ratio_band_holds_every_conforming_outcome(x_a: float, loss: float, err_a: float,
                                                   err_b: float, window: int) -> None:
    """u = xC ± T with C in [(1 − ι)W, W] always lands in the band (no false fail)."""
    x_b = 1 - x_a
    tol = Tolerance(1000)
    iota = tol.interference(window)
    delivered = window * (1 - iota * loss)
    u_a = max(0.0, x_a * delivered + err_a * tol.usage)  # a counter never goes back
    u_b = max(0.0, x_b * delivered + err_b * tol.usage)
    band = ratio_bound(x_a, x_b, tol.usage, window, iota)
    if u_b > 0:
        assert band.low - 1e-9 <= (u_a / u_b) / (x_a / x_b) <= band.high + 1e-9


def test_the_four_to_one_driver_is_rejected() -> None:
    """Issue 17: A 0.092 and B 0.383 for weights 100:200:300 passed at δ = 0.05."""
    members = [Member("A", 100), Member("B", 200), Member("C", 300)]
    tol = Tolerance(1000)
    for precision in (QUICK, CERTIFY):
        window = precision.window(tol, pair_inputs(members))
        band = ratio_bound(1 / 3, 1 / 6, tol.usage, window, tol.interference(window))
        assert not band.holds((0.383 / 0.092) / 2)


def test_one_to_five_hundred_is_told_from_one_to_ten_thousand() -> None:
    members = [Member("A", 1), Member("B", 10_000)]
    tol = Tolerance(1000)
    window = CERTIFY.window(tol, pair_inputs(members))
    shares = expected_shares(members)
    bound = share_bound(float(shares["A"]), tol.share(window), tol.interference(window))
    assert not bound.holds(1 / 501)
    band = ratio_bound(float(shares["B"]), float(shares["A"]), tol.usage, window,
                       tol.interference(window))
    assert not band.holds(500 / 10_000)
    assert window == pytest.approx(4_542_407, abs=1)  # 4.5 s at q = 1 ms


def test_weighted_pairs_leave_out_capped_and_other_levels() -> None:
    members = [Member("A", 100), Member("B", 200), Member("C", 300, cap=20),
               Member("D", 100, level="background")]
    pairs = weighted_pairs(members)
    assert [(p.light.name, p.heavy.name, p.ratio) for p in pairs] == [("A", "B", Fraction(2))]


def test_a_large_share_is_held_to_its_part_of_the_time_delivered() -> None:
    """x = 4/5 served 0.021 short on a busy device: the band of W let it pass."""
    from conformance.oracle.tolerance import (
        CERTIFY,
        Tolerance,
        delivered_share_low,
        share_bound,
    )

    tol = Tolerance(1000)
    window = CERTIFY.window(tol)
    x, measured = 0.8, 0.8 - 0.021
    old = share_bound(x, tol.share(window), tol.interference(window))
    assert old.holds(measured)  # 0.0214 below was inside the band of W
    low = delivered_share_low(x, tol.usage, window, tol.delivered(5), window)
    assert measured < low  # the device delivered all of W: more than 0.02 short fails
    assert x - low < 0.02


@pytest.mark.parametrize("lost", [0.0, 0.01, 0.02])
@pytest.mark.parametrize("x", [0.55, 0.8, 0.95, 1.0])
def test_the_time_delivered_never_fails_a_conforming_driver(x: float, lost: float) -> None:
    """Worst case of a conforming driver: its usage T short, the sum E short of C."""
    from conformance.oracle.tolerance import CERTIFY, Tolerance, delivered_share_low

    tol = Tolerance(1000, skew=300)
    window = CERTIFY.window(tol)
    capacity = (1 - lost) * window
    usage = x * capacity - tol.usage
    summed = capacity + tol.delivered(5)  # the most the sum can read above C
    assert usage / window >= delivered_share_low(x, tol.usage, summed, tol.delivered(5),
                                                 window) - 1e-12
    # and a measured share more than 0.02 below x of the time delivered (as measured,
    # Σu) is always rejected at a certifying window, whatever the device lost
    for summed in (capacity - tol.delivered(5), capacity, capacity + tol.delivered(5)):
        low = delivered_share_low(x, tol.usage, summed, tol.delivered(5), window)
        assert x * summed / window - low <= 0.02
