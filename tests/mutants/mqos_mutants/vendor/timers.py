"""Timers: knobs applied at the next tick or periods late, shares re-balanced from
stale demand, idle detected by timeout (GVT-g re-balances every second, CFS
bandwidth control refills every 100 ms)."""

from __future__ import annotations

from typing import Any

from conformance.mock import QosDriver
from mqos_mutants.support import SharePicker, waiting
from mqos_mutants.vendor.base import LateKnob

REBALANCE_US = 1_000_000  # GVT-g re-balances every second (spec/annex-models.rst)
BANDWIDTH_PERIOD_US = 100_000  # CFS bandwidth control's default period
FIRMWARE_PERIOD_US = 20_000
IDLE_TIMEOUT_US = 50_000
FRAME_US = 40_000  # a time-division frame that divides the quick window of q = 1 ms
REBUILD_DELAY_US = 100_000


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


class IdleKeepsSlotUntilRebuild(SharePicker):
    """An mdev that stops submitting keeps its run-list slot until the list is rebuilt,
    100 ms later: its part of the split idles meanwhile (QOS-SCH-003)."""

    breaks = "QOS-SCH-003"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._was_busy: set[str] = set()
        self._idle_since: dict[str, int] = {}

    def target_shares(self, parent: Any, active: list[Any]) -> dict[Any, float]:
        for ms in parent.mdevs:
            uuid = ms.mdev.uuid
            if ms.active:
                self._was_busy.add(uuid)
                self._idle_since.pop(uuid, None)
            elif uuid in self._was_busy:
                self._idle_since.setdefault(uuid, parent.now)
        ready = [ms for ms in active if waiting(ms)]
        if not ready:
            return {}
        top = max(ms.level for ms in ready)
        members = [ms for ms in ready if ms.level == top]
        slotted = [ms for ms in parent.mdevs if not ms.active and ms.level == top
                   and parent.now - self._idle_since.get(ms.mdev.uuid, -REBUILD_DELAY_US)
                   < REBUILD_DELAY_US]
        total = sum(ms.weight for ms in members + slotted)
        return {ms: ms.weight / total for ms in members}


class NewcomerWaitsForRebuild(SharePicker):
    """The run list is rebuilt by a work item 100 ms after an mdev starts submitting:
    until then a newcomer gets only what the listed mdevs leave, nothing while they
    are backlogged (QOS-SCH-004)."""

    breaks = "QOS-SCH-004"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._busy_since: dict[str, int] = {}

    def target_shares(self, parent: Any, active: list[Any]) -> dict[Any, float]:
        for ms in parent.mdevs:
            if ms.active:
                self._busy_since.setdefault(ms.mdev.uuid, parent.now)
            else:
                self._busy_since.pop(ms.mdev.uuid, None)
        listed = [ms for ms in active
                  if parent.now - self._busy_since[ms.mdev.uuid] >= REBUILD_DELAY_US]
        if any(waiting(ms) for ms in listed):
            return super().target_shares(parent, listed)
        return super().target_shares(parent, active)


class IdleWeightCountsUntilTimeout(SharePicker):
    """An mdev counts as idle only 50 ms after its last submission: until then its
    weight stays in its level's total and its part idles (QOS-WGT-007)."""

    breaks = "QOS-WGT-007"

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


