"""The sysfs access layer: the only way the suite touches a device.

Every path is absolute in the target's own view (``/sys/bus/mdev/devices/...``).
A :class:`Target` maps it onto a real directory tree (a live ``/sys``, a FUSE
mount, a recorded tree) or onto the in-process reference mock. Failures are
``OSError`` carrying the driver's errno, exactly as a syscall would report it.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from conformance.sysfs import beneath, users

# the answers by which a tree says a path leads nowhere (for this user): exists() is False
ABSENT_ERRNOS = frozenset({errno.ENOENT, errno.ENOTDIR, errno.ELOOP, errno.EACCES, errno.EPERM})


@dataclass(frozen=True)
class Stat:
    """What the suite needs of a node: its kind, permission bits and owner."""

    kind: str  # "file", "dir", "link", or "other" (FIFO, socket, device: not sysfs)
    mode: int  # permission bits only, e.g. 0o644
    uid: int = 0


@runtime_checkable
class Target(Protocol):
    """A sysfs-like tree the suite reads and writes."""

    description: str

    @property
    def writable(self) -> bool:
        """False for recorded trees opened read-only."""

    def read(self, path: str) -> bytes:
        """open/read/close: the whole content, as one show() returns it."""

    def write(self, path: str, data: bytes, *, uid: int | None = None) -> int:
        """Open, one write system call of ``data``, close; returns the count it returned.

        ``uid`` runs the write as that unprivileged user (permission checks apply).
        """

    def stat(self, path: str) -> Stat:
        """Kind and mode of a node, without following a final symlink."""

    def listdir(self, path: str) -> list[str]:
        """Names in a directory, sorted."""

    def readlink(self, path: str) -> str:
        """Target of a symlink, as the kernel reports it."""

    def exists(self, path: str) -> bool:
        """True when the node exists (a dangling link counts as existing).

        False only when the tree answers that nothing is there for this user;
        when it cannot answer (a FUSE daemon gone, EIO) the ``OSError`` is raised:
        "cannot tell" is never "absent".
        """


class FsTarget:
    """A target backed by a real directory tree: ``/``, a FUSE mount or a recording.

    Every path is resolved inside ``root`` (:mod:`conformance.sysfs.beneath`): a
    link in the tree never reaches a file outside it, a read or write never
    follows a final link and never opens a FIFO, socket or device, and a read
    returns at most one page (:data:`PAGE_SIZE`), as a sysfs ``show`` does.
    """

    def __init__(self, root: str = "/", *, writable: bool = True) -> None:
        self.root = os.path.abspath(root)
        self.writable = writable
        self.description = "sysfs at /" if self.root == "/" else f"tree at {self.root}"

    def host_path(self, path: str) -> str:
        """Map a target path onto the host file system (for messages: I/O goes beneath)."""
        if not path.startswith("/"):
            raise ValueError(f"target paths are absolute: {path!r}")
        return os.path.join(self.root, path.lstrip("/"))

    def _at(self, path: str, *, follow_last: bool = False) -> beneath.Beneath:
        self.host_path(path)  # refuses a relative path
        return beneath.resolve(self.root, path, follow_last=follow_last)

    def read(self, path: str) -> bytes:
        with _named(self, path), self._at(path) as where:
            return read_page(beneath.open_regular(where, os.O_RDONLY))

    def write(self, path: str, data: bytes, *, uid: int | None = None) -> int:
        if not self.writable:
            raise OSError(errno.EROFS, "target opened read-only", path)
        if uid is None:
            return _write_once(self, path, data)
        return _write_as(uid, self, path, data)

    def stat(self, path: str) -> Stat:
        with _named(self, path), self._at(path) as where:
            st = os.stat(where.name, dir_fd=where.dir_fd, follow_symlinks=False)
        if stat.S_ISLNK(st.st_mode):
            kind = "link"
        elif stat.S_ISDIR(st.st_mode):
            kind = "dir"
        elif stat.S_ISREG(st.st_mode):
            kind = "file"
        else:
            kind = "other"  # a FIFO, socket or device: never found in sysfs
        return Stat(kind=kind, mode=stat.S_IMODE(st.st_mode), uid=st.st_uid)

    def listdir(self, path: str) -> list[str]:
        with _named(self, path), self._at(path, follow_last=True) as where:
            fd = os.open(where.name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
                         | os.O_CLOEXEC, dir_fd=where.dir_fd)
            try:
                return sorted(os.listdir(fd))
            finally:
                os.close(fd)

    def readlink(self, path: str) -> str:
        with _named(self, path), self._at(path) as where:
            return os.readlink(where.name, dir_fd=where.dir_fd)

    def exists(self, path: str) -> bool:
        try:
            with _named(self, path), self._at(path) as where:
                os.stat(where.name, dir_fd=where.dir_fd, follow_symlinks=False)
        except OSError as exc:
            if exc.errno in ABSENT_ERRNOS:
                return False
            raise  # e.g. ENOTCONN: the tree did not answer, so nobody knows
        return True


PAGE_SIZE = 4096  # the most one sysfs show() returns


def read_page(fd: int) -> bytes:
    """Read at most one page from ``fd`` and close it."""
    try:
        chunks: list[bytes] = []
        left = PAGE_SIZE
        while left and (chunk := os.read(fd, left)):
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


@contextmanager
def _named(target: FsTarget, path: str) -> Iterator[None]:
    """Errors name the host path (as a plain open would), not the last component."""
    try:
        yield
    except OSError as exc:
        if exc.errno is None:
            raise
        raise OSError(exc.errno, exc.strerror, target.host_path(path)) from None


def _write_once(target: FsTarget, path: str, data: bytes) -> int:
    with _named(target, path), target._at(path) as where:
        fd = beneath.open_regular(where, os.O_WRONLY)
        try:
            return os.write(fd, data)
        finally:
            os.close(fd)


def _write_as(uid: int, target: FsTarget, path: str, data: bytes) -> int:
    """Write as ``uid`` (the suite's "other user" helper); errno comes back intact."""
    return users.act_as(uid, lambda: _write_once(target, path, data), target.host_path(path))
