"""Scheduling descriptors re-packed when a run list is rebuilt (written for the random tester).

A firmware scheduler keeps one descriptor per active context; the driver writes a
context's descriptor when one of its knobs is written, and re-packs every active
descriptor from a shadow table when another context joins the run list.
"""

from __future__ import annotations

from typing import Any

from conformance.mock import QosDriver
from mqos_mutants.vendor import RANDOM_BUDGET_4S


class CapLostOnRebuild(QosDriver):
    """The shadow table packs the cap after the weight and level fields, and the
    re-packing routine drops it when both are not their defaults: an mdev whose cap,
    weight and level are all set runs uncapped once another mdev joins (QOS-CAP-006)."""

    breaks = "QOS-CAP-006"
    # no written scenario sets all three knobs before a late joiner (the worked
    # example of benchmarks/README.md): the random sequences find it at 4 s
    run_options = RANDOM_BUDGET_4S

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._active: dict[str, frozenset[str]] = {}
        self._uncapped: set[str] = set()

    def sched_cap(self, mdev: Any) -> int:
        return 100 if mdev.uuid in self._uncapped else super().sched_cap(mdev)

    def apply_knob(self, mdev: Any, name: str, value: Any) -> None:
        self._uncapped.discard(mdev.uuid)  # the write path packs its descriptor correctly
        super().apply_knob(mdev, name, value)

    def on_remove(self, mdev: Any) -> None:
        self._uncapped.discard(mdev.uuid)

    def pick_next(self, parent: Any) -> Any:
        active = frozenset(ms.mdev.uuid for ms in parent.mdevs if ms.active)
        joined = active - self._active.get(parent.name, frozenset())
        self._active[parent.name] = active
        if joined:  # the run list is rebuilt: every other descriptor is re-packed
            for ms in list(parent.mdevs):
                knobs = ms.mdev.knobs
                if (ms.active and ms.mdev.uuid not in joined and int(knobs["cap"]) < 100
                        and int(knobs["weight"]) != 100
                        and knobs["priority"] != self.default_priority(ms.mdev)):
                    self._uncapped.add(ms.mdev.uuid)
                    parent.refresh_knobs(ms)
        return super().pick_next(parent)