class FortyMsFrame(QosDriver):
    """A fixed 40 ms frame (time-division multiplexing, as firmware run lists use),
    restarted whenever the active set or a knob changes, split into one burst per
    active mdev (highest level first; an mdev held at its cap runs whenever its
    budget allows) as long as its share: exact over whole
    frames, but two equal mdevs drift a quarter frame (ten slices) from their fluid
    service, and the quick window (80.04 ms at q = 1 ms) spans two frames and looks
    exact (QOS-SCH-004)."""

    breaks = "QOS-SCH-004"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._plan: dict[str, tuple[Any, ...]] = {}
        self._start: dict[str, int] = {}
        self._frame: dict[str, int] = {}
        self._credit: dict[str, float] = {}  # uuid -> µs of the frame still its own
        self._charged: dict[str, int] = {}

    @staticmethod
    def shares(active: list[Any]) -> dict[Any, float]:
        """Strict levels, weights water-filled under caps (the share formula)."""
        found: dict[Any, float] = {}
        capacity = 1.0
        for level in sorted({ms.level for ms in active}, reverse=True):
            group = [ms for ms in active if ms.level == level]
            while group and capacity > 0:
                total = sum(ms.weight for ms in group)
                over = [ms for ms in group if capacity * ms.weight / total > ms.cap / 100]
                if not over:
                    for ms in group:
                        found[ms] = capacity * ms.weight / total
                    capacity = 0.0
                    break
                for ms in over:
                    found[ms] = ms.cap / 100
                    capacity -= ms.cap / 100
                group = [ms for ms in group if ms not in over]
        return found

    def pick_next(self, parent: Any) -> Any:
        for ms in parent.mdevs:
            uuid = ms.mdev.uuid
            served = ms.acc.usage - self._charged.get(uuid, ms.acc.usage)
            self._charged[uuid] = ms.acc.usage
            self._credit[uuid] = self._credit.get(uuid, 0.0) - served
        active = [ms for ms in parent.mdevs if ms.active]
        if not active:
            return None
        plan = tuple(sorted((ms.mdev.uuid, ms.level, ms.weight, ms.cap) for ms in active))
        changed = self._plan.get(parent.name) != plan
        if changed:
            self._plan[parent.name] = plan
            self._start[parent.name] = parent.now
        frame = (parent.now - self._start[parent.name]) // FRAME_US
        shares = self.shares(active)
        if changed or self._frame.get(parent.name) != frame:
            self._frame[parent.name] = frame
            for ms in parent.mdevs:
                self._credit[ms.mdev.uuid] = shares.get(ms, 0.0) * FRAME_US
        order = sorted(shares, key=lambda ms: (-ms.level, ms.mdev.uuid))
        for ms in order:  # held at its cap: the cap's budget paces it, not the frame
            if shares[ms] >= ms.cap / 100 and ms.cap < 100 and waiting(ms):
                self._credit[ms.mdev.uuid] = float(parent.timeslice)
                return ms
        for ms in order:
            if self._credit[ms.mdev.uuid] >= 1 and waiting(ms):
                return ms
        if any(waiting(ms) for ms in active):  # the frame leaves the device idle
            frame_end = self._start[parent.name] + (frame + 1) * FRAME_US
            parent.gap_end = min(frame_end, parent.now + parent.timeslice)
        return None  # else every active mdev is held by its cap: its refill wakes us

    def slice_length(self, mdev: Any, timeslice: int, pending: float) -> int:
        length = super().slice_length(mdev, timeslice, pending)
        return max(1, min(length, int(self._credit.get(mdev.uuid, length))))

    def cap_bucket_depth(self, mdev: Any, timeslice: int) -> int:
        """A cap is a budget per frame."""
        return max(2 * timeslice, FRAME_US * int(mdev.knobs["cap"]) // 100)

    def on_remove(self, mdev: Any) -> None:
        self._credit.pop(mdev.uuid, None)
        self._charged.pop(mdev.uuid, None)


SHARE_STEPS = 64  # a 6-bit share field per run-list entry
REBALANCE_SHOWN_US = 50_000


class WeightShownFromRebalancedShare(QosDriver):
    """A re-balance timer (every 50 ms) packs a written weight into a 6-bit share of
    its parent's total, and the weight file shows the weight unpacked from that
    field once the timer has run: 200 beside 100 reads 200 after the write, then 196
    (QOS-FMT-006: no write came between the two reads)."""

    breaks = "QOS-FMT-006"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._written_at: dict[str, int] = {}

    def apply_knob(self, mdev: Any, name: str, value: Any) -> None:
        if name == "weight":
            self._written_at[mdev.uuid] = self.engine.now()
        super().apply_knob(mdev, name, value)

    def on_remove(self, mdev: Any) -> None:
        self._written_at.pop(mdev.uuid, None)

    def format_weight(self, mdev: Any, value: int) -> str:
        written = self._written_at.get(mdev.uuid)
        if written is None or (self.engine.now() // REBALANCE_SHOWN_US
                               == written // REBALANCE_SHOWN_US):
            return super().format_weight(mdev, value)  # no tick since the write
        peers = self.engine.state(mdev).parent.mdevs
        total = sum(ms.weight for ms in peers)
        if len(peers) < 2 or total <= 0:
            return super().format_weight(mdev, value)
        packed = value * SHARE_STEPS // total
        return super().format_weight(mdev, max(1, packed * total // SHARE_STEPS))
