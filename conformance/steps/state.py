"""What one scenario remembers between its steps, one fixture per concern.

- ``subject``: the mdev a scenario calls "it" (a Given provides it);
- ``named``: the mdevs A, B, C in creation order, with their knobs and loads;
- ``writes``: the writes the scenario made and what came of them;
- ``meter``: measures windows over the named mdevs;
- ``measurements``: the windows measured and the snapshots taken;
- ``reads``: what concurrent readers saw.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field

import pytest

from conformance.suite.mdev import Mdev, MdevType, parent_types
from conformance.suite.measure import Meter, Snapshot, Window
from conformance.suite.outcome import Outcome
from conformance.suite.registry import DeviceClock, Resources
from conformance.suite.under_test import UnderTest


@dataclass
class Written:
    """One write a scenario made and what came of it."""

    mdev: Mdev
    name: str
    data: bytes
    before: bytes
    count: int | None = None
    errno: int | None = None
    levels: tuple[str, ...] = ()  # priority levels supported at the time
    unprivileged: bool = False  # written as an unprivileged user
    after: bytes = b""  # what the file read right after, when a step looked

    @property
    def succeeded(self) -> bool:
        """Whether the write returned a count rather than an errno."""
        return self.errno is None


class Writes(list[Written]):
    """The writes of one scenario, in order."""

    @property
    def last(self) -> Written:
        """The latest write."""
        if not self:
            raise LookupError("nothing was written in this scenario")
        return self[-1]


def mdev_name(index: int) -> str:
    """The ``index``-th name (from 0) in the order A..Z, AA..AZ, BA..ZZ, AAA..."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = string.ascii_uppercase[rest] + name
    return name


@dataclass
class NamedMdev:
    """One of the named mdevs A, B, C of a scenario."""

    name: str
    mdev: Mdev
    timeslice: int | None = None  # timeslice_us read at creation
    cap_period: int = 0  # cap_period_us read at creation (0: the mdev has none)
    knobs: dict[str, int | str] = field(default_factory=dict)  # as read back
    assumed: dict[str, int | str] = field(default_factory=dict)  # as the text gives them
    load: str = ""  # the load the scenario gave it
    _domain: str = ""  # its scheduling domain, read once

    def domain(self) -> str:
        """Its scheduling domain (``qos/domain``, else its parent), read on first use."""
        if not self._domain:
            self._domain = self.mdev.domain()
        return self._domain

    def note(self, knob: str, value: str) -> None:
        """Record the value the scenario's text gives one of its knobs."""
        key = {"priority": "level"}.get(knob, knob)
        self.assumed[key] = value if knob == "priority" else int(value)

    def refresh(self) -> None:
        """Read back its knobs: what the driver holds is what the oracle uses."""
        self.knobs = self.mdev.knob_values()


class Named:
    """The named mdevs of one scenario, in creation order."""

    def __init__(self) -> None:
        """No mdev named yet."""
        self.members: dict[str, NamedMdev] = {}

    def __len__(self) -> int:
        """How many mdevs are named."""
        return len(self.members)

    def add(self, mdev: Mdev, timeslice: int | None = None) -> NamedMdev:
        """Name the next mdev A, B, C, ... Z, AA, AB, ... (no limit on how many)."""
        name = mdev_name(len(self.members))
        member = NamedMdev(name, mdev, timeslice)
        self.members[name] = member
        return member

    def __getitem__(self, name: str) -> NamedMdev:
        """The mdev named ``name``; LookupError when the scenario names none."""
        try:
            return self.members[name]
        except KeyError:
            raise LookupError(f"the scenario names no mdev {name!r}") from None

    def all(self) -> list[NamedMdev]:
        """Every named mdev, A first."""
        return list(self.members.values())

    def uuids(self) -> list[str]:
        """Their UUIDs, A first."""
        return [m.mdev.uuid for m in self.members.values()]

    def name_of(self, uuid: str) -> str:
        """The name of an mdev, or its UUID when it has none."""
        for member in self.members.values():
            if member.mdev.uuid == uuid:
                return member.name
        return uuid


@dataclass
class Measurements:
    """What a scenario measured."""

    windows: list[Window] = field(default_factory=list)
    snapshots: list[Snapshot] = field(default_factory=list)
    pending: Snapshot | None = None  # a window that started at a knob write
    wake: tuple[NamedMdev, int, int] | None = None  # (mdev, nr_slices before, t0)
    trace: list[Snapshot] = field(default_factory=list)  # every read of a traced window

    def add(self, window: Window) -> Window:
        """Keep a measured window, and its two snapshots among the scenario's reads."""
        self.windows.append(window)
        self.snapshots += [window.start, window.end]
        return window

    @property
    def last_window(self) -> Window:
        """The latest window."""
        if not self.windows:
            raise LookupError("no measurement window has passed in this scenario")
        return self.windows[-1]


@dataclass
class Reads:
    """What concurrent readers saw: (file, raw) pairs and the problems found."""

    seen: list[tuple[str, bytes]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@pytest.fixture
def subject() -> Mdev:
    """The mdev a scenario calls "it"; a Given step provides it."""
    raise LookupError("the scenario has no subject mdev")


@pytest.fixture
def named() -> Named:
    """The named mdevs A, B, C of the scenario."""
    return Named()


@pytest.fixture
def writes() -> Writes:
    """The writes of the scenario."""
    return Writes()


@pytest.fixture
def measurements() -> Measurements:
    """The windows and snapshots of the scenario."""
    return Measurements()


@pytest.fixture
def meter(
    resources: Resources, clock: DeviceClock, outcome: Outcome, named: Named,
    under_test: UnderTest,
) -> Meter:
    """The scenario's meter over all its named mdevs (q = their largest timeslice).

    Its windows follow the largest cap period the mdevs state (``cap_period_us``).

    Made when a step first measures, after the Given steps named the mdevs.
    """
    if not len(named):
        outcome.error("a measurement needs named mdevs (Given fresh mdevs ...)")
    q = max(_timeslice(member) for member in named.all())
    return Meter(resources.target, clock, named.uuids(), q,
                 bystanders=bystanders(resources, named), precision=under_test.precision,
                 observe=under_test.observed.window,
                 cap_period=max(member.cap_period for member in named.all()))


def bystanders(resources: Resources, named: Named) -> list[str]:
    """The mdevs on the parents of the scenario's mdevs that the suite did not create."""
    ours = set(named.uuids()) | set(resources.created)
    found: list[str] = []
    for parent in dict.fromkeys(member.mdev.parent for member in named.all()):
        for type_id in parent_types(resources.target, parent) or []:
            found += MdevType(resources.target, parent, type_id).devices()
    return [uuid for uuid in dict.fromkeys(found) if uuid not in ours]


def _timeslice(member: NamedMdev) -> int:
    if member.timeslice is None:
        raise KeyError(f"the timeslice of {member.name} was not read when it was created")
    return member.timeslice


@pytest.fixture
def reads() -> Reads:
    """What the scenario's concurrent readers saw."""
    return Reads()


def whom(request: pytest.FixtureRequest, named: Named, name: str | None) -> Mdev:
    """The mdev a step means: the named one, else the scenario's subject ("it")."""
    if name:
        return named[name].mdev
    mdev = request.getfixturevalue("subject")
    if not isinstance(mdev, Mdev):
        raise LookupError("the scenario has no subject mdev")
    return mdev
