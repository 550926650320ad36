"""NVIDIA vGPU's documented time-sliced scheduling policies behind this ABI.

Upstream (documents; the scheduler itself is closed): NVIDIA "vGPU Schedulers",
https://docs.nvidia.com/vgpu/knowledge-base/latest/vgpu-features.html (2025-10-17),
and NVIDIA AI Enterprise 8.1 "Scheduling Policies",
https://docs.nvidia.com/ai-enterprise/release-8/8.1/infra-software/vgpu/features/scheduling.html.
Sections followed: the three modes and the time slice.

- **best effort** (the default): "a timesliced round robin": "if a VM has no task
  or has used up its time slice, the scheduler will move to the next VM in the
  queue"; idle VMs cede their slots.
- **equal share**: "each running VM receives an equal fraction of GPU time
  regardless of its load": a round robin over the running VMs in which a VM
  without work still owns its slice and the GPU idles through it.
- **fixed share**: "each VM receives a fixed fraction of GPU time, even when other
  VMs are idle", the fraction set by the vGPU type (1 / its maximum number of
  vGPUs per GPU): one slot per possible vGPU, empty or idle slots left idle.

The time slice is configurable (the ``RmPVMRL`` registry key); its default is not
stated in the documents cited, so the model takes 2 ms, a parameter of the model
(:func:`default_timeslice_us`), not a claim about NVIDIA's default.
One model with a mode (:attr:`NvidiaVgpu.mode`); the three subclasses are what
``--mock-driver`` loads. A VM is running from the mdev's creation on (see
:mod:`conformance.models.base`).

The ABI's files onto what NVIDIA has: no ``weight`` and no ``priority`` in any mode
(none of the policies has a per-VM share or level); ``cap`` only in fixed share, as
the type's fixed share in percent (read-only, ``100 // max vGPUs``), with
``throttled_us`` counting the time the vGPU had work while the GPU idled through a
slot not its own (or the rest of its own); ``timeslice_us`` is the time slice;
``usage_us`` from the engine; ``sharing`` ``work-conserving`` in best effort and
``reserved`` in equal and fixed share (a VM's slice is held for it, busy or idle).

Fixed share behind this ABI: the documents promise each VM a fixed fraction, 1/n for
n vGPUs per GPU, and the ABI states it as a whole percent. Where 100/n is not whole
(n = 8: 12.5 %), the cap reads ``100 // n`` and a slot's owner runs for at most
``n * cap / 100`` of the slice (96 % at n = 8), so the stated cap holds; and a slot
that overran its end (a late preemption) is paid back from the owner's next slot,
so the fraction stays fixed over any interval (:meth:`NvidiaVgpu.fixed_budget`).
Without either, the owner receives more than its cap without bound: 1/8 against
12 %, and up to 10 % more with late preemptions (the overrun the spec permits
a dispatch), which a certifying run measures (benchmarks/README.md, issue 17).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from conformance.mock.topology import QosOffer
from conformance.models.base import Source
from conformance.models.slots import SlotModel, SlotState

if TYPE_CHECKING:
    from conformance.mock.engine import MdevSched, ParentSched
    from conformance.mock.mdevcore import Mdev

MODES = ("best-effort", "equal-share", "fixed-share")
QOS_TYPES = ("full", "fixed")


def default_timeslice_us(max_vgpus: int) -> int:
    """The model's time slice: 2 ms up to 8 vGPUs per GPU, else 1 ms (an assumption)."""
    return 2000 if max_vgpus <= 8 else 1000


