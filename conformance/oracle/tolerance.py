"""Window lengths and tolerances of the spec's measurement method (all times in µs).

Symbols: q = timeslice_us (the largest of the mdevs involved); L = 2q permitted lag;
s = snapshot skew (measured; 0 in virtual time); r = 1 µs counter resolution;
ι = 0.02 permitted interference over any window of at least 100q.

    T  = 2L + 2s + 2r = 4q + 2s + 2     absolute tolerance of a usage delta
    δ  = T / W                          share tolerance
    W  = ceil(T_est / δ_target)         window, δ_target = 0.05 by default

A share check passes when expected − δ − ι ≤ measured ≤ expected + δ.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

LAG_SLICES = 2
RESOLUTION_US = 1
INTERFERENCE = 0.02
INTERFERENCE_SPAN_SLICES = 100
DELTA_TARGET = 0.05
SETTLE_SLICES = 2
OVERRUN = 1.1


@dataclass(frozen=True)
class Tolerance:
    """The tolerances for one measurement, from q and the snapshot skew s."""

    q: int
    skew: int = 0
    resolution: int = RESOLUTION_US

    def __post_init__(self) -> None:
        if self.q < 1:
            raise ValueError(f"timeslice must be at least 1 µs, not {self.q}")
        if self.skew < 0:
            raise ValueError(f"skew cannot be negative: {self.skew}")

    @property
    def lag(self) -> int:
        """L: how far a conforming driver's service may trail the fluid ideal."""
        return LAG_SLICES * self.q

    @property
    def usage(self) -> int:
        """T: absolute tolerance of one usage delta."""
        return 2 * self.lag + 2 * self.skew + 2 * self.resolution

    @property
    def live(self) -> int:
        """T_live: tolerance of a window that starts at a knob write."""
        return self.usage + self.q

    @property
    def settle(self) -> int:
        """S: how long to wait after a load change before a window starts."""
        return SETTLE_SLICES * self.q

    @property
    def latency(self) -> int:
        """q + λ: by when a newly active higher-level mdev must have been dispatched."""
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
        """Bound on the sum of one parent's usage deltas over a window."""
        return window + self.q + 2 * self.skew + members * self.resolution

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
    """expected − δ − ι ≤ measured ≤ expected + δ (interference only lowers a share)."""
    return ShareBound(expected, expected - delta - interference, expected + delta)
