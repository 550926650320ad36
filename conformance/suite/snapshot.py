"""Record the part of a sysfs tree the static profile reads, for one or more mdevs.

The recording keeps the kernel's layout, so ``mdev-qos run --sysfs-root DIR
--profile static --mdev UUID`` runs on it unchanged: the mdev's directory under
its parent with ``qos/`` (contents, modes and owners) and the ``mdev_type`` link,
the parent's type directory, and the bus and class views as symlinks.
Nothing is ever written to the source.
"""

from __future__ import annotations

import json
import os
import posixpath
from pathlib import Path

from conformance.sysfs import paths
from conformance.sysfs.target import FsTarget

TYPE_FILES = ("name", "description", "device_api", "available_instances", "create")
MANIFEST = "snapshot.json"


class SnapshotError(ValueError):
    """The device cannot be recorded (not found, output not empty...)."""


def _resolve(target: FsTarget, path: str) -> str:
    """Follow symlinks in the target's own view (like realpath inside the root)."""
    parts = [p for p in path.split("/") if p]
    resolved = "/"
    hops = 0
    while parts:
        part = parts.pop(0)
        candidate = posixpath.join(resolved, part)
        if target.exists(candidate) and target.stat(candidate).kind == "link":
            hops += 1
            if hops > 40:
                raise SnapshotError(f"too many levels of symbolic links at {candidate}")
            link = target.readlink(candidate)
            base = "/" if link.startswith("/") else resolved
            joined = posixpath.normpath(posixpath.join(base, link))
            parts = [p for p in joined.split("/") if p] + parts
            resolved = "/"
            continue
        resolved = candidate
    return resolved


class _Writer:
    def __init__(self, out: Path) -> None:
        self.out = out
        self.recorded: list[str] = []

    def host(self, path: str) -> Path:
        return self.out / path.lstrip("/")

    def copy_file(self, target: FsTarget, path: str) -> None:
        st = target.stat(path)
        try:
            content = target.read(path)
        except OSError:
            content = b""  # write-only (create, remove): record the node, not a value
        dest = self.host(path)
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(content)
        os.chmod(dest, st.mode)
        if os.geteuid() == 0:
            os.chown(dest, st.uid, -1)
        self.recorded.append(path)

    def link(self, path: str, to: str) -> None:
        """A relative symlink at ``path`` pointing at target path ``to``."""
        dest = self.host(path)
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest.is_symlink() or dest.exists():
            return
        os.symlink(posixpath.relpath(to, posixpath.dirname(path)), dest)
        self.recorded.append(path)

    def copy_entry(self, target: FsTarget, path: str) -> None:
        kind = target.stat(path).kind
        if kind == "file":
            self.copy_file(target, path)
        elif kind == "link":
            dest = self.host(path)
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.symlink(target.readlink(path), dest)
            self.recorded.append(path)
        else:
            self.host(path).mkdir(parents=True, exist_ok=True)
            os.chmod(self.host(path), target.stat(path).mode)
            for name in target.listdir(path):
                self.copy_entry(target, f"{path}/{name}")


def snapshot(root: str, uuids: list[str], out: Path) -> dict[str, object]:
    """Record each mdev of ``uuids`` from the tree at ``root`` into ``out``."""
    if not uuids:
        raise SnapshotError("name at least one mdev with --mdev UUID")
    if out.exists() and any(out.iterdir()):
        raise SnapshotError(f"{out} exists and is not empty; choose a new directory")
    target = FsTarget(root, writable=False)
    devices = []
    for uuid in uuids:
        if not target.exists(paths.mdev_dir(uuid)):
            raise SnapshotError(f"no mdev {uuid} under {root}{paths.DEVICES}")
    out.mkdir(parents=True, exist_ok=True)
    writer = _Writer(out)
    for uuid in uuids:
        devices.append(_record_mdev(target, writer, uuid))
    manifest = {"source": target.root, "mdevs": devices, "files": sorted(writer.recorded)}
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def _record_mdev(target: FsTarget, writer: _Writer, uuid: str) -> dict[str, str]:
    device = _resolve(target, paths.mdev_dir(uuid))
    parent_dir = posixpath.dirname(device)
    parent = posixpath.basename(parent_dir)
    writer.link(paths.mdev_dir(uuid), device)
    writer.link(paths.parent_dir(parent), parent_dir)
    writer.host(device).mkdir(parents=True, exist_ok=True)
    type_id = ""
    if target.exists(f"{device}/mdev_type"):
        type_dir = _resolve(target, f"{device}/mdev_type")
        type_id = posixpath.basename(type_dir)
        writer.link(f"{device}/mdev_type", type_dir)
        for name in TYPE_FILES:
            if target.exists(f"{type_dir}/{name}"):
                writer.copy_file(target, f"{type_dir}/{name}")
        writer.link(f"{type_dir}/devices/{uuid}", device)
    if target.exists(f"{device}/qos"):
        writer.copy_entry(target, f"{device}/qos")
    return {"uuid": uuid, "parent": parent, "type": type_id, "device": device}
