"""One writing run per tree, keyed on the tree's identity, not on how its path is spelled.

The lock is an ``flock`` on an ``O_DIRECTORY`` descriptor of the tree's resolved
``sys`` directory (the root itself when there is none). ``flock`` belongs to the
inode, so every spelling of the tree (a symbolic link to a FUSE mount, a bind
mount, ``/`` and ``/.``), every state directory and every user meet on the same
lock. On sysfs and on FUSE (whose daemons do not implement ``flock``) the kernel
keeps the lock locally; no file is created anywhere.

A writing run takes it exclusively; a ``--profile static`` run takes it shared, so
read-only runs may overlap each other but never a run that writes.
"""

from __future__ import annotations

import errno
import fcntl
import os


class TargetBusy(RuntimeError):
    """Another run holds the tree (see ``JournalBusy``, which the journal raises)."""


class TargetLock:
    """An flock on the tree's ``sys`` directory, held from :meth:`acquire` to :meth:`release`."""

    def __init__(self, root: str, *, shared: bool = False) -> None:
        self.root = root
        self.shared = shared
        self.path = _lock_dir(root)
        self.identity: tuple[int, int] | None = None  # (st_dev, st_ino) once acquired
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock now or raise :class:`TargetBusy` (never waits)."""
        if self._fd is not None:
            return
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except OSError as exc:
            raise TargetBusy(
                f"cannot lock the tree at {self.root}: {self.path}: {exc.strerror or exc}"
            ) from exc
        mode = fcntl.LOCK_SH if self.shared else fcntl.LOCK_EX
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EACCES):
                raise TargetBusy(
                    f"another mdev-qos run is using the tree at {self.root} ({self.path} is "
                    "locked): wait for it to end"
                ) from exc
            raise TargetBusy(f"cannot lock {self.path}: {exc.strerror or exc}") from exc
        info = os.fstat(fd)
        self.identity = (info.st_dev, info.st_ino)
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None

    @property
    def held(self) -> bool:
        return self._fd is not None


def _lock_dir(root: str) -> str:
    real = os.path.realpath(root)
    sysdir = os.path.realpath(os.path.join(real, "sys"))
    return sysdir if os.path.isdir(sysdir) else real
