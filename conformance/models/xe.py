"""Intel Xe SR-IOV VF scheduling by the GuC, as the PF's sysfs provisions it.

Upstream: torvalds/linux ``Documentation/ABI/testing/sysfs-driver-intel-xe-sriov``
at commit 17b95278ae6adb9ea5b801fcd2ae5d182448e99d (Linux 6.19), the entries
``sriov_admin/{pf,vf<n>}/profile/exec_quantum_ms``, ``preempt_timeout_us`` and
``sched_priority``. Their documented meaning is all the model follows (the
scheduler itself runs in GuC firmware):

- ``exec_quantum_ms`` (EQ): how long a function runs per turn; default 0, unlimited.
- ``preempt_timeout_us`` (PT): how long a function may take to yield once its EQ
  ends; default 0, unlimited.
- ``sched_priority``: ``low`` (the default) "scheduled on the GPU for its EQ/PT only
  if function has any work already submitted"; ``normal`` "scheduled ... for its
  EQ/PT irrespective of whether it has submitted a work or not"; ``high``
  "scheduled ... for its EQ/PT in the next time-slice after the current one
  completes and function has a work submitted". Read as ``[low] normal high``.

This ABI's priority words differ from Xe's on purpose (spec, rationale): its
``background standard urgent`` are strict levels with default ``standard``. The
model shows what a driver gets by exposing ``sched_priority`` word for word in
order, Xe ``low`` as ``background``, ``normal`` as ``standard``, ``high`` as
``urgent`` (``XE_WORD``): the file's format holds, its meaning does not.

The model: the functions take turns in VF order (round robin); at each turn's
end, a ``high`` function with work goes first (round robin among them); otherwise
the next function in order runs its EQ if it has work, holds the engine idle
for its EQ if it is ``normal`` without work, and is skipped if it is ``low``
without work. A turn ends early when its function runs out of work, unless the
function is ``normal`` (it keeps its turn). Work always yields within PT.

The ABI's files onto what Xe has:

- ``priority``: ``sched_priority`` word for word (``XE_WORD``), writable, default
  ``background`` (Xe's ``low``) as upstream;
- ``cap``, ``weight``: absent (no ceiling; the only share-like knob, EQ, is also
  the quantum, and the ABI's quantum is read-only);
- ``timeslice_us``: the EQ both types are provisioned with, 2 ms (the default EQ
  of 0, unlimited, has no time slice at all: a busy VF would never yield);
- counters: ``usage_us``, ``wait_us``, ``nr_slices`` from the engine (GuC reports
  per-function busyness; the other two follow from its scheduling log).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from conformance.mock.topology import LEVELS, QosOffer
from conformance.models.base import ModelDriver, Source

if TYPE_CHECKING:
    from conformance.mock.engine import MdevSched, ParentSched
    from conformance.mock.mdevcore import Mdev

EXEC_QUANTUM_US = 2000  # the model's provisioning: exec_quantum_ms = 2
XE_WORD = {"background": "low", "standard": "normal", "urgent": "high"}
"""This ABI's level -> the ``sched_priority`` word the model programs for it."""


@dataclass
class GucState:
    """One GT's turn: whose it is, until when, and the round-robin cursors."""

    owner: str | None = None
    turn_end: int = 0
    cursor: str | None = None  # the last function given a turn in VF order
    high_cursor: str | None = None
    vfs: list[str] = field(default_factory=list)  # VF order


