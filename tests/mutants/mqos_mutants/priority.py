"""Mutants of priority scheduling (QOS-PRI-006..010)."""

from __future__ import annotations

from typing import Any

from conformance.mock import QosDriver
from mqos_mutants.support import DeferredKnob, SharePicker, waiting

PREEMPT_SLICES = 3


class PriorityIgnored(QosDriver):
    """Every level schedules as standard."""

    breaks = "QOS-PRI-006"

    def sched_level(self, mdev: Any) -> int:
        return 1


class PriorityInverted(QosDriver):
    """Lower levels are served first."""

    breaks = "QOS-PRI-006"

    def sched_level(self, mdev: Any) -> int:
        return 2 - super().sched_level(mdev)


class LevelLeftoverIdles(SharePicker):
    """While a higher level has an active mdev, lower levels get nothing, even when
    its cap holds that mdev back: the device idles instead."""

    breaks = "QOS-PRI-007"

    def target_shares(self, parent: Any, active: list[Any]) -> dict[Any, float]:
        top = max(ms.level for ms in active)
        members = [ms for ms in active if ms.level == top and waiting(ms)]
        total = sum(ms.weight for ms in members)
        return {ms: ms.weight / total for ms in members}


class SlowPreemption(QosDriver):
    """A newly active higher level waits three timeslices while a lower one keeps running."""

    breaks = "QOS-PRI-008"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._seen_active: dict[str, int] = {}
        self._last: dict[str, Any] = {}

    def pick_next(self, parent: Any) -> Any:
        for ms in parent.mdevs:
            if ms.active:
                self._seen_active.setdefault(ms.mdev.uuid, parent.now)
            else:
                self._seen_active.pop(ms.mdev.uuid, None)
        choice = super().pick_next(parent)
        last = self._last.get(parent.name)
        if (
            choice is not None
            and last is not None
            and last is not choice
            and waiting(last)
            and last.level < choice.level
            and parent.now - self._seen_active[choice.mdev.uuid] < PREEMPT_SLICES * parent.timeslice
        ):
            choice = last
        self._last[parent.name] = choice
        return choice


class PriorityNotLive(DeferredKnob):
    """A level written while the mdev is busy takes effect only after it idles."""

    breaks = "QOS-PRI-009"
    deferred = "priority"


class StarvedWaitFrozen(QosDriver):
    """wait_us does not grow while a higher level holds the device."""

    breaks = "QOS-PRI-010"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._frozen: dict[str, int] = {}

    def counter_value(self, mdev: Any, name: str, counters: dict[str, int]) -> int:
        value = super().counter_value(mdev, name, counters)
        if name != "wait_us":
            return value
        me = self.engine.state(mdev)
        starved = any(ms.active and ms.level > me.level for ms in me.parent.mdevs)
        if starved:
            return self._frozen.setdefault(mdev.uuid, value)
        self._frozen.pop(mdev.uuid, None)
        return value
