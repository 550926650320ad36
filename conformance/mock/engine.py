"""The simulated device engine: per-domain time-sliced scheduling in virtual time.

A scheduling domain is one engine; by default each parent is one (``ParentSched``
keeps that name for the driver API), but parents may share one and a parent may
have several (the topology's ``domain`` and ``type_domains``). Each domain runs
one mdev at a time, for at most one timeslice per dispatch (non-preemptive; a
newly active higher level waits for the slice end). At every scheduling decision
the driver's ``pick_next`` chooses; the default serves the highest priority level
that has a schedulable mdev and, within it, WF2Q+
(:mod:`conformance.mock.wf2q`) whose weights are the spec's water-filled rates
of the active set (strict levels, weighted max-min under caps), so that its
fluid reference is the spec's ideal share. A cap below 100 is also a token
bucket refilled at cap/100 µs per µs: an mdev whose tokens are spent is
*throttled* (parked, still present in its level) until they are positive again,
even when the device would idle. Inactive mdevs are in no level at all: they get
nothing and dilute nobody.

Counters, per mdev, exactly as the spec defines them:
``usage_us`` time running, ``wait_us`` time with work pending while not running
(any cause), ``throttled_us`` the part of that spent held back by the cap,
``nr_slices`` dispatches. They are piecewise linear in time and are read at the
current instant, the running slice included.
"""

from __future__ import annotations

import heapq
import itertools
import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from conformance.mock.demand import IDLE, Demand
from conformance.mock.noise import Noise, NoisyCounters
from conformance.mock.wf2q import LevelQueue

if TYPE_CHECKING:
    from conformance.mock.driver import QosDriver
    from conformance.mock.mdevcore import Mdev

INF = math.inf
COUNTERS = ("usage_us", "throttled_us", "wait_us", "nr_slices")

IDLE_STATE, WAITING, THROTTLED, RUNNING = "idle", "waiting", "throttled", "running"


@dataclass
class Counters:
    """Accumulated time per state (µs) and dispatch count."""

    usage: int = 0
    wait: int = 0
    throttled: int = 0
    slices: int = 0


_CREATION = itertools.count()


class MdevSched:
    """Scheduling state of one mdev on its parent.

    Hashed by creation order, not by address: the sets it lives in iterate in the
    same order in every process, so a run is reproducible.
    """

    def __init__(self, mdev: Mdev, parent: ParentSched, now: int) -> None:
        self._created = next(_CREATION)
        self.mdev = mdev
        self.parent = parent
        self.demand: Demand = IDLE
        self.pending: float = 0.0
        self.state = IDLE_STATE
        self.since = now
        self.acc = Counters()
        # knobs as the scheduler uses them
        self.level = 0
        self.weight = 100  # the weight knob as the driver reports it
        self.fair_weight = 100.0  # the weight WF2Q+ uses: the water-filled rate
        self.cap = 100
        self.depth = 0.0
        self.tokens = 0.0
        self.tokens_at = now
        # WF2Q+ membership
        self.vstart = 0.0
        self.next_len = 0.0
        self.queue_version = 0
        self.queue_where = ""
        self.event_version = 0
        self.noisy: NoisyCounters | None = None

    def __hash__(self) -> int:
        return self._created

    def __repr__(self) -> str:
        return f"<MdevSched {self.mdev.uuid} {self.state} level={self.level}>"

    # -- counters -----------------------------------------------------------------
    def set_state(self, state: str, now: int) -> None:
        """Close the time spent in the current state and enter ``state``."""
        self._accrue(self.acc, now)
        self.state = state
        self.since = now

    def _accrue(self, acc: Counters, now: int) -> None:
        elapsed = now - self.since
        if self.state == RUNNING:
            acc.usage += elapsed
        elif self.state == WAITING:
            acc.wait += elapsed
        elif self.state == THROTTLED:
            acc.wait += elapsed
            acc.throttled += elapsed

    def counters_at(self, now: int) -> dict[str, int]:
        """The four counters at ``now`` (``now`` at or after the last transition)."""
        acc = Counters(self.acc.usage, self.acc.wait, self.acc.throttled, self.acc.slices)
        self._accrue(acc, max(now, self.since))
        return {"usage_us": acc.usage, "throttled_us": acc.throttled,
                "wait_us": acc.wait, "nr_slices": acc.slices}

    # -- cap token bucket ---------------------------------------------------------
    @property
    def capped(self) -> bool:
        return self.cap < 100

    def settle_tokens(self, now: int) -> None:
        """Bring the bucket to ``now``: refill at cap/100, drain while running."""
        elapsed = now - self.tokens_at
        if elapsed > 0 and self.capped:
            rate = self.cap / 100
            if self.state == RUNNING:
                self.tokens += elapsed * (rate - 1.0)
            else:
                self.tokens = min(self.depth, self.tokens + elapsed * rate)
        self.tokens_at = now

    def refill_time(self, now: int) -> int:
        """When the tokens become positive again."""
        if not self.capped or self.tokens > 0:
            return now
        return now + int(-self.tokens / (self.cap / 100)) + 1

    @property
    def active(self) -> bool:
        return self.pending > 0


