"""Intel GVT-g's time-based scheduler (i915 ``gvt/sched_policy.c``) behind this ABI.

Upstream: torvalds/linux ``drivers/gpu/drm/i915/gvt/sched_policy.c`` at commit
704f63ef69b5ad9aeb9f4be0510f3aa67e608e65; functions followed:
``tbs_timer_fn``/``intel_gvt_schedule`` (a 1 ms hrtimer, ``GVT_DEFAULT_TIME_SLICE``),
``gvt_balance_timeslice`` (every ``GVT_TS_BALANCE_PERIOD_MS`` = 100 ms; at stage 0
of ``GVT_TS_BALANCE_STAGE_NUM`` = 10, i.e. once a second, each vGPU of the run
queue gets ``allocated_ts = 100 ms * weight / total weight`` and ``left_ts`` is
reset, at the other stages ``left_ts += allocated_ts``), ``vgpu_update_timeslice``
(the current vGPU is charged wall time since it was switched in, busy or not),
``find_busy_vgpu`` (LRU order; a vGPU in its first ``GVT_SCHED_VGPU_PRI_TIME`` = 2 s
after start is taken whatever its ``left_ts``, otherwise one with pending work and
``left_ts > 0``), ``tbs_sched_func`` (the pick moves to the LRU tail unless it is
in its priority time; no busy vGPU: the idle vGPU, i.e. the engine idles),
``try_to_schedule_next_vgpu`` (no switch while a workload is in flight: the
switch waits for it), ``tbs_sched_start_schedule`` (``list_add`` at the head of the
run queue when the guest enables execlists, ``handlers.c:ring_mode_mmio_write``;
the timer starts then) and ``tbs_sched_stop_schedule``. Weights:
``gvt/vgpu.c`` ``VGPU_WEIGHT(n) = 16 / n`` for the types GVTg_V5_8/4/2/1.

The ABI's files onto what GVT-g has:

- ``weight``: the type's weight, fixed (0444): ``full`` is GVTg_V5_4 (weight 4),
  ``fixed`` is GVTg_V5_8 (weight 2). GVT-g has no per-vGPU weight knob.
- ``cap``, ``priority``: absent (GVT-g has neither).
- ``sharing``: ``reserved``: each 100 ms stage is divided over every vGPU on the run
  queue, busy or idle, and a vGPU whose time is used up waits while the engine idles.
- ``timeslice_us``: 1000, the timer period; ``usage_us`` from the engine;
  no ``wait_us``, ``throttled_us`` or ``nr_slices`` (GVT-g keeps only ``sched_time``).

Workloads: a periodic job is one guest workload, run to completion once started
(GVT-g never preempts one); a backlog is a stream of workloads short enough to
end at every tick. Every vGPU joins the run queue when its mdev is created
(its guest is up; see :mod:`conformance.models.base`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from conformance.mock.topology import QosOffer
from conformance.models.base import ModelDriver, Source, next_multiple

if TYPE_CHECKING:
    from conformance.mock.engine import MdevSched, ParentSched
    from conformance.mock.mdevcore import Mdev

TICK_US = 1000  # GVT_DEFAULT_TIME_SLICE
BALANCE_PERIOD_US = 100_000  # GVT_TS_BALANCE_PERIOD_MS
BALANCE_STAGES = 10  # GVT_TS_BALANCE_STAGE_NUM
PRI_TIME_US = 2_000_000  # GVT_SCHED_VGPU_PRI_TIME (2 s)
IDLE = "idle-vgpu"
TYPE_WEIGHTS = {"full": 4, "fixed": 2}  # GVTg_V5_4, GVTg_V5_8


@dataclass
class VgpuSched:
    """``struct vgpu_sched_data``: one vGPU's scheduling state."""

    weight: int
    sched_in_time: int = 0
    sched_time: int = 0
    left_ts: int = 0
    allocated_ts: int = 0
    pri_sched: bool = False
    pri_time: int = 0


@dataclass
class GvtSched:
    """``struct gvt_sched_data`` plus the scheduler fields of one GPU."""

    runq: list[str] = field(default_factory=list)  # LRU order, head first
    vgpus: dict[str, VgpuSched] = field(default_factory=dict)
    current: str | None = None  # a uuid, IDLE, or None
    next_vgpu: str | None = None
    timer_origin: int | None = None  # hrtimer start; ticks at origin + k * 1 ms
    last_tick: int = 0
    expire_time: int = 0
    stage_check: int = 0


