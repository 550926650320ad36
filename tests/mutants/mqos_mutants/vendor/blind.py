"""A blind catalogue (issue 12, second round): written from spec/, the mock's public
driver API and the scheduler models only, before reading features/ or the steps.

Each is a plausible mistake of a time-sliced scheduler's design: divisors
renormalised on one path only, a single hardware register where the spec wants
one per mdev, values kept in narrow fields, priority resorted only at round
boundaries or taken from a descriptor written at dispatch, a firmware mailbox
that drops a second request, a real-time style throttle on the top level, an
idle timeout on the high-priority queue, statistics that live in a structure
rebuilt on a knob write.
"""

from __future__ import annotations

import math
from typing import Any

from conformance.mock import QosDriver
from conformance.mock.topology import LEVELS
from mqos_mutants.vendor.base import VruntimePicker

URGENT = LEVELS.index("urgent")
RT_PERIOD_US = 1_000_000  # Linux's sched_rt_period_us
RT_RUNTIME_US = 950_000  # Linux's sched_rt_runtime_us
HIGH_IDLE_TIMEOUT_US = 50_000
MAILBOX_BUSY_US = 10_000
FIRMWARE_TICK_US = 10_000
FIRMWARE_MIN_CAP = 15


def parent_of(driver: QosDriver, mdev: Any) -> Any:
    """The scheduler of the mdev's domain."""
    return driver.engine.state(mdev).parent


# -- shares ---------------------------------------------------------------------
class IdleShare(QosDriver):
    """The reference scheduler, except that the device idles for a fraction of the
    time :meth:`idle_fraction` gives (a share held for mdevs that should count for
    nothing), one timeslice at a time, spread evenly."""

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._split: dict[str, tuple[float, int, int]] = {}  # fraction, idle µs, busy µs

    def idle_fraction(self, parent: Any) -> float:
        """The part of the device held for nobody (0: none)."""
        return 0.0

    @staticmethod
    def top_weight(parent: Any) -> tuple[int, int]:
        """The highest level with an active mdev, and the weight active there."""
        active = [ms for ms in parent.mdevs if ms.active]
        if not active:
            return -1, 0
        top = max(ms.level for ms in active)
        return top, sum(ms.weight for ms in active if ms.level == top)

    def pick_next(self, parent: Any) -> Any:
        fraction = self.idle_fraction(parent)
        held, idle, busy = self._split.get(parent.name, (0.0, 0, 0))
        if fraction != held:
            idle = busy = 0
        if fraction > 0 and parent.schedulable() and idle < fraction * (idle + busy):
            self._split[parent.name] = (fraction, idle + parent.timeslice, busy)
            parent.gap_end = parent.now + parent.timeslice
            return None
        chosen = super().pick_next(parent)
        if chosen is not None:
            busy += parent.timeslice
        self._split[parent.name] = (fraction, idle, busy)
        return chosen


class RenormaliseOnCreateOnly(IdleShare):
    """Weights are renormalised when an mdev is created, not when one is removed: a
    removed mdev's weight keeps its part of the split, idle, until the next create."""

    breaks = "QOS-SCH-001"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._ghosts: dict[str, dict[str, tuple[int, int]]] = {}

    def on_create(self, mdev: Any) -> None:
        self._ghosts.pop(parent_of(self, mdev).name, None)

    def on_remove(self, mdev: Any) -> None:
        ms = self.engine.state(mdev)
        self._ghosts.setdefault(ms.parent.name, {})[mdev.uuid] = (ms.level, ms.weight)

    def idle_fraction(self, parent: Any) -> float:
        top, weight = self.top_weight(parent)
        ghosts = sum(w for level, w in self._ghosts.get(parent.name, {}).values()
                     if level == top)
        return ghosts / (ghosts + weight) if ghosts and weight else 0.0


class WeightWriteRecountsIdle(IdleShare):
    """Two paths compute the split: an activity change divides by the active mdevs'
    weights, a weight write by every created mdev's, so after a write an idle peer's
    weight counts (its part idles) until the active set next changes."""

    breaks = "QOS-WGT-007"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._recount_all: set[str] = set()
        self._seen: dict[str, frozenset[str]] = {}

    def apply_knob(self, mdev: Any, name: str, value: Any) -> None:
        if name == "weight":
            self._recount_all.add(parent_of(self, mdev).name)
        super().apply_knob(mdev, name, value)

    def idle_fraction(self, parent: Any) -> float:
        now_active = frozenset(ms.mdev.uuid for ms in parent.mdevs if ms.active)
        if self._seen.get(parent.name) != now_active:
            self._seen[parent.name] = now_active
            self._recount_all.discard(parent.name)
        if parent.name not in self._recount_all:
            return 0.0
        top, weight = self.top_weight(parent)
        idle = sum(ms.weight for ms in parent.mdevs if not ms.active and ms.level == top)
        return idle / (idle + weight) if idle and weight else 0.0


