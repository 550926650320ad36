"""Knob changes honoured in one direction only: the path that lowers a cap, raises a
weight or promotes works; the way back is forgotten or deferred."""

from __future__ import annotations

from typing import Any

from conformance.mock import QosDriver
from conformance.mock.topology import LEVELS
from mqos_mutants.support import DeferredKnob


class OneWayKnob(DeferredKnob):
    """A write of ``deferred`` that :meth:`defers` is pinned while the mdev is busy."""

    def defers(self, old: Any, new: Any) -> bool:
        raise NotImplementedError

    def apply_knob(self, mdev: Any, name: str, value: Any) -> None:
        if name == self.deferred and self.engine.state(mdev).active:
            old = self.effective(mdev, name)
            if self.defers(old, value):
                self._pinned.setdefault(mdev.uuid, old)
                mdev.knobs[name] = value
                return
        self._pinned.pop(mdev.uuid, None)
        QosDriver.apply_knob(self, mdev, name, value)


class CapRaiseDeferred(OneWayKnob):
    """Lowering a cap applies at once; raising it waits until the mdev idles (the
    driver only shrinks a running budget) (QOS-CAP-008)."""

    breaks = "QOS-CAP-008"
    deferred = "cap"

    def defers(self, old: Any, new: Any) -> bool:
        return int(new) > int(old)


class WeightLoweringDeferred(OneWayKnob):
    """Raising a weight applies at once; lowering it waits until the mdev idles
    (QOS-WGT-008)."""

    breaks = "QOS-WGT-008"
    deferred = "weight"

    def defers(self, old: Any, new: Any) -> bool:
        return int(new) < int(old)


class DemotionDeferred(OneWayKnob):
    """A promotion applies at once; a demotion waits until the mdev idles (it is only
    taken off the higher run list when it leaves it) (QOS-PRI-009)."""

    breaks = "QOS-PRI-009"
    deferred = "priority"

    def defers(self, old: Any, new: Any) -> bool:
        return LEVELS.index(new) < LEVELS.index(old)


class _Programmed(QosDriver):
    """The scheduler sees a knob only when the store method programs it; a write of
    the value :meth:`programs` refuses reads back but leaves the old one in force."""

    knob = "cap"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._in_force: dict[str, Any] = {}

    def programs(self, value: Any) -> bool:
        raise NotImplementedError

    def apply_knob(self, mdev: Any, name: str, value: Any) -> None:
        if name == self.knob and not self.programs(value):
            self._in_force.setdefault(mdev.uuid, mdev.knobs[name])
        elif name == self.knob:
            self._in_force.pop(mdev.uuid, None)
        super().apply_knob(mdev, name, value)

    def on_remove(self, mdev: Any) -> None:
        self._in_force.pop(mdev.uuid, None)

    def in_force(self, mdev: Any) -> Any:
        return self._in_force.get(mdev.uuid, mdev.knobs[self.knob])


class UncapIgnored(_Programmed):
    """Writing 100 (no cap) is not programmed: the driver only sets a budget when the
    cap is below 100, so the old cap stays in force (QOS-CAP-008)."""

    breaks = "QOS-CAP-008"
    knob = "cap"

    def programs(self, value: Any) -> bool:
        return int(value) < 100

    def sched_cap(self, mdev: Any) -> int:
        return int(self.in_force(mdev))


class WeightDefaultIgnored(_Programmed):
    """Writing the default weight 100 is treated as "unset" and not programmed: the
    last other weight stays in force (QOS-WGT-008)."""

    breaks = "QOS-WGT-008"
    knob = "weight"

    def programs(self, value: Any) -> bool:
        return int(value) != 100

    def sched_weight(self, mdev: Any) -> int:
        return int(self.in_force(mdev))


class NormalWriteIgnored(_Programmed):
    """Writing ``standard`` is not programmed (standard needs "no special handling"): an
    mdev set back to standard keeps its old level (QOS-PRI-009)."""

    breaks = "QOS-PRI-009"
    knob = "priority"

    def programs(self, value: Any) -> bool:
        return value != "standard"

    def sched_level(self, mdev: Any) -> int:
        return LEVELS.index(self.in_force(mdev))
