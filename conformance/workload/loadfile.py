"""Adapters over the debugfs-style load control of the reference drivers.

Both reference drivers (the Python mock and the C module) expose
``/sys/kernel/debug/mqos/<uuid>/load``; the mock alone adds ``clock_us``, a
virtual clock advanced by writing a number of microseconds.
"""

from __future__ import annotations

import time

from conformance import defaults
from conformance.sysfs.target import Target
from conformance.workload.base import Load, WorkloadError, parse_load


class LoadFileWorkload:
    """``sample``: writes the load file, lets real time pass."""

    name = "sample"
    virtual = False

    def __init__(self, target: Target, load_dir: str = defaults.LOAD_DIR) -> None:
        self.target = target
        self.load_dir = load_dir.rstrip("/")

    def load_path(self, uuid: str) -> str:
        return f"{self.load_dir}/{uuid}/load"

    def unavailable(self) -> str | None:
        if not self.target.exists(self.load_dir):
            return f"no load control at {self.load_dir} (is debugfs mounted and the driver loaded?)"
        return None

    def set_load(self, uuid: str, load: Load) -> None:
        path = self.load_path(uuid)
        try:
            self.target.write(path, f"{load}\n".encode())
        except OSError as exc:
            raise WorkloadError(f"cannot set load {load} on {uuid}: {path}: {exc}") from exc

    def get_load(self, uuid: str) -> Load | None:
        try:
            return parse_load(self.target.read(self.load_path(uuid)).decode())
        except (OSError, ValueError, UnicodeDecodeError):
            return None

    def elapse(self, us: int) -> None:
        if us > 0:
            time.sleep(us / 1e6)

    def now_us(self) -> int:
        return time.monotonic_ns() // 1000


class MockClockWorkload(LoadFileWorkload):
    """``mock``: the same load file, with the mock's virtual clock (no sleeping)."""

    name = "mock"
    virtual = True

    @property
    def clock_path(self) -> str:
        return f"{self.load_dir}/clock_us"

    def unavailable(self) -> str | None:
        if not self.target.exists(self.clock_path):
            return f"no virtual clock at {self.clock_path}: the mock workload needs the mock"
        try:
            self.target.write(self.clock_path, b"0\n")  # advancing by 0 proves it is virtual
        except OSError as exc:
            return f"the clock at {self.clock_path} cannot be advanced ({exc.strerror or exc})"
        return None

    def elapse(self, us: int) -> None:
        if us <= 0:
            return
        try:
            self.target.write(self.clock_path, f"{int(us)}\n".encode())
        except OSError as exc:
            raise WorkloadError(f"cannot advance the virtual clock by {us} µs: {exc}") from exc

    def now_us(self) -> int:
        try:
            return int(self.target.read(self.clock_path))
        except (OSError, ValueError) as exc:
            raise WorkloadError(f"cannot read the virtual clock {self.clock_path}: {exc}") from exc
