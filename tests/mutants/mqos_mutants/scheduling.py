"""Mutants of the scheduling rules every driver must keep (QOS-SCH-*)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from conformance.mock import QosDriver
from mqos_mutants.support import SharePicker, waiting


class NotWorkConserving(SharePicker):
    """A lone active mdev gets 80% of the device; the rest idles."""

    breaks = "QOS-SCH-001"

    def target_shares(self, parent: Any, active: list[Any]) -> dict[Any, float]:
        shares = super().target_shares(parent, active)
        if len(active) == 1:
            return {ms: 0.8 * share for ms, share in shares.items()}
        return shares


class CrossParentInterference(SharePicker):
    """While another parent is busy, this parent idles 40% of the time."""

    breaks = "QOS-SCH-002"

    def target_shares(self, parent: Any, active: list[Any]) -> dict[Any, float]:
        shares = super().target_shares(parent, active)
        others = [p for p in self.engine.parents.values() if p is not parent]
        if any(ms.active for p in others for ms in p.mdevs):
            return {ms: 0.6 * share for ms, share in shares.items()}
        return shares


class IdlePeersDilute(SharePicker):
    """Idle mdevs keep their weight's share, and the device idles in their place."""

    breaks = "QOS-SCH-003"

    def target_shares(self, parent: Any, active: list[Any]) -> dict[Any, float]:
        ready = [ms for ms in active if ms.state == "waiting"]
        if not ready:
            return {}
        top = max(ms.level for ms in ready)
        everyone = sum(ms.weight for ms in parent.mdevs if ms.level == top)
        return {ms: ms.weight / everyone for ms in ready if ms.level == top}


class AlternateMdevsFavoured(QosDriver):
    """Every second mdev created schedules with twice its weight."""

    breaks = "QOS-SCH-004"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._order: dict[str, int] = {}

    def on_create(self, mdev: Any) -> None:
        self._order[mdev.uuid] = len(self._order)
        self.engine.knobs_changed(mdev)

    def sched_weight(self, mdev: Any) -> int:
        boost = 2 if self._order.get(mdev.uuid, 0) % 2 else 1
        return boost * super().sched_weight(mdev)


class PerTypeDomains(SharePicker):
    """Each mdev type on a parent gets an equal part of the device, split by weight
    within the type (a scheduling domain per type instead of per parent)."""

    breaks = "QOS-SCH-004"

    def target_shares(self, parent: Any, active: list[Any]) -> dict[Any, float]:
        ready = [ms for ms in active if waiting(ms)]
        if not ready:
            return {}
        top = max(ms.level for ms in ready)
        by_type: dict[str, list[Any]] = {}
        for ms in ready:
            if ms.level == top:
                by_type.setdefault(ms.mdev.mtype.type_id, []).append(ms)
        shares = {}
        for members in by_type.values():
            total = sum(ms.weight for ms in members)
            for ms in members:
                shares[ms] = ms.weight / total / len(by_type)
        return shares


class ReservedOldestFirst(QosDriver):
    """States reserved sharing, but the oldest mdev with work always runs."""

    breaks = "QOS-SCH-005"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._order: dict[str, int] = {}

    def qos_offer(self, mtype: Any) -> Any:
        offer = super().qos_offer(mtype)
        return None if offer is None else replace(offer, sharing="reserved")

    def on_create(self, mdev: Any) -> None:
        self._order[mdev.uuid] = len(self._order)

    def pick_next(self, parent: Any) -> Any:
        ready = parent.schedulable()
        return min(ready, key=lambda m: self._order.get(m.mdev.uuid, 0)) if ready else None
