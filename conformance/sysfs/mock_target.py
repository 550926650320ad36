"""A :class:`~conformance.sysfs.target.Target` over the in-process reference mock."""

from __future__ import annotations

from typing import TYPE_CHECKING

from conformance.sysfs.target import Stat

if TYPE_CHECKING:
    from conformance.mock.kernel import MockKernel


class MockTarget:
    """Adapts a ``conformance.mock`` kernel's VFS entry points to the Target protocol.

    The suite imports this adapter only for the embedded default target; the
    oracle never sees the mock.
    """

    writable = True

    def __init__(self, kernel: MockKernel) -> None:
        self.kernel = kernel
        self.description = "embedded reference mock (in-process)"

    def read(self, path: str) -> bytes:
        return self.kernel.vfs_read(path)

    def write(self, path: str, data: bytes, *, uid: int | None = None) -> int:
        return self.kernel.vfs_write(path, data, uid=0 if uid is None else uid)

    def stat(self, path: str) -> Stat:
        kind, mode, uid = self.kernel.vfs_stat(path)
        return Stat(kind=kind, mode=mode, uid=uid)

    def listdir(self, path: str) -> list[str]:
        return sorted(self.kernel.vfs_listdir(path))

    def readlink(self, path: str) -> str:
        return self.kernel.vfs_readlink(path)

    def exists(self, path: str) -> bool:
        try:
            self.kernel.vfs_stat(path)
        except FileNotFoundError:
            return False
        return True
