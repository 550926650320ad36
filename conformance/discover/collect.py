"""Read a tree's parents, types, offers and mdevs: reads only, never a write.

Every access goes through the :class:`~conformance.sysfs.target.Target` it is
given: for a tree on disk a :class:`~conformance.sysfs.guarded.GuardedTarget`
over a read-only :class:`~conformance.sysfs.target.FsTarget`, which never leaves
the tree, never follows a final link, never opens a FIFO or device and reads at
most one page per file. What cannot be read is recorded, never raised, except a
target that is gone (:class:`~conformance.sysfs.guarded.TargetLost`).
"""

from __future__ import annotations

import errno
import os

from conformance.discover.model import Discovery, FileRead, Mdev, MdevType, Offer, Parent
from conformance.sysfs import paths
from conformance.sysfs.guarded import TargetHung, TargetLost
from conformance.sysfs.target import Target

MAX_ENTRIES = 4096  # names taken from one directory; a longer listing is cut and noted
TYPE_ATTRIBUTES = ("name", "available_instances", "device_api")


class Reader:
    """Reads through a target, noting what it could not read."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.problems: list[str] = []

    def listdir(self, path: str) -> list[str] | None:
        """The names in a directory (at most MAX_ENTRIES), None if it cannot be listed."""
        try:
            names = self.target.listdir(path)
        except TargetHung as exc:
            self.problems.append(f"{path}: {exc}")
            return None
        except OSError as exc:
            if exc.errno not in (errno.ENOENT, errno.ENOTDIR):
                self.problems.append(f"{path}: {_why(exc)}")
            return None
        if len(names) > MAX_ENTRIES:
            self.problems.append(f"{path}: {len(names)} entries, only the first "
                                 f"{MAX_ENTRIES} are listed")
        return names[:MAX_ENTRIES]

    def readlink(self, path: str) -> str | None:
        try:
            return self.target.readlink(path)
        except TargetHung as exc:
            self.problems.append(f"{path}: {exc}")
        except OSError:
            pass
        return None

    def entry(self, path: str) -> FileRead | None:
        """Kind, mode and (for a regular file) one read; None when nothing is there."""
        try:
            info = self.target.stat(path)
        except TargetHung as exc:
            return FileRead("other", 0, error=str(exc))
        except OSError:
            return None
        if info.kind != "file":
            return FileRead(info.kind, info.mode)
        try:
            raw = self.target.read(path)
        except TargetHung as exc:
            return FileRead(info.kind, info.mode, error=str(exc))
        except OSError as exc:
            return FileRead(info.kind, info.mode, error=_why(exc))
        return FileRead(info.kind, info.mode, value=_text(raw))

    def entries(self, directory: str) -> dict[str, FileRead] | None:
        """Every entry of a directory, read; None when it is not a directory."""
        names = self.listdir(directory)
        if names is None:
            return None
        found = {}
        for name in names:
            read = self.entry(f"{directory}/{name}")
            if read is not None:
                found[name] = read
        return found


def _why(exc: OSError) -> str:
    name = errno.errorcode.get(exc.errno or 0, "error")
    return f"{name}: {exc.strerror or exc}"


def _text(raw: bytes) -> str:
    """A read as text: one trailing newline dropped, bytes outside ASCII escaped."""
    if raw.endswith(b"\n"):
        raw = raw[:-1]
    return raw.decode("ascii", errors="backslashreplace")


def discover(target: Target, parent: str | None = None, type_id: str | None = None) -> Discovery:
    """What the tree offers, for every parent and type (or only the named ones)."""
    reader = Reader(target)
    if not target.exists(paths.CLASS):
        return Discovery(source=target.description, mdev_bus=False)
    names = reader.listdir(paths.CLASS) or []
    parents = [_parent(reader, name, type_id) for name in names
               if parent is None or name == parent]
    return Discovery(source=target.description, mdev_bus=True, parents=parents,
                     problems=reader.problems)


def _parent(reader: Reader, name: str, type_id: str | None) -> Parent:
    subsystem = reader.readlink(paths.parent_subsystem(name))
    bus = os.path.basename(subsystem.rstrip("/")) if subsystem else None
    types = [_type(reader, name, kind) for kind in reader.listdir(paths.types_dir(name)) or []
             if type_id is None or kind == type_id]
    return Parent(name=name, bus=bus, types=types)


def _type(reader: Reader, parent: str, type_id: str) -> MdevType:
    base = paths.type_dir(parent, type_id)
    attributes = {}
    for attribute in TYPE_ATTRIBUTES:
        read = reader.entry(f"{base}/{attribute}")
        if read is not None:
            attributes[attribute] = read
    offer_entries = reader.entries(paths.type_qos(parent, type_id))
    offer = Offer(offer_entries) if offer_entries is not None else None
    mdevs = [_mdev(reader, uuid) for uuid in reader.listdir(paths.type_devices(parent, type_id))
             or [] if paths.UUID.fullmatch(uuid)]
    return MdevType(type_id=type_id, attributes=attributes, offer=offer, mdevs=mdevs)


def _mdev(reader: Reader, uuid: str) -> Mdev:
    return Mdev(uuid=uuid, qos=reader.entries(paths.qos(uuid)))


__all__ = ["Reader", "TargetLost", "discover"]
