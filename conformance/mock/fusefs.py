"""The mock kernel mounted with FUSE: ``DIR/sys/...`` for any tool to use.

Kernel-like semantics: the writer gets the driver's errno; the kernel checks
permissions (``default_permissions``) so ``nobody`` cannot write a 0644 file;
``direct_io`` makes every write() reach the store whole and every read() reach
show; regular files report 4096 bytes, like sysfs attributes. A read at offset 0
calls show and keeps the text for the rest of that open file, like seq_file.
"""

from __future__ import annotations

import errno
import itertools
import os
import stat
import threading
import time
from typing import Any

import mfusepy

from conformance.mock.kernel import MockKernel
from conformance.mock.kernfs import PAGE_SIZE


class MockFS(mfusepy.Operations):
    """FUSE operations over one :class:`MockKernel` (thread-safe: the kernel locks)."""

    use_ns = True

    def __init__(self, kernel: MockKernel) -> None:
        self.kernel = kernel
        self.mounted_at = time.time_ns()
        self._handles: dict[int, bytes | None] = {}
        self._next = itertools.count(1)
        self._lock = threading.Lock()

    # -- metadata -----------------------------------------------------------------
    def getattr(self, path: str, fh: Any = None) -> dict[str, Any]:
        kind, mode, uid = self.kernel.vfs_stat(path)
        attrs: dict[str, Any] = {"st_uid": uid, "st_gid": 0, "st_nlink": 1,
                                 "st_atime": self.mounted_at, "st_mtime": self.mounted_at,
                                 "st_ctime": self.mounted_at}
        if kind == "dir":
            attrs.update(st_mode=stat.S_IFDIR | mode, st_nlink=2, st_size=0)
        elif kind == "link":
            target = self.kernel.vfs_readlink(path)
            attrs.update(st_mode=stat.S_IFLNK | mode, st_size=len(target))
        else:
            attrs.update(st_mode=stat.S_IFREG | mode, st_size=PAGE_SIZE)
        return attrs

    def readdir(self, path: str, fh: Any) -> list[str]:
        return [".", "..", *self.kernel.vfs_listdir(path)]

    def readlink(self, path: str) -> str:
        return self.kernel.vfs_readlink(path)

    def statfs(self, path: str) -> dict[str, int]:
        return {"f_bsize": PAGE_SIZE, "f_namemax": 255}

    # -- files --------------------------------------------------------------------
    def open(self, path: str, flags: int) -> int:
        access = flags & os.O_ACCMODE
        self.kernel.vfs_check_open(path, read=access != os.O_WRONLY,
                                   write=access != os.O_RDONLY)
        with self._lock:
            fh = next(self._next)
            self._handles[fh] = None
        return fh

    def read(self, path: str, size: int, offset: int, fh: int) -> bytes:
        with self._lock:
            text = self._handles.get(fh)
        if offset == 0 or text is None:
            text = self.kernel.vfs_read(path)
            with self._lock:
                self._handles[fh] = text
        return text[offset:offset + size]

    def write(self, path: str, data: bytes, offset: int, fh: int) -> int:
        return self.kernel.vfs_write(path, data)

    def truncate(self, path: str, length: int, fh: Any = None) -> int:
        # O_TRUNC on a sysfs attribute is accepted and does nothing.
        return 0

    def release(self, path: str, fh: int) -> int:
        with self._lock:
            self._handles.pop(fh, None)
        return 0

    # -- everything a sysfs tree refuses -----------------------------------------
    def create(self, path: str, mode: int, fi: Any = None) -> int:
        raise mfusepy.FuseOSError(errno.EACCES)

    def mkdir(self, path: str, mode: int) -> int:
        raise mfusepy.FuseOSError(errno.EACCES)

    def unlink(self, path: str) -> int:
        raise mfusepy.FuseOSError(errno.EACCES)

    def rmdir(self, path: str) -> int:
        raise mfusepy.FuseOSError(errno.EACCES)


def mount(kernel: MockKernel, mountpoint: str, *, threads: bool = False,
          debug: bool = False) -> None:
    """Mount in the foreground until SIGINT/SIGTERM or ``fusermount3 -u``.

    Single-threaded by default (about twice the operations per second here);
    ``threads`` serves requests from several threads, the kernel's lock keeping
    the model consistent. No ``auto_unmount``: if this process dies, the mount
    stays dead ("Transport endpoint is not connected") until ``fusermount3 -u``,
    so a run on it fails loudly instead of finding a plain empty directory there,
    which is what auto_unmount leaves a run that is still writing.
    """
    mfusepy.FUSE(
        MockFS(kernel),
        mountpoint,
        foreground=True,
        nothreads=not threads,
        debug=debug,
        default_permissions=True,
        allow_other=True,
        direct_io=True,
        fsname="mdev-qos-mock",
        subtype="mdevqos",
    )
