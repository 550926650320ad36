"""Handles on one mdev and on one parent's type: the only way steps reach their paths.

An :class:`Mdev` reads what sits under ``/sys/bus/mdev/devices/<uuid>/``. Reads
that a step relies on are format-checked: a malformed value is the driver's
failure (``AssertionError``), judged by the spec's oracle. Writes never go through
a handle: they go through the resource registry, which undoes them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from conformance.oracle.formats import (
    COUNTERS,
    KNOBS,
    FormatError,
    knob_value,
    qos_file,
)
from conformance.oracle.formats import priority as parse_priority
from conformance.suite.measure import read_counter
from conformance.sysfs import paths
from conformance.sysfs.target import Stat, Target


@dataclass(frozen=True)
class MdevType:
    """One type of one parent: where mdevs of it are created and listed."""

    target: Target
    parent: str
    type_id: str

    @property
    def path(self) -> str:
        """The type's directory under the parent's ``mdev_supported_types``."""
        return paths.type_dir(self.parent, self.type_id)

    @property
    def create_path(self) -> str:
        """The ``create`` file: writing a UUID creates an mdev."""
        return paths.create_file(self.parent, self.type_id)

    def devices(self) -> list[str]:
        """UUIDs of the mdevs of this type; empty when the type cannot be listed."""
        try:
            return self.target.listdir(f"{self.path}/devices")
        except OSError:
            return []

    def available_instances(self) -> bytes:
        """``available_instances`` as read."""
        return self.target.read(f"{self.path}/available_instances")

    def has_offer(self) -> bool:
        """Whether the type states its QoS offer (a ``qos/`` in its type directory)."""
        return self.target.exists(paths.type_qos(self.parent, self.type_id))

    def offer_entries(self) -> dict[str, tuple[str, int]]:
        """Name -> (kind, mode) of each entry of the type's ``qos/`` (empty: none)."""
        if not self.has_offer():
            return {}
        found = {}
        for name in self.target.listdir(paths.type_qos(self.parent, self.type_id)):
            info = self.target.stat(paths.type_qos(self.parent, self.type_id, name))
            found[name] = (info.kind, info.mode)
        return found

    def offer(self) -> dict[str, bytes]:
        """Name -> raw read of each regular file of the type's ``qos/`` (empty: none)."""
        return {
            name: bytes(self.target.read(paths.type_qos(self.parent, self.type_id, name)))
            for name, (kind, _mode) in self.offer_entries().items()
            if kind == "file"
        }


def parents(target: Target) -> list[str]:
    """The parents registered with the mdev core (empty when none can be listed)."""
    try:
        return sorted(target.listdir(paths.CLASS))
    except OSError:
        return []


def parent_types(target: Target, parent: str) -> list[str] | None:
    """The type ids a parent offers, or None when they cannot be listed."""
    try:
        return target.listdir(paths.types_dir(parent))
    except OSError:
        return None


