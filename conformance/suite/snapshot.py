"""Record the part of a sysfs tree the static profile reads, for one or more mdevs.

The recording keeps the kernel's layout, so ``mdev-qos run --sysfs-root DIR
--profile static --mdev UUID`` runs on it unchanged: the mdev's directory under
its parent with ``qos/`` (contents, modes and owners) and the ``mdev_type`` link,
the parent's type directory, and the bus and class views as symlinks.
Nothing is ever written to the source.

The source may be hostile (a tree someone else prepared) or broken (a FUSE
daemon that stopped). So the recorder:

- reads through :class:`~conformance.sysfs.target.FsTarget`, which never leaves
  the source's root and never follows a final link, with a deadline on every
  operation (:class:`~conformance.sysfs.guarded.GuardedTarget`);
- records links only where sysfs has links (the bus and class views, the
  ``mdev_type`` link, the type's ``devices/`` entry), rebuilt relative inside
  the recording; a link, FIFO, socket or device where sysfs has a file is left
  out and listed under ``skipped`` in the manifest, never opened;
- copies at most one page per file and refuses a tree larger than any sysfs
  mdev (:class:`Limits`); copied files keep their own permission bits, without
  set-user-ID, set-group-ID or sticky bits;
- writes into a fresh directory next to ``out`` and renames it into place, so a
  refused or failed recording leaves nothing behind.
"""

from __future__ import annotations

import errno
import json
import os
import posixpath
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance import defaults
from conformance.sysfs import beneath, paths
from conformance.sysfs.guarded import GuardedTarget, TargetFault
from conformance.sysfs.target import FsTarget, Target

TYPE_FILES = ("name", "description", "device_api", "available_instances", "create")
MANIFEST = "snapshot.json"
DEVICES_ROOT = "/sys/devices/"
Source = Target | GuardedTarget  # what the recorder reads through


class SnapshotError(ValueError):
    """The device cannot be recorded (not found, output not empty...)."""


@dataclass(frozen=True)
class Limits:
    """How much a recording may take: a real mdev needs a few dozen nodes and pages."""

    op_timeout_s: float = defaults.OP_TIMEOUT_S  # longest one operation on the source
    max_nodes: int = 1000  # files, links and directories in the recording
    max_bytes: int = 1 << 20  # content copied in all (each file: at most one page)
    max_depth: int = 8  # directories below qos/


def _resolve(target: Source, path: str) -> str:
    """Follow links in the target's own view, by the suite's one rule (``beneath``)."""
    try:
        return beneath.resolve_view(target, path).path
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise SnapshotError(f"too many levels of symbolic links at {path}") from exc
        raise


