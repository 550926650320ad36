"""A small rig for the models' traces: an in-process mock running one model."""

from __future__ import annotations

from conformance.mock import MockKernel


class Rig:
    """Create mdevs, set loads and knobs, read usage over windows of virtual time."""

    def __init__(self, driver_cls: type) -> None:
        self.k = MockKernel(driver_cls=driver_cls)
        self.serial = 0

    def create(self, type_id: str = "mqos-full", parent: str = "mqos0") -> str:
        self.serial += 1
        uuid = f"2b7c0e14-0000-4000-8000-{self.serial:012x}"
        path = f"/sys/class/mdev_bus/{parent}/mdev_supported_types/{type_id}/create"
        self.k.vfs_write(path, uuid.encode())
        return uuid

    def remove(self, uuid: str) -> None:
        self.k.vfs_write(f"/sys/bus/mdev/devices/{uuid}/remove", b"1")

    def load(self, uuid: str, load: str) -> None:
        self.k.vfs_write(f"/sys/kernel/debug/mqos/{uuid}/load", load.encode())

    def write(self, uuid: str, name: str, value: str) -> None:
        self.k.vfs_write(f"/sys/bus/mdev/devices/{uuid}/qos/{name}", value.encode())

    def read(self, uuid: str, name: str) -> str:
        return self.k.vfs_read(f"/sys/bus/mdev/devices/{uuid}/qos/{name}").decode()

    def counter(self, uuid: str, name: str = "usage_us") -> int:
        return int(self.read(uuid, name))

    def advance(self, us: int) -> None:
        self.k.advance(us)

    def now(self) -> int:
        return self.k.engine.now()

    def usage(self, uuids: list[str], length: int, name: str = "usage_us") -> list[int]:
        """How much of ``name`` each mdev gained over the next ``length`` µs."""
        before = [self.counter(u, name) for u in uuids]
        self.advance(length)
        return [self.counter(u, name) - b for u, b in zip(uuids, before, strict=True)]
