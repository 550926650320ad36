"""Knob combinations: each knob works alone, two together do not."""

from __future__ import annotations

from typing import Any

from conformance.mock import QosDriver
from conformance.mock.topology import LEVELS
from mqos_mutants.support import SharePicker, waiting

STANDARD = LEVELS.index("standard")
LATE_SLICES = 4


class CapIgnoredOffNormal(QosDriver):
    """The bandwidth throttle sits on the standard run list only: a cap on an ``urgent`` or
    ``background`` mdev reads back but is not enforced (QOS-CAP-006)."""

    breaks = "QOS-CAP-006"

    def sched_cap(self, mdev: Any) -> int:
        return super().sched_cap(mdev) if mdev.knobs["priority"] == "standard" else 100


class CapIgnoredWithWeight(QosDriver):
    """The per-VF register holds either a weight or a cap: a weight other than 100
    replaces the cap (QOS-CAP-006)."""

    breaks = "QOS-CAP-006"

    def sched_cap(self, mdev: Any) -> int:
        return super().sched_cap(mdev) if int(mdev.knobs["weight"]) == 100 else 100


class WeightsIgnoredBesideCap(QosDriver):
    """Once a peer of its level is capped, the driver switches that level to plain
    round robin with throttling: what the capped mdev leaves is split equally, not
    by weight (QOS-CAP-007)."""

    breaks = "QOS-CAP-007"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._capped_levels: dict[str, frozenset[int]] = {}

    def capped_levels(self, parent: Any) -> frozenset[int]:
        return frozenset(ms.level for ms in parent.mdevs if ms.active and ms.cap < 100)

    def sched_weight(self, mdev: Any) -> int:
        parent = self.engine.parent(mdev)
        if self.sched_level(mdev) in self._capped_levels.get(parent.name, frozenset()):
            return 100
        return super().sched_weight(mdev)

    def pick_next(self, parent: Any) -> Any:
        levels = self.capped_levels(parent)
        if self._capped_levels.get(parent.name) != levels:
            self._capped_levels[parent.name] = levels
            for ms in list(parent.mdevs):
                parent.refresh_knobs(ms)
        return super().pick_next(parent)


class LevelLostWithWeight(QosDriver):
    """Weight and level share one register field: an mdev whose weight is not the
    default is scheduled at ``standard`` whatever its priority reads (QOS-PRI-006)."""

    breaks = "QOS-PRI-006"

    def sched_level(self, mdev: Any) -> int:
        return super().sched_level(mdev) if int(mdev.knobs["weight"]) == 100 else STANDARD


class PriorityAcrossParents(SharePicker):
    """One firmware scheduler serves both parents' engines: while a higher level is
    backlogged on another parent, this parent's mdevs get half their shares
    (QOS-SCH-002)."""

    breaks = "QOS-SCH-002"

    def target_shares(self, parent: Any, active: list[Any]) -> dict[Any, float]:
        shares = super().target_shares(parent, active)
        if not shares:
            return shares
        top = max(ms.level for ms in shares)
        elsewhere = [ms for p in self.engine.parents.values() if p is not parent
                     for ms in p.mdevs if ms.active]
        if any(ms.level > top for ms in elsewhere):
            return {ms: share / 2 for ms, share in shares.items()}
        return shares


class NormalArrivalNotPreempting(QosDriver):
    """Only an ``urgent`` arrival triggers a reschedule at the slice end: a ``standard`` mdev
    that becomes active while a ``background`` one runs waits four more slices
    (QOS-PRI-008)."""

    breaks = "QOS-PRI-008"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._since: dict[str, int] = {}
        self._last: dict[str, Any] = {}

    def pick_next(self, parent: Any) -> Any:
        for ms in parent.mdevs:
            if ms.active:
                self._since.setdefault(ms.mdev.uuid, parent.now)
            else:
                self._since.pop(ms.mdev.uuid, None)
        choice = super().pick_next(parent)
        last = self._last.get(parent.name)
        if (choice is not None and last is not None and last is not choice
                and waiting(last) and last.level < choice.level == STANDARD
                and parent.now - self._since[choice.mdev.uuid]
                < (LATE_SLICES + 1) * parent.timeslice):
            choice = last
        self._last[parent.name] = choice
        return choice
