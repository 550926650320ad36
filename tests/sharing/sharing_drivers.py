"""Drivers the sharing tests load through ``--mock-driver sharing_drivers:Class``.

:class:`CountersOnly` creates ``qos/`` only to export ``usage_us`` and
``timeslice_us``: no knob, no optional counter, no ``sharing`` file, and a
scheduler that shares nothing fairly (the oldest mdev with work always runs).
Under spec 1.1 it claims *base* and promises no way of sharing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from conformance.mock import QosDriver
from conformance.mock.topology import QosOffer

if TYPE_CHECKING:
    from conformance.mock.engine import Engine, MdevSched, ParentSched
    from conformance.mock.mdevcore import Mdev, MdevType
    from conformance.mock.topology import Topology


class CountersOnly(QosDriver):
    """Counters only, no sharing promise; the oldest mdev with work always runs."""

    sharing_word: str | None = None

    def __init__(self, topology: Topology, engine: Engine) -> None:
        super().__init__(topology, engine)
        self._order: dict[str, int] = {}  # uuid -> creation serial

    def qos_offer(self, mtype: MdevType) -> QosOffer | None:
        if mtype.spec.qos is None:
            return None
        return QosOffer(knobs=(), counters=(), sharing=self.sharing_word)

    def on_create(self, mdev: Mdev) -> None:
        self._order[mdev.uuid] = len(self._order)

    def pick_next(self, parent: ParentSched) -> MdevSched | None:
        ready = parent.schedulable()
        return min(ready, key=lambda m: self._order.get(m.mdev.uuid, 0)) if ready else None


class CountersOnlyClaimingShare(CountersOnly):
    """The same scheduler, but its sharing file promises work-conserving sharing."""

    sharing_word = "work-conserving"
