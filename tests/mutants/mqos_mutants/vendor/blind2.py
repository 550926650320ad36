"""A second blind catalogue (issue 12, third round): written from spec/, the mock's
public driver API and the scheduler models only, before reading features/, the steps
or the random sequences.

Each is a plausible mistake of a real scheduler's design: GVT-g's accounting of
the context that stays switched in and its per-second allocation banked by idle
vGPUs, jiffies-based charging, idleness noticed by a watchdog, a doorbell polled
by a timer, a wake-up boost, a priority arbiter that lends only to the adjacent
band, run lists split by type, a device-wide weight total, statistics kept in
recycled slots, in the run-queue entry of a level or in an 8-bit register, a
throttle count kept as "elapsed minus run", fractions fixed at admission, a
stale run-list index after compaction, a budget reprogrammed only at dispatch.
"""

from __future__ import annotations

from typing import Any

from conformance.mock import QosDriver
from mqos_mutants.support import SharePicker, waiting
from mqos_mutants.vendor.blind import IdleShare

JIFFY_US = 10_000  # HZ=100
WATCHDOG_US = 20_000
BOOST_US = 4_000
POLL_US = 4_000
STAGE_US = 100_000  # GVT_TS_BALANCE_PERIOD_MS
STAGES = 10  # GVT_TS_BALANCE_STAGE_NUM: a reset once a second
SLOTS = 8  # the type's instance limit: one context slot each


def had_work(ms: Any) -> bool:
    """The mdev has run or waited at some time (not a fresh, never-busy one)."""
    return bool(ms.acc.usage or ms.acc.wait)


def ns_in_u32(us: int) -> int:
    """A µs count kept as nanoseconds in a u32, read back in µs."""
    return (us * 1000 % 2**32) // 1000


# -- counters charged while idle ---------------------------------------------------
class ChargedUntilSwitchedOut(QosDriver):
    """usage_us is charged as wall time since the context was switched in, until
    another mdev's context is switched in (GVT-g's vgpu_update_timeslice): an mdev
    that goes idle alone on its parent keeps accumulating usage_us."""

    breaks = "QOS-ACC-003"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._current: dict[str, str] = {}  # parent -> the context switched in
        self._idle_at: dict[str, int] = {}
        self._extra: dict[str, int] = {}

    def _close(self, uuid: str, end: int) -> None:
        start = self._idle_at.pop(uuid, None)
        if start is not None:
            self._extra[uuid] = self._extra.get(uuid, 0) + max(0, end - start)

    def _note(self, ms: Any) -> None:
        uuid = ms.mdev.uuid
        if ms.active:
            self._close(uuid, ms.since)
        elif self._current.get(ms.parent.name) == uuid and had_work(ms):
            self._idle_at.setdefault(uuid, ms.since)

    def pick_next(self, parent: Any) -> Any:
        for ms in list(parent.mdevs):
            self._note(ms)
        chosen = super().pick_next(parent)
        if chosen is not None:
            current = self._current.get(parent.name)
            if current is not None and current != chosen.mdev.uuid:
                self._close(current, parent.now)
            self._current[parent.name] = chosen.mdev.uuid
        return chosen

    def counter_value(self, mdev: Any, name: str, counters: dict[str, int]) -> int:
        if name != "usage_us":
            return counters[name]
        ms = self.engine.state(mdev)
        self._note(ms)
        start = self._idle_at.get(mdev.uuid)
        running_idle = 0 if start is None else max(0, self.engine.now() - start)
        return counters[name] + self._extra.get(mdev.uuid, 0) + running_idle

    def on_remove(self, mdev: Any) -> None:
        self._idle_at.pop(mdev.uuid, None)
        self._extra.pop(mdev.uuid, None)