class ActiveSetWeights(QosDriver):
    """The reference scheduler with weights the driver derives from the active set:
    every mdev's knobs are re-read whenever the set of active mdevs changes."""

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._seen: dict[str, frozenset[str]] = {}

    @staticmethod
    def peers(ms: Any) -> list[Any]:
        """The active mdevs of the mdev's level and domain, itself included."""
        return [o for o in ms.parent.mdevs if (o.active or o is ms) and o.level == ms.level]

    def pick_next(self, parent: Any) -> Any:
        now_active = frozenset(ms.mdev.uuid for ms in parent.mdevs if ms.active)
        if self._seen.get(parent.name) != now_active:
            self._seen[parent.name] = now_active
            for ms in list(parent.mdevs):
                parent.refresh_knobs(ms)
        return super().pick_next(parent)


class WeightRatioClampedAt4(ActiveSetWeights):
    """A run-list entry holds one to four slots per round, by weight relative to the
    lightest active mdev of its level: any ratio beyond 1:4 is served as 1:4."""

    breaks = "QOS-WGT-006"

    def sched_weight(self, mdev: Any) -> int:
        weight = int(mdev.knobs["weight"])
        lightest = min(int(o.mdev.knobs["weight"]) for o in self.peers(self.engine.state(mdev)))
        return min(weight, 4 * lightest)


class CapEmulatedByWeight(ActiveSetWeights):
    """A cap is programmed as a reservation: the capped mdev is weighted to receive its
    cap whether or not its weighted share is smaller; the others split the rest."""

    breaks = "QOS-CAP-007"

    def sched_weight(self, mdev: Any) -> int:
        weight, cap = int(mdev.knobs["weight"]), int(mdev.knobs["cap"])
        if cap >= 100:
            return weight
        ms = self.engine.state(mdev)
        free = sum(int(o.mdev.knobs["weight"]) for o in self.peers(ms)
                   if int(o.mdev.knobs["cap"]) >= 100)
        if not free:
            return weight
        return max(1, min(10000, round(cap * free / (100 - cap))))


class WeightInTenBits(QosDriver):
    """The weight is kept in a 10-bit field of the scheduler's entry: above 1023 only
    the low ten bits count (1100 schedules as 76)."""

    breaks = "QOS-WGT-006"

    def sched_weight(self, mdev: Any) -> int:
        return int(mdev.knobs["weight"]) & 0x3FF or 1


class WeightPowerOfTwo(QosDriver):
    """Weights are rounded to the nearest power of two (a shift instead of a
    division): 300:100 is served as 256:128, i.e. 2:1."""

    breaks = "QOS-WGT-006"

    def sched_weight(self, mdev: Any) -> int:
        return 1 << round(math.log2(int(mdev.knobs["weight"])))


class VruntimeIn32Bits(VruntimePicker):
    """Virtual runtime is kept in a u32 of weight-scaled nanoseconds (×1024/weight)
    and compared unsigned: after about 0.42 s of an mdev's device time its value
    wraps, and it looks the most deserving until it has run another 0.42 s."""

    breaks = "QOS-SCH-004"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._level: dict[str, int] = {}

    def on_remove(self, mdev: Any) -> None:
        for table in (self.vruntime, self._charged, self.idle_since, self._level):
            table.pop(mdev.uuid, None)
        for active in self._active.values():
            active.discard(mdev.uuid)

    def pick_next(self, parent: Any) -> Any:
        self._account(parent)
        for ms in parent.mdevs:  # a level change starts afresh among its new peers
            uuid = ms.mdev.uuid
            if self._level.setdefault(uuid, ms.level) != ms.level and uuid in self.vruntime:
                self._level[uuid] = ms.level
                floor = self.floor(parent, ms)
                self.vruntime[uuid] = self.vruntime[uuid] if floor is None else floor
        ready = parent.schedulable()
        if not ready:
            return None
        top = max(ms.level for ms in ready)
        members = [ms for ms in ready if ms.level == top]

        def key(ms: Any) -> tuple[int, str]:
            scaled = int(self.vruntime[ms.mdev.uuid] * 1000 * 1024) & 0xFFFFFFFF
            return scaled, ms.mdev.uuid

        return min(members, key=key)


