"""The mock kernel: one model behind the in-process VFS calls and the FUSE mount."""

from __future__ import annotations

import errno
import threading
from pathlib import Path

from conformance.mock.demand import Demand
from conformance.mock.driver import QosDriver
from conformance.mock.engine import Engine
from conformance.mock.grammar import U64_MAX, kstrtouint
from conformance.mock.kernfs import Attribute, KernfsTree, kernel_error
from conformance.mock.mdevcore import Mdev, MdevCore
from conformance.mock.noise import Noise
from conformance.mock.topology import Topology

DEBUGFS = "/sys/kernel/debug"


class MockKernel:
    """The reference mock as a kernel would present it through sysfs.

    ``topology``: a :class:`Topology`, a path to a topology JSON file, or None for
    the default. ``driver_cls``: a :class:`QosDriver` subclass. ``clock``:
    ``"virtual"`` (time moves only when told) or ``"real"`` (follows
    ``time.monotonic``). ``noise``: optional engine noise options.

    Every VFS call takes one lock, so threads (FUSE) see a consistent model.
    """

    def __init__(
        self,
        topology: Topology | str | Path | None = None,
        driver_cls: type[QosDriver] | None = None,
        clock: str = "virtual",
        noise: Noise | None = None,
    ) -> None:
        if clock not in ("virtual", "real"):
            raise ValueError(f"clock must be 'virtual' or 'real', not {clock!r}")
        if topology is None:
            topology = Topology.default()
        elif not isinstance(topology, Topology):
            topology = Topology.from_file(topology)
        self.topology = topology
        self.lock = threading.RLock()
        self.tree = KernfsTree()
        self.engine = Engine(clock=clock, noise=noise)
        self.driver = (driver_cls or QosDriver)(topology, self.engine)
        self.engine.driver = self.driver
        self.debugfs = f"{DEBUGFS}/{self.driver.name}"
        self.core = MdevCore(self.tree, topology, self.driver)
        self.core.observers.append(self)
        self._add_debugfs()
        self._stop = threading.Event()
        if clock == "real":
            # Keep the engine near wall time, so that a read after a long quiet
            # spell does not have to simulate hours of slices at once.
            threading.Thread(target=self._tick, name="mock-clock", daemon=True).start()

    def _tick(self, period_s: float = 0.1) -> None:
        while not self._stop.wait(period_s):
            with self.lock:
                self.engine.sync()

    def close(self) -> None:
        """Stop the real-clock ticker (a virtual-clock kernel has nothing to stop)."""
        self._stop.set()

    # -- VFS entry points --------------------------------------------------------
    def vfs_read(self, path: str) -> bytes:
        with self.lock:
            self.engine.sync()
            return self.tree.read(path)

    def vfs_write(self, path: str, data: bytes, uid: int = 0) -> int:
        with self.lock:
            self.engine.sync()
            return self.tree.write(path, bytes(data), uid)

    def vfs_stat(self, path: str) -> tuple[str, int, int]:
        with self.lock:
            return self.tree.stat(path)

    def vfs_listdir(self, path: str) -> list[str]:
        with self.lock:
            return self.tree.listdir(path)

    def vfs_readlink(self, path: str) -> str:
        with self.lock:
            return self.tree.readlink(path)

    def vfs_check_open(self, path: str, read: bool, write: bool, uid: int = 0) -> None:
        """What open() checks for the given access, without reading or writing."""
        with self.lock:
            if read:
                self.tree.check_read(path)
            if write:
                self.tree.check_write(path, uid)

    # -- conveniences for tests and benchmarks -----------------------------------
    def create_mdev(self, parent: str, type_id: str, uuid: str) -> Mdev:
        """Create an instance as a write of ``uuid`` to the type's ``create`` would."""
        path = f"/sys/class/mdev_bus/{parent}/mdev_supported_types/{type_id}/create"
        self.vfs_write(path, uuid.encode())
        return self.core.mdevs[uuid.lower()]

    def advance(self, us: int) -> None:
        """Advance virtual time by ``us`` µs."""
        with self.lock:
            self.engine.advance(us)

    # -- debugfs -----------------------------------------------------------------
    def _add_debugfs(self) -> None:
        directory = self.tree.makedirs(self.debugfs)
        directory.add(Attribute("clock_us", 0o644, show=self._show_clock,
                                store=self._store_clock))

    def mdev_created(self, mdev: Mdev) -> None:
        """Core observer: give the new mdev its debugfs load control."""
        directory = self.tree.makedirs(f"{self.debugfs}/{mdev.uuid}")

        def show() -> bytes:
            return self.engine.demand(mdev).format().encode()

        def store(buf: bytes) -> None:
            self.engine.set_demand(mdev, Demand.parse(buf))

        directory.add(Attribute("load", 0o644, show=show, store=store))

    def mdev_removed(self, mdev: Mdev) -> None:
        """Core observer: drop the mdev's debugfs directory."""
        self.tree.unlink(f"{self.debugfs}/{mdev.uuid}")

    def _show_clock(self) -> bytes:
        return f"{self.engine.now()}\n".encode()

    def _store_clock(self, buf: bytes) -> None:
        if self.engine.clock != "virtual":
            raise kernel_error(errno.EPERM)
        us = kstrtouint(buf, limit=U64_MAX)
        self.engine.advance(us)
