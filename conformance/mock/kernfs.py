"""A kernfs-like tree: directories, attributes with show/store, symlinks.

The semantics follow ``fs/kernfs`` and ``fs/sysfs`` where the suite can see them:

- opening for write needs a write bit in the mode *and* a store method, opening
  for read needs a read bit and a show method, otherwise ``EACCES`` (root too,
  as ``kernfs_fop_open`` checks the mode and the ops, not the caller);
- an unprivileged caller is checked against the mode like ``default_permissions``
  (every node is owned by root);
- a show returns at most one page (4096 bytes, of which 4095 are text);
- a store sees the whole buffer of one write, cut to one page (``kernfs_fop_write_iter``
  without ``atomic_write_len``), and write() returns what the store consumed;
- a zero-length write succeeds without calling the store.
"""

from __future__ import annotations

import errno
import os
import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field

PAGE_SIZE = 4096
MAX_SYMLINK_DEPTH = 40

Show = Callable[[], bytes]
Store = Callable[[bytes], None]


def kernel_error(code: int, path: str | None = None) -> OSError:
    """An ``OSError`` as a syscall reports it (the subclass matching ``code``)."""
    if path is None:
        return OSError(code, os.strerror(code))
    return OSError(code, os.strerror(code), path)


@dataclass(eq=False)
class Node:
    """One entry of the tree; every node is owned by root."""

    name: str
    mode: int
    parent: Directory | None = field(default=None, repr=False)
    uid: int = 0

    kind = "node"

    def path(self) -> str:
        """Absolute path of the node."""
        parts = []
        node: Node | None = self
        while node is not None and node.parent is not None:
            parts.append(node.name)
            node = node.parent
        return "/" + "/".join(reversed(parts))


@dataclass(eq=False)
class Directory(Node):
    """A directory; children are kept by name."""

    mode: int = 0o755
    children: dict[str, Node] = field(default_factory=dict, repr=False)

    kind = "dir"

    def add(self, node: Node) -> Node:
        """Attach ``node`` under this directory; the name must be free."""
        if node.name in self.children:
            raise kernel_error(errno.EEXIST, f"{self.path()}/{node.name}")
        node.parent = self
        self.children[node.name] = node
        return node

    def mkdir(self, name: str, mode: int = 0o755) -> Directory:
        """Create and return a subdirectory."""
        return self.add(Directory(name=name, mode=mode))  # type: ignore[return-value]

    def ensure_dir(self, name: str) -> Directory:
        """Return the subdirectory ``name``, creating it when missing."""
        child = self.children.get(name)
        if isinstance(child, Directory):
            return child
        return self.mkdir(name)

    def remove(self, name: str) -> None:
        """Detach a child; missing names are ignored."""
        child = self.children.pop(name, None)
        if child is not None:
            child.parent = None


@dataclass(eq=False)
class Attribute(Node):
    """A regular file whose content comes from ``show`` and goes to ``store``."""

    mode: int = 0o444
    show: Show | None = field(default=None, repr=False)
    store: Store | None = field(default=None, repr=False)

    kind = "file"


@dataclass(eq=False)
class Symlink(Node):
    """A symbolic link with a relative target, as sysfs creates them."""

    mode: int = 0o777
    target: str = ""

    kind = "link"


