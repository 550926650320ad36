"""What one scenario remembers between its steps, and the reads every step shares.

The ``scene`` fixture holds the mdevs a scenario works on (the subject "it", or
the named mdevs A, B, C in creation order), the writes it made and the windows it
measured. Helpers here turn a target's answers into values, raising
``AssertionError`` when the driver breaks the spec and skipping (through ``ctx``)
when the spec lets a driver omit what a scenario needs.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from typing import Any

import pytest

from conformance.oracle.formats import (
    COUNTERS,
    KNOBS,
    QOS_FILES,
    TIMESLICE_RANGE,
    FormatError,
    knob_value,
    qos_file,
)
from conformance.oracle.formats import priority as parse_priority
from conformance.suite.measure import Meter, Snapshot, Window
from conformance.sysfs import paths

ABSENT_REASON = {
    "cap": "this mdev has no qos/cap: every knob is optional, and what the spec says "
    "of cap applies only where cap is present",
    "weight": "this mdev has no qos/weight: every knob is optional, and what the spec says "
    "of weight applies only where weight is present",
    "priority": "this mdev has no qos/priority: every knob is optional, and what the spec "
    "says of priority applies only where priority is present",
    "throttled_us": "this mdev has no qos/throttled_us: it is required only together with cap",
    "wait_us": "this mdev has no qos/wait_us: it is required only together with priority",
    "nr_slices": "this mdev has no qos/nr_slices: it is required only together with priority",
}
REQUIRED = {"usage_us": "QOS-LAY-002", "timeslice_us": "QOS-LAY-002"}


@dataclass
class Written:
    """One write a scenario made and what came of it."""

    uuid: str
    name: str
    data: bytes
    before: bytes
    count: int | None = None
    errno: int | None = None
    levels: tuple[str, ...] = ()  # priority levels supported at the time
    uid: int | None = None  # written as this unprivileged user
    after: bytes = b""  # what the file read right after, when a step looked

    @property
    def succeeded(self) -> bool:
        return self.errno is None


def mdev_name(index: int) -> str:
    """The ``index``-th name (from 0) in the order A..Z, AA..AZ, BA..ZZ, AAA..."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = string.ascii_uppercase[rest] + name
    return name


@dataclass
class Scene:
    """The state of one scenario."""

    subject: str | None = None
    names: dict[str, str] = field(default_factory=dict)  # "A" -> uuid
    parents: dict[str, str] = field(default_factory=dict)  # uuid -> parent
    knobs: dict[str, dict[str, Any]] = field(default_factory=dict)  # "A" -> actual knobs
    assumed: dict[str, dict[str, Any]] = field(default_factory=dict)  # what the table assumes
    loads: dict[str, str] = field(default_factory=dict)  # "A" -> load
    writes: list[Written] = field(default_factory=list)
    windows: list[Window] = field(default_factory=list)
    snapshots: list[Snapshot] = field(default_factory=list)
    pending: Snapshot | None = None  # a window that started at a knob write
    meter: Meter | None = None
    fixed: dict[str, tuple[str, ...]] = field(default_factory=dict)  # uuid -> fixed knobs
    timeslices: dict[str, int] = field(default_factory=dict)  # uuid -> q at creation
    reads: list[tuple[str, bytes]] = field(default_factory=list)  # (file, raw) by readers
    problems: list[str] = field(default_factory=list)
    wake: tuple[str, int, int] | None = None  # (uuid, nr_slices before, t0)

    def uuid(self, name: str) -> str:
        try:
            return self.names[name]
        except KeyError:
            raise LookupError(f"the scenario names no mdev {name!r}") from None

    def name_of(self, uuid: str) -> str:
        for name, value in self.names.items():
            if value == uuid:
                return name
        return uuid

    def add(self, uuid: str, parent: str) -> str:
        """Name the next mdev A, B, C, ... Z, AA, AB, ... (no limit on how many)."""
        name = mdev_name(len(self.names))
        self.names[name] = uuid
        self.parents[uuid] = parent
        self.knobs[name] = {}
        self.assumed[name] = {}
        return name

    def note(self, name: str, knob: str, value: str) -> None:
        """Record the value the scenario's text gives a knob of a named mdev."""
        key = {"priority": "level"}.get(knob, knob)
        self.assumed[name][key] = value if knob == "priority" else int(value)

    @property
    def last_window(self) -> Window:
        if not self.windows:
            raise LookupError("no measurement window has passed in this scenario")
        return self.windows[-1]

    @property
    def last_write(self) -> Written:
        if not self.writes:
            raise LookupError("nothing was written in this scenario")
        return self.writes[-1]


@pytest.fixture
def scene() -> Scene:
    """The state one scenario's steps share."""
    return Scene()


# -- reads ----------------------------------------------------------------------------
def qos_entries(ctx: Any, uuid: str) -> list[str] | None:
    """Names in the mdev's qos/ directory, or None when there is none."""
    path = ctx.qos(uuid)
    if not ctx.target.exists(path):
        return None
    return ctx.target.listdir(path)