class NvidiaVgpu(SlotModel):
    """NVIDIA vGPU time-sliced scheduling in one of its three documented modes."""

    mode: ClassVar[str] = "best-effort"
    title = "NVIDIA vGPU time-sliced scheduler"
    sources = (
        Source(
            "https://docs.nvidia.com/vgpu/knowledge-base/latest/vgpu-features.html",
            "2025-10-17",
            "vGPU Schedulers: best effort, equal share, fixed share; time slice",
        ),
        Source(
            "https://docs.nvidia.com/ai-enterprise/release-8/8.1/infra-software/vgpu/"
            "features/scheduling.html",
            "NVIDIA AI Enterprise 8.1",
            "Scheduling Policies: allocation model of each mode",
        ),
    )
    quantum_us = default_timeslice_us(8)
    remedy = "None needed."

    def __init__(self, topology, engine) -> None:  # type: ignore[no-untyped-def]
        super().__init__(topology, engine)
        self._cursor: dict[str, str] = {}  # best effort: the last VM served
        self._slot_of: dict[str, int] = {}  # fixed share: uuid -> slot index
        self._credit: dict[str, int] = {}  # fixed share: device time left in its slot
        self._credited_at: dict[str, int] = {}  # fixed share: the slot end last credited

    def type_offer(self, type_name: str, instances: int) -> QosOffer | None:
        if type_name not in QOS_TYPES:
            return None
        if self.mode == "fixed-share":
            return QosOffer(knobs=("cap",), fixed={"cap": 100 // instances},
                            counters=("throttled_us",), sharing="reserved")
        if self.mode == "equal-share":
            return QosOffer(knobs=(), counters=(), sharing="reserved")
        return QosOffer(knobs=(), counters=())

    # -- lifecycle ----------------------------------------------------------------------
    def guest_started(self, mdev: Mdev, now: int) -> None:
        self.started(mdev.parent.name, mdev.uuid)
        if self.mode == "fixed-share":
            taken = {self._slot_of[u] for u in self.parent_state(mdev.parent.name).members
                     if u in self._slot_of}
            self._slot_of[mdev.uuid] = min(i for i in range(len(taken) + 1) if i not in taken)

    def forget(self, mdev: Mdev) -> None:
        self.stopped(mdev.parent.name, mdev.uuid)
        self._slot_of.pop(mdev.uuid, None)
        self._credit.pop(mdev.uuid, None)
        self._credited_at.pop(mdev.uuid, None)

    # -- the policies -------------------------------------------------------------------
    def cycle(self, parent: ParentSched, state: SlotState) -> list[str | None]:
        if self.mode == "equal-share":
            return list(state.members)
        slots = max((t.spec.instances for t in self.parent_types(parent)), default=0)
        owners: list[str | None] = [None] * slots
        for uuid in state.members:
            index = self._slot_of.get(uuid)
            if index is not None and index < slots:
                owners[index] = uuid
        return owners if state.members else []

    def parent_types(self, parent: ParentSched) -> list:  # type: ignore[type-arg]
        types = {ms.mdev.mtype for ms in parent.mdevs}
        return [t for t in types if t.spec.qos is not None]

    def decide(self, parent: ParentSched, now: int) -> tuple[MdevSched | None, int]:
        if self.mode == "best-effort":
            return self.round_robin(parent)
        chosen, length = super().decide(parent, now)
        if self.mode == "fixed-share":
            chosen, length = self.fixed_budget(parent, chosen, length)
            for ms in parent.mdevs:
                self.set_throttled(ms, chosen is None and self.has_work(ms), now)
        return chosen, length

    def fixed_budget(self, parent: ParentSched, owner: MdevSched | None,
                     length: int) -> tuple[MdevSched | None, int]:
        """Fixed share: the slot owner runs only what its fraction leaves it.

        Every slot credits its owner ``n * cap / 100`` of the slice (unused credit
        lapses with the slot, an overrun is carried as debt); the owner runs while
        its credit lasts, and the GPU idles through the rest of the slot.
        """
        for ms in parent.mdevs:
            if ms.mdev.uuid in self._credit:
                self._credit[ms.mdev.uuid] -= self.served(ms)
            else:
                self.served(ms)  # start counting from here
        if owner is None:
            return None, 0
        uuid = owner.mdev.uuid
        state: SlotState = self.parent_state(parent.name)
        if self._credited_at.get(uuid) != state.slot_end:
            self._credited_at[uuid] = state.slot_end or 0
            slots = max((t.spec.instances for t in self.parent_types(parent)), default=1)
            budget = min(self.quantum_us,
                         self.quantum_us * slots * (100 // owner.mdev.mtype.spec.instances)
                         // 100)
            self._credit[uuid] = min(self._credit.get(uuid, 0), 0) + budget
        credit = self._credit[uuid]
        if credit <= 0:
            return None, 0
        return owner, min(length, credit)

    def round_robin(self, parent: ParentSched) -> tuple[MdevSched | None, int]:
        """Best effort: the next VM after the last one served that has work."""
        order = self.in_creation_order(parent)
        if not order:
            return None, 0
        last = self._cursor.get(parent.name)
        uuids = [ms.mdev.uuid for ms in order]
        start = uuids.index(last) + 1 if last in uuids else 0
        for step in range(len(order)):
            ms = order[(start + step) % len(order)]
            if self.has_work(ms):
                self._cursor[parent.name] = ms.mdev.uuid
                return ms, self.quantum_us
        return None, 0

    def next_timer_us(self, parent: ParentSched) -> int | None:
        if self.mode == "best-effort":
            return None
        return super().next_timer_us(parent)


class NvidiaBestEffort(NvidiaVgpu):
    """Best effort (the default): round robin over the VMs with work."""

    mode = "best-effort"
    model = "nvidia-best-effort"
    title = "NVIDIA vGPU, best effort scheduler (the default)"


class NvidiaEqualShare(NvidiaVgpu):
    """Equal share: every running VM owns one slice per round, busy or not."""

    mode = "equal-share"
    model = "nvidia-equal-share"
    title = "NVIDIA vGPU, equal share scheduler"
    remedy = (
        "None needed: equal share gives each running VM an equal fraction of GPU time "
        "regardless of its load (an idle running VM keeps its slice and the GPU idles "
        "through it), which is reserved sharing, and each VM receives at least its "
        "reserved share. That is the policy's purpose (predictable per-VM throughput); "
        "best effort is the work-conserving policy."
    )


class NvidiaFixedShare(NvidiaVgpu):
    """Fixed share: one slice per possible vGPU of the type, busy, idle or absent."""

    mode = "fixed-share"
    model = "nvidia-fixed-share"
    title = "NVIDIA vGPU, fixed share scheduler"