# -- caps -----------------------------------------------------------------------
class OneCapRegisterPerParent(QosDriver):
    """The engine has one bandwidth register: every capped mdev of a parent is
    throttled at the cap written last on that parent, whatever its own reads."""

    breaks = "QOS-CAP-006"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._register: dict[str, int] = {}

    def apply_knob(self, mdev: Any, name: str, value: Any) -> None:
        super().apply_knob(mdev, name, value)
        if name == "cap" and int(value) < 100:
            parent = parent_of(self, mdev)
            self._register[parent.name] = int(value)
            for ms in list(parent.mdevs):
                parent.refresh_knobs(ms)

    def sched_cap(self, mdev: Any) -> int:
        cap = int(mdev.knobs["cap"])
        if cap >= 100:
            return 100
        return self._register.get(parent_of(self, mdev).name, cap)


class CapInTenthsRoundedUp(QosDriver):
    """A cap is enforced in whole slots of a ten-slot frame, rounded up: 31 runs as
    40, while the file reads 31."""

    breaks = "QOS-CAP-006"

    def sched_cap(self, mdev: Any) -> int:
        return min(100, math.ceil(int(mdev.knobs["cap"]) / 10) * 10)


class CapPushedOnlyToActiveEntry(QosDriver):
    """A cap is pushed to the mdev's run-list entry, built at its first activity; a
    write while it is idle afterwards only updates the sysfs shadow, so it wakes
    with the old cap."""

    breaks = "QOS-CAP-006"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._entry: dict[str, int] = {}

    def apply_knob(self, mdev: Any, name: str, value: Any) -> None:
        if name == "cap" and self.engine.state(mdev).active:
            self._entry[mdev.uuid] = int(value)
        super().apply_knob(mdev, name, value)

    def on_remove(self, mdev: Any) -> None:
        self._entry.pop(mdev.uuid, None)

    def sched_cap(self, mdev: Any) -> int:
        return self._entry.get(mdev.uuid, int(mdev.knobs["cap"]))

    def pick_next(self, parent: Any) -> Any:
        for ms in parent.mdevs:
            if ms.active and ms.mdev.uuid not in self._entry:
                self._entry[ms.mdev.uuid] = int(ms.mdev.knobs["cap"])
        return super().pick_next(parent)


