"""Building blocks the mutants share: a share-driven picker, deferred knobs, race sensing.

They are written against the public driver hooks (``pick_next`` receives the
parent's scheduler; ``gap_end`` is how a driver leaves the device idle for a while).
"""

from __future__ import annotations

import threading
import time
from typing import Any

from conformance.mock import QosDriver
from conformance.mock.topology import LEVELS

IDLE = "(idle)"


def waiting(ms: Any) -> bool:
    """The mdev may be dispatched now (active and not held back by its cap)."""
    return ms.state == "waiting"


class SharePicker(QosDriver):
    """Stride scheduling towards the long-run shares :meth:`target_shares` returns.

    Whatever the targets leave unassigned is device time nobody gets (the picker
    idles the device for one timeslice). With ``reserve_throttled`` a throttled
    mdev keeps its turn and the device idles in its place instead of serving others.
    Caps are still enforced by the engine's token bucket.
    """

    reserve_throttled = False

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._pass: dict[tuple[str, str], float] = {}
        self._vtime: dict[str, float] = {}
        self._last: dict[str, set[str]] = {}

    def target_shares(self, parent: Any, active: list[Any]) -> dict[Any, float]:
        """Strict priority among the schedulable, weight within the top level."""
        ready = [ms for ms in active if waiting(ms)]
        if not ready:
            return {}
        top = max(ms.level for ms in ready)
        members = [ms for ms in ready if ms.level == top]
        total = sum(ms.weight for ms in members)
        return {ms: ms.weight / total for ms in members}

    def pick_next(self, parent: Any) -> Any:
        active = [ms for ms in parent.mdevs if ms.active]
        if not active:
            return None
        targets = self.target_shares(parent, active)
        entities: dict[str, tuple[float, Any]] = {}
        for ms, share in targets.items():
            eligible = waiting(ms) or (self.reserve_throttled and ms.state == "throttled")
            if share > 1e-9 and eligible:
                entities[ms.mdev.uuid] = (share, ms)
        unassigned = 1.0 - sum(targets.values())
        if entities and unassigned > 1e-9:
            entities[IDLE] = (unassigned, None)
        if not entities:
            return self._idle(parent) if any(waiting(ms) for ms in active) else None
        return self._stride(parent, entities)

    def _stride(self, parent: Any, entities: dict[str, tuple[float, Any]]) -> Any:
        name = parent.name
        vtime = self._vtime.get(name, 0.0)
        before = self._last.get(name, set())
        for key in entities:
            if key not in before:
                self._pass[(name, key)] = vtime
        key = min(entities, key=lambda k: (self._pass[(name, k)], k))
        share, ms = entities[key]
        self._vtime[name] = self._pass[(name, key)]
        self._pass[(name, key)] += parent.timeslice / share
        self._last[name] = set(entities)
        if ms is None or not waiting(ms):
            return self._idle(parent)
        return ms

    @staticmethod
    def _idle(parent: Any) -> None:
        """Leave the device idle for one timeslice, then decide again."""
        parent.gap_end = parent.now + parent.timeslice
        return None


class DeferredKnob(QosDriver):
    """A knob written while its mdev is busy reads back at once but steers the
    scheduler only after the mdev has gone idle (not applied live)."""

    deferred = "cap"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._pinned: dict[str, Any] = {}

    def apply_knob(self, mdev: Any, name: str, value: Any) -> None:
        if name == self.deferred and self.engine.state(mdev).active:
            self._pinned.setdefault(mdev.uuid, mdev.knobs[name])
            mdev.knobs[name] = value
            return
        self._pinned.pop(mdev.uuid, None)
        super().apply_knob(mdev, name, value)

    def effective(self, mdev: Any, name: str) -> Any:
        if name == self.deferred and mdev.uuid in self._pinned:
            return self._pinned[mdev.uuid]
        return mdev.knobs[name]

    def sched_cap(self, mdev: Any) -> int:
        return int(self.effective(mdev, "cap"))

    def sched_weight(self, mdev: Any) -> int:
        return int(self.effective(mdev, "weight"))

    def sched_level(self, mdev: Any) -> int:
        return LEVELS.index(self.effective(mdev, "priority"))

    def pick_next(self, parent: Any) -> Any:
        for ms in list(parent.mdevs):
            if not ms.active and self._pinned.pop(ms.mdev.uuid, None) is not None:
                parent.refresh_knobs(ms)
        return super().pick_next(parent)


class RaceSensor:
    """Tells whether other threads touched the same thing within ``span_s``.

    Python threads switch about every 5 ms (``sys.getswitchinterval``), so a race
    in the in-process mock spans milliseconds where a kernel's spans microseconds.
    """

    def __init__(self, span_s: float = 0.05) -> None:
        self.span_s = span_s
        self._touches: dict[Any, dict[int, tuple[float, Any]]] = {}

    def touch(self, key: Any, value: Any = None) -> list[Any]:
        """Record this thread's touch of ``key`` (with a value); return the values
        other threads left within the span, most recent first (empty: no race)."""
        me, now = threading.get_ident(), time.monotonic()
        others = self.others(key)
        self._touches.setdefault(key, {})[me] = (now, value)
        return others

    def others(self, key: Any) -> list[Any]:
        """Values other threads left on ``key`` within the span, most recent first."""
        me, now = threading.get_ident(), time.monotonic()
        recent = [
            (when, value)
            for thread, (when, value) in self._touches.get(key, {}).items()
            if thread != me and now - when < self.span_s
        ]
        return [value for _, value in sorted(recent, key=lambda item: -item[0])]
