"""Mutants at the bounds of the certifying precision (spec: Measurement method, Precision).

All run with ``--precision certify``. Those that break a bound must be
``non-conformant``; those whose ``expect`` is ``"conform"`` stay just inside it
and must be ``conformant``: the bound is not tighter than the spec says. "Just"
is as close as the mutant's own scheduling allows: a timeslice at either end of
a window (2q/W = 0.005 of a share at W = 400200 µs; one slice is a fifth of the
1:10000 pair's lighter usage, so the far pair sits a factor 2 either side).

At q = 1000 µs a certifying window is W = 400200 µs for these scenarios (δ = 0.01),
and 4.54 s for the 1:10000 pair.
"""

from __future__ import annotations

from typing import Any

from conformance.mock import QosDriver
from mqos_mutants.support import SharePicker

CERTIFY = ("--precision", "certify")
SHARE_CLAIM = 0.02  # (a): a share further than this from its ideal is rejected
CERTIFY_DELTA = 0.01  # δ of a certifying window
RATIO_CLAIM = 1.25  # (b): a ratio more than 25% off a weight ratio up to 1:10 is rejected
QUICK_DELTA, QUICK_IOTA = 0.05, 0.02 * 100_000 / 80_040  # the band of issue 17


def by_weight(shares: dict[Any, float]) -> list[Any]:
    """The members, lightest first (ties in a fixed order)."""
    return sorted(shares, key=lambda ms: (ms.weight, ms.mdev.uuid))


def moved(shares: dict[Any, float], member: Any, share: float,
          absorber: Any | None = None) -> dict[Any, float]:
    """``member`` gets ``share``; the difference comes from ``absorber`` (the heaviest)."""
    changed = dict(shares)
    absorber = absorber or by_weight(shares)[-1]
    changed[absorber] -= share - changed[member]
    changed[member] = share
    return changed


class OldBandEdges(SharePicker):
    """Lightest at the old band's floor, next at its ceiling: 100:200:300 runs 0.092:0.383."""

    breaks = "QOS-WGT-006"
    run_options = CERTIFY

    def target_shares(self, parent: Any, active: list[Any]) -> dict[Any, float]:
        shares = super().target_shares(parent, active)
        if len(shares) < 2:
            return shares
        order = by_weight(shares)
        shares = moved(shares, order[0], shares[order[0]] - QUICK_DELTA - QUICK_IOTA)
        if len(order) > 2:
            shares = moved(shares, order[1], shares[order[1]] + QUICK_DELTA)
        return shares


class WeightFloor20(QosDriver):
    """No weight counts for less than 20: 1:10000 runs as 1:500 (the far claim, (c))."""

    breaks = "QOS-WGT-006"
    run_options = CERTIFY
    floor = 20

    def sched_weight(self, mdev: Any) -> int:
        return max(self.floor, super().sched_weight(mdev))


class WeightFloor5(WeightFloor20):
    """No weight counts for less than 5: 1:10000 runs as 1:2000, inside the far claim."""

    breaks = "QOS-WGT-006"
    expect = "conform"
    floor = 5


class WeightPlus16(QosDriver):
    """Every weight counts 16 more: 100:300 gives A 0.0185 too much, outside δ = 0.01."""

    breaks = "QOS-WGT-006"
    run_options = CERTIFY
    offset = 16

    def sched_weight(self, mdev: Any) -> int:
        return super().sched_weight(mdev) + self.offset


class WeightPlus4(WeightPlus16):
    """Every weight counts 4 more: 100:300 gives A 0.0049 too much, inside δ = 0.01."""

    breaks = "QOS-WGT-006"
    expect = "conform"
    offset = 4


class ShareOverClaim(SharePicker):
    """The lightest mdev of a level gets 0.021 more than its share: outside claim (a)."""

    breaks = "QOS-WGT-006"
    run_options = CERTIFY
    excess = SHARE_CLAIM + 0.001

    def target_shares(self, parent: Any, active: list[Any]) -> dict[Any, float]:
        shares = super().target_shares(parent, active)
        if len(shares) < 2:
            return shares
        lightest = by_weight(shares)[0]
        return moved(shares, lightest, shares[lightest] + self.excess)


class RatioOffByMore(SharePicker):
    """The lightest mdev of a level runs 26% slower than its weight says: outside (b)."""

    breaks = "QOS-WGT-006"
    run_options = CERTIFY
    factor = RATIO_CLAIM + 0.01

    def target_shares(self, parent: Any, active: list[Any]) -> dict[Any, float]:
        shares = super().target_shares(parent, active)
        if len(shares) < 2:
            return shares
        lightest = by_weight(shares)[0]
        return moved(shares, lightest, shares[lightest] / self.factor)


class HeavyShortOfDelivered(SharePicker):
    """A share above 1/2 among three or more gets 0.021 less of the time the device
    delivered, spread over the lighter ones (the device stays busy): outside claim (a)
    for large shares, and inside the band x(1 − ι) − δ that ignored the time delivered.
    """

    breaks = "QOS-WGT-006"
    run_options = CERTIFY
    shortfall = SHARE_CLAIM + 0.001

    def target_shares(self, parent: Any, active: list[Any]) -> dict[Any, float]:
        shares = super().target_shares(parent, active)
        order = by_weight(shares)
        if len(order) < 3 or shares[order[-1]] <= 0.5:
            return shares
        heaviest, lighter = order[-1], order[:-1]
        total = sum(shares[ms] for ms in lighter)
        changed = {ms: shares[ms] + self.shortfall * shares[ms] / total for ms in lighter}
        changed[heaviest] = shares[heaviest] - self.shortfall
        return changed


class HeavyWeightsShortByLittle(QosDriver):
    """Weights above 1000 count 1% less: 100x3:1700 gives the heavy mdev 0.0013 less than
    its share of the time delivered, inside the band of that time (about 0.008 at W).
    """

    breaks = "QOS-WGT-006"
    expect = "conform"
    run_options = CERTIFY

    def sched_weight(self, mdev: Any) -> int:
        weight = super().sched_weight(mdev)
        return weight - weight // 100 if weight > 1000 else weight
