"""Building blocks of the vendor catalogue: creation order, knobs applied at a
timer tick or late, and a virtual-runtime picker whose wake-up placement a mutant changes.

Written against the public driver hooks only (``pick_next`` receives the
parent's scheduler; ``parent.refresh_knobs`` re-reads a driver's ``sched_*``).
"""

from __future__ import annotations

from typing import Any

from conformance.mock import QosDriver
from conformance.mock.topology import LEVELS


class CreationOrder(QosDriver):
    """Knows the order in which the mdevs of each parent were created."""

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._created: dict[str, int] = {}
        self._count = 0
        self._members: dict[str, frozenset[str]] = {}

    def on_create(self, mdev: Any) -> None:
        self._count += 1
        self._created[mdev.uuid] = self._count

    def rank(self, mdev: Any) -> int:
        """Position of ``mdev`` among the live mdevs of its parent (0 first)."""
        me = self._created.get(mdev.uuid, self._count + 1)
        peers = self.engine.state(mdev).parent.mdevs
        return sum(1 for ms in peers if self._created.get(ms.mdev.uuid, 0) < me)

    def pick_next(self, parent: Any) -> Any:
        members = frozenset(ms.mdev.uuid for ms in parent.mdevs)
        if self._members.get(parent.name) != members:  # a create or remove: re-slot
            self._members[parent.name] = members
            for ms in list(parent.mdevs):
                parent.refresh_knobs(ms)
        return super().pick_next(parent)


class LateKnob(QosDriver):
    """A write of ``knob`` reads back at once but reaches the scheduler only at
    :meth:`due`: by default the next tick of a per-parent timer of ``period_us``
    (absolute engine time)."""

    knob = "weight"
    period_us = 100_000

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._applied: dict[str, Any] = {}  # uuid -> the value still in force
        self._due: dict[str, int] = {}  # uuid -> when the written value takes over

    def due(self, written_at: int) -> int:
        """When a write made at ``written_at`` reaches the scheduler."""
        return (written_at // self.period_us + 1) * self.period_us

    def apply_knob(self, mdev: Any, name: str, value: Any) -> None:
        if name == self.knob:
            self._applied.setdefault(mdev.uuid, mdev.knobs[name])
            self._due[mdev.uuid] = self.due(self.engine.now())
        super().apply_knob(mdev, name, value)

    def on_remove(self, mdev: Any) -> None:
        self._applied.pop(mdev.uuid, None)
        self._due.pop(mdev.uuid, None)

    def scheduled(self, mdev: Any, name: str) -> Any:
        if name == self.knob:
            return self._applied.get(mdev.uuid, mdev.knobs[name])
        return mdev.knobs[name]

    def sched_cap(self, mdev: Any) -> int:
        return int(self.scheduled(mdev, "cap"))

    def sched_weight(self, mdev: Any) -> int:
        return int(self.scheduled(mdev, "weight"))

    def sched_level(self, mdev: Any) -> int:
        return LEVELS.index(self.scheduled(mdev, "priority"))

    def pick_next(self, parent: Any) -> Any:
        for ms in list(parent.mdevs):
            uuid = ms.mdev.uuid
            if uuid in self._due and parent.now >= self._due[uuid]:
                del self._due[uuid]
                self._applied.pop(uuid, None)
                parent.refresh_knobs(ms)
        return super().pick_next(parent)

    def next_timer_us(self, parent: Any) -> int | None:
        """Wake up when a pending write falls due."""
        due = [self._due[ms.mdev.uuid] for ms in parent.mdevs if ms.mdev.uuid in self._due]
        return max(parent.now + 1, min(due)) if due else None


class VruntimePicker(QosDriver):
    """Strict levels, then the waiting mdev with the least virtual runtime
    (device time over weight), as CFS and credit schedulers do.

    An mdev that becomes active is placed by :meth:`place`: a newcomer at the
    least virtual runtime of the mdevs already active, a returning one at the
    larger of its own and that (no credit carried across an idle period).
    """

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self.vruntime: dict[str, float] = {}
        self._charged: dict[str, int] = {}
        self._active: dict[str, set[str]] = {}
        self.idle_since: dict[str, int] = {}

    def floor(self, parent: Any, ms: Any) -> float | None:
        """Least virtual runtime among the other active mdevs of the parent."""
        others = [self.vruntime[o.mdev.uuid] for o in parent.mdevs
                  if o is not ms and o.active and o.mdev.uuid in self.vruntime]
        return min(others) if others else None

    def place(self, parent: Any, ms: Any, returning: bool) -> float:
        """Virtual runtime of an mdev that just became active."""
        floor = self.floor(parent, ms)
        own = self.vruntime.get(ms.mdev.uuid, 0.0)
        if floor is None:
            return own
        return max(own, floor) if returning else floor

    def _account(self, parent: Any) -> None:
        before = self._active.get(parent.name, set())
        now_active = set()
        for ms in sorted(parent.mdevs, key=lambda m: m.mdev.uuid):
            uuid = ms.mdev.uuid
            served = ms.acc.usage - self._charged.get(uuid, 0)
            self._charged[uuid] = ms.acc.usage
            if uuid in self.vruntime:
                self.vruntime[uuid] += served / max(1, ms.weight)
            if ms.active:
                now_active.add(uuid)
                if uuid not in before:
                    returning = uuid in self.vruntime
                    self.vruntime[uuid] = self.place(parent, ms, returning)
            elif uuid in before:
                self.idle_since[uuid] = parent.now
        self._active[parent.name] = now_active

    def pick_next(self, parent: Any) -> Any:
        self._account(parent)
        ready = parent.schedulable()
        if not ready:
            return None
        top = max(ms.level for ms in ready)
        members = [ms for ms in ready if ms.level == top]
        return min(members, key=lambda ms: (self.vruntime[ms.mdev.uuid], ms.mdev.uuid))