def require_qos(ctx: Any, uuid: str) -> list[str]:
    """The qos/ entries; skip when the mdev's type offers no QoS at all."""
    entries = qos_entries(ctx, uuid)
    if not entries:
        ctx.skip(
            f"type {ctx.type_id} offers no QoS (no qos/ directory on mdev {uuid}): "
            "the QoS requirements do not apply"
        )
    return entries or []


def has_file(ctx: Any, uuid: str, name: str) -> bool:
    return bool(ctx.target.exists(ctx.qos(uuid, name)))


def require_file(ctx: Any, uuid: str, name: str) -> None:
    """Skip when an optional file is absent; fail when a required one is."""
    if has_file(ctx, uuid, name):
        return
    if name in REQUIRED:
        raise AssertionError(
            f"mdev {uuid} has a qos/ directory but no {name} (required, {REQUIRED[name]})"
        )
    ctx.skip(ABSENT_REASON.get(name, f"this mdev has no qos/{name}"))


def is_fixed(ctx: Any, uuid: str, knob: str) -> bool:
    """A knob without any write permission bit is fixed by the mdev type."""
    return not ctx.target.stat(ctx.qos(uuid, knob)).mode & 0o222


def require_writable(ctx: Any, uuid: str, knob: str) -> None:
    """Skip unless the mdev has ``knob`` and its type does not fix it."""
    require_file(ctx, uuid, knob)
    if is_fixed(ctx, uuid, knob):
        ctx.skip(
            f"{knob} of mdev {uuid} is fixed by its type (read-only): the requirements "
            f"on writing {knob} apply to writable knobs only"
        )


def read_raw(ctx: Any, uuid: str, name: str) -> bytes:
    return bytes(ctx.target.read(ctx.qos(uuid, name)))


def read_knob(ctx: Any, uuid: str, knob: str) -> str:
    """A knob's value (the active level for priority); malformed reads fail."""
    raw = read_raw(ctx, uuid, knob)
    try:
        return knob_value(knob, raw)
    except FormatError as exc:
        raise AssertionError(f"{knob} of mdev {uuid} reads {raw!r}: {exc}") from None


def supported_levels(ctx: Any, uuid: str) -> tuple[str, ...]:
    raw = read_raw(ctx, uuid, "priority")
    try:
        return parse_priority(raw).levels
    except FormatError as exc:
        raise AssertionError(f"priority of mdev {uuid} reads {raw!r}: {exc}") from None


def timeslice(ctx: Any, uuid: str) -> int:
    """timeslice_us of an mdev; it is required wherever qos/ exists."""
    require_file(ctx, uuid, "timeslice_us")
    value = int(read_value(ctx, uuid, "timeslice_us"))
    low, high = TIMESLICE_RANGE
    if not low <= value <= high:
        raise AssertionError(
            f"timeslice_us of mdev {uuid} reads {value}, outside {low}..{high} "
            "(QOS-FMT-004): no measurement window can be sized from it"
        )
    ctx.session.observed.timeslice(value)
    return value


def read_value(ctx: Any, uuid: str, name: str) -> str:
    """Any qos file's value as canonical text; malformed reads fail."""
    raw = read_raw(ctx, uuid, name)
    try:
        return qos_file(name, raw)
    except FormatError as exc:
        raise AssertionError(f"{name} of mdev {uuid} reads {raw!r}: {exc}") from None


def actual_knobs(ctx: Any, uuid: str) -> dict[str, Any]:
    """The knobs an mdev has now (weight, cap, level), as the oracle takes them."""
    entries = qos_entries(ctx, uuid) or []
    found: dict[str, Any] = {}
    for knob in KNOBS:
        if knob in entries:
            value = read_knob(ctx, uuid, knob)
            found["level" if knob == "priority" else knob] = (
                value if knob == "priority" else int(value)
            )
    return found


def refresh_knobs(ctx: Any, scene: Scene, name: str) -> None:
    """Read back a named mdev's knobs: what the driver holds is what the oracle uses."""
    scene.knobs[name] = actual_knobs(ctx, scene.uuid(name))


def spec_files(entries: list[str]) -> list[str]:
    """The entries this spec defines, in the spec's order."""
    return [name for name in QOS_FILES if name in entries]


def knobs_in(entries: list[str]) -> list[str]:
    return [name for name in KNOBS if name in entries]


def counters_in(entries: list[str]) -> list[str]:
    return [name for name in COUNTERS if name in entries]


def parent_of(ctx: Any, scene: Scene, uuid: str) -> str:
    """The parent of an mdev: known when the suite created it, else from sysfs links."""
    if uuid in scene.parents:
        return scene.parents[uuid]
    try:
        link = ctx.target.readlink(paths.mdev_dir(uuid))
    except OSError:
        return str(ctx.parent)
    parts = [p for p in link.split("/") if p]
    return parts[-2] if len(parts) >= 2 else str(ctx.parent)
