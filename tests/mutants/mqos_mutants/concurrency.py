"""Mutants that misbehave only when threads race (QOS-CONC-*)."""

from __future__ import annotations

from typing import Any

from conformance.mock import QosDriver
from mqos_mutants.support import RaceSensor

NUMERIC = ("cap", "weight")


class MixedConcurrentWrites(QosDriver):
    """Two racing numeric writes store the mean of both values."""

    breaks = "QOS-CONC-001"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._sensor = RaceSensor()
        self._last: dict[tuple[str, str], int] = {}

    def store_knob(self, mdev: Any, name: str, buf: bytes) -> None:
        if name not in NUMERIC:
            super().store_knob(mdev, name, buf)
            return
        value = self.parse_knob(mdev, name, buf)
        key = (mdev.uuid, name)
        raced = self._sensor.touch(key)
        stored = (value + self._last.get(key, value)) // 2 if raced else value
        self._last[key] = value
        self.apply_knob(mdev, name, stored)


class TornKnobRead(QosDriver):
    """A read racing a write from another thread sees the value cut short."""

    breaks = "QOS-CONC-002"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._sensor = RaceSensor()

    def store_knob(self, mdev: Any, name: str, buf: bytes) -> None:
        super().store_knob(mdev, name, buf)
        self._sensor.touch((mdev.uuid, name))

    def show_file(self, mdev: Any, name: str) -> str:
        text = super().show_file(mdev, name)
        if self._sensor.recently_by_other((mdev.uuid, name)):
            body = text[:-1]
            return body[: max(1, len(body) - 1)] + "\n"
        return text


class CountersBackwardsUnderRace(QosDriver):
    """Every second counter read that races another thread is one timeslice behind."""

    breaks = "QOS-CONC-003"
    profile = "scheduling"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._sensor = RaceSensor()
        self._flip = False

    def counter_value(self, mdev: Any, name: str, counters: dict[str, int]) -> int:
        value = super().counter_value(mdev, name, counters)
        if self._sensor.touch(mdev.uuid):
            self._flip = not self._flip
            if self._flip:
                return max(0, value - self.timeslice_us(mdev.parent))
        return value
