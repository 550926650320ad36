"""Time-driven slot schedulers: a fixed cycle of slots of one quantum each.

The cycle is a list of owners (an mdev, or None for an empty slot). A timer
moves to the next slot every quantum, whatever happens inside it: an owner with
work runs, an owner without work (or an empty slot) leaves the engine idle until
the slot ends. This is how a world-switch scheduler behaves when the host cannot
see whether a guest has work (SR-IOV: the guest submits to its function
directly), and how a policy that reserves a share per VM behaves by design.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from conformance.models.base import ModelDriver

if TYPE_CHECKING:
    from conformance.mock.engine import MdevSched, ParentSched


@dataclass
class SlotState:
    """One parent's position in its cycle."""

    index: int = -1
    slot_end: int | None = None  # None: the timer is not running
    members: list[str] = field(default_factory=list)  # started mdevs, creation order


class SlotModel(ModelDriver):
    """A scheduler whose timer hands the engine to one slot owner per quantum."""

    def new_parent_state(self) -> SlotState:
        return SlotState()

    def cycle(self, parent: ParentSched, state: SlotState) -> list[str | None]:
        """The owners of the slots of one cycle, in order."""
        return list(state.members)

    def decide(self, parent: ParentSched, now: int) -> tuple[MdevSched | None, int]:
        state: SlotState = self.parent_state(parent.name)
        cycle = self.cycle(parent, state)
        if not cycle:
            state.slot_end = None
            return None, 0
        if state.slot_end is None:
            state.slot_end, state.index = now, -1
        while state.slot_end <= now:  # the timer: one slot per quantum
            state.index = (state.index + 1) % len(cycle)
            state.slot_end += self.quantum_us
        owner = cycle[state.index % len(cycle)]
        by_uuid = {ms.mdev.uuid: ms for ms in parent.mdevs}
        ms = by_uuid.get(owner or "")
        if ms is not None and self.has_work(ms):
            return ms, state.slot_end - now
        return None, 0

    def next_timer_us(self, parent: ParentSched) -> int | None:
        state: SlotState = self.parent_state(parent.name)
        return state.slot_end

    def started(self, parent_name: str, uuid: str) -> None:
        self.parent_state(parent_name).members.append(uuid)

    def stopped(self, parent_name: str, uuid: str) -> None:
        state: SlotState = self.parent_state(parent_name)
        if uuid in state.members:
            state.members.remove(uuid)
