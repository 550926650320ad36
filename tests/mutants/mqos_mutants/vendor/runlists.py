"""Run lists as hardware and firmware keep them: a fixed number of slots, knobs in
narrow fields, bursts of slices per entry."""

from __future__ import annotations

from typing import Any

from conformance.mock import QosDriver
from mqos_mutants.support import waiting
from mqos_mutants.vendor.base import CreationOrder

SLOTS = 4
BURST_SLICES = 10  # per entry of the run list, at weight 100


class RunListOfFour(CreationOrder):
    """The run list has four slots per parent: the fourth and every later mdev share the
    last slot, each with its weight divided by their number (QOS-SCH-004)."""

    breaks = "QOS-SCH-004"

    def sched_weight(self, mdev: Any) -> int:
        weight = super().sched_weight(mdev)
        sharing = len(self.engine.state(mdev).parent.mdevs) - (SLOTS - 1)
        if sharing <= 1 or self.rank(mdev) < SLOTS - 1:
            return weight
        return max(1, weight // sharing)


class CapTableOfFour(CreationOrder):
    """Caps live in a four-entry table per parent: from the fifth mdev on, a cap reads
    back but is not enforced (QOS-CAP-006)."""

    breaks = "QOS-CAP-006"

    def sched_cap(self, mdev: Any) -> int:
        return super().sched_cap(mdev) if self.rank(mdev) < SLOTS else 100


class WeightInEightBits(QosDriver):
    """The weight is stored in a u8 field of the run-list entry: 300 schedules as 44
    (QOS-WGT-006)."""

    breaks = "QOS-WGT-006"

    def sched_weight(self, mdev: Any) -> int:
        return (super().sched_weight(mdev) & 0xFF) or 1


class BurstRunList(QosDriver):
    """Each entry of the run list runs a burst of ten slices (times weight/100) before
    the next entry: the lag reaches five slices and a 10 ms window sees 100:0 where
    50:50 is due; a window that spans whole rounds looks exact (QOS-SCH-004)."""

    breaks = "QOS-SCH-004"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._current: dict[str, Any] = {}
        self._left: dict[str, int] = {}

    def pick_next(self, parent: Any) -> Any:
        ready = [ms for ms in parent.mdevs if waiting(ms)]
        if not ready:
            return None
        top = max(ms.level for ms in ready)
        entries = sorted((ms for ms in ready if ms.level == top), key=lambda m: m.mdev.uuid)
        current = self._current.get(parent.name)
        if current in entries and self._left.get(parent.name, 0) > 0:
            self._left[parent.name] -= 1
            return current
        later = [ms for ms in entries if current is not None
                 and ms.mdev.uuid > current.mdev.uuid]
        chosen = (later or entries)[0]
        self._current[parent.name] = chosen
        self._left[parent.name] = max(1, BURST_SLICES * chosen.weight // 100) - 1
        return chosen


class ConsecutiveTurnsMerged(QosDriver):
    """When the scheduler picks the mdev that ran last, the driver saves a context
    switch and lets it run two timeslices in one dispatch (QOS-ACC-006)."""

    breaks = "QOS-ACC-006"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._last: dict[str, Any] = {}
        self._merge: set[str] = set()

    def pick_next(self, parent: Any) -> Any:
        choice = super().pick_next(parent)
        if choice is not None:
            if self._last.get(parent.name) is choice:
                self._merge.add(choice.mdev.uuid)
            else:
                self._merge.discard(choice.mdev.uuid)
            self._last[parent.name] = choice
        return choice

    def slice_length(self, mdev: Any, timeslice: int, pending: float) -> int:
        length = super().slice_length(mdev, timeslice, pending)
        if mdev.uuid not in self._merge or pending <= timeslice:
            return length
        return 2 * timeslice if pending == float("inf") else min(2 * timeslice, int(pending))
