"""The JSON document of a discovery (``spec/schema/discover.schema.json``)."""

from __future__ import annotations

from typing import Any

from conformance import SPEC_VERSION, __version__
from conformance.discover.model import Discovery, FileRead, Mdev, MdevType, Offer, Parent
from conformance.oracle.grammar import NUMERIC_RANGES

FORMAT = "mdev-qos-discover/1"


def document(found: Discovery) -> dict[str, Any]:
    """The discovery as the schema describes it."""
    return {
        "format": FORMAT,
        "tool": f"mdev-qos {__version__}",
        "spec": SPEC_VERSION,
        "source": found.source,
        "mdev_bus": found.mdev_bus,
        "parents": [_parent(p) for p in found.parents],
        "problems": list(found.problems),
    }


def _file(read: FileRead) -> dict[str, Any]:
    entry: dict[str, Any] = {"kind": read.kind, "mode": f"{read.mode & 0o7777:04o}"}
    if read.value is not None:
        entry["value"] = read.value
    if read.error is not None:
        entry["error"] = read.error
    return entry


def _files(entries: dict[str, FileRead]) -> dict[str, Any]:
    return {name: _file(read) for name, read in entries.items()}


def _parent(parent: Parent) -> dict[str, Any]:
    return {
        "name": parent.name,
        "bus": parent.bus,
        "libvirt_name": parent.libvirt_name,
        "types": [_type(t) for t in parent.types],
    }


def _type(kind: MdevType) -> dict[str, Any]:
    return {
        "id": kind.type_id,
        "attributes": _files(kind.attributes),
        "offer": None if kind.offer is None else offer(kind.offer),
        "mdevs": [_mdev(m) for m in kind.mdevs],
    }


def offer(found: Offer) -> dict[str, Any]:
    """A type's offer: its files as read, and what they mean."""
    levels = found.levels
    ranges: dict[str, dict[str, Any]] = {}
    for knob in found.settable:
        if knob in NUMERIC_RANGES:
            low, high = NUMERIC_RANGES[knob]
            ranges[knob] = {"min": low, "max": high}
        elif knob == "priority" and levels is not None:
            ranges[knob] = {"levels": list(levels)}
    return {
        "files": list(found.files),
        "levels": None if levels is None else list(levels),
        "domain": found.domain,
        "timeslice_us": found.timeslice_us,
        "fixed": found.fixed,
        "settable": ranges,
        "entries": _files(found.entries),
    }


def _mdev(mdev: Mdev) -> dict[str, Any]:
    return {
        "uuid": mdev.uuid,
        "knobs": mdev.knobs(),
        "counters": mdev.counters(),
        "qos": None if mdev.qos is None else _files(mdev.qos),
    }
