"""Mutants that misbehave only when threads race (QOS-CONC-*)."""

from __future__ import annotations

import threading
from typing import Any

from conformance.mock import QosDriver
from mqos_mutants.support import RaceSensor

NUMERIC = ("cap", "weight")


class MixedConcurrentWrites(QosDriver):
    """A numeric write racing another thread's stores the mean of the two values."""

    breaks = "QOS-CONC-001"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._sensor = RaceSensor()

    def store_knob(self, mdev: Any, name: str, buf: bytes) -> None:
        if name not in NUMERIC:
            super().store_knob(mdev, name, buf)
            return
        value = self.parse_knob(mdev, name, buf)
        others = [v for v in self._sensor.touch((mdev.uuid, name), value) if v != value]
        self.apply_knob(mdev, name, (value + others[0]) // 2 if others else value)


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
        if self._sensor.others((mdev.uuid, name)):
            body = text[:-1]
            return body[: max(1, len(body) - 1)] + "\n"
        return text


class CountersBackwardsUnderRace(QosDriver):
    """While threads race on an mdev's counters, every second read of each is one
    timeslice behind (a sum of per-CPU parts read without a sequence lock)."""

    breaks = "QOS-CONC-003"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._sensor = RaceSensor()
        self._reads: dict[tuple[int, str, str], int] = {}

    def counter_value(self, mdev: Any, name: str, counters: dict[str, int]) -> int:
        value = super().counter_value(mdev, name, counters)
        if self._sensor.touch(mdev.uuid, True):
            key = (threading.get_ident(), mdev.uuid, name)
            self._reads[key] = self._reads.get(key, 0) + 1
            if self._reads[key] % 2:
                return max(0, value - self.timeslice_us(mdev.parent))
        return value