class CapShownBeforeFirmwareAck(QosDriver):
    """The firmware applies caps of at least 15; a lower write reads back as written
    until the firmware's next 10 ms tick acknowledges 15, while 15 is what runs (the
    read after the write is not the value applied, QOS-FMT-009, so the mdev runs above
    the cap it showed)."""

    breaks = "QOS-CAP-006"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._ack_at: dict[str, int] = {}

    def apply_knob(self, mdev: Any, name: str, value: Any) -> None:
        if name == "cap":
            now = self.engine.now()
            self._ack_at[mdev.uuid] = (now // FIRMWARE_TICK_US + 1) * FIRMWARE_TICK_US
        super().apply_knob(mdev, name, value)

    def sched_cap(self, mdev: Any) -> int:
        return max(FIRMWARE_MIN_CAP, int(mdev.knobs["cap"]))

    def show_file(self, mdev: Any, name: str) -> str:
        ack = self._ack_at.get(mdev.uuid)
        if name == "cap" and ack is not None and self.engine.now() >= ack:
            mdev.knobs["cap"] = self.sched_cap(mdev)
            del self._ack_at[mdev.uuid]
        return super().show_file(mdev, name)


class MailboxDropsSecondKnob(QosDriver):
    """Knob writes go through a per-mdev firmware mailbox busy for 10 ms after each
    request; a write while it is busy returns success and reads back, but is never
    delivered, and once the mailbox is free the file reads what the firmware holds
    (a cap written right after a weight never holds)."""

    breaks = "QOS-CAP-006"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._busy_until: dict[str, int] = {}
        self._firmware: dict[str, dict[str, Any]] = {}

    def on_create(self, mdev: Any) -> None:
        self._firmware[mdev.uuid] = dict(mdev.knobs)

    def on_remove(self, mdev: Any) -> None:
        self._firmware.pop(mdev.uuid, None)
        self._busy_until.pop(mdev.uuid, None)

    def apply_knob(self, mdev: Any, name: str, value: Any) -> None:
        now = self.engine.now()
        if now < self._busy_until.get(mdev.uuid, -1):
            mdev.knobs[name] = value  # the shadow only
            return
        self._busy_until[mdev.uuid] = now + MAILBOX_BUSY_US
        self._firmware[mdev.uuid][name] = value
        super().apply_knob(mdev, name, value)

    def held(self, mdev: Any, name: str) -> Any:
        return self._firmware.get(mdev.uuid, mdev.knobs)[name]

    def sched_cap(self, mdev: Any) -> int:
        return int(self.held(mdev, "cap"))

    def sched_weight(self, mdev: Any) -> int:
        return int(self.held(mdev, "weight"))

    def sched_level(self, mdev: Any) -> int:
        return LEVELS.index(self.held(mdev, "priority"))

    def show_file(self, mdev: Any, name: str) -> str:
        if name in ("cap", "weight", "priority") and mdev.uuid in self._firmware \
                and self.engine.now() >= self._busy_until.get(mdev.uuid, -1):
            mdev.knobs[name] = self._firmware[mdev.uuid][name]
        return super().show_file(mdev, name)


# -- priority -------------------------------------------------------------------
class UrgentRtThrottled(QosDriver):
    """Real-time style throttling of the top level: in each 1 s period ``urgent`` runs
    at most 950 ms, then the lower levels get the device for the rest of the period."""

    breaks = "QOS-PRI-006"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._period: dict[str, int] = {}
        self._base: dict[str, dict[str, int]] = {}

    def pick_next(self, parent: Any) -> Any:
        period = parent.now // RT_PERIOD_US
        if self._period.get(parent.name) != period:
            self._period[parent.name] = period
            self._base[parent.name] = {ms.mdev.uuid: ms.acc.usage for ms in parent.mdevs}
        base = self._base[parent.name]
        used = sum(ms.acc.usage - base.setdefault(ms.mdev.uuid, ms.acc.usage)
                   for ms in parent.mdevs if ms.level == URGENT)
        if used >= RT_RUNTIME_US:
            for level in sorted((lv for lv in parent.levels if lv < URGENT), reverse=True):
                chosen = parent.levels[level].pick()
                if chosen is not None:
                    return chosen
        return super().pick_next(parent)


class UrgentHoldsDeviceUntilTimeout(QosDriver):
    """The high-priority queue is disarmed by a 50 ms idle timeout: after the last
    ``urgent`` mdev goes idle, lower levels stay off the device until it expires."""

    breaks = "QOS-PRI-007"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._last_busy: dict[str, int] = {}

    def pick_next(self, parent: Any) -> Any:
        if any(ms.active and ms.level == URGENT for ms in parent.mdevs):
            self._last_busy[parent.name] = parent.now
            return super().pick_next(parent)
        chosen = super().pick_next(parent)
        armed = parent.now - self._last_busy.get(parent.name, -HIGH_IDLE_TIMEOUT_US)
        if chosen is not None and chosen.level < URGENT and armed < HIGH_IDLE_TIMEOUT_US:
            parent.gap_end = parent.now + parent.timeslice
            return None
        return chosen


class PriorityResortedPerRound(QosDriver):
    """Levels are re-sorted only at round boundaries (a round is one slice per mdev of
    the level served): an ``urgent`` arrival waits for the round, one slice with one
    lower peer, several with several."""

    breaks = "QOS-PRI-008"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._round: dict[str, tuple[int, int]] = {}

    def pick_next(self, parent: Any) -> Any:
        level, left = self._round.get(parent.name, (0, 0))
        if left > 0 and level in parent.levels:
            chosen = parent.levels[level].pick()
            if chosen is not None:
                self._round[parent.name] = (level, left - 1)
                return chosen
        ready = parent.schedulable()
        if not ready:
            self._round.pop(parent.name, None)
            return super().pick_next(parent)
        top = max(ms.level for ms in ready)
        size = sum(1 for ms in parent.mdevs if ms.active and ms.level == top)
        chosen = parent.levels[top].pick()
        self._round[parent.name] = (top, size - 1)
        return chosen


class PriorityInDescriptorAtDispatch(QosDriver):
    """The level is a field of the context descriptor, rewritten when the mdev is
    dispatched: a level written while it is idle takes effect only at its next
    dispatch, which a starved ``background`` mdev promoted while idle never gets."""

    breaks = "QOS-PRI-006"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._descriptor: dict[str, str] = {}

    def apply_knob(self, mdev: Any, name: str, value: Any) -> None:
        if name == "priority" and self.engine.state(mdev).state == "running":
            self._descriptor[mdev.uuid] = value
        super().apply_knob(mdev, name, value)

    def on_remove(self, mdev: Any) -> None:
        self._descriptor.pop(mdev.uuid, None)

    def sched_level(self, mdev: Any) -> int:
        level = self._descriptor.setdefault(mdev.uuid, mdev.knobs["priority"])
        return LEVELS.index(level)

    def pick_next(self, parent: Any) -> Any:
        chosen = super().pick_next(parent)
        if chosen is not None:
            uuid = chosen.mdev.uuid
            if self._descriptor.get(uuid) != chosen.mdev.knobs["priority"]:
                self._descriptor[uuid] = chosen.mdev.knobs["priority"]
                parent.refresh_knobs(chosen)
        return chosen


class BackgroundMergedWithStandard(QosDriver):
    """The hardware has two priority bands: ``background`` and ``standard`` are
    programmed into the same normal band and share it by weight."""

    breaks = "QOS-PRI-006"

    def sched_level(self, mdev: Any) -> int:
        return max(LEVELS.index("standard"), LEVELS.index(mdev.knobs["priority"]))


# -- counters -------------------------------------------------------------------
class StaleThrottleFlagAfterUncap(QosDriver):
    """Setting the cap back to 100 stops the throttle but leaves the accounting's
    "capped" flag set: from then on throttled_us grows with every wait."""

    breaks = "QOS-ACC-007"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._stale_from: dict[str, int] = {}  # uuid -> wait_us when the cap went to 100

    def apply_knob(self, mdev: Any, name: str, value: Any) -> None:
        if name == "cap" and int(value) >= 100 and int(mdev.knobs["cap"]) < 100:
            wait = self.engine.state(mdev).counters_at(self.engine.now())["wait_us"]
            self._stale_from.setdefault(mdev.uuid, wait)
        super().apply_knob(mdev, name, value)

    def on_remove(self, mdev: Any) -> None:
        self._stale_from.pop(mdev.uuid, None)

    def counter_value(self, mdev: Any, name: str, counters: dict[str, int]) -> int:
        value = counters[name]
        if name == "throttled_us" and mdev.uuid in self._stale_from:
            value += max(0, counters["wait_us"] - self._stale_from[mdev.uuid])
        return value


class ThrottledWhileCapNotBinding(QosDriver):
    """throttled_us charges every wait of an mdev whose cap is below 100, held back
    by its cap or only waiting for its peers (the flag tested is "capped")."""

    breaks = "QOS-ACC-008"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._extra: dict[str, int] = {}
        self._mark: dict[str, int] = {}  # uuid -> unthrottled wait when the cap was set

    def _unthrottled_wait(self, mdev: Any) -> int:
        c = self.engine.state(mdev).counters_at(self.engine.now())
        return c["wait_us"] - c["throttled_us"]

    def apply_knob(self, mdev: Any, name: str, value: Any) -> None:
        if name == "cap":
            uuid = mdev.uuid
            if uuid in self._mark:
                self._extra[uuid] = self._extra.get(uuid, 0) + \
                    self._unthrottled_wait(mdev) - self._mark.pop(uuid)
            if int(value) < 100:
                self._mark[uuid] = self._unthrottled_wait(mdev)
        super().apply_knob(mdev, name, value)

    def on_remove(self, mdev: Any) -> None:
        self._extra.pop(mdev.uuid, None)
        self._mark.pop(mdev.uuid, None)

    def counter_value(self, mdev: Any, name: str, counters: dict[str, int]) -> int:
        value = counters[name]
        if name == "throttled_us":
            value += self._extra.get(mdev.uuid, 0)
            if mdev.uuid in self._mark:
                unthrottled = counters["wait_us"] - counters["throttled_us"]
                value += max(0, unthrottled - self._mark[mdev.uuid])
        return value


class ThrottledStatsFreedOnCapChange(QosDriver):
    """throttled_us lives in the bandwidth structure, freed and allocated afresh on
    every cap write: after a cap change it reads from 0 again."""

    breaks = "QOS-ACC-002"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._base: dict[str, int] = {}

    def apply_knob(self, mdev: Any, name: str, value: Any) -> None:
        if name == "cap":
            now = self.engine.now()
            self._base[mdev.uuid] = self.engine.state(mdev).counters_at(now)["throttled_us"]
        super().apply_knob(mdev, name, value)

    def on_remove(self, mdev: Any) -> None:
        self._base.pop(mdev.uuid, None)

    def counter_value(self, mdev: Any, name: str, counters: dict[str, int]) -> int:
        if name == "throttled_us":
            return max(0, counters[name] - self._base.get(mdev.uuid, 0))
        return counters[name]


class SliceDoublesBeyondFour(QosDriver):
    """To halve the cost of world switches, a parent with more than four active mdevs
    runs each dispatch for two timeslices (timeslice_us still reads one)."""

    breaks = "QOS-ACC-006"

    def slice_length(self, mdev: Any, timeslice: int, pending: float) -> int:
        length = super().slice_length(mdev, timeslice, pending)
        busy = sum(1 for ms in parent_of(self, mdev).mdevs if ms.active)
        return 2 * length if busy > 4 else length
