"""Window lengths and tolerances of the spec's measurement method (all times in µs).

Symbols: q = timeslice_us (the largest of the mdevs involved); L = 2q permitted lag;
s = snapshot skew (measured; 0 in virtual time); r = 1 µs counter resolution;
ι = 0.02 permitted interference over any window of at least 100q; P = the cap
period (cap_period_us, the largest; 0 when absent or at most q).

    T  = 2L + 2s + 2r + P/2             absolute tolerance of a usage delta
    δ  = T / W                          share tolerance
    W  = ceil(T_est / δ_target)         window, δ_target from the precision
    Δthrottled ≤ (100/cap − 1)(Δusage + T) + T    throttled time follows service

A share x passes when x(1 − ι) − δ ≤ measured ≤ x + δ (interference is lost to
nobody, so it costs each mdev ι of its own share). When the backlogged mdevs of a
parent should keep it busy (their shares add up to 1), the device time it
delivered is measured too, C ≈ Σ usage deltas within E = L + 2s + nr, and a share
must also reach x(C − E)/W − δ (:func:`delivered_share_low`): the interference the
device really had, not the most the spec permits, is what excuses a large share.
A pair of backlogged mdevs whose shares follow their weights passes when the
ratio of their usage deltas, divided by the weight ratio, lies within the band
:func:`ratio_bound` gives.
Two named precisions (:data:`PRECISIONS`) choose the windows; ``certify`` sizes
them so that the claims of spec/measurement.rst ("Precision") hold.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

LAG_SLICES = 2
RESOLUTION_US = 1
INTERFERENCE = 0.02
INTERFERENCE_SPAN_SLICES = 100
DELTA_TARGET = 0.05
SETTLE_SLICES = 2
OVERRUN = 1.1

SHARE_PRECISION = 0.02  # certify: a share further than this from its ideal is rejected
SHARE_PRECISION_UP_TO = 0.5  # ... of W for shares up to 1/2; of the device time delivered
# (measured) for every share (above 1/2 interference may take 0.02x of W)
RATIO_PRECISION = 1.25  # certify: a pair's ratio more than 25% off its weight ratio ...
RATIO_REACH = 10  # ... is rejected for weight ratios up to 1:10
FAR_RATIO_PRECISION = 10.0  # beyond 1:10: a lighter mdev given over 10x its ideal is rejected


@dataclass(frozen=True)
class Tolerance:
    """The tolerances for one measurement, from q and the snapshot skew s."""

    q: int
    skew: int = 0
    resolution: int = RESOLUTION_US
    cap_period: int = 0  # cap_period_us of the mdevs involved (0: none stated)

    def __post_init__(self) -> None:
        if self.q < 1:
            raise ValueError(f"timeslice must be at least 1 µs, not {self.q}")
        if self.skew < 0:
            raise ValueError(f"skew cannot be negative: {self.skew}")
        if self.cap_period < 0:
            raise ValueError(f"cap period cannot be negative: {self.cap_period}")

    @property
    def period(self) -> int:
        """P: the cap period when it is longer than q (within q the lag bound covers it)."""
        return self.cap_period if self.cap_period > self.q else 0

    @property
    def lag(self) -> int:
        """L: how far a conforming driver's service may trail the fluid ideal."""
        return LAG_SLICES * self.q

    @property
    def usage(self) -> int:
        """T: absolute tolerance of one usage delta."""
        return 2 * self.lag + 2 * self.skew + 2 * self.resolution + math.ceil(self.period / 2)

    @property
    def live(self) -> int:
        """T_live: tolerance of a window that starts at a knob write."""
        return self.usage + self.q

    @property
    def settle(self) -> int:
        """S: how long to wait after a load change before a window starts (2q + P)."""
        return SETTLE_SLICES * self.q + self.period

    @property
    def latency(self) -> int:
        """By when a newly active higher-level mdev must have been dispatched: q + λ."""
        return self.q + math.ceil(self.q / 4) + 2 * self.skew

    def window(self, delta_target: float = DELTA_TARGET) -> int:
        """W: the shortest window whose share tolerance is at most ``delta_target``."""
        if not 0 < delta_target < 1:
            raise ValueError(f"share tolerance target must be in (0, 1): {delta_target}")
        return math.ceil(self.usage / delta_target)

    def share(self, window: int) -> float:
        """δ: share tolerance of a window of ``window`` µs."""
        return self.usage / window

    def live_share(self, window: int) -> float:
        """δ_live: share tolerance of a window that starts at a knob write."""
        return self.live / window

    def interference(self, window: int) -> float:
        """ι as a share of ``window``: 2% of the window, or of 100q if that is longer.

        The spec permits losing 2% of any span of at least 100q; a shorter window can
        therefore lose up to 2% of 100q.
        """
        span = max(window, INTERFERENCE_SPAN_SLICES * self.q)
        return INTERFERENCE * span / window

    def conservation(self, window: int, members: int) -> int:
        """Bound on the sum of one parent's usage deltas over a window.

        Charging at a dispatch's end moves the one dispatch running at the window's
        start into it, and a dispatch may overrun q by 10%: 1.1q, not q.
        """
        moved = self.q + -(-self.q // 10)  # ceil(q * OVERRUN), in integers
        return window + moved + 2 * self.skew + members * self.resolution

    def delivered(self, members: int) -> int:
        """E: how far one parent's summed usage deltas may be from the time it delivered.

        The reads of a snapshot miss at most the dispatch in progress (within L), each
        end is skewed by s, and each of the ``members`` counters is rounded by r.
        """
        return self.lag + 2 * self.skew + members * self.resolution

    def throttled(self, cap: int, usage: int, *, live: bool = False) -> int:
        """Most ``throttled_us`` a window may add for a ``usage_us`` delta under ``cap``.

        An mdev is held back only once it has run what its cap allows, so each µs of
        throttled time follows cap/(100 − cap) µs of service: Δthrottled ≤
        (100/cap − 1)(Δusage + T) + T (T_live for a window that starts at a write).
        """
        if not 1 <= cap <= 100:
            raise ValueError(f"a cap is a percentage from 1 to 100, not {cap}")
        tol = self.live if live else self.usage
        return -(-(100 - cap) * (usage + tol) // cap) + tol

    def slices(self, nr_slices_delta: int) -> int:
        """Most usage a number of dispatches can account for (overrun up to 10%) plus T."""
        return math.floor(nr_slices_delta * self.q * OVERRUN) + self.usage


@dataclass(frozen=True)
class ShareBound:
    """The accepted interval of a measured share."""

    expected: float
    low: float
    high: float

    def holds(self, measured: float) -> bool:
        return self.low <= measured <= self.high

    def describe(self) -> str:
        return f"{self.expected:.4f} (accepted {self.low:.4f}..{self.high:.4f})"


def share_bound(expected: float, delta: float, interference: float) -> ShareBound:
    """x(1 − ι) − δ ≤ measured ≤ x + δ: interference only lowers a share, by ι of it."""
    return ShareBound(expected, expected * (1 - interference) - delta, expected + delta)


def delivered_share_low(expected: float, usage: int, delivered: int, delivered_tol: int,
                        window: int) -> float:
    """Least share of W for share x when the parent delivered ``delivered`` µs (Σ usage).

    A conforming driver gives u ≥ xC − T, and the device time delivered is
    C ≥ Σu − E: so u/W ≥ x(Σu − E)/W − T/W, whatever the interference was.
    """
    return (expected * (delivered - delivered_tol) - usage) / window


@dataclass(frozen=True)
class RatioBound:
    """Accepted band of a pair's measured ratio divided by its weight ratio (ideal 1)."""

    low: float
    high: float

    def holds(self, normalized: float) -> bool:
        return self.low <= normalized <= self.high

    def describe(self) -> str:
        high = "inf" if math.isinf(self.high) else f"{self.high:.3f}"
        return f"{self.low:.3f}..{high}"


def _pair_error(usage: int, share: float, window: int, interference: float) -> float:
    """The relative error of one usage delta of share x: e = T / (x(1 − ι)W)."""
    return usage / (share * (1 - interference) * window)


def ratio_bound(share_a: float, share_b: float, usage: int, window: int,
                interference: float) -> RatioBound:
    """The band of (u_a/u_b)/(x_a/x_b) a conforming driver always lands in.

    Each usage delta is u = xC ± T with the delivered capacity C ≥ (1 − ι)W, and C
    is the same for both, so interference cancels out of the ratio:
    (1 − e_a)/(1 + e_b) ≤ (u_a/u_b)/(x_a/x_b) ≤ (1 + e_a)/(1 − e_b).
    """
    if share_a <= 0 or share_b <= 0:
        raise ValueError("a ratio needs two positive shares")
    e_a = _pair_error(usage, share_a, window, interference)
    e_b = _pair_error(usage, share_b, window, interference)
    low = max(0.0, (1 - e_a) / (1 + e_b))
    high = (1 + e_a) / (1 - e_b) if e_b < 1 else math.inf
    return RatioBound(low, high)


@dataclass(frozen=True)
class Precision:
    """A named precision: how long windows are, and so what a run can claim."""

    name: str
    delta_target: float  # δ the share windows are sized for
    sizes_pairs: bool  # windows also sized for the pair claims (certify)
    certifies: bool
    summary: str

    def pair_window(self, tol: Tolerance, light: float, heavy: float, ratio: float) -> int:
        """Shortest W whose ratio band meets the pair claim (0 when not sized for pairs).

        With k = T/((1 − ι)W): up to 1:10 both (1 + k/x_l)/(1 − k/x_s) ≤ R and
        (1 + k/x_s)/(1 − k/x_l) ≤ R, R = 1.25; beyond, only the lighter mdev's
        excess: (1 + k/x_s)/(1 − k/x_l) ≤ F, F = 10.
        """
        if not self.sizes_pairs or light <= 0 or heavy <= 0:
            return 0
        if ratio <= RATIO_REACH:
            r = RATIO_PRECISION
            k = min((r - 1) / (1 / heavy + r / light), (r - 1) / (1 / light + r / heavy))
        else:
            f = FAR_RATIO_PRECISION
            k = (f - 1) / (1 / light + f / heavy)
        return math.ceil(tol.usage / ((1 - INTERFERENCE) * k))

    def window(self, tol: Tolerance,
               pairs: Iterable[tuple[float, float, float]] = ()) -> int:
        """W for one window: the share window, or longer when a pair needs it.

        ``pairs``: (lighter share, heavier share, weight ratio ≥ 1) of each pair of
        backlogged mdevs whose shares follow their weights.
        """
        length = tol.window(self.delta_target)
        if self.sizes_pairs:
            length = max(length, INTERFERENCE_SPAN_SLICES * tol.q)
        for light, heavy, ratio in pairs:
            length = max(length, self.pair_window(tol, light, heavy, ratio))
        return length


QUICK = Precision(
    "quick", DELTA_TARGET, sizes_pairs=False, certifies=False,
    summary="quick precision (δ = 0.05 windows): a check for every commit, "
    "not a certification",
)
CERTIFY = Precision(
    # δ + ιx ≤ 0.02 for every share x ≤ 1/2: δ = 0.02 − 0.02 · 1/2 = 0.01
    "certify", round(SHARE_PRECISION - INTERFERENCE * SHARE_PRECISION_UP_TO, 12),
    sizes_pairs=True, certifies=True,
    summary="certifying precision: shares within 0.02, weight ratios up to 1:10 within 25%",
)
PRECISIONS = {p.name: p for p in (QUICK, CERTIFY)}
DEFAULT_PRECISION = QUICK.name