class ParentSched:
    """The scheduler of one parent device."""

    def __init__(self, engine: Engine, name: str, timeslice: int, now: int) -> None:
        self.engine = engine
        self.driver = engine.driver
        self.name = name
        self.timeslice = timeslice
        self.now = now
        self.levels: dict[int, LevelQueue] = {}
        self.mdevs: set[MdevSched] = set()
        self.running: MdevSched | None = None
        self.slice_start = 0
        self.slice_end = 0
        self.gap_end = 0  # interference: the device is busy with nobody's work
        self.timer_at: int | None = None  # the driver's next scheduling point while idle
        self.decisions = 0
        self.rates_dirty = True  # the active set or a knob changed since the last decision
        self._events: list[tuple[int, int, int, str, MdevSched]] = []
        self._seq = itertools.count()

    # -- what a driver's pick_next may use ---------------------------------------
    def pick_wf2q(self) -> MdevSched | None:
        """Highest level with a schedulable mdev; WF2Q+ within it."""
        for level in sorted(self.levels, reverse=True):
            chosen: MdevSched | None = self.levels[level].pick()
            if chosen is not None:
                return chosen
        return None

    def schedulable(self) -> list[MdevSched]:
        """Every mdev that may be dispatched now (active, not throttled)."""
        return [m for m in self.mdevs if m.state == WAITING]

    def throttled(self) -> list[MdevSched]:
        """Every mdev with work pending that its cap holds back."""
        return [m for m in self.mdevs if m.state == THROTTLED]

    # -- membership ---------------------------------------------------------------
    def queue(self, level: int) -> LevelQueue:
        if level not in self.levels:
            self.levels[level] = LevelQueue()
        return self.levels[level]

    def add(self, ms: MdevSched) -> None:
        self.mdevs.add(ms)
        self.refresh_knobs(ms)
        ms.tokens = ms.depth

    def discard(self, ms: MdevSched) -> None:
        if self.running is ms:
            self.end_slice(self.now)
        self.queue(ms.level).leave(ms)
        ms.event_version += 1
        self.mdevs.discard(ms)
        self.rates_dirty = True
        ms.set_state(IDLE_STATE, self.now)

    def refresh_knobs(self, ms: MdevSched) -> None:
        """Re-read the knobs through the driver; they steer the next decision."""
        driver, mdev = self.driver, ms.mdev
        ms.settle_tokens(self.now)
        level, weight = driver.sched_level(mdev), driver.sched_weight(mdev)
        old_cap = ms.cap
        ms.cap = driver.sched_cap(mdev)
        ms.depth = float(driver.cap_bucket_depth(mdev, self.timeslice))
        ms.tokens = min(ms.tokens, ms.depth)
        if level != ms.level or weight != ms.weight or ms.cap != old_cap:
            self.rates_dirty = True
        ms.weight = weight
        if level != ms.level:
            self.queue(ms.level).leave(ms)
            ms.level = level
            if ms.state == WAITING:
                ms.vstart = 0.0
                self._enqueue(ms, fresh=True)
            elif ms.state in (RUNNING, THROTTLED):
                ms.vstart = 0.0
                self.queue(level).join(ms, fresh=True)
                self.queue(level).take(ms)
        if ms.state == THROTTLED:
            if ms.tokens > 0 or not ms.capped:
                self._unthrottle(ms)
            else:
                ms.event_version += 1
                self._schedule(ms.refill_time(self.now), "refill", ms)
        elif ms.state == WAITING and ms.capped and ms.tokens <= 0:
            self.queue(ms.level).take(ms)
            ms.set_state(THROTTLED, self.now)
            self._schedule(ms.refill_time(self.now), "refill", ms)

    def set_demand(self, ms: MdevSched, demand: Demand) -> None:
        """New synthetic demand from ``now`` on; a running slice ends here."""
        if self.running is ms:
            self.end_slice(self.now)
        ms.demand = demand
        ms.event_version += 1
        was_active = ms.active
        ms.pending = INF if demand.kind == "backlog" else 0.0
        if demand.kind == "periodic":
            ms.pending = float(demand.run_us)
            self._schedule(self.now + demand.period_us, "release", ms)
        if ms.active and not was_active:
            self._activate(ms)
        elif not ms.active and was_active:
            self._deactivate(ms)
        elif ms.state == THROTTLED:  # the new version cancelled its refill: book it again
            self._schedule(ms.refill_time(self.now), "refill", ms)

    # -- time ---------------------------------------------------------------------
    def run_until(self, target: int) -> None:
        """Process every event and decision up to ``target``.

        Decisions are taken here, never inside a write: every change made at one
        instant (several loads set, knobs written) is seen by the decision at
        that instant, whatever order the writes came in.
        """
        while True:
            self._decide_if_idle()
            boundary = INF
            if self.running is not None:
                boundary = self.slice_end
            elif self.gap_end > self.now:
                boundary = self.gap_end
            elif self.timer_at is not None and self.timer_at > self.now:
                boundary = self.timer_at
            event_at = self._events[0][0] if self._events else INF
            nxt = min(boundary, event_at)
            if nxt > target:
                break
            self.now = int(nxt)
            if event_at <= boundary:
                while self._events and self._events[0][0] == self.now:
                    self._fire(heapq.heappop(self._events))
            if self.running is not None and self.slice_end <= self.now:
                self.end_slice(self.now)
        self.now = max(self.now, target)

    def _decide_if_idle(self) -> None:
        if self.running is None and self.gap_end <= self.now:
            self.decide()

    def decide(self) -> None:
        """One scheduling decision at ``now``: dispatch or leave the device idle."""
        if self.rates_dirty:
            self.rates_dirty = False
            self.reweigh_levels()
        self.timer_at = None
        chosen = self.driver.pick_next(self)
        if chosen is None:
            chosen = self._cap_overrun_choice()
            if chosen is None:
                self.timer_at = self.driver.next_timer_us(self)
                return
            self.queue(chosen.level).join(chosen, fresh=True)
        self.decisions += 1
        length = self.driver.slice_length(chosen.mdev, self.timeslice, chosen.pending)
        if chosen.pending > length:
            length = self.engine.noise.overrun(length)
        self.queue(chosen.level).take(chosen)
        chosen.settle_tokens(self.now)
        chosen.set_state(RUNNING, self.now)
        chosen.acc.slices += 1
        self.running = chosen
        self.slice_start = self.now
        self.slice_end = self.now + max(1, int(length))

    def reweigh_levels(self) -> None:
        """Give every active mdev its water-filled rate as its WF2Q+ weight.

        With raw weights, WF2Q+ would follow a fluid share in which an mdev held
        back by its cap comes and goes; with the rates of the spec's water-filling
        (strict levels, weighted max-min under caps, over the active set), the
        fluid reference is the spec's ideal share itself. A level left without
        capacity keeps the raw weights: only their ratios matter there. This runs
        only when the active set or a knob changed: O(N log N) then, nothing per
        decision.
        """
        capacity = 1.0
        for level in sorted(self.levels, reverse=True):
            queue = self.levels[level]
            members = list(queue.members)
            rates = water_fill(members, capacity) if capacity > 1e-9 else {}
            capacity = max(0.0, capacity - sum(rates.values()))
            for ms in members:
                rate = rates.get(ms, 0.0)
                queue.reweigh(ms, rate if rate > 1e-9 else ms.weight * 1e-9)

    def _cap_overrun_choice(self) -> MdevSched | None:
        """A driver whose caps do not hold when the device would idle runs one anyway."""
        for ms in sorted(self.throttled(), key=lambda m: -m.level):
            if not self.driver.cap_blocks_when_idle(ms.mdev):
                ms.event_version += 1
                ms.set_state(WAITING, self.now)
                return ms
        return None

    def end_slice(self, now: int) -> None:
        """The running mdev stops at ``now``; account and requeue or park it."""
        ms = self.running
        assert ms is not None
        served = now - self.slice_start
        ms.settle_tokens(now)
        queue = self.queue(ms.level)
        queue.charge(ms, served)
        ms.pending = max(0.0, ms.pending - served)
        self.running = None
        self.gap_end = now + self.engine.noise.interference(served)
        if not ms.active:
            ms.set_state(IDLE_STATE, now)
            queue.leave(ms)
            self.rates_dirty = True
        elif ms.capped and ms.tokens <= 0:
            ms.set_state(THROTTLED, now)  # parked: still present in its level's fluid share
            self._schedule(ms.refill_time(now), "refill", ms)
        else:
            ms.set_state(WAITING, now)
            ms.next_len = min(self.timeslice, ms.pending)
            queue.requeue(ms)

    # -- events -------------------------------------------------------------------
    def _schedule(self, when: int, kind: str, ms: MdevSched) -> None:
        heapq.heappush(self._events, (when, next(self._seq), ms.event_version, kind, ms))

    def _fire(self, event: tuple[int, int, int, str, MdevSched]) -> None:
        _, _, version, kind, ms = event
        if version != ms.event_version or ms not in self.mdevs:
            return
        if kind == "release":
            was_active = ms.active
            ms.pending += ms.demand.run_us
            self._schedule(self.now + ms.demand.period_us, "release", ms)
            if not was_active:
                self._activate(ms)
        elif kind == "refill" and ms.state == THROTTLED:
            ms.settle_tokens(self.now)
            if ms.tokens > 0:
                self._unthrottle(ms)
            else:
                self._schedule(ms.refill_time(self.now), "refill", ms)

    def _activate(self, ms: MdevSched) -> None:
        # A capped mdev banks no service while idle: it starts each busy period with
        # one µs worth of tokens, so it cannot burst ahead of its cap on waking up.
        ms.settle_tokens(self.now)
        ms.tokens = min(ms.tokens, ms.cap / 100)
        self.rates_dirty = True
        if ms.capped and ms.tokens <= 0:
            ms.set_state(THROTTLED, self.now)
            self._enqueue(ms, fresh=True)
            self.queue(ms.level).take(ms)
            self._schedule(ms.refill_time(self.now), "refill", ms)
        else:
            ms.set_state(WAITING, self.now)
            self._enqueue(ms, fresh=True)

    def _deactivate(self, ms: MdevSched) -> None:
        self.rates_dirty = True
        self.queue(ms.level).leave(ms)
        ms.set_state(IDLE_STATE, self.now)

    def _unthrottle(self, ms: MdevSched) -> None:
        ms.set_state(WAITING, self.now)
        self._enqueue(ms, fresh=ms not in self.queue(ms.level).members)

    def _enqueue(self, ms: MdevSched, fresh: bool) -> None:
        ms.next_len = min(self.timeslice, ms.pending)
        self.queue(ms.level).join(ms, fresh=fresh)