class KernfsTree:
    """The whole tree with VFS-like operations (no locking: the caller locks)."""

    def __init__(self) -> None:
        self.root = Directory(name="", mode=0o755)

    # -- building -------------------------------------------------------------
    def makedirs(self, path: str) -> Directory:
        """Return the directory at ``path``, creating missing directories."""
        node = self.root
        for part in _split(path):
            node = node.ensure_dir(part)
        return node

    def symlink(self, path: str, target: str) -> Symlink:
        """Create a symlink at ``path`` pointing (relatively) at ``target``."""
        directory, name = posixpath.split(path)
        link_dir = self.makedirs(directory)
        relative = posixpath.relpath(target, directory or "/")
        link = Symlink(name=name, mode=0o777, target=relative)
        link_dir.add(link)
        return link

    def unlink(self, path: str) -> None:
        """Remove the node at ``path`` (no-op when missing)."""
        directory, name = posixpath.split(path)
        try:
            parent = self.lookup(directory)
        except OSError:
            return
        if isinstance(parent, Directory):
            parent.remove(name)

    # -- resolution -----------------------------------------------------------
    def lookup(self, path: str, follow: bool = True) -> Node:
        """Resolve ``path``; ``follow`` decides whether a final symlink is followed."""
        if not path.startswith("/"):
            raise kernel_error(errno.EINVAL, path)
        pending = _split(path)
        node: Node = self.root
        depth = 0
        while pending:
            part = pending.pop(0)
            if not isinstance(node, Directory):
                raise kernel_error(errno.ENOTDIR, path)
            if part == ".":
                continue
            if part == "..":
                node = node.parent or node
                continue
            child = node.children.get(part)
            if child is None:
                raise kernel_error(errno.ENOENT, path)
            if isinstance(child, Symlink) and (pending or follow):
                depth += 1
                if depth > MAX_SYMLINK_DEPTH:
                    raise kernel_error(errno.ELOOP, path)
                if child.target.startswith("/"):
                    node = self.root
                pending = _split(child.target) + pending
                continue
            node = child
        return node

    # -- VFS operations -------------------------------------------------------
    def check_read(self, path: str) -> Attribute:
        """What open(O_RDONLY) checks; returns the attribute that would be read."""
        node = self.lookup(path)
        if isinstance(node, Directory):
            raise kernel_error(errno.EISDIR, path)
        if not isinstance(node, Attribute) or node.show is None or not node.mode & 0o444:
            raise kernel_error(errno.EACCES, path)
        return node

    def read(self, path: str) -> bytes:
        """open(O_RDONLY)/read/close: the whole show() output, at most one page."""
        node = self.check_read(path)
        assert node.show is not None
        data = node.show()
        return data[: PAGE_SIZE - 1]

    def check_write(self, path: str, uid: int = 0) -> Attribute:
        """What open(O_WRONLY) checks; returns the attribute that would be written."""
        node = self.lookup(path)
        if isinstance(node, Directory):
            raise kernel_error(errno.EISDIR, path)
        if not isinstance(node, Attribute):
            raise kernel_error(errno.EACCES, path)
        if uid != node.uid and not node.mode & 0o002:
            raise kernel_error(errno.EACCES, path)
        if node.store is None or not node.mode & 0o222:
            raise kernel_error(errno.EACCES, path)
        return node

    def write(self, path: str, data: bytes, uid: int = 0) -> int:
        """Open for writing, one write system call of ``data``, close."""
        node = self.check_write(path, uid)
        data = data[:PAGE_SIZE]  # sysfs ops have no atomic_write_len: one page at most
        if not data:
            return 0
        assert node.store is not None
        try:
            node.store(bytes(data))
        except OSError as exc:
            if exc.filename is None and exc.errno is not None:
                raise kernel_error(exc.errno, path) from None
            raise
        return len(data)

    def stat(self, path: str) -> tuple[str, int, int]:
        """(kind, permission bits, owner) without following a final symlink."""
        node = self.lookup(path, follow=False)
        return node.kind, node.mode, node.uid

    def listdir(self, path: str) -> list[str]:
        """Names in the directory at ``path`` (symlinks followed)."""
        node = self.lookup(path)
        if not isinstance(node, Directory):
            raise kernel_error(errno.ENOTDIR, path)
        return sorted(node.children)

    def readlink(self, path: str) -> str:
        """The target of the symlink at ``path``."""
        node = self.lookup(path, follow=False)
        if not isinstance(node, Symlink):
            raise kernel_error(errno.EINVAL, path)
        return node.target


def _split(path: str) -> list[str]:
    return [part for part in path.split("/") if part]
