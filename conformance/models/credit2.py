"""Xen's credit2 scheduler (weights, credits, caps) behind this ABI.

Upstream: xen-project/xen ``xen/common/sched/credit2.c`` at commit
07b0eb5d0ef0be154606aa46b5b4c5c59b158505; followed: the constants
(``CSCHED2_DEFAULT_WEIGHT`` 256, ``CSCHED2_CREDIT_INIT`` 10 ms, ``CSCHED2_CREDIT_MIN``
−10 ms, ``CSCHED2_MIN_TIMER`` 500 µs, ``CSCHED2_MAX_TIMER`` 10 ms,
``CSCHED2_CARRYOVER_MAX`` 500 µs, ``CSCHED2_CREDIT_RESET`` 0, the cap period
``opt_cap_period`` 10 ms, ``sched_ratelimit_us`` 1000), ``burn_credits``/``t2c``
(running burns ``time * max_weight / weight`` credits), ``runq_candidate`` (the unit
with the most credit; the current one wins ties), ``reset_credit`` (when the pick
has no credit left every unit of the run queue gets ``CREDIT_INIT`` more, clipped
to ``CREDIT_INIT + CARRYOVER_MAX``), ``csched2_runtime`` (run until the credit
equals the next waiting unit's, within [max(MIN_TIMER, ratelimit), MAX_TIMER], and
no longer than the budget), and the cap: ``tot_budget = period * cap / 100``,
``unit_grab_budget``/``park_unit`` (no budget: parked, not runnable),
``replenish_domain_budget`` (every period, ``budget += tot_budget`` capped at
``tot_budget``; each domain's timer from when its cap was set).

One mdev is one single-vCPU domain, one parent one pCPU's run queue. Not modelled:
wake-up preemption of a unit that gets new work (``runq_tickle`` from
``csched2_unit_wake``: it waits for the running unit's runtime to end, at most
10 ms) and load balancing (one pCPU). Unparking at a replenishment does end the
running unit's runtime (after the ratelimit), so the unparked unit competes then.

The ABI's files onto credit2's parameters (``xl sched-credit2 -w/-c``):

- ``weight``: the domain's weight, writable 1..10000 (credit2 takes 1..65535),
  default 256 as in credit2;
- ``cap``: the domain's cap in percent of one pCPU, 1..100 (credit2's "0, no cap"
  reads ``100``, which for one vCPU is the same ceiling);
- no ``priority`` (credit2 has none);
- ``timeslice_us`` 10000 (``CSCHED2_MAX_TIMER``, the longest a unit runs);
- counters: ``usage_us``, ``wait_us``, ``nr_slices`` from the engine (credit2's
  runstate times), ``throttled_us`` the time a unit with work is parked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from conformance.mock.topology import QosOffer
from conformance.models.base import ModelDriver, Source

if TYPE_CHECKING:
    from conformance.mock.engine import MdevSched, ParentSched
    from conformance.mock.mdevcore import Mdev

DEFAULT_WEIGHT = 256
CREDIT_INIT = 10_000
CREDIT_MIN = -CREDIT_INIT
CREDIT_RESET = 0
MIN_TIMER = 500
MAX_TIMER = CREDIT_INIT
CARRYOVER_MAX = MIN_TIMER
RATELIMIT = 1000
CAP_PERIOD = 10_000


@dataclass
class Unit:
    """``struct csched2_unit`` and its single-vCPU domain's budget."""

    credit: int = CREDIT_INIT
    budget: int = 0  # the domain's pool; only meaningful when capped
    next_repl: int = 0


@dataclass
class RunQueue:
    """``struct csched2_runqueue_data`` of one pCPU."""

    units: dict[str, Unit] = field(default_factory=dict)
    current: str | None = None
    order: list[str] = field(default_factory=list)  # runq insertion order, for ties


