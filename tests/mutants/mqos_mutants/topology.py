"""Topologies: a parent with more mdevs, or more mdevs with knobs, than a table holds."""

from __future__ import annotations

from typing import Any

from mqos_mutants.vendor.base import CreationOrder

ENTRIES = 4


class WeightTableOfFour(CreationOrder):
    """Weights live in a four-entry table per parent: from the fifth mdev on, a weight
    reads back but is scheduled as 100 (QOS-WGT-006)."""

    breaks = "QOS-WGT-006"

    def sched_weight(self, mdev: Any) -> int:
        return super().sched_weight(mdev) if self.rank(mdev) < ENTRIES else 100
