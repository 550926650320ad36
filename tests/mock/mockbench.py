"""A small driver of the in-process mock for the mock's tests and benchmarks."""

from __future__ import annotations

from conformance.mock import MockKernel

COUNTERS = ("usage_us", "wait_us", "throttled_us", "nr_slices")


class Bench:
    """A small driver of the in-process mock: create mdevs, set loads, measure."""

    def __init__(self, kernel: MockKernel) -> None:
        self.k = kernel
        self.serial = 0

    def create(self, parent: str = "mqos0", type_id: str = "mqos-full") -> str:
        self.serial += 1
        uuid = f"6d0e3a52-0000-4000-8000-{self.serial:012x}"
        path = f"/sys/class/mdev_bus/{parent}/mdev_supported_types/{type_id}/create"
        assert self.k.vfs_write(path, uuid.encode() + b"\n") == 37
        return uuid

    def qos(self, uuid: str, name: str) -> str:
        return f"/sys/bus/mdev/devices/{uuid}/qos/{name}"

    def read(self, uuid: str, name: str) -> bytes:
        return self.k.vfs_read(self.qos(uuid, name))

    def value(self, uuid: str, name: str) -> int:
        return int(self.read(uuid, name))

    def write(self, uuid: str, name: str, data: bytes | str) -> int:
        raw = data.encode() if isinstance(data, str) else data
        return self.k.vfs_write(self.qos(uuid, name), raw)

    def load(self, uuid: str, load: str) -> None:
        self.k.vfs_write(f"/sys/kernel/debug/mqos/{uuid}/load", load.encode())

    def counters(self, uuids: list[str]) -> dict[str, dict[str, int]]:
        return {u: {c: self.value(u, c) for c in COUNTERS} for u in uuids}

    def window(self, uuids: list[str], length: int = 80_040) -> dict[str, dict[str, int]]:
        """Counter deltas of each mdev over ``length`` µs of virtual time."""
        before = self.counters(uuids)
        self.k.advance(length)
        after = self.counters(uuids)
        return {u: {c: after[u][c] - before[u][c] for c in COUNTERS} for u in uuids}

    def shares(self, uuids: list[str], length: int = 80_040) -> list[float]:
        deltas = self.window(uuids, length)
        return [deltas[u]["usage_us"] / length for u in uuids]