class XenCredit2(ModelDriver):
    """credit2: most credit first, weight-scaled burn, periodic cap budgets."""

    model = "xen-credit2"
    title = "Xen credit2 scheduler (credits, weights, caps)"
    sources = (
        Source(
            "xen-project/xen xen/common/sched/credit2.c",
            "07b0eb5d0ef0be154606aa46b5b4c5c59b158505",
            "burn_credits, t2c_update, runq_candidate, reset_credit, csched2_runtime, "
            "unit_grab_budget, park_unit, replenish_domain_budget",
        ),
    )
    quantum_us = MAX_TIMER
    findings = (
        (("QOS-WGT-001", "QOS-LIFE-002", "QOS-LIFE-004"),
         "A new domain's weight is CSCHED2_DEFAULT_WEIGHT, 256, where the ABI requires "
         "100; the lifecycle checks expect every knob at its default after a create and "
         "read 256 too. The scheduling itself conforms: weights divide the pCPU in "
         "proportion (credits burn at max_weight / weight), idle units are off the run "
         "queue and dilute nobody, and a cap's budget, refilled every 10 ms, holds within "
         "every measurement window."),
    )
    remedy = (
        "Create each domain's unit with weight 100, or keep credit2's 256 and scale "
        "(256 * weight / 100): only ratios matter, and credit2 takes any weight from 1 to "
        "65535. The spec keeps 100 as the ABI's default rather than each scheduler's own "
        "(spec 1.1, issue 14; rationale, weight)."
    )

    offer = QosOffer(knobs=("cap", "weight"))

    def default_weight(self, mdev: Mdev) -> int:
        return DEFAULT_WEIGHT

    def new_parent_state(self) -> RunQueue:
        return RunQueue()

    def guest_started(self, mdev: Mdev, now: int) -> None:
        rq: RunQueue = self.parent_state(mdev.parent.name)
        rq.units[mdev.uuid] = Unit()

    def forget(self, mdev: Mdev) -> None:
        rq: RunQueue = self.parent_state(mdev.parent.name)
        rq.units.pop(mdev.uuid, None)
        if rq.current == mdev.uuid:
            rq.current = None

    def apply_knob(self, mdev: Mdev, name: str, value: object) -> None:
        super().apply_knob(mdev, name, value)
        if name == "cap":  # a new cap starts the domain's replenishment timer
            unit = self.parent_state(mdev.parent.name).units.get(mdev.uuid)
            if unit is not None:
                now = self.engine.now()
                unit.budget = self.tot_budget(mdev)
                unit.next_repl = now + CAP_PERIOD

    # -- helpers ----------------------------------------------------------------------
    @staticmethod
    def capped(ms: MdevSched) -> bool:
        return int(ms.mdev.knobs["cap"]) < 100

    @staticmethod
    def tot_budget(mdev: Mdev) -> int:
        return CAP_PERIOD * int(mdev.knobs["cap"]) // 100

    def replenish(self, ms: MdevSched, unit: Unit, now: int) -> None:
        """``replenish_domain_budget`` for every period boundary up to ``now``."""
        if not self.capped(ms) or unit.next_repl > now:
            return
        tot = self.tot_budget(ms.mdev)
        while unit.next_repl <= now:
            unit.next_repl += CAP_PERIOD
            unit.budget += tot
        if unit.budget > 0:
            unit.budget = min(unit.budget, tot)

    # -- csched2_schedule ----------------------------------------------------------------
    def decide(self, parent: ParentSched, now: int) -> tuple[MdevSched | None, int]:
        rq: RunQueue = self.parent_state(parent.name)
        by_uuid = {ms.mdev.uuid: ms for ms in self.in_creation_order(parent)
                   if ms.mdev.uuid in rq.units}
        weights = {u: max(1, int(ms.mdev.knobs["weight"])) for u, ms in by_uuid.items()}
        max_weight = max(weights.values(), default=1)
        for uuid, ms in by_uuid.items():  # burn_credits for what ran since
            served = self.served(ms)
            unit = rq.units[uuid]
            if served:
                unit.credit = max(CREDIT_MIN, unit.credit - served * max_weight // weights[uuid])
                if self.capped(ms):
                    unit.budget -= served
            self.replenish(ms, unit, now)
        runnable = []
        for uuid, ms in by_uuid.items():
            parked = self.capped(ms) and rq.units[uuid].budget <= 0
            self.set_throttled(ms, parked and ms.active, now)
            if self.has_work(ms) and not parked:
                runnable.append(uuid)
        if not runnable:
            return None, 0
        for uuid in runnable:
            if uuid not in rq.order:
                rq.order.append(uuid)
        rq.order = [u for u in rq.order if u in runnable]
        ranked = sorted(rq.order, key=lambda u: (-rq.units[u].credit, u != rq.current))
        snext = ranked[0]
        if rq.units[snext].credit <= CREDIT_RESET:
            self.reset_credit(rq, snext)
        rq.current = snext
        rq.order.remove(snext)
        rq.order.append(snext)  # back of its credit class once it has run
        swait = ranked[1] if len(ranked) > 1 else None
        time = self.runtime(rq, snext, swait, weights, max_weight, by_uuid[snext])
        unpark = self.next_unpark(parent, rq)
        if unpark is not None and now < unpark < now + time:
            # runq_tickle on unpark: the unparked unit may preempt, after the ratelimit
            time = max(unpark - now, RATELIMIT)
        return by_uuid[snext], time

    def reset_credit(self, rq: RunQueue, snext: str) -> None:
        reset = CREDIT_INIT * (2 if rq.units[snext].credit == CREDIT_MIN else 1)
        for unit in rq.units.values():
            unit.credit = min(unit.credit + reset, CREDIT_INIT + CARRYOVER_MAX)

    def runtime(self, rq: RunQueue, snext: str, swait: str | None, weights: dict[str, int],
                max_weight: int, ms: MdevSched) -> int:
        rt_credit = rq.units[snext].credit
        if swait is not None and rq.units[swait].credit > 0:
            rt_credit -= rq.units[swait].credit
        time = rt_credit * weights[snext] // max_weight if rt_credit > 0 else 0
        time = min(max(time, max(MIN_TIMER, RATELIMIT)), MAX_TIMER)
        if self.capped(ms):
            time = min(time, max(1, rq.units[snext].budget))
        return time

    def next_timer_us(self, parent: ParentSched) -> int | None:
        return self.next_unpark(parent, self.parent_state(parent.name))

    def next_unpark(self, parent: ParentSched, rq: RunQueue) -> int | None:
        """The next replenishment that unparks a unit with work."""
        waits = [rq.units[ms.mdev.uuid].next_repl for ms in parent.mdevs
                 if ms.mdev.uuid in rq.units and self.capped(ms) and ms.active
                 and rq.units[ms.mdev.uuid].budget <= 0]
        return min(waits) if waits else None
