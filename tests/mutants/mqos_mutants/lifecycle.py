"""Mutants of the lifecycle rules (QOS-LIFE-*)."""

from __future__ import annotations

from typing import Any

from conformance.mock import QosDriver


class KnobsPersist(QosDriver):
    """Knob values survive remove and re-create with the same UUID."""

    breaks = "QOS-LIFE-002"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._saved: dict[str, dict[str, Any]] = {}

    def on_remove(self, mdev: Any) -> None:
        self._saved[mdev.uuid] = dict(mdev.knobs)

    def initial_knobs(self, mdev: Any) -> dict[str, Any]:
        return dict(self._saved.get(mdev.uuid) or super().initial_knobs(mdev))


class CountersPersist(QosDriver):
    """Counters carry on from the previous device with the same UUID."""

    breaks = "QOS-LIFE-003"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._saved: dict[str, dict[str, int]] = {}
        self._offset: dict[str, dict[str, int]] = {}

    def on_create(self, mdev: Any) -> None:
        self._offset[mdev.uuid] = self._saved.pop(mdev.uuid, {})

    def on_remove(self, mdev: Any) -> None:
        counters = self.engine.counters(mdev)
        self._saved[mdev.uuid] = {
            name: self.counter_value(mdev, name, counters) for name in counters
        }

    def counter_value(self, mdev: Any, name: str, counters: dict[str, int]) -> int:
        value = super().counter_value(mdev, name, counters)
        return value + self._offset.get(mdev.uuid, {}).get(name, 0)


class KnobsSharedByType(QosDriver):
    """Writing a knob of one mdev writes it for every mdev of the same type."""

    breaks = "QOS-LIFE-004"

    def apply_knob(self, mdev: Any, name: str, value: Any) -> None:
        for other in list(mdev.mtype.instances.values()):
            super().apply_knob(other, name, value)