class GvtG(ModelDriver):
    """GVT-g: 1 ms ticks, weights per type, LRU with per-second reallocation."""

    model = "gvt-g"
    title = "Intel GVT-g time-based scheduler (i915 gvt/sched_policy.c)"
    sources = (
        Source(
            "torvalds/linux drivers/gpu/drm/i915/gvt/sched_policy.c",
            "704f63ef69b5ad9aeb9f4be0510f3aa67e608e65",
            "intel_gvt_schedule, gvt_balance_timeslice, vgpu_update_timeslice, "
            "find_busy_vgpu, tbs_sched_func, try_to_schedule_next_vgpu, "
            "tbs_sched_start_schedule, tbs_sched_stop_schedule",
        ),
        Source(
            "torvalds/linux drivers/gpu/drm/i915/gvt/vgpu.c, handlers.c",
            "704f63ef69b5ad9aeb9f4be0510f3aa67e608e65",
            "VGPU_WEIGHT and the vGPU type table; ring_mode_mmio_write starts scheduling",
        ),
    )
    quantum_us = TICK_US
    findings = (
        (("QOS-SCH-005",),
         "GVT-g reserves: gvt_balance_timeslice() divides each 100 ms over every vGPU on "
         "the run queue, started, busy or idle, and a vGPU whose left_ts is used up waits "
         "while the engine idles (weights 2 and 4 beside an idle 2 get 25 % and 50 %, see "
         "tests/models/test_traces.py), so its sharing is reserved and the work-conserving "
         "share requirements do not apply. But tbs_sched_start_schedule() gives every vGPU "
         "that starts GVT_SCHED_VGPU_PRI_TIME (2 s) of pri_sched at the head of "
         "lru_runq_head, and find_busy_vgpu() returns it whenever it has work, whatever its "
         "left_ts: the vGPU started last owns the engine for its first two seconds, and a "
         "backlogged older vGPU receives nothing instead of its reserved third. "
         "try_to_schedule_next_vgpu() also waits for the running workload, so no dispatch "
         "is bounded by the 1 ms timer."),
    )
    remedy = (
        "Drop the start-up priority (or end it at the next balance): the reservation then "
        "holds. To claim work-conserving sharing instead, let gvt_balance_timeslice() "
        "allocate each stage over the vGPUs with pending work "
        "(vgpu_has_pending_workload()) instead of the whole run queue. A per-vGPU writable "
        "sched_ctl.weight, which the code already keeps per vGPU, would offer the weight "
        "feature; a bound on a dispatch needs workload preemption."
    )

    def type_offer(self, type_name: str, instances: int) -> QosOffer | None:
        if type_name not in TYPE_WEIGHTS:
            return None
        return QosOffer(knobs=("weight",), fixed={"weight": TYPE_WEIGHTS[type_name]},
                        counters=(), sharing="reserved")

    def new_parent_state(self) -> GvtSched:
        return GvtSched()

    # -- lifecycle: start_schedule / stop_schedule --------------------------------------
    def guest_started(self, mdev: Mdev, now: int) -> None:
        gvt: GvtSched = self.parent_state(mdev.parent.name)
        weight = TYPE_WEIGHTS.get(mdev.mtype.spec.name, 1)
        gvt.vgpus[mdev.uuid] = VgpuSched(weight=weight, pri_sched=True,
                                         pri_time=now + PRI_TIME_US)
        gvt.runq.insert(0, mdev.uuid)  # list_add: the head
        if gvt.timer_origin is None:
            gvt.timer_origin = now
            gvt.last_tick = now

    def forget(self, mdev: Mdev) -> None:
        gvt: GvtSched = self.parent_state(mdev.parent.name)
        if mdev.uuid in gvt.runq:
            gvt.runq.remove(mdev.uuid)
        gvt.vgpus.pop(mdev.uuid, None)
        if gvt.next_vgpu == mdev.uuid:
            gvt.next_vgpu = None
        if gvt.current == mdev.uuid:
            gvt.current = None
        if not gvt.vgpus:
            gvt.timer_origin = None  # tbs_sched_clean_vgpu: the last vGPU cancels the timer

    # -- the scheduler ------------------------------------------------------------------
    def decide(self, parent: ParentSched, now: int) -> tuple[MdevSched | None, int]:
        gvt: GvtSched = self.parent_state(parent.name)
        by_uuid = {ms.mdev.uuid: ms for ms in parent.mdevs}
        for ms in parent.mdevs:
            self.served(ms)  # keep the engine's usage in step (GVT-g charges wall time)
        if gvt.timer_origin is not None:
            tick = next_multiple(gvt.last_tick, gvt.timer_origin, TICK_US)
            while tick <= now:
                # a tick before now fell inside a running workload: no switch then
                self.schedule(gvt, by_uuid, tick, in_flight=tick < now)
                gvt.last_tick = tick
                tick += TICK_US
        # the workload (if any) completed at now: a pending switch happens
        self.try_to_schedule_next(gvt, now, in_flight=False)
        current = by_uuid.get(gvt.current or "")
        if current is not None and self.has_work(current):
            return current, self.run_length(gvt, current, now)
        return None, 0

    def next_timer_us(self, parent: ParentSched) -> int | None:
        gvt: GvtSched = self.parent_state(parent.name)
        if gvt.timer_origin is None:
            return None
        return next_multiple(parent.now, gvt.timer_origin, TICK_US)

    def run_length(self, gvt: GvtSched, ms: MdevSched, now: int) -> int:
        """Until the next tick, or a whole workload: GVT-g never preempts one."""
        if ms.demand.kind == "periodic":
            return int(min(ms.pending, ms.demand.run_us))
        assert gvt.timer_origin is not None
        return next_multiple(now, gvt.timer_origin, TICK_US) - now

    def schedule(self, gvt: GvtSched, by_uuid: dict[str, Any], now: int,
                 in_flight: bool) -> None:
        """``intel_gvt_schedule`` on a timer request at ``now``."""
        if now >= gvt.expire_time:
            self.balance(gvt)
            gvt.expire_time = now + BALANCE_PERIOD_US
        self.update_timeslice(gvt, now)
        if gvt.runq and gvt.next_vgpu is None:
            busy = self.find_busy_vgpu(gvt, by_uuid, now)
            if busy is not None:
                gvt.next_vgpu = busy
                if not gvt.vgpus[busy].pri_sched:
                    gvt.runq.remove(busy)
                    gvt.runq.append(busy)  # the LRU tail
            else:
                gvt.next_vgpu = IDLE
        self.try_to_schedule_next(gvt, now, in_flight)

    def balance(self, gvt: GvtSched) -> None:
        """``gvt_balance_timeslice``."""
        stage = gvt.stage_check % BALANCE_STAGES
        gvt.stage_check += 1
        vgpus = [gvt.vgpus[u] for u in gvt.runq]
        if stage == 0:
            total = sum(v.weight for v in vgpus)
            for v in vgpus:
                v.allocated_ts = BALANCE_PERIOD_US // total * v.weight
                v.left_ts = v.allocated_ts
        else:
            for v in vgpus:
                v.left_ts += v.allocated_ts

    def update_timeslice(self, gvt: GvtSched, now: int) -> None:
        """``vgpu_update_timeslice``: charge the current vGPU up to ``now``."""
        if gvt.current in (None, IDLE):
            return
        v = gvt.vgpus[gvt.current]
        delta = now - v.sched_in_time
        v.sched_time += delta
        v.left_ts -= delta
        v.sched_in_time = now

    def find_busy_vgpu(self, gvt: GvtSched, by_uuid: dict[str, Any], now: int) -> str | None:
        for uuid in gvt.runq:
            ms = by_uuid.get(uuid)
            if ms is None or not ms.active:
                continue
            v = gvt.vgpus[uuid]
            if v.pri_sched:
                if now < v.pri_time:
                    return uuid
                v.pri_sched = False
            if v.left_ts > 0:
                return uuid
        return None

    def try_to_schedule_next(self, gvt: GvtSched, now: int, in_flight: bool) -> None:
        """``try_to_schedule_next_vgpu``: switch unless a workload is in flight."""
        if gvt.next_vgpu is None:
            return
        if gvt.next_vgpu == gvt.current:
            gvt.next_vgpu = None
            return
        if in_flight:
            return
        self.update_timeslice(gvt, now)
        if gvt.next_vgpu != IDLE:
            gvt.vgpus[gvt.next_vgpu].sched_in_time = now
        gvt.current = gvt.next_vgpu
        gvt.next_vgpu = None
