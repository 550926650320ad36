"""Mutants of cap (QOS-CAP-006..009)."""

from __future__ import annotations

from typing import Any

from conformance.mock import QosDriver
from mqos_mutants.support import DeferredKnob, SharePicker

EXCESS_POINTS = 10  # twice the default share tolerance of 5 points


class CapExceeded(QosDriver):
    """A capped mdev runs at its cap plus 10 points (twice the share tolerance)."""

    breaks = "QOS-CAP-006"

    def sched_cap(self, mdev: Any) -> int:
        cap = super().sched_cap(mdev)
        return cap if cap >= 100 else min(100, cap + EXCESS_POINTS)


class CapWorkConserving(QosDriver):
    """A capped mdev runs past its cap whenever the device would otherwise idle."""

    breaks = "QOS-CAP-006"

    def cap_blocks_when_idle(self, mdev: Any) -> bool:
        return False


class CapExcessIdles(SharePicker):
    """What a capped mdev cannot use is left idle instead of going to its peers."""

    breaks = "QOS-CAP-007"
    reserve_throttled = True

    def target_shares(self, parent: Any, active: list[Any]) -> dict[Any, float]:
        top = max(ms.level for ms in active)
        members = [ms for ms in active if ms.level == top]
        total = sum(ms.weight for ms in members)
        return {ms: ms.weight / total for ms in members}


class FixedCapNotEnforced(QosDriver):
    """A cap the type fixes reads 50 but the scheduler ignores it."""

    breaks = "QOS-CAP-006"
    run_options = ("--type", "mqos-fixed")

    def sched_cap(self, mdev: Any) -> int:
        return 100 if self.is_fixed(mdev, "cap") else super().sched_cap(mdev)


class CapNotLive(DeferredKnob):
    """A cap written while the mdev is busy takes effect only after it idles."""

    breaks = "QOS-CAP-008"
    deferred = "cap"


class ThrottledNeverCounted(QosDriver):
    """throttled_us stays 0 although the cap holds the mdev back."""

    breaks = "QOS-CAP-009"

    def counter_value(self, mdev: Any, name: str, counters: dict[str, int]) -> int:
        return 0 if name == "throttled_us" else super().counter_value(mdev, name, counters)
