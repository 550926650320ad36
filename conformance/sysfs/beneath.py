"""Resolve a path inside a tree's root, never leaving it (like ``openat2`` RESOLVE_IN_ROOT).

A recorded tree may come from someone else. Its links must mean what they mean
in sysfs, where every link stays inside ``/sys``: so each component is opened
with ``O_PATH | O_NOFOLLOW`` relative to the directory before it, a link is
read and resolved by the suite itself, ``..`` never climbs above the root, and
an absolute link starts again from the root. A link can therefore never reach a
file of the machine outside the tree, whatever it says, and a concurrent change
of the tree cannot redirect a walk that is already past it.

The final component is not followed unless asked (``follow_last``): the suite
reads and writes attribute files, which in sysfs are never links.
"""

from __future__ import annotations

import errno
import os
import stat

MAX_LINKS = 40  # as the kernel's path walk
_PATH = os.O_PATH | os.O_NOFOLLOW | os.O_CLOEXEC


def _parts(path: str) -> list[str]:
    return [p for p in path.split("/") if p not in ("", ".")]


class Beneath:
    """A directory fd and a final name, both inside the root; close it after use."""

    def __init__(self, dir_fd: int, name: str) -> None:
        self.dir_fd = dir_fd
        self.name = name or "."  # "." when the path names a directory reached by ".."

    def close(self) -> None:
        os.close(self.dir_fd)

    def __enter__(self) -> Beneath:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def resolve(root: str, path: str, *, follow_last: bool = False) -> Beneath:
    """Walk ``path`` (absolute in the tree's view) from ``root``; OSError as a walk would."""
    stack = [os.open(root, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)]
    pending = _parts(path)
    links = 0
    try:
        while pending:
            name = pending.pop(0)
            if name == "..":
                if len(stack) > 1:
                    os.close(stack.pop())
                continue
            if not pending and not follow_last:
                return Beneath(os.dup(stack[-1]), name)
            fd = os.open(name, _PATH, dir_fd=stack[-1])
            try:
                mode = os.fstat(fd).st_mode  # fails on FUSE for a node removed meanwhile
            except OSError:
                os.close(fd)
                raise
            if stat.S_ISLNK(mode):
                os.close(fd)
                links += 1
                if links > MAX_LINKS:
                    raise OSError(errno.ELOOP, os.strerror(errno.ELOOP))
                link = os.readlink(name, dir_fd=stack[-1])
                if link.startswith("/"):
                    while len(stack) > 1:
                        os.close(stack.pop())
                pending = _parts(link) + pending
                continue
            if not pending:
                os.close(fd)
                return Beneath(os.dup(stack[-1]), name)
            if not stat.S_ISDIR(mode):
                os.close(fd)
                raise OSError(errno.ENOTDIR, os.strerror(errno.ENOTDIR))
            stack.append(fd)
        return Beneath(os.dup(stack[-1]), ".")
    finally:
        for fd in stack:
            os.close(fd)


def open_regular(where: Beneath, flags: int) -> int:
    """Open the final name as a regular file, without following a link or blocking.

    A link, a directory, a FIFO, a socket or a device is refused before it is
    opened for I/O (a FIFO would block, a device could have side effects).
    """
    probe = os.open(where.name, _PATH, dir_fd=where.dir_fd)
    try:
        before = os.fstat(probe)
    finally:
        os.close(probe)
    _check_regular(before.st_mode)
    fd = os.open(where.name, flags | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC,
                 dir_fd=where.dir_fd)
    after = os.fstat(fd)
    if (after.st_dev, after.st_ino) != (before.st_dev, before.st_ino):
        os.close(fd)
        raise OSError(errno.EAGAIN, "the file changed while it was opened")
    return fd


def _check_regular(mode: int) -> None:
    if stat.S_ISREG(mode):
        return
    if stat.S_ISLNK(mode):
        raise OSError(errno.ELOOP, "a symbolic link where sysfs has a file (not followed)")
    if stat.S_ISDIR(mode):
        raise OSError(errno.EISDIR, os.strerror(errno.EISDIR))
    raise OSError(errno.EINVAL, f"not a regular file ({kind_of(mode)}); not opened")


def kind_of(mode: int) -> str:
    """A node's kind in words: file, dir, link, fifo, socket, char device, block device."""
    for test, name in ((stat.S_ISREG, "file"), (stat.S_ISDIR, "dir"), (stat.S_ISLNK, "link"),
                       (stat.S_ISFIFO, "fifo"), (stat.S_ISSOCK, "socket"),
                       (stat.S_ISCHR, "char device"), (stat.S_ISBLK, "block device")):
        if test(mode):
            return name
    return "unknown"
