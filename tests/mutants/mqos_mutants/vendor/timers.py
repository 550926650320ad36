"""Timers: knobs applied at the next tick or periods late, shares re-balanced from
stale demand, idle detected by timeout (GVT-g re-balances every second, CFS
bandwidth control refills every 100 ms)."""

from __future__ import annotations

from typing import Any

from mqos_mutants.support import SharePicker, waiting
from mqos_mutants.vendor import GAP_HISTORY
from mqos_mutants.vendor.base import LateKnob

REBALANCE_US = 1_000_000  # GVT-g re-balances every second (spec/annex-models.rst)
BANDWIDTH_PERIOD_US = 100_000  # CFS bandwidth control's default period
FIRMWARE_PERIOD_US = 20_000
IDLE_TIMEOUT_US = 50_000


class WeightAtRebalanceTick(LateKnob):
    """A weight write reaches the scheduler at the next 1 s re-balance tick, not at
    the next decision (QOS-WGT-008: the window that starts at the write follows it)."""

    breaks = "QOS-WGT-008"
    knob = "weight"
    period_us = REBALANCE_US


class CapAtNextPeriod(LateKnob):
    """A cap write is programmed into the bandwidth budget at the next 100 ms period
    (QOS-CAP-008)."""

    breaks = "QOS-CAP-008"
    knob = "cap"
    period_us = BANDWIDTH_PERIOD_US


class PriorityThreePeriodsLate(LateKnob):
    """A priority write is queued to the firmware behind the run list in flight and the
    next two: the new level applies three 20 ms periods after the write
    (QOS-PRI-009)."""

    breaks = "QOS-PRI-009"
    knob = "priority"

    def due(self, written_at: int) -> int:
        return written_at + 3 * FIRMWARE_PERIOD_US


class _Snapshot(SharePicker):
    """Remembers, at every re-balance tick, which mdevs were busy."""

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self.busy_at_tick: dict[str, set[str]] = {}
        self._tick: dict[str, int] = {}

    def pick_next(self, parent: Any) -> Any:
        tick = parent.now // REBALANCE_US
        if self._tick.get(parent.name) != tick:
            self._tick[parent.name] = tick
            self.busy_at_tick[parent.name] = {ms.mdev.uuid for ms in parent.mdevs if ms.active}
        return super().pick_next(parent)


class IdleKeepsShareUntilTick(_Snapshot):
    """An mdev that was busy at the last 1 s tick keeps its part of the split until
    the next tick although it went idle; the device idles in its place (QOS-SCH-003)."""

    breaks = "QOS-SCH-003"
    known_gap = GAP_HISTORY

    def target_shares(self, parent: Any, active: list[Any]) -> dict[Any, float]:
        ready = [ms for ms in active if waiting(ms)]
        if not ready:
            return {}
        top = max(ms.level for ms in ready)
        members = [ms for ms in ready if ms.level == top]
        recorded = self.busy_at_tick.get(parent.name, set())
        stale = [ms for ms in parent.mdevs
                 if not ms.active and ms.level == top and ms.mdev.uuid in recorded]
        total = sum(ms.weight for ms in members + stale)
        return {ms: ms.weight / total for ms in members}


class NewcomerWaitsForTick(_Snapshot):
    """An mdev that becomes busy between two 1 s ticks gets only what the mdevs
    recorded at the last tick leave, nothing while they are backlogged (QOS-SCH-004)."""

    breaks = "QOS-SCH-004"
    known_gap = GAP_HISTORY

    def target_shares(self, parent: Any, active: list[Any]) -> dict[Any, float]:
        recorded = self.busy_at_tick.get(parent.name, set())
        known = [ms for ms in active if ms.mdev.uuid in recorded]
        if any(waiting(ms) for ms in known):
            return super().target_shares(parent, known)
        return super().target_shares(parent, active)


class IdleWeightCountsUntilTimeout(SharePicker):
    """An mdev counts as idle only 50 ms after its last submission: until then its
    weight stays in its level's total and its part idles (QOS-WGT-007)."""

    breaks = "QOS-WGT-007"
    known_gap = GAP_HISTORY

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._last_busy: dict[str, int] = {}

    def target_shares(self, parent: Any, active: list[Any]) -> dict[Any, float]:
        for ms in parent.mdevs:
            if ms.active:
                self._last_busy[ms.mdev.uuid] = parent.now
        ready = [ms for ms in active if waiting(ms)]
        if not ready:
            return {}
        top = max(ms.level for ms in ready)
        members = [ms for ms in ready if ms.level == top]
        lingering = [
            ms for ms in parent.mdevs
            if not ms.active and ms.level == top
            and ms.mdev.uuid in self._last_busy
            and parent.now - self._last_busy[ms.mdev.uuid] < IDLE_TIMEOUT_US
        ]
        total = sum(ms.weight for ms in members + lingering)
        return {ms: ms.weight / total for ms in members}
