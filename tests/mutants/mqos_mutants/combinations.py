"""Knob combinations: each knob right alone, wrong beside another."""

from __future__ import annotations

from typing import Any

from conformance.mock import QosDriver

HELD = 1_000_000  # the scheduling weight of an mdev held at its cap


class WeightIgnoredWithCap(QosDriver):
    """The per-VF register holds a weight or a cap: a cap below 100, even one that
    does not bind, makes the mdev's weight 100 (QOS-CAP-007, water-filling)."""

    breaks = "QOS-CAP-007"

    def sched_weight(self, mdev: Any) -> int:
        return 100 if int(mdev.knobs["cap"]) < 100 else super().sched_weight(mdev)


class ExcessSplitEqually(QosDriver):
    """What a capped mdev cannot use is split equally among the others of its level,
    not by their weights (QOS-CAP-007): each gets its weighted share of the whole
    level plus an equal part of the excess."""

    breaks = "QOS-CAP-007"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._weights: dict[str, int] = {}

    def _targets(self, parent: Any) -> dict[str, int]:
        active = [ms for ms in parent.mdevs if ms.active]
        if not active:
            return {}
        top = max(ms.level for ms in active)
        level = [ms.mdev for ms in active if ms.level == top]
        total = sum(int(m.knobs["weight"]) for m in level)
        fair = {m.uuid: int(m.knobs["weight"]) / total for m in level}
        held = [m for m in level if fair[m.uuid] > int(m.knobs["cap"]) / 100]
        free = [m for m in level if m not in held]
        if not held or not free:
            return {}
        excess = sum(fair[m.uuid] - int(m.knobs["cap"]) / 100 for m in held)
        targets = {m.uuid: HELD for m in held}  # heavy enough to stay at their caps
        targets.update({m.uuid: max(1, round(10000 * (fair[m.uuid] + excess / len(free))))
                        for m in free})
        return targets

    def sched_weight(self, mdev: Any) -> int:
        return self._weights.get(mdev.uuid, super().sched_weight(mdev))

    def pick_next(self, parent: Any) -> Any:
        targets = self._targets(parent)
        mine = {ms.mdev.uuid for ms in parent.mdevs}
        current = {u: w for u, w in self._weights.items() if u in mine}
        if current != targets:
            for uuid in mine:
                self._weights.pop(uuid, None)
            self._weights.update(targets)
            for ms in list(parent.mdevs):
                parent.refresh_knobs(ms)
        return super().pick_next(parent)


class SliceScalesWithWeight(QosDriver):
    """A dispatch lasts one timeslice per 100 of weight, as in schedulers whose quantum
    grows with the share: an mdev of weight 300 runs 3 timeslices per dispatch
    (QOS-ACC-006)."""

    breaks = "QOS-ACC-006"

    def slice_length(self, mdev: Any, timeslice: int, pending: float) -> int:
        length = super().slice_length(mdev, timeslice, pending)
        turns = max(1, int(mdev.knobs["weight"]) // 100)
        if pending == float("inf"):
            return timeslice * turns
        return max(length, min(timeslice * turns, int(pending)))
