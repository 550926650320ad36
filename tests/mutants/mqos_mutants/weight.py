"""Mutants of weight (QOS-WGT-006..009)."""

from __future__ import annotations

import math
from typing import Any

from conformance.mock import QosDriver
from mqos_mutants.support import DeferredKnob, SharePicker


class WeightIgnored(QosDriver):
    """Every mdev schedules with weight 100, whatever it reads."""

    breaks = "QOS-WGT-006"

    def sched_weight(self, mdev: Any) -> int:
        return 100


class WeightCompressed(QosDriver):
    """Schedules with 10·sqrt(weight): 1:3 becomes about 1:1.7, twice the tolerance off."""

    breaks = "QOS-WGT-006"

    def sched_weight(self, mdev: Any) -> int:
        return max(1, round(10 * math.sqrt(super().sched_weight(mdev))))


class IdleWeightCounts(SharePicker):
    """Idle peers' weights count; what they leave is split equally, not by weight."""

    breaks = "QOS-WGT-007"

    def target_shares(self, parent: Any, active: list[Any]) -> dict[Any, float]:
        ready = [ms for ms in active if ms.state == "waiting"]
        if not ready:
            return {}
        top = max(ms.level for ms in ready)
        members = [ms for ms in ready if ms.level == top]
        everyone = sum(ms.weight for ms in parent.mdevs if ms.level == top)
        left = 1.0 - sum(ms.weight for ms in members) / everyone
        return {ms: ms.weight / everyone + left / len(members) for ms in members}


class WeightNotLive(DeferredKnob):
    """A weight written while the mdev is busy takes effect only after it idles."""

    breaks = "QOS-WGT-008"
    deferred = "weight"


class WeightsAcrossParents(SharePicker):
    """Weights are normalised over the busy mdevs of every parent, not per parent."""

    breaks = "QOS-WGT-009"

    def target_shares(self, parent: Any, active: list[Any]) -> dict[Any, float]:
        shares = super().target_shares(parent, active)
        busy = [ms for p in self.engine.parents.values() for ms in p.mdevs if ms.active]
        parents = {ms.parent.name for ms in busy}
        total = sum(ms.weight for ms in busy)
        if len(parents) < 2 or not total:
            return shares
        scaled = {ms: min(1.0, ms.weight * len(parents) / total) for ms in shares}
        left = sum(scaled.values())
        return scaled if left <= 1.0 else {ms: s / left for ms, s in scaled.items()}
