"""Linux fair scheduling of cgroups: EEVDF weights and CFS bandwidth control.

Upstream: torvalds/linux ``kernel/sched/fair.c`` (EEVDF, Linux 6.6 and later; the
functions as they are named from 6.6 on, checked against the LKML patches that
quote ``pick_eevdf`` and ``place_entity``) and
``Documentation/admin-guide/cgroup-v2.rst`` (``cpu.weight``, ``cpu.max``,
``cpu.stat``); followed: ``sched_weight_from_cgroup`` (weight
``cpu.weight * 1024 / 100``), ``update_curr``/``calc_delta_fair`` (virtual runtime
advances by ``delta * 1024 / weight``), ``avg_vruntime`` and ``entity_eligible``
(eligible: not ahead of the load-weighted average), ``pick_eevdf`` (the eligible
entity with the earliest virtual deadline), ``update_deadline`` (deadline =
vruntime + ``sysctl_sched_base_slice`` 0.75 ms scaled by 1024/weight; a reschedule
at the tick after it passes, HZ=1000), ``place_entity`` (a waking entity keeps
its lag, scaled for the queue it joins; a new one starts at the average with half
a slice), ``update_entity_lag`` (lag clamped to two slices), and bandwidth
control: ``cpu.max`` ``$MAX $PERIOD`` with the default period 100 ms, the quota
refilled by the period timer (``sched_cfs_period_timer``), a group out of
runtime throttled until the refill (``throttle_cfs_rq``/``unthrottle_cfs_rq``),
``cpu.stat`` ``throttled_usec``.

One mdev is one cgroup with one runnable task, one parent one CPU. Not modelled:
delayed dequeue (6.12), wake-up preemption of a task that gets new work (it
waits for the tick), the 5 ms ``cfs_bandwidth_slice`` (one CPU: the global pool and
the CPU's runtime are the same), ``cpu.max.burst`` (0).

The ABI's files onto cgroup v2:

- ``weight``: ``cpu.weight``, 1..10000, default 100 (the same range and default);
- ``cap``: ``cpu.max`` with quota ``cap% * period`` and the default period of
  100 ms; ``100`` is ``max``; ``cap_period_us`` reads the period, 100000;
- no ``priority`` (``cpu.idle`` is a weight, not a level);
- ``timeslice_us`` 2000: a run lasts up to one base slice, ending at the next tick;
- counters: ``usage_us`` (``usage_usec``), ``throttled_us`` (``throttled_usec``);
  ``wait_us`` and ``nr_slices`` from the engine (schedstats' wait time and
  ``nr_switches``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from conformance.mock.topology import QosOffer
from conformance.models.base import ModelDriver, Source, next_multiple

if TYPE_CHECKING:
    from conformance.mock.engine import MdevSched, ParentSched
    from conformance.mock.mdevcore import Mdev

NICE_0_LOAD = 1024
BASE_SLICE = 750  # sysctl_sched_base_slice on one CPU, µs
TICK = 1000  # HZ=1000
PERIOD = 100_000  # cpu.max default period


@dataclass
class Entity:
    """One group's ``sched_entity`` and its ``cfs_bandwidth``."""

    vruntime: float = 0.0
    deadline: float = 0.0
    vlag: float = 0.0
    queued: bool = False
    new: bool = True
    runtime: int = 0  # runtime_remaining of the period (capped groups)
    next_refill: int = 0


@dataclass
class CfsRq:
    """One CPU's ``cfs_rq``."""

    entities: dict[str, Entity] = field(default_factory=dict)
    vbase: float = 0.0  # the average when the queue is empty (min_vruntime's role)
    current: str | None = None


