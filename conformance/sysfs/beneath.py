"""The one rule by which the suite follows links in a tree: inside its root, never out.

A recorded tree, a FUSE mount or a journal may come from someone else, and the
suite runs as root. Every walk of a path the suite makes (reading and writing
through :class:`~conformance.sysfs.target.FsTarget`, checking a journal before
a repair, recording a snapshot) follows links by this rule, as ``openat2``
does with ``RESOLVE_IN_ROOT`` (or a ``chroot``):

- the path and every link are read in the tree's own view, from its root;
- an absolute link starts again from the root of the tree (``/sys/devices/x``
  in a tree at ``/tmp/t`` is ``/tmp/t/sys/devices/x``, never the host's);
- ``..`` at the root stays at the root; a walk that tried is marked
  ``climbed``, which a guard may refuse (a journal check does: sysfs's own
  links never climb above ``/``);
- at most :data:`MAX_LINKS` links per walk (``ELOOP`` beyond: a loop);
- a dangling link or missing component is ``ENOENT``, unless the caller asks to
  keep the rest of the path as written (``missing_ok``: a device that went away);
- the final component is not followed unless asked (``follow_last``): the suite
  reads and writes attribute files, which in sysfs are never links.

One walk (:func:`walk`) implements the rule over two ways of looking at a node:
:func:`resolve` opens each component with ``O_PATH | O_NOFOLLOW`` relative to
the directory before it (a concurrent change of the tree cannot redirect a walk
already past it), and :func:`resolve_view` asks a target (``stat``,
``readlink``), whatever serves it.
"""

from __future__ import annotations

import errno
import os
import posixpath
import stat
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

MAX_LINKS = 40  # as the kernel's path walk
_PATH = os.O_PATH | os.O_NOFOLLOW | os.O_CLOEXEC

Node = TypeVar("Node")


def _parts(path: str) -> list[str]:
    return [p for p in path.split("/") if p not in ("", ".")]


class _Access(Protocol[Node]):
    """How a walk looks at nodes: fds of a host tree, or paths of a target."""

    def lookup(self, at: Node, name: str) -> tuple[str, Node | None]:
        """``(kind, node)`` of ``name`` in directory ``at``: kind is dir, link or other."""

    def readlink(self, at: Node, name: str) -> str: ...

    def release(self, node: Node) -> None: ...


@dataclass
class Walked(Generic[Node]):
    """Where a walk ended: the directories from the root down, and the final name."""

    nodes: list[Node]  # the root first; the caller releases them
    names: list[str]  # the directories below the root, in the tree's view
    last: str  # the final name ("" for a path that names the root or a directory)
    climbed: bool  # some ".." tried to climb above the root

    @property
    def path(self) -> str:
        """The resolved path in the tree's view."""
        return "/" + "/".join([*self.names, *([self.last] if self.last else [])])


def walk(
    access: _Access[Node], root: Node, path: str, *, follow_last: bool = False
) -> Walked[Node]:
    """Walk ``path`` from ``root`` by the rule above; OSError as a walk would."""
    stack: list[Node] = [root]
    names: list[str] = []
    pending = _parts(path)
    links, climbed = 0, False
    try:
        while pending:
            name = pending.pop(0)
            if name == "..":
                if len(stack) > 1:
                    access.release(stack.pop())
                    names.pop()
                else:
                    climbed = True
                continue
            if not pending and not follow_last:
                return Walked(stack, names, name, climbed)
            kind, node = access.lookup(stack[-1], name)
            if kind == "link":
                links += 1
                if links > MAX_LINKS:
                    raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), name)
                link = access.readlink(stack[-1], name)
                if link.startswith("/"):
                    while len(stack) > 1:
                        access.release(stack.pop())
                    names.clear()
                pending = _parts(link) + pending
                continue
            if not pending:
                if node is not None:
                    access.release(node)
                return Walked(stack, names, name, climbed)
            if kind != "dir" or node is None:
                raise OSError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), name)
            stack.append(node)
            names.append(name)
        return Walked(stack, names, "", climbed)
    except BaseException:
        for held in stack:
            access.release(held)
        raise


class _Fds:
    """Nodes are ``O_PATH`` fds of a host directory tree."""

    def lookup(self, at: int, name: str) -> tuple[str, int | None]:
        fd = os.open(name, _PATH, dir_fd=at)
        try:
            mode = os.fstat(fd).st_mode  # fails on FUSE for a node removed meanwhile
        except OSError:
            os.close(fd)
            raise
        if stat.S_ISDIR(mode):
            return "dir", fd
        os.close(fd)
        return ("link" if stat.S_ISLNK(mode) else "other"), None

    def readlink(self, at: int, name: str) -> str:
        return os.readlink(name, dir_fd=at)

    def release(self, node: int) -> None:
        os.close(node)


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
    """Walk ``path`` (absolute in the tree's view) from the host directory ``root``."""
    walked = walk(_Fds(), os.open(root, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC), path,
                  follow_last=follow_last)
    try:
        return Beneath(os.dup(walked.nodes[-1]), walked.last)
    finally:
        for fd in walked.nodes:
            os.close(fd)


class Viewed(Protocol):
    """What :func:`resolve_view` needs of a target (``Target`` and ``GuardedTarget`` have it)."""

    def stat(self, path: str) -> Any: ...  # a ``Stat`` with ``kind``

    def readlink(self, path: str) -> str: ...


@dataclass
class _Paths:
    """Nodes are paths in a target's view; a missing one is kept as written if asked."""

    target: Viewed
    missing_ok: bool

    def lookup(self, at: str, name: str) -> tuple[str, str | None]:
        here = posixpath.join(at, name)
        try:
            kind = self.target.stat(here).kind
        except FileNotFoundError:
            if not self.missing_ok:
                raise
            kind = "dir"  # the rest of the path as written
        return kind if kind in ("dir", "link") else "other", here if kind == "dir" else None

    def readlink(self, at: str, name: str) -> str:
        return self.target.readlink(posixpath.join(at, name))

    def release(self, node: str) -> None:
        return None


def resolve_view(target: Viewed, path: str, *, follow_last: bool = True,
                 missing_ok: bool = True) -> Walked[str]:
    """Walk ``path`` in ``target``'s own view.

    ``.path`` is where it leads, ``.climbed`` whether a ``..`` tried to leave the tree.
    """
    return walk(_Paths(target, missing_ok), "/", path, follow_last=follow_last)


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