class IdleByWatchdogChargesWait(QosDriver):
    """The pending flag is cleared by a 20 ms watchdog, not when the last job ends:
    wait_us keeps growing for 20 ms after an mdev's work has run out."""

    breaks = "QOS-ACC-003"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._idle_at: dict[str, int] = {}
        self._extra: dict[str, int] = {}

    def _note(self, ms: Any) -> None:
        uuid = ms.mdev.uuid
        if ms.active:
            start = self._idle_at.pop(uuid, None)
            if start is not None:
                self._extra[uuid] = self._extra.get(uuid, 0) + min(WATCHDOG_US,
                                                                   max(0, ms.since - start))
        elif had_work(ms):
            self._idle_at.setdefault(uuid, ms.since)

    def pick_next(self, parent: Any) -> Any:
        for ms in list(parent.mdevs):
            self._note(ms)
        return super().pick_next(parent)

    def counter_value(self, mdev: Any, name: str, counters: dict[str, int]) -> int:
        if name != "wait_us":
            return counters[name]
        ms = self.engine.state(mdev)
        self._note(ms)
        start = self._idle_at.get(mdev.uuid)
        open_part = 0 if start is None else min(WATCHDOG_US, max(0, self.engine.now() - start))
        return counters[name] + self._extra.get(mdev.uuid, 0) + open_part

    def on_remove(self, mdev: Any) -> None:
        self._idle_at.pop(mdev.uuid, None)
        self._extra.pop(mdev.uuid, None)


class ThrottledFromElapsedWhileCapped(QosDriver):
    """throttled_us is kept as "time since the cap was set minus the time run since",
    whether or not the mdev had work: a capped mdev that idles accumulates it."""

    breaks = "QOS-ACC-003"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._since: dict[str, tuple[int, int]] = {}  # uuid -> (capped at, usage then)
        self._frozen: dict[str, int] = {}

    def _usage(self, mdev: Any) -> int:
        return int(self.engine.state(mdev).counters_at(self.engine.now())["usage_us"])

    def _open(self, mdev: Any) -> int:
        if mdev.uuid not in self._since:
            return 0
        at, usage = self._since[mdev.uuid]
        return max(0, (self.engine.now() - at) - (self._usage(mdev) - usage))

    def on_create(self, mdev: Any) -> None:
        if int(mdev.knobs["cap"]) < 100:
            self._since[mdev.uuid] = (self.engine.now(), 0)

    def apply_knob(self, mdev: Any, name: str, value: Any) -> None:
        if name == "cap":
            capped = int(value) < 100
            if capped and mdev.uuid not in self._since:
                self._since[mdev.uuid] = (self.engine.now(), self._usage(mdev))
            elif not capped and mdev.uuid in self._since:
                self._frozen[mdev.uuid] = self._frozen.get(mdev.uuid, 0) + self._open(mdev)
                del self._since[mdev.uuid]
        super().apply_knob(mdev, name, value)

    def counter_value(self, mdev: Any, name: str, counters: dict[str, int]) -> int:
        if name != "throttled_us":
            return counters[name]
        return self._frozen.get(mdev.uuid, 0) + self._open(mdev)

    def on_remove(self, mdev: Any) -> None:
        self._since.pop(mdev.uuid, None)
        self._frozen.pop(mdev.uuid, None)


