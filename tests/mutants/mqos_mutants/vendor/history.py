"""History: what an mdev that ran, went idle, joined late or came back is owed.
Credit and virtual-runtime schedulers (CFS, Xen credit2, GIM) get this wrong in
well-known ways."""

from __future__ import annotations

from typing import Any

from conformance.mock import QosDriver
from conformance.mock.topology import LEVELS
from mqos_mutants.support import waiting
from mqos_mutants.vendor.base import VruntimePicker

BANK_US = 50_000  # the most unused cap budget the driver keeps for an idle mdev
DECAY_AFTER_US = 100_000
STARVED_US = 50_000
BOOST_SLICES = 5


class NewcomerStartsAtZero(VruntimePicker):
    """An mdev that becomes active for the first time starts at virtual runtime 0, so
    after the others ran for a while it has the device to itself until it catches up
    (QOS-SCH-004)."""

    breaks = "QOS-SCH-004"

    def place(self, parent: Any, ms: Any, returning: bool) -> float:
        if not returning:
            return 0.0
        return super().place(parent, ms, returning)


class ReturnKeepsOldCredit(VruntimePicker):
    """An mdev that comes back after idling keeps the virtual runtime it left with, so
    it runs alone until it has made up for the time it was away (QOS-SCH-004)."""

    breaks = "QOS-SCH-004"

    def place(self, parent: Any, ms: Any, returning: bool) -> float:
        if returning:
            return self.vruntime[ms.mdev.uuid]
        return super().place(parent, ms, returning)


class IdleChargedAsService(VruntimePicker):
    """The driver charges wall time since an mdev last went idle as if it had run, so
    one that comes back is starved until the others catch up (QOS-SCH-004)."""

    breaks = "QOS-SCH-004"

    def place(self, parent: Any, ms: Any, returning: bool) -> float:
        placed = super().place(parent, ms, returning)
        if not returning:
            return placed
        away = parent.now - self.idle_since.get(ms.mdev.uuid, parent.now)
        return placed + away / max(1, ms.weight)


class CapBudgetBankedWhileIdle(QosDriver):
    """A capped mdev's unused budget keeps filling while it is idle (up to 50 ms), so
    it runs past its cap when it comes back (QOS-CAP-006)."""

    breaks = "QOS-CAP-006"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._idle_since: dict[str, int] = {}
        self._ran: set[str] = set()

    def cap_bucket_depth(self, mdev: Any, timeslice: int) -> int:
        return BANK_US

    def pick_next(self, parent: Any) -> Any:
        for ms in parent.mdevs:
            uuid = ms.mdev.uuid
            if not ms.active:
                if uuid in self._ran:
                    self._idle_since.setdefault(uuid, parent.now)
                continue
            since = self._idle_since.pop(uuid, None)
            if since is not None and ms.capped:
                ms.settle_tokens(parent.now)
                ms.tokens = min(ms.depth, ms.tokens + (parent.now - since) * ms.cap / 100)
                if ms.state == "throttled" and ms.tokens > 0:
                    parent.refresh_knobs(ms)
            if ms.acc.usage > 0:
                self._ran.add(uuid)
        return super().pick_next(parent)


class HighDecaysAfterLongRun(QosDriver):
    """An mdev at ``urgent`` that stays busy for more than 100 ms is scheduled as
    ``standard`` until it idles (an anti-hog decay), so its standard peers share the
    device with it (QOS-PRI-006)."""

    breaks = "QOS-PRI-006"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._busy_since: dict[str, int] = {}
        self._decayed: set[str] = set()

    def sched_level(self, mdev: Any) -> int:
        level = super().sched_level(mdev)
        if mdev.uuid in self._decayed:
            return min(level, LEVELS.index("standard"))
        return level

    def pick_next(self, parent: Any) -> Any:
        for ms in list(parent.mdevs):
            uuid = ms.mdev.uuid
            if not ms.active:
                self._busy_since.pop(uuid, None)
                if uuid in self._decayed:
                    self._decayed.discard(uuid)
                    parent.refresh_knobs(ms)
                continue
            since = self._busy_since.setdefault(uuid, parent.now)
            if uuid not in self._decayed and parent.now - since > DECAY_AFTER_US:
                self._decayed.add(uuid)
                parent.refresh_knobs(ms)
        return super().pick_next(parent)


class StarvationBoost(QosDriver):
    """A backlogged mdev that has not run for 50 ms is boosted for five slices ahead of
    every level (an anti-starvation boost), so strict priority leaks about 9 %
    (QOS-PRI-006)."""

    breaks = "QOS-PRI-006"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._last_run: dict[str, int] = {}
        self._boost: dict[str, int] = {}

    def pick_next(self, parent: Any) -> Any:
        ready = [ms for ms in parent.mdevs if waiting(ms)]
        for ms in parent.mdevs:
            if not ms.active:
                self._last_run.pop(ms.mdev.uuid, None)
                self._boost.pop(ms.mdev.uuid, None)
        for ms in sorted(ready, key=lambda m: m.mdev.uuid):
            uuid = ms.mdev.uuid
            last = self._last_run.setdefault(uuid, parent.now)
            if parent.now - last >= STARVED_US:
                self._boost.setdefault(uuid, BOOST_SLICES)
            if self._boost.get(uuid, 0) > 0:
                self._boost[uuid] -= 1
                if not self._boost[uuid]:
                    del self._boost[uuid]
                self._last_run[uuid] = parent.now
                return ms
        choice = super().pick_next(parent)
        if choice is not None:
            self._last_run[choice.mdev.uuid] = parent.now
        return choice
