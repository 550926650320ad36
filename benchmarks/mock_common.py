"""Shared helpers of the mock benchmarks: topologies, medians, mdev creation."""

from __future__ import annotations

import statistics
from collections.abc import Callable

from conformance.mock import MockKernel, Topology


def one_parent(instances: int, timeslice_us: int = 1000) -> Topology:
    """One parent ``bench0`` with one full-QoS type ``mqos-bench`` of ``instances``."""
    return Topology.from_dict({
        "driver": "mqos",
        "timeslice_us": timeslice_us,
        "types": [{"name": "bench", "instances": instances, "qos": {}}],
        "parents": [{"name": "bench0", "types": ["bench"]}],
    })


def create(kernel: MockKernel, count: int) -> list[str]:
    """Create ``count`` mdevs on ``bench0`` through the create file."""
    uuids = []
    for i in range(count):
        uuid = f"b0000000-0000-4000-8000-{i:012x}"
        kernel.create_mdev("bench0", "mqos-bench", uuid)
        uuids.append(uuid)
    return uuids


def qos(uuid: str, name: str) -> str:
    """Path of ``qos/<name>`` of an mdev."""
    return f"/sys/bus/mdev/devices/{uuid}/qos/{name}"


def load(kernel: MockKernel, uuid: str, demand: str) -> None:
    """Set an mdev's synthetic load (``idle``, ``backlog``, ``periodic R P``)."""
    kernel.vfs_write(f"/sys/kernel/debug/mqos/{uuid}/load", demand.encode())


def median_of(runs: int, measure: Callable[[], float]) -> float:
    """The median of ``runs`` calls of ``measure``."""
    return statistics.median(measure() for _ in range(runs))