# -- counters kept in the wrong place ------------------------------------------------
class UsageInJiffies(QosDriver):
    """A dispatch is charged in jiffies (HZ=100): jiffies_to_usecs(end - start), so a
    1 ms dispatch costs 0 or 10 ms by where the tick falls; right in the long run,
    a window's delta is off by up to a jiffy at each end (three busy: 3:3:2 ticks)."""

    breaks = "QOS-SCH-004"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._last: dict[str, tuple[Any, int, int]] = {}  # parent -> (ms, start, usage)
        self._charged: dict[str, int] = {}

    @staticmethod
    def ticks(start: int, end: int) -> int:
        return (end // JIFFY_US - start // JIFFY_US) * JIFFY_US

    def _settle(self, parent_name: str) -> None:
        last = self._last.get(parent_name)
        if last is None or last[0].state == "running":
            return
        ms, start, usage = self._last.pop(parent_name)
        end = start + (ms.acc.usage - usage)
        uuid = ms.mdev.uuid
        self._charged[uuid] = self._charged.get(uuid, 0) + self.ticks(start, end)

    def pick_next(self, parent: Any) -> Any:
        self._settle(parent.name)
        chosen = super().pick_next(parent)
        if chosen is not None:
            self._last[parent.name] = (chosen, parent.now, chosen.acc.usage)
        return chosen

    def counter_value(self, mdev: Any, name: str, counters: dict[str, int]) -> int:
        if name != "usage_us":
            return counters[name]
        ms = self.engine.state(mdev)
        self._settle(ms.parent.name)
        total = self._charged.get(mdev.uuid, 0)
        last = self._last.get(ms.parent.name)
        if last is not None and last[0] is ms:
            total += self.ticks(last[1], self.engine.now())
        return total


class StatsSlotNotClearedOnReuse(QosDriver):
    """Statistics live in a per-parent array of context slots (one per instance);
    a new mdev takes the lowest free slot and its statistics are cleared only on the
    slot's first use, so it starts with the counters of the mdev removed from it."""

    breaks = "QOS-ACC-001"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._slot: dict[str, tuple[str, int]] = {}  # uuid -> (parent, slot)
        self._left: dict[tuple[str, int], dict[str, int]] = {}  # what a slot holds
        self._base: dict[str, dict[str, int]] = {}

    def on_create(self, mdev: Any) -> None:
        parent = mdev.parent.name
        used = {slot for p, slot in self._slot.values() if p == parent}
        slot = min(s for s in range(SLOTS * 4) if s not in used)
        self._slot[mdev.uuid] = (parent, slot)
        self._base[mdev.uuid] = dict(self._left.get((parent, slot), {}))

    def on_remove(self, mdev: Any) -> None:
        where = self._slot.pop(mdev.uuid, None)
        base = self._base.pop(mdev.uuid, {})
        if where is not None:
            now = self.engine.state(mdev).counters_at(self.engine.now())
            self._left[where] = {k: v + base.get(k, 0) for k, v in now.items()}

    def counter_value(self, mdev: Any, name: str, counters: dict[str, int]) -> int:
        return counters[name] + self._base.get(mdev.uuid, {}).get(name, 0)


class StatsResetOnLevelMove(QosDriver):
    """wait_us and nr_slices live in the mdev's entry of its level's run queue; a
    priority write moves it to a fresh entry of the new level, counting from 0."""

    breaks = "QOS-ACC-002"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._base: dict[str, dict[str, int]] = {}

    def apply_knob(self, mdev: Any, name: str, value: Any) -> None:
        if name == "priority" and value != mdev.knobs["priority"]:
            now = self.engine.counters(mdev)
            self._base[mdev.uuid] = {k: now[k] for k in ("wait_us", "nr_slices")}
        super().apply_knob(mdev, name, value)

    def counter_value(self, mdev: Any, name: str, counters: dict[str, int]) -> int:
        base = self._base.get(mdev.uuid, {}).get(name, 0)
        return max(0, counters[name] - base)

    def on_remove(self, mdev: Any) -> None:
        self._base.pop(mdev.uuid, None)


class WaitExcludesThrottled(QosDriver):
    """wait_us counts only time spent waiting for other mdevs (the vendor's reading
    of "wait"): time held back by the cap goes to throttled_us alone."""

    breaks = "QOS-ACC-005"

    def counter_value(self, mdev: Any, name: str, counters: dict[str, int]) -> int:
        if name == "wait_us":
            return max(0, counters["wait_us"] - counters["throttled_us"])
        return counters[name]


class SlicesFoldedFromEightBitRegister(QosDriver):
    """The dispatch count is an 8-bit field of the context status page, folded into
    the 64-bit nr_slices on each sysfs read: more than 255 dispatches between two
    reads lose multiples of 256."""

    breaks = "QOS-ACC-006"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._seen: dict[str, tuple[int, int]] = {}  # uuid -> (register, total)

    def counter_value(self, mdev: Any, name: str, counters: dict[str, int]) -> int:
        if name != "nr_slices":
            return counters[name]
        register = counters[name] % 256
        last, total = self._seen.get(mdev.uuid, (0, 0))
        total += (register - last) % 256
        self._seen[mdev.uuid] = (register, total)
        return total

    def on_remove(self, mdev: Any) -> None:
        self._seen.pop(mdev.uuid, None)


class ThrottledNsIn32Bits(QosDriver):
    """throttled_us is kept in nanoseconds in a u32 and wraps after 4.29 s of
    throttled time (a capped mdev alone at cap 10 reaches it in under 5 s)."""

    breaks = "QOS-ACC-002"

    def counter_value(self, mdev: Any, name: str, counters: dict[str, int]) -> int:
        if name == "throttled_us":
            return ns_in_u32(counters[name])
        return counters[name]


# -- priority ---------------------------------------------------------------------------
class WakeupBoost(QosDriver):
    """An mdev that becomes active after idling is boosted above every level for its
    first 4 ms of service (an interactivity boost): a short job of a lower level runs
    whole ahead of a backlogged higher level, every time it wakes."""

    breaks = "QOS-PRI-006"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._awake: set[str] = set()
        self._boost: dict[str, int] = {}

    def pick_next(self, parent: Any) -> Any:
        for ms in list(parent.mdevs):
            uuid = ms.mdev.uuid
            if not ms.active:
                self._awake.discard(uuid)
                self._boost.pop(uuid, None)
            elif uuid not in self._awake:
                self._awake.add(uuid)
                self._boost[uuid] = BOOST_US
        boosted = [ms for ms in parent.schedulable() if self._boost.get(ms.mdev.uuid, 0) > 0]
        if boosted:
            chosen = max(boosted, key=lambda ms: self._boost[ms.mdev.uuid])
            self._boost[chosen.mdev.uuid] -= parent.timeslice
            return chosen
        return super().pick_next(parent)

    def on_remove(self, mdev: Any) -> None:
        self._awake.discard(mdev.uuid)
        self._boost.pop(mdev.uuid, None)


class LeftoverStopsOneLevelDown(QosDriver):
    """The arbiter lends what a held-back level leaves only to the band just below
    it: with the top level capped, a level two below gets nothing and the device idles."""

    breaks = "QOS-PRI-007"

    def pick_next(self, parent: Any) -> Any:
        chosen = super().pick_next(parent)
        if chosen is None:
            return None
        top = max(ms.level for ms in parent.mdevs if ms.active)
        if chosen.level < top - 1:
            parent.gap_end = parent.now + parent.timeslice
            return None
        return chosen


class DoorbellPolledEvery4ms(QosDriver):
    """The driver learns that an mdev has work by polling its doorbell page on a
    4 ms timer: a newly active mdev waits for the next poll, however high its level."""

    breaks = "QOS-PRI-008"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._known: dict[str, set[str]] = {}
        self._next_poll: dict[str, int] = {}

    def pick_next(self, parent: Any) -> Any:
        if parent.now >= self._next_poll.get(parent.name, 0):
            self._known[parent.name] = {ms.mdev.uuid for ms in parent.mdevs if ms.active}
            self._next_poll[parent.name] = (parent.now // POLL_US + 1) * POLL_US
        known = self._known.get(parent.name, set())
        chosen = super().pick_next(parent)
        if chosen is None or chosen.mdev.uuid in known:
            return chosen
        ready = [ms for ms in parent.schedulable() if ms.mdev.uuid in known]
        if not ready:
            return None
        top = max(ms.level for ms in ready)
        return min((ms for ms in ready if ms.level == top), key=lambda ms: ms.acc.usage)

    def next_timer_us(self, parent: Any) -> int | None:
        if any(ms.active for ms in parent.mdevs):
            return self._next_poll.get(parent.name)
        return None


class CapLeftoverToLevelBelow(SharePicker):
    """A throttled mdev keeps its turn in its level's rotation and the arbiter hands
    that turn to the band below, not to its own peers: a capped mdev's unused share
    goes down a level while its backlogged peers get only their weighted turns."""

    breaks = "QOS-CAP-007"
    reserve_throttled = True

    def target_shares(self, parent: Any, active: list[Any]) -> dict[Any, float]:
        present = [ms for ms in active if ms.state in ("waiting", "throttled")]
        if not present:
            return {}
        top = max(ms.level for ms in present)
        members = [ms for ms in present if ms.level == top]
        total = sum(ms.weight for ms in members)
        return {ms: ms.weight / total for ms in members}

    def _idle(self, parent: Any) -> Any:  # type: ignore[override]
        present = [ms for ms in parent.mdevs if ms.state in ("waiting", "throttled")]
        top = max((ms.level for ms in present), default=0)
        lower = [ms for ms in parent.schedulable() if ms.level < top]
        if lower:
            return max(lower, key=lambda ms: (ms.level, -ms.acc.usage))
        return SharePicker._idle(parent)


# -- weights and shares ------------------------------------------------------------------
class RunListPerType(SharePicker):
    """One run list per mdev type: the engine alternates between the types that have
    work, then serves each type's list by weight, so two mdevs of one type beside one
    of another get a quarter each instead of a third."""

    breaks = "QOS-WGT-006"

    def target_shares(self, parent: Any, active: list[Any]) -> dict[Any, float]:
        ready = [ms for ms in active if waiting(ms)]
        if not ready:
            return {}
        top = max(ms.level for ms in ready)
        members = [ms for ms in ready if ms.level == top]
        types: dict[str, list[Any]] = {}
        for ms in members:
            types.setdefault(ms.mdev.mtype.spec.name, []).append(ms)
        shares = {}
        for group in types.values():
            total = sum(ms.weight for ms in group)
            for ms in group:
                shares[ms] = ms.weight / total / len(types)
        return shares


class GlobalWeightTotalOnWrite(IdleShare):
    """A weight write recomputes the budgets from a device-wide weight total (every
    active mdev of every parent of the driver): the part the other parents' weights
    take idles on this one until its active set changes."""

    breaks = "QOS-WGT-009"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._global: set[str] = set()
        self._seen: dict[str, frozenset[str]] = {}

    def apply_knob(self, mdev: Any, name: str, value: Any) -> None:
        if name == "weight":
            self._global.add(self.engine.state(mdev).parent.name)
        super().apply_knob(mdev, name, value)

    def idle_fraction(self, parent: Any) -> float:
        now_active = frozenset(ms.mdev.uuid for ms in parent.mdevs if ms.active)
        if self._seen.get(parent.name) != now_active:
            self._seen[parent.name] = now_active
            self._global.discard(parent.name)
        if parent.name not in self._global:
            return 0.0
        _, weight = self.top_weight(parent)
        others = sum(ms.weight for other in self.engine.parents.values() if other is not parent
                     for ms in other.mdevs if ms.active)
        return others / (others + weight) if others and weight else 0.0


class CachedFractions(SharePicker):
    """Shares as fractions cached per mdev, w / (sum of the weights of its level's
    active mdevs), computed when :meth:`recompute` says so rather than at every
    decision."""

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._fraction: dict[str, float] = {}
        self._active: dict[str, frozenset[str]] = {}

    @staticmethod
    def fraction(ms: Any, active: list[Any]) -> float:
        total = sum(o.weight for o in active if o.level == ms.level)
        return ms.weight / total if total else 1.0

    def recompute(self, parent: Any, active: list[Any], joined: set[str]) -> list[Any]:
        """The mdevs whose fraction is computed afresh after an active-set change."""
        return active

    def target_shares(self, parent: Any, active: list[Any]) -> dict[Any, float]:
        now = frozenset(ms.mdev.uuid for ms in active)
        before = self._active.get(parent.name, frozenset())
        if now != before:
            self._active[parent.name] = now
            for uuid in before - now:
                self._fraction.pop(uuid, None)
            for ms in self.recompute(parent, active, set(now - before)):
                self._fraction[ms.mdev.uuid] = self.fraction(ms, active)
        ready = [ms for ms in active if waiting(ms)]
        if not ready:
            return {}
        top = max(ms.level for ms in ready)
        members = [ms for ms in ready if ms.level == top]
        cached = {ms: self._fraction.get(ms.mdev.uuid, 1.0) for ms in members}
        total = sum(cached.values())
        return {ms: f / total for ms, f in cached.items()}


class FractionFixedAtActivation(CachedFractions):
    """An mdev's fraction is fixed when it becomes active (admission) and never
    rescaled for mdevs that join later: one alone keeps 1, a newcomer gets 1/2, so
    they run 2:1 instead of 1:1."""

    breaks = "QOS-SCH-004"

    def recompute(self, parent: Any, active: list[Any], joined: set[str]) -> list[Any]:
        return [ms for ms in active if ms.mdev.uuid in joined]


class WeightWriteNotRenormalised(CachedFractions):
    """A weight write recomputes the written mdev's fraction only; its peers keep the
    fractions of the old total until the active set changes (300 beside 100 runs
    0.6:0.4, not 0.75:0.25)."""

    breaks = "QOS-WGT-008"

    def apply_knob(self, mdev: Any, name: str, value: Any) -> None:
        super().apply_knob(mdev, name, value)
        if name == "weight":
            ms = self.engine.state(mdev)
            active = [o for o in ms.parent.mdevs if o.active]
            if ms in active:
                self._fraction[mdev.uuid] = self.fraction(ms, active)


class WeightIndexStaleAfterCompaction(QosDriver):
    """Weights live in a run list compacted when an mdev is removed, but each mdev
    keeps the index it got at creation: after an earlier mdev is removed, a weight
    write lands in the entry of the next mdev (reads show the value written)."""

    breaks = "QOS-WGT-006"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._order: dict[str, list[str]] = {}
        self._entry: dict[str, list[int]] = {}
        self._index: dict[str, int] = {}

    def on_create(self, mdev: Any) -> None:
        order = self._order.setdefault(mdev.parent.name, [])
        entry = self._entry.setdefault(mdev.parent.name, [])
        self._index[mdev.uuid] = len(order)
        order.append(mdev.uuid)
        entry.append(int(mdev.knobs["weight"]))

    def on_remove(self, mdev: Any) -> None:
        order = self._order.get(mdev.parent.name, [])
        if mdev.uuid in order:
            pos = order.index(mdev.uuid)
            order.pop(pos)
            self._entry[mdev.parent.name].pop(pos)
        self._index.pop(mdev.uuid, None)

    def apply_knob(self, mdev: Any, name: str, value: Any) -> None:
        if name != "weight" or mdev.uuid not in self._index:
            super().apply_knob(mdev, name, value)
            return
        mdev.knobs[name] = value
        entry = self._entry[mdev.parent.name]
        if self._index[mdev.uuid] < len(entry):
            entry[self._index[mdev.uuid]] = int(value)
        for uuid in self._order[mdev.parent.name]:
            self.engine.knobs_changed(self.engine.states[uuid].mdev)

    def sched_weight(self, mdev: Any) -> int:
        order = self._order.get(mdev.parent.name, [])
        if mdev.uuid not in order:
            return int(mdev.knobs["weight"])
        return self._entry[mdev.parent.name][order.index(mdev.uuid)]


class IdleVgpuBanksAllocation(QosDriver):
    """GVT-g's allocation made work-conserving: every 100 ms each mdev of the parent,
    busy or idle, is allocated 100 ms times its weight over the total, reset once a
    second; the active mdev with the most left runs. An mdev back from idling spends
    what it banked alone, starving its peers."""

    breaks = "QOS-SCH-004"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._stage: dict[str, tuple[int, int]] = {}  # parent -> (next stage at, number)
        self._left: dict[str, float] = {}
        self._usage: dict[str, int] = {}

    def _balance(self, parent: Any) -> None:
        at, number = self._stage.get(parent.name, (parent.now, 0))
        while at <= parent.now:
            total = sum(ms.weight for ms in parent.mdevs) or 1
            for ms in parent.mdevs:
                uuid = ms.mdev.uuid
                allocated = STAGE_US * ms.weight / total
                start = 0.0 if number % STAGES == 0 else self._left.get(uuid, 0.0)
                self._left[uuid] = start + allocated
            at, number = at + STAGE_US, number + 1
        self._stage[parent.name] = (at, number)

    def pick_next(self, parent: Any) -> Any:
        for ms in parent.mdevs:
            uuid = ms.mdev.uuid
            used = ms.acc.usage - self._usage.get(uuid, 0)
            self._usage[uuid] = ms.acc.usage
            self._left[uuid] = self._left.get(uuid, 0.0) - used
        self._balance(parent)
        ready = parent.schedulable()
        if not ready:
            return None
        top = max(ms.level for ms in ready)
        return max((ms for ms in ready if ms.level == top),
                   key=lambda ms: self._left.get(ms.mdev.uuid, 0.0))

    def on_remove(self, mdev: Any) -> None:
        self._left.pop(mdev.uuid, None)
        self._usage.pop(mdev.uuid, None)


# -- caps --------------------------------------------------------------------------------
class CapReprogrammedAtDispatch(QosDriver):
    """The cap's budget is reprogrammed in the dispatch path: a cap written while the
    mdev is held back by its old cap takes effect only when it is next dispatched,
    which the old cap delays (cap 1 raised to 100 waits up to 100 ms)."""

    breaks = "QOS-CAP-008"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._pinned: dict[str, int] = {}

    def apply_knob(self, mdev: Any, name: str, value: Any) -> None:
        if name == "cap" and self.engine.state(mdev).state == "throttled":
            self._pinned.setdefault(mdev.uuid, self.sched_cap(mdev))
            mdev.knobs[name] = value
            return
        self._pinned.pop(mdev.uuid, None)
        super().apply_knob(mdev, name, value)

    def sched_cap(self, mdev: Any) -> int:
        return self._pinned.get(mdev.uuid, int(mdev.knobs["cap"]))

    def pick_next(self, parent: Any) -> Any:
        chosen = super().pick_next(parent)
        if chosen is not None and self._pinned.pop(chosen.mdev.uuid, None) is not None:
            parent.refresh_knobs(chosen)
        return chosen

    def on_remove(self, mdev: Any) -> None:
        self._pinned.pop(mdev.uuid, None)

