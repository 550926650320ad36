"""Mutants of the ``qos/`` layout (QOS-LAY-*)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from conformance.mock import QosDriver


def without(files: tuple[str, ...], *names: str) -> tuple[str, ...]:
    return tuple(name for name in files if name not in names)


class MissingUsage(QosDriver):
    """qos/ has no usage_us."""

    breaks = "QOS-LAY-002"

    def qos_files(self, mdev: Any) -> tuple[str, ...]:
        return without(super().qos_files(mdev), "usage_us")


class VendorFileInGroup(QosDriver):
    """A vendor-specific file ``boost`` inside qos/."""

    breaks = "QOS-LAY-003"

    def qos_files(self, mdev: Any) -> tuple[str, ...]:
        files = super().qos_files(mdev)
        return files + ("boost",) if files else files

    def show_file(self, mdev: Any, name: str) -> str:
        return "0\n" if name == "boost" else super().show_file(mdev, name)


class CapWithoutThrottled(QosDriver):
    """cap is offered without throttled_us."""

    breaks = "QOS-LAY-004"

    def qos_files(self, mdev: Any) -> tuple[str, ...]:
        return without(super().qos_files(mdev), "throttled_us")


class PriorityWithoutWait(QosDriver):
    """priority is offered without wait_us and nr_slices."""

    breaks = "QOS-LAY-005"

    def qos_files(self, mdev: Any) -> tuple[str, ...]:
        return without(super().qos_files(mdev), "wait_us", "nr_slices")


class InstancesDiffer(QosDriver):
    """Every second mdev created lacks weight, whatever its type."""

    breaks = "QOS-LAY-007"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._created = 0

    def qos_files(self, mdev: Any) -> tuple[str, ...]:
        files = super().qos_files(mdev)
        self._created += 1
        return without(files, "weight") if self._created % 2 == 0 else files


class GroupWithoutQos(QosDriver):
    """A type without QoS still gets a qos/ group, holding only timeslice_us."""

    breaks = "QOS-LAY-009"

    def qos_files(self, mdev: Any) -> tuple[str, ...]:
        return super().qos_files(mdev) or ("timeslice_us",)


class NoWaitWithoutPriority(QosDriver):
    """Offers neither priority nor wait_us and nr_slices (a SHOULD)."""

    breaks = "QOS-LAY-008"
    expect = "warning"

    def qos_offer(self, mtype: Any) -> Any:
        # the offer itself, so that the type's stated offer agrees with its mdevs
        offer = super().qos_offer(mtype)
        if offer is None:
            return None
        return replace(offer, knobs=tuple(k for k in offer.knobs if k != "priority"),
                       counters=("throttled_us",))
