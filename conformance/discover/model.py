"""What discovery found: parents, their types and offers, and the live mdevs."""

from __future__ import annotations

from dataclasses import dataclass, field

from conformance.oracle.formats import COUNTERS, KNOBS

# the files of a type's qos/ that describe the offer; every other file of it is a
# value every mdev of the type reads in its file of the same name (a fixed knob)
DESCRIPTIVE = ("files", "levels", "domain", "timeslice_us")


@dataclass(frozen=True)
class FileRead:
    """One entry of a directory: its kind and mode, and for a file one read of it."""

    kind: str  # file, dir, link, other
    mode: int
    value: str | None = None  # the read without its one trailing newline
    error: str | None = None  # why there is no value (errno name and message)

    @property
    def writable(self) -> bool:
        """Whether its owner may write it (a knob the type does not fix)."""
        return self.kind == "file" and bool(self.mode & 0o200)


@dataclass(frozen=True)
class Offer:
    """The ``qos/`` of a type directory (spec 1.1, the offer of a type)."""

    entries: dict[str, FileRead]

    def _value(self, name: str) -> str | None:
        entry = self.entries.get(name)
        return entry.value if entry is not None else None

    @property
    def files(self) -> tuple[str, ...]:
        """The files every mdev of the type has in its ``qos/``."""
        return tuple((self._value("files") or "").split())

    @property
    def levels(self) -> tuple[str, ...] | None:
        """The priority levels, lowest first; None without a ``levels`` file."""
        value = self._value("levels")
        return None if value is None else tuple(value.split())

    @property
    def domain(self) -> str | None:
        return self._value("domain")

    @property
    def timeslice_us(self) -> int | None:
        value = self._value("timeslice_us")
        return int(value) if value is not None and value.isdigit() else None

    @property
    def fixed(self) -> dict[str, str]:
        """Name -> value of every file the type fixes for its mdevs."""
        return {name: entry.value or "" for name, entry in self.entries.items()
                if name not in DESCRIPTIVE and entry.kind == "file"}

    @property
    def settable(self) -> tuple[str, ...]:
        """The knobs an mdev of the type has and may set: offered and not fixed."""
        fixed = self.fixed
        return tuple(name for name in self.files if name in KNOBS and name not in fixed)


@dataclass(frozen=True)
class Mdev:
    """A live mdev of a type and what its ``qos/`` reads."""

    uuid: str
    qos: dict[str, FileRead] | None  # None: the mdev has no qos/

    def knobs(self) -> dict[str, str]:
        """Knob -> its value (for ``priority`` the active level)."""
        found = {}
        for name in KNOBS:
            entry = (self.qos or {}).get(name)
            if entry is not None and entry.value is not None:
                found[name] = active_level(entry.value) if name == "priority" else entry.value
        return found

    def counters(self) -> dict[str, str]:
        """Counter -> its value, for the counters the mdev has."""
        return {name: entry.value for name in COUNTERS
                if (entry := (self.qos or {}).get(name)) is not None and entry.value is not None}


def active_level(reading: str) -> str:
    """The bracketed level of a ``priority`` read, else the read itself."""
    for word in reading.split():
        if len(word) > 2 and word.startswith("[") and word.endswith("]"):
            return word[1:-1]
    return reading


@dataclass(frozen=True)
class MdevType:
    """One mdev type of a parent."""

    type_id: str
    attributes: dict[str, FileRead]  # name, available_instances, device_api
    offer: Offer | None  # None: the type directory has no qos/
    mdevs: list[Mdev] = field(default_factory=list)


@dataclass(frozen=True)
class Parent:
    """A device that offers mdev types."""

    name: str
    bus: str | None  # pci, css, ... (the basename of its subsystem link)
    types: list[MdevType] = field(default_factory=list)

    @property
    def libvirt_name(self) -> str | None:
        """Libvirt's node device name, for the buses libvirt lists mdev parents on."""
        if self.bus == "pci":
            return "pci_" + self.name.replace(":", "_").replace(".", "_")
        if self.bus == "css":
            return "css_" + self.name.replace(".", "_")
        return None


@dataclass(frozen=True)
class Discovery:
    """Everything discovery read from one tree."""

    source: str  # the target's description
    mdev_bus: bool  # False: the tree has no mdev parent class at all
    parents: list[Parent] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # what could not be read