@dataclass(frozen=True)
class Mdev:
    """One mdev: its paths and its format-checked reads."""

    target: Target
    uuid: str
    parent: str

    def __str__(self) -> str:
        """The UUID."""
        return self.uuid

    # -- paths -----------------------------------------------------------------------
    @property
    def dir(self) -> str:
        """``/sys/bus/mdev/devices/<uuid>``."""
        return paths.mdev_dir(self.uuid)

    @property
    def remove_path(self) -> str:
        """The ``remove`` file of the device."""
        return paths.remove_file(self.uuid)

    def path(self, name: str = "") -> str:
        """Path of ``qos/<name>``, or of ``qos/`` itself."""
        return paths.qos(self.uuid, name)

    def path_via_parent(self, parent: str) -> str:
        """``qos/`` reached through the parent under ``/sys/class/mdev_bus``."""
        return f"{paths.mdev_via_parent(parent, self.uuid)}/qos"

    # -- presence --------------------------------------------------------------------
    def exists(self) -> bool:
        """Whether the device directory exists."""
        return self.target.exists(self.dir)

    def has_qos(self) -> bool:
        """Whether the device has a ``qos/`` directory."""
        return self.target.exists(self.path())

    def entries(self) -> list[str] | None:
        """Names in ``qos/``, or None when there is no ``qos/``."""
        if not self.has_qos():
            return None
        return self.target.listdir(self.path())

    def entries_via_parent(self, parent: str) -> list[str] | None:
        """Names in ``qos/`` seen through the parent, or None when that path is absent."""
        path = self.path_via_parent(parent)
        return self.target.listdir(path) if self.target.exists(path) else None

    def has(self, name: str) -> bool:
        """Whether ``qos/<name>`` exists."""
        return self.target.exists(self.path(name))

    def stat(self, name: str = "") -> Stat:
        """Kind, mode and owner of ``qos/<name>`` (or of ``qos/``)."""
        return self.target.stat(self.path(name))

    def is_fixed(self, knob: str) -> bool:
        """A knob without any write permission bit is fixed by the mdev's type."""
        return not self.stat(knob).mode & 0o222

    def knobs_present(self) -> list[str]:
        """The knobs of this spec the device has, in the spec's order."""
        entries = self.entries() or []
        return [k for k in KNOBS if k in entries]

    def counters_present(self) -> list[str]:
        """The counters of this spec the device has, in the spec's order."""
        entries = self.entries() or []
        return [c for c in COUNTERS if c in entries]

    def fixed_knobs(self) -> tuple[str, ...]:
        """The knobs its type fixes (read-only)."""
        return tuple(k for k in self.knobs_present() if self.is_fixed(k))

    def type_id(self) -> str | None:
        """Its type, as its ``mdev_type`` link names it (None when it cannot be read)."""
        try:
            link = self.target.readlink(f"{self.dir}/mdev_type")
        except OSError:
            return None
        parts = [p for p in link.split("/") if p]
        return parts[-1] if parts else None

    def linked_parent(self) -> str | None:
        """The parent the device's sysfs link names, or None when it cannot be read."""
        try:
            link = self.target.readlink(self.dir)
        except OSError:
            return None
        parts = [p for p in link.split("/") if p]
        return parts[-2] if len(parts) >= 2 else None

    # -- reads -----------------------------------------------------------------------
    def raw(self, name: str) -> bytes:
        """``qos/<name>`` exactly as read."""
        return bytes(self.target.read(self.path(name)))

    def knob(self, knob: str) -> str:
        """A knob's value (the active level for priority); malformed reads fail."""
        return self._parsed(knob, knob_value)

    def value(self, name: str) -> str:
        """Any qos file's value as canonical text; malformed reads fail."""
        return self._parsed(name, qos_file)

    def _parsed(self, name: str, parse: Callable[[str, bytes], str]) -> str:
        raw = self.raw(name)
        try:
            return parse(name, raw)
        except FormatError as exc:
            raise AssertionError(f"{name} of mdev {self.uuid} reads {raw!r}: {exc}") from None

    def levels(self) -> tuple[str, ...]:
        """The priority levels the device supports; a malformed read fails."""
        raw = self.raw("priority")
        try:
            return parse_priority(raw).levels
        except FormatError as exc:
            raise AssertionError(
                f"priority of mdev {self.uuid} reads {raw!r}: {exc}"
            ) from None

    def domain(self) -> str:
        """Its scheduling domain: ``qos/domain``, else its parent's name.

        Read leniently: a malformed name still tells domains apart (its format is
        QOS-DOM-001's business, checked with :meth:`value`).
        """
        if self.has("domain"):
            return self.raw("domain").decode("ascii", "replace").strip()
        return self.linked_parent() or self.parent

    def counter(self, name: str) -> int:
        """One counter, read leniently (its format has requirements of its own)."""
        return read_counter(self.target, self.uuid, name)

    def knob_values(self) -> dict[str, int | str]:
        """The knobs it has now (weight, cap, level), as the oracle takes them."""
        found: dict[str, int | str] = {}
        for knob in self.knobs_present():
            value = self.knob(knob)
            found["level" if knob == "priority" else knob] = (
                value if knob == "priority" else int(value)
            )
        return found