class XeSriov(ModelDriver):
    """Xe SR-IOV: GuC round robin of VFs with EQ and the three sched_priority words."""

    model = "xe-sriov"
    title = "Intel Xe SR-IOV VF scheduling (GuC; exec_quantum_ms, sched_priority)"
    sources = (
        Source(
            "torvalds/linux Documentation/ABI/testing/sysfs-driver-intel-xe-sriov",
            "17b95278ae6adb9ea5b801fcd2ae5d182448e99d (Linux 6.19)",
            "sriov_admin/vf<n>/profile/exec_quantum_ms, preempt_timeout_us, "
            "sched_priority (low, normal, high; default low)",
        ),
    )
    quantum_us = EXEC_QUANTUM_US
    findings = (
        (("QOS-PRI-002", "QOS-LIFE-002", "QOS-LIFE-004"),
         "sched_priority's default is low: exposed word for word (low as background, "
         "normal as standard, high as urgent), a new VF reads [background] standard urgent "
         "where the ABI requires standard, and the lifecycle checks, which expect every "
         "knob at its default after a create, read background too."),
        (("QOS-PRI-006",),
         "Xe's three words are not strict levels: low and normal differ only for a "
         "function without work (normal keeps its EQ turn, low is skipped), so two "
         "functions with work at standard (Xe normal) and background (Xe low) alternate "
         "EQ turns and share 1/2 each where the ABI requires the higher one to take "
         "everything. Only high (urgent) is served ahead of the others (in the next "
         "time-slice once it has work)."),
        (("QOS-SCH-003",),
         "A function at Xe's normal (standard, word for word) keeps its EQ turn without "
         "work: an idle VF set to standard, the ABI's default, holds the engine idle for "
         "its turn, so a busy VF beside it gets 1/2 where the ABI gives it the whole device "
         "(found by the random sequences)."),
    )
    remedy = (
        "No firmware change: the driver maps the ABI onto what the GuC has, offering the "
        "levels [standard] urgent with the ABI's standard as GuC low (a function is "
        "scheduled only when it has work, which is the ABI's work-conserving default) and "
        "urgent as GuC high; GuC normal, which holds a turn for a function without work, "
        "is a reservation, not a level (spec 1.1, finding 4). Every VF must also be "
        "provisioned with a non-zero exec_quantum_ms: the default 0 (unlimited) has no "
        "time slice to report."
    )

    offer = QosOffer(knobs=("priority",), levels=LEVELS, counters=("wait_us", "nr_slices"))

    def default_priority(self, mdev: Mdev) -> str:
        return "background"  # sched_priority's default, low, word for word

    def new_parent_state(self) -> GucState:
        return GucState()

    def guest_started(self, mdev: Mdev, now: int) -> None:
        self.parent_state(mdev.parent.name).vfs.append(mdev.uuid)

    def forget(self, mdev: Mdev) -> None:
        guc: GucState = self.parent_state(mdev.parent.name)
        if mdev.uuid in guc.vfs:
            guc.vfs.remove(mdev.uuid)
        if guc.owner == mdev.uuid:
            guc.owner, guc.turn_end = None, 0

    # -- the GuC's choice at the end of a turn -------------------------------------------
    def decide(self, parent: ParentSched, now: int) -> tuple[MdevSched | None, int]:
        guc: GucState = self.parent_state(parent.name)
        by_uuid = {ms.mdev.uuid: ms for ms in parent.mdevs}
        owner = by_uuid.get(guc.owner or "")
        if owner is not None and now < guc.turn_end:
            if self.has_work(owner):
                return owner, guc.turn_end - now
            if self.xe_word(owner) == "normal":
                return None, 0  # a normal function keeps its turn, busy or not
        guc.owner = None
        vfs = [u for u in guc.vfs if u in by_uuid]
        high = [u for u in vfs if self.xe_word(by_uuid[u]) == "high"
                and self.has_work(by_uuid[u])]
        if high:
            chosen = self.after(high, guc.high_cursor, vfs)
            guc.high_cursor = chosen
            return self.give_turn(guc, by_uuid[chosen], now)
        start = vfs.index(guc.cursor) + 1 if guc.cursor in vfs else 0
        for step in range(len(vfs)):
            uuid = vfs[(start + step) % len(vfs)]
            ms = by_uuid[uuid]
            if self.has_work(ms) or self.xe_word(ms) == "normal":
                guc.cursor = uuid
                return self.give_turn(guc, ms, now)
        return None, 0

    def give_turn(self, guc: GucState, ms: MdevSched, now: int) -> tuple[MdevSched | None, int]:
        guc.owner, guc.turn_end = ms.mdev.uuid, now + self.quantum_us
        if self.has_work(ms):
            return ms, self.quantum_us
        return None, 0  # a normal function without work: the engine idles its turn

    @staticmethod
    def xe_word(ms: MdevSched) -> str:
        """The ``sched_priority`` word the mdev's level is programmed as."""
        return XE_WORD[ms.mdev.knobs["priority"]]

    @staticmethod
    def after(candidates: list[str], cursor: str | None, order: list[str]) -> str:
        """The first candidate after ``cursor`` in ``order``, cyclically."""
        start = order.index(cursor) + 1 if cursor in order else 0
        for step in range(len(order)):
            uuid = order[(start + step) % len(order)]
            if uuid in candidates:
                return uuid
        return candidates[0]

    def next_timer_us(self, parent: ParentSched) -> int | None:
        guc: GucState = self.parent_state(parent.name)
        return guc.turn_end if guc.owner is not None and guc.turn_end > parent.now else None
