"""Mutants that miss a share bound by exactly twice its tolerance.

With the default window (W = 80040 µs for q = 1000 µs) the share tolerance is
δ = 0.05 and the permitted interference ι = 0.02 · 100q / W = 0.025. Each mutant
here is off by twice the margin the suite allows, so the noisy-seed test can show
that the largest permitted noise never hides it. (CapExceeded in ``cap`` is the
cap bound's twin: cap + 2δ.)
"""

from __future__ import annotations

from typing import Any

from mqos_mutants.support import SharePicker, waiting

DELTA = 0.05
IOTA = 0.02 * 100_000 / 80_040


class LoneShareShort(SharePicker):
    """A lone backlogged mdev gets 1 − 2(δ + ι) of the device."""

    breaks = "QOS-SCH-001"

    def target_shares(self, parent: Any, active: list[Any]) -> dict[Any, float]:
        shares = super().target_shares(parent, active)
        if len(active) == 1:
            return {ms: share * (1 - 2 * (DELTA + IOTA)) for ms, share in shares.items()}
        return shares


class WeightsFlattened(SharePicker):
    """Weighted shares are pulled towards equal until the farthest is 2δ off."""

    breaks = "QOS-WGT-006"

    def target_shares(self, parent: Any, active: list[Any]) -> dict[Any, float]:
        shares = super().target_shares(parent, active)
        if len(shares) < 2:
            return shares
        equal = 1 / len(shares)
        spread = max(abs(equal - share) for share in shares.values())
        if spread < 2 * DELTA:
            return shares
        return {ms: share + 2 * DELTA * (equal - share) / spread for ms, share in shares.items()}


class PriorityLeak(SharePicker):
    """While a higher level is backlogged, the next level down still gets 2δ."""

    breaks = "QOS-PRI-006"

    def target_shares(self, parent: Any, active: list[Any]) -> dict[Any, float]:
        ready = [ms for ms in active if waiting(ms)]
        levels = sorted({ms.level for ms in ready}, reverse=True)
        if len(levels) < 2:
            return super().target_shares(parent, active)
        shares: dict[Any, float] = {}
        for level, portion in ((levels[0], 1 - 2 * DELTA), (levels[1], 2 * DELTA)):
            members = [ms for ms in ready if ms.level == level]
            total = sum(ms.weight for ms in members)
            shares.update({ms: portion * ms.weight / total for ms in members})
        return shares