class CfsBandwidth(ModelDriver):
    """cgroup v2 cpu.weight (EEVDF) and cpu.max (CFS bandwidth control)."""

    model = "cfs-bandwidth"
    title = "Linux EEVDF with cgroup v2 cpu.weight and CFS bandwidth (cpu.max)"
    sources = (
        Source(
            "torvalds/linux kernel/sched/fair.c",
            "EEVDF, Linux 6.6 and later",
            "sched_weight_from_cgroup, update_curr, avg_vruntime, entity_eligible, "
            "pick_eevdf, update_deadline, place_entity, update_entity_lag, "
            "throttle_cfs_rq, unthrottle_cfs_rq, sched_cfs_period_timer",
        ),
        Source(
            "torvalds/linux Documentation/admin-guide/cgroup-v2.rst",
            "Linux 6.6 and later",
            "cpu.weight (1..10000, default 100), cpu.max (default period 100000), "
            "cpu.stat throttled_usec",
        ),
    )
    quantum_us = 2 * TICK
    remedy = (
        "None needed. cpu.max enforces the quota per period, 100 ms by default, 50 times "
        "the 2 ms quantum: a capped group runs its whole quota at the start of each period "
        "(sched_cfs_period_timer() refills it) and is throttled for the rest. The model "
        "states that period in cap_period_us, and the suite judges its caps over windows "
        "of about twelve periods with a tolerance of half a period; without the file its "
        "caps fail QOS-CAP-006, QOS-CAP-007, QOS-CAP-009 and QOS-ACC-007, as they did "
        "under spec 1.0. The weights (EEVDF) conform."
    )

    offer = QosOffer(knobs=("cap", "weight"), cap_period_us=PERIOD)

    def new_parent_state(self) -> CfsRq:
        return CfsRq()

    def guest_started(self, mdev: Mdev, now: int) -> None:
        self.parent_state(mdev.parent.name).entities[mdev.uuid] = Entity()

    def forget(self, mdev: Mdev) -> None:
        rq: CfsRq = self.parent_state(mdev.parent.name)
        rq.entities.pop(mdev.uuid, None)
        if rq.current == mdev.uuid:
            rq.current = None

    def apply_knob(self, mdev: Mdev, name: str, value: object) -> None:
        super().apply_knob(mdev, name, value)
        ent = self.parent_state(mdev.parent.name).entities.get(mdev.uuid)
        if name == "cap" and ent is not None:  # writing cpu.max restarts the period timer
            ent.runtime = self.quota(mdev)
            ent.next_refill = self.engine.now() + PERIOD

    # -- helpers --------------------------------------------------------------------------
    @staticmethod
    def weight(ms: MdevSched) -> float:
        return int(ms.mdev.knobs["weight"]) * NICE_0_LOAD / 100

    @staticmethod
    def capped(ms: MdevSched) -> bool:
        return int(ms.mdev.knobs["cap"]) < 100

    @staticmethod
    def quota(mdev: Mdev) -> int:
        return PERIOD * int(mdev.knobs["cap"]) // 100

    @staticmethod
    def average(rq: CfsRq, queued: dict[str, MdevSched], weights: dict[str, float]) -> float:
        total = sum(weights[u] for u in queued)
        if not total:
            return rq.vbase
        return sum(rq.entities[u].vruntime * weights[u] for u in queued) / total

    # -- __schedule -> pick_next_task_fair ----------------------------------------------------
    def decide(self, parent: ParentSched, now: int) -> tuple[MdevSched | None, int]:
        rq: CfsRq = self.parent_state(parent.name)
        by_uuid = {ms.mdev.uuid: ms for ms in self.in_creation_order(parent)
                   if ms.mdev.uuid in rq.entities}
        weights = {u: self.weight(ms) for u, ms in by_uuid.items()}
        for uuid, ms in by_uuid.items():  # update_curr and the bandwidth accounting
            ent, served = rq.entities[uuid], self.served(ms)
            if served:
                ent.vruntime += served * NICE_0_LOAD / weights[uuid]
                if ent.vruntime >= ent.deadline:
                    ent.deadline = ent.vruntime + BASE_SLICE * NICE_0_LOAD / weights[uuid]
                ent.runtime -= served
            if self.capped(ms):
                while ent.next_refill <= now:
                    ent.next_refill += PERIOD
                    ent.runtime = min(self.quota(ms.mdev), ent.runtime + self.quota(ms.mdev))
        queued_before = {u: by_uuid[u] for u in by_uuid if rq.entities[u].queued}
        avg = self.average(rq, queued_before, weights)
        for uuid, ms in by_uuid.items():  # dequeue: sleep or throttle
            ent = rq.entities[uuid]
            throttled = self.capped(ms) and ent.runtime <= 0
            self.set_throttled(ms, throttled and ms.active, now)
            runnable = ms.active and not throttled
            if ent.queued and not runnable:
                limit = max(2 * BASE_SLICE, TICK) * NICE_0_LOAD / weights[uuid]
                ent.vlag = max(-limit, min(limit, avg - ent.vruntime))
                ent.queued = False
        queued = {u: by_uuid[u] for u in by_uuid if rq.entities[u].queued}
        for uuid, ms in by_uuid.items():  # enqueue: wake up or unthrottle
            ent = rq.entities[uuid]
            if not ent.queued and ms.active and not (self.capped(ms) and ent.runtime <= 0):
                self.place(rq, ent, uuid, queued, weights)
                ent.queued = True
                queued[uuid] = ms
        avg = self.average(rq, queued, weights)
        rq.vbase = avg
        ready = [u for u in queued if self.has_work(queued[u])]
        if not ready:
            return None, 0
        eligible = [u for u in ready if rq.entities[u].vruntime <= avg + 1e-9] or ready
        order = {ms.mdev.uuid: i for i, ms in enumerate(self.in_creation_order(parent))}
        chosen = min(eligible, key=lambda u: (rq.entities[u].deadline, u != rq.current,
                                              order[u]))
        rq.current = chosen
        return by_uuid[chosen], self.run_length(rq, by_uuid, chosen, weights, now)

    def place(self, rq: CfsRq, ent: Entity, uuid: str, queued: dict[str, MdevSched],
              weights: dict[str, float]) -> None:
        """``place_entity``: keep the lag, scaled for the queue joined."""
        avg = self.average(rq, queued, weights)
        load = sum(weights[u] for u in queued)
        lag = 0.0
        if queued and not ent.new:
            lag = ent.vlag * (load + weights[uuid]) / load
        vslice = BASE_SLICE * NICE_0_LOAD / weights[uuid]
        ent.vruntime = avg - lag
        ent.deadline = ent.vruntime + (vslice / 2 if ent.new else vslice)
        ent.new = False

    def run_length(self, rq: CfsRq, by_uuid: dict[str, MdevSched], chosen: str,
                   weights: dict[str, float], now: int) -> int:
        ent, ms = rq.entities[chosen], by_uuid[chosen]
        to_deadline = max(1, int((ent.deadline - ent.vruntime) * weights[chosen] / NICE_0_LOAD))
        end = next_multiple(now + to_deadline - 1, 0, TICK)  # the tick that notices it
        if self.capped(ms):
            end = min(end, now + max(1, ent.runtime))
        unthrottle = self.next_unthrottle(rq, by_uuid)
        if unthrottle is not None and now < unthrottle < end:
            end = unthrottle  # the unthrottled group is enqueued and may preempt
        return end - now

    def next_unthrottle(self, rq: CfsRq, by_uuid: dict[str, MdevSched]) -> int | None:
        waits = [rq.entities[u].next_refill for u, ms in by_uuid.items()
                 if self.capped(ms) and ms.active and rq.entities[u].runtime <= 0]
        return min(waits) if waits else None

    def next_timer_us(self, parent: ParentSched) -> int | None:
        rq: CfsRq = self.parent_state(parent.name)
        by_uuid = {ms.mdev.uuid: ms for ms in self.in_creation_order(parent)
                   if ms.mdev.uuid in rq.entities}
        return self.next_unthrottle(rq, by_uuid)