class _Writer:
    """Writes the recording under ``out`` (a fresh directory), within the limits."""

    def __init__(self, out: Path, limits: Limits) -> None:
        self.out = out
        self.real_out = os.path.realpath(out)
        self.limits = limits
        self.recorded: list[str] = []
        self.skipped: list[dict[str, str]] = []
        self.nodes = 0
        self.bytes = 0
        self._dir_modes: list[tuple[Path, int]] = []
        self._copied: set[str] = set()

    def host(self, path: str) -> Path:
        """Where a target path goes in the recording (never outside it)."""
        dest = self.out / path.lstrip("/")
        dest.parent.mkdir(parents=True, exist_ok=True)
        parent = os.path.realpath(dest.parent)
        if parent != self.real_out and not parent.startswith(self.real_out + os.sep):
            raise SnapshotError(f"{path} would be written outside the recording")
        return dest

    def _count(self, path: str, size: int = 0) -> None:
        self.nodes += 1
        self.bytes += size
        if self.nodes > self.limits.max_nodes:
            raise SnapshotError(
                f"more than {self.limits.max_nodes} nodes at {path}: not an mdev's sysfs tree"
            )
        if self.bytes > self.limits.max_bytes:
            raise SnapshotError(
                f"more than {self.limits.max_bytes} bytes at {path}: not an mdev's sysfs tree"
            )

    def skip(self, path: str, reason: str) -> None:
        self.skipped.append({"path": path, "reason": reason})

    def copy_file(self, target: Source, path: str) -> None:
        """Copy a regular file (one page at most); skip anything else where sysfs has a file."""
        if path in self._copied:  # a type file shared by two recorded mdevs: listed for each
            self.recorded.append(path)
            return
        st = target.stat(path)
        if st.kind != "file":
            what = {"link": "a symbolic link", "dir": "a directory"}.get(
                st.kind, "a FIFO, socket or device"
            )
            self.skip(path, f"{what} where sysfs has a file: not followed, not opened")
            return
        try:
            content = target.read(path)
        except OSError:
            content = b""  # write-only (create, remove): record the node, not a value
        self._count(path, len(content))
        fd = os.open(self.host(path), os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        try:
            os.write(fd, content)
            if os.geteuid() == 0:
                os.fchown(fd, st.uid, -1)
            os.fchmod(fd, st.mode & 0o777)  # no set-ID or sticky bit from a foreign tree
        finally:
            os.close(fd)
        if st.mode & ~0o777:
            self.skip(path, f"mode {st.mode:04o} recorded as {st.mode & 0o777:04o}")
        self._copied.add(path)
        self.recorded.append(path)

    def link(self, path: str, to: str) -> None:
        """A relative symlink at ``path`` pointing at target path ``to``."""
        dest = self.host(path)
        if dest.is_symlink() or dest.exists():
            return
        self._count(path)
        os.symlink(posixpath.relpath(to, posixpath.dirname(path)), dest)
        self.recorded.append(path)

    def copy_tree(self, target: Source, path: str, depth: int = 0) -> None:
        """A directory where sysfs has one (``qos/``) and the files in it."""
        if depth > self.limits.max_depth:
            raise SnapshotError(f"{path} is nested deeper than any sysfs tree")
        st = target.stat(path)
        if st.kind != "dir":
            self.skip(path, "not a directory where sysfs has one: not followed, not opened")
            return
        self._count(path)
        dest = self.host(path)
        dest.mkdir(exist_ok=True)
        self._dir_modes.append((dest, st.mode & 0o777))
        for name in target.listdir(path):
            child = f"{path}/{name}"
            if target.stat(child).kind == "dir":
                self.copy_tree(target, child, depth + 1)
            else:
                self.copy_file(target, child)

    def finish(self) -> None:
        """Apply directory modes last (a 0555 directory must not stop its own copy)."""
        for dest, mode in reversed(self._dir_modes):
            os.chmod(dest, mode)


def snapshot(
    root: str, uuids: list[str], out: Path, limits: Limits | None = None
) -> dict[str, Any]:
    """Record each mdev of ``uuids`` from the tree at ``root`` into ``out``."""
    limits = limits or Limits()
    if not uuids:
        raise SnapshotError("name at least one mdev with --mdev UUID")
    for uuid in uuids:
        if not paths.UUID.fullmatch(uuid):
            raise SnapshotError(f"--mdev needs a UUID, not {uuid!r}")
    if os.path.lexists(out) and (out.is_symlink() or not out.is_dir()):
        raise SnapshotError(f"{out} exists and is not a directory; choose a new directory")
    if out.is_dir() and any(out.iterdir()):
        raise SnapshotError(f"{out} exists and is not empty; choose a new directory")
    if not os.path.isdir(root):
        raise SnapshotError(f"--sysfs-root {root}: no such directory")
    target = GuardedTarget(FsTarget(root, writable=False), deadline_s=limits.op_timeout_s)
    staging: Path | None = None
    try:
        for uuid in uuids:
            if not target.exists(paths.mdev_dir(uuid)):
                raise SnapshotError(f"no mdev {uuid} under {root}{paths.DEVICES}")
        home = out.absolute().parent
        home.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.snapshot-", dir=home))
        writer = _Writer(staging, limits)
        devices = [_record_mdev(target, writer, uuid) for uuid in uuids]
        writer.finish()
        manifest: dict[str, Any] = {
            "source": os.path.abspath(root),
            "mdevs": devices,
            "files": sorted(writer.recorded),
        }
        if writer.skipped:
            manifest["skipped"] = writer.skipped
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(staging, 0o777 & ~umask)
        os.rename(staging, out)  # replaces an empty directory, never a non-empty one
        return manifest
    except TargetFault as exc:
        raise SnapshotError(f"the tree at {root} does not answer: {exc}") from exc
    finally:
        target.close()
        if staging is not None and staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def _record_mdev(target: Source, writer: _Writer, uuid: str) -> dict[str, str]:
    device = _resolve(target, paths.mdev_dir(uuid))
    if not device.startswith(DEVICES_ROOT) or posixpath.basename(device) != uuid:
        raise SnapshotError(f"{paths.mdev_dir(uuid)} leads to {device}, not an mdev's directory")
    parent_dir = posixpath.dirname(device)
    parent = posixpath.basename(parent_dir)
    writer.link(paths.mdev_dir(uuid), device)
    writer.link(paths.parent_dir(parent), parent_dir)
    writer.host(device).mkdir(exist_ok=True)
    type_id = ""
    if target.exists(f"{device}/mdev_type"):
        type_dir = _resolve(target, f"{device}/mdev_type")
        if posixpath.dirname(type_dir) != f"{parent_dir}/{paths.SUPPORTED_TYPES}":
            raise SnapshotError(f"{device}/mdev_type leads to {type_dir}, not a type of {parent}")
        type_id = posixpath.basename(type_dir)
        writer.link(f"{device}/mdev_type", type_dir)
        for name in TYPE_FILES:
            if target.exists(f"{type_dir}/{name}"):
                writer.copy_file(target, f"{type_dir}/{name}")
        writer.link(f"{type_dir}/devices/{uuid}", device)
        if target.exists(f"{type_dir}/qos"):
            writer.copy_tree(target, f"{type_dir}/qos")  # the type's offer (spec 1.1)
    if target.exists(f"{device}/qos"):
        writer.copy_tree(target, f"{device}/qos")
    return {"uuid": uuid, "parent": parent, "type": type_id, "device": device}
