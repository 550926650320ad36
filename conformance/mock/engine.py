"""Placeholder engine: virtual time and demand, counters at 0 (replaced next)."""

from __future__ import annotations

from typing import Any

from conformance.mock.demand import IDLE, Demand


class Engine:
    def __init__(self, clock: str = "virtual", noise: Any = None) -> None:
        self.clock = clock
        self._now = 0
        self.demands: dict[str, Demand] = {}
        self.driver: Any = None

    def now(self) -> int:
        return self._now

    def advance(self, us: int) -> None:
        self._now += us

    def sync(self) -> None:
        pass

    def attach(self, mdev: Any) -> None:
        self.demands[mdev.uuid] = IDLE

    def detach(self, mdev: Any) -> None:
        self.demands.pop(mdev.uuid, None)

    def set_demand(self, mdev: Any, demand: Demand) -> None:
        self.demands[mdev.uuid] = demand

    def demand(self, mdev: Any) -> Demand:
        return self.demands[mdev.uuid]

    def knobs_changed(self, mdev: Any) -> None:
        pass

    def counters(self, mdev: Any) -> dict[str, int]:
        return dict.fromkeys(("usage_us", "throttled_us", "wait_us", "nr_slices"), 0)