def water_fill(members: list[MdevSched], capacity: float) -> dict[MdevSched, float]:
    """Weighted max-min shares of ``capacity`` under each member's cap."""
    order = sorted(members, key=lambda m: (m.cap / 100) / m.weight)
    weight_left = float(sum(m.weight for m in order))
    rates: dict[MdevSched, float] = {}
    for i, ms in enumerate(order):
        per_weight = capacity / weight_left
        if ms.cap / 100 > per_weight * ms.weight:
            for rest in order[i:]:
                rates[rest] = per_weight * rest.weight
            return rates
        rates[ms] = ms.cap / 100
        capacity -= ms.cap / 100
        weight_left -= ms.weight
    return rates


class Engine:
    """All parents' schedulers and the clock they share.

    ``clock="virtual"``: time moves only by :meth:`advance`. ``clock="real"``:
    :meth:`sync` (called before every VFS operation) catches up with
    ``time.monotonic``.
    """

    def __init__(self, clock: str = "virtual", noise: Noise | None = None) -> None:
        self.clock = clock
        self.noise = noise or Noise()
        self.driver: QosDriver = None  # type: ignore[assignment]  # set by the kernel
        self._now = 0
        self._epoch = time.monotonic()
        self.parents: dict[str, ParentSched] = {}
        self.states: dict[str, MdevSched] = {}

    def now(self) -> int:
        return self._now

    def advance(self, us: int) -> None:
        """Move time forward by ``us`` µs, processing every decision on the way."""
        target = self._now + int(us)
        for parent in self.parents.values():
            parent.run_until(target)
        self._now = target

    def sync(self) -> None:
        """With a real clock, catch up with wall time."""
        if self.clock == "real":
            target = int((time.monotonic() - self._epoch) * 1_000_000)
            if target > self._now:
                self.advance(target - self._now)

    def parent(self, mdev: Mdev) -> ParentSched:
        """The scheduler of the mdev's domain (one engine; by default its parent's)."""
        name = self.driver.sched_domain(mdev)
        if name not in self.parents:
            timeslice = self.driver.timeslice_us(mdev.parent)
            self.parents[name] = ParentSched(self, name, timeslice, self._now)
        return self.parents[name]

    def attach(self, mdev: Mdev) -> None:
        parent = self.parent(mdev)
        ms = MdevSched(mdev, parent, self._now)
        ms.noisy = self.noise.counters_view()
        self.states[mdev.uuid] = ms
        parent.add(ms)

    def detach(self, mdev: Mdev) -> None:
        ms = self.states.pop(mdev.uuid, None)
        if ms is not None:
            ms.parent.discard(ms)

    def state(self, mdev: Mdev) -> MdevSched:
        return self.states[mdev.uuid]

    def set_demand(self, mdev: Mdev, demand: Demand) -> None:
        ms = self.state(mdev)
        ms.parent.set_demand(ms, demand)

    def demand(self, mdev: Mdev) -> Demand:
        return self.state(mdev).demand

    def knobs_changed(self, mdev: Mdev) -> None:
        ms = self.state(mdev)
        ms.parent.refresh_knobs(ms)

    def counters(self, mdev: Mdev) -> dict[str, int]:
        """The counters as a read sees them now (noise applied when enabled)."""
        ms = self.state(mdev)
        assert ms.noisy is not None
        return ms.noisy.read(ms, self._now, ms.parent.timeslice)
