"""Given steps: which mdevs a scenario works on, and the knobs they start with."""

from __future__ import annotations

import re

import pytest
from pytest_bdd import given, parsers

from conformance.oracle.formats import NO_SHARING, SHARING
from conformance.oracle.shares import DEFAULT_KNOBS, DEFAULT_LEVEL
from conformance.steps.domains import parent_in_domain, type_in_domain
from conformance.steps.require import (
    cap_period,
    require_file,
    require_qos,
    require_writable,
    set_knob,
    sharing_of,
    timeslice,
)
from conformance.steps.state import Named, NamedMdev, whom
from conformance.suite.mdev import Mdev
from conformance.suite.outcome import Outcome
from conformance.suite.registry import Resources
from conformance.suite.under_test import UnderTest

KNOB = r"(?P<knob>cap|weight|priority)"
SETTING = re.compile(r'(priorities|weights|caps) "([^"]*)"')
_ONE_SETTING = r'(?:priorities|weights|caps) "[^"]*"'
SETTINGS = re.compile(rf"{_ONE_SETTING}(?:(?:, | and ){_ONE_SETTING})*")
SETTING_KNOB = {"priorities": "priority", "weights": "weight", "caps": "cap"}


def instance_room(
    outcome: Outcome, resources: Resources, parent: str | None = None
) -> int:
    """How many more mdevs of the type under test ``parent`` allows now.

    Read at the moment of asking: types often draw on one pool of the parent (or
    of the device behind several parents), so mdevs of another type, or another
    parent's, may have taken the room the type offered when the run began.
    """
    raw = resources.mdev_type(parent).available_instances()
    try:
        return int(raw.decode().strip())
    except ValueError:
        raise AssertionError(
            f"available_instances of the type under test reads {raw!r}, not a number"
        ) from None


def require_room(
    outcome: Outcome, resources: Resources, under_test: UnderTest, count: int,
    parent: str | None = None,
) -> None:
    """Skip the scenario when ``parent`` cannot hold ``count`` more mdevs of the type.

    A type's instance limit is the driver's to choose: a scenario that needs more
    mdevs than it allows does not apply, it is no failure and no error.
    """
    room = instance_room(outcome, resources, parent)
    if room < count:
        outcome.skip(
            f"type {under_test.type_id} allows {room} more mdev(s) on "
            f"{parent or under_test.parent}; this scenario needs {count}"
        )


def create_named(
    resources: Resources,
    outcome: Outcome,
    named: Named,
    under_test: UnderTest,
    parent: str | None = None,
) -> NamedMdev:
    """Create an mdev of the type under test, name it A, B, C...; it must offer QoS."""
    mdev = resources.create_mdev(parent=parent)
    member = named.add(mdev)
    require_qos(outcome, mdev, under_test.type_id)
    member.timeslice = timeslice(outcome, mdev, under_test.observed)
    member.cap_period = cap_period(mdev, under_test.observed)
    stated = sharing_of(mdev)
    if stated in (*SHARING, NO_SHARING):
        under_test.observed.sharing(stated)
    return member


# -- a subject mdev ("it") -------------------------------------------------------------
@given(
    parsers.re(r"(?P<fresh>a fresh|an) mdev of the type under test(?P<qos> that offers QoS)?"),
    target_fixture="subject",
)
def _an_mdev(
    resources: Resources, outcome: Outcome, under_test: UnderTest, fresh: str, qos: str | None
) -> Mdev:
    """The subject: a new mdev when fresh, else a named one or a new one."""
    mdev = resources.create_mdev() if fresh == "a fresh" else resources.device()
    if qos:
        require_qos(outcome, mdev, under_test.type_id)
    return mdev


@given(parsers.re(rf"a fresh mdev of a type that offers {KNOB}"), target_fixture="subject")
def _fresh_with_knob(
    resources: Resources, outcome: Outcome, under_test: UnderTest, knob: str
) -> Mdev:
    """The subject: a new mdev whose type lets the scenario write ``knob``."""
    mdev = resources.create_mdev()
    require_qos(outcome, mdev, under_test.type_id)
    require_writable(outcome, mdev, knob)
    return mdev


@given(parsers.re(r"its qos directory has (?P<name>[a-z_]+)"))
def _has_file(subject: Mdev, outcome: Outcome, name: str) -> None:
    """The subject has ``qos/<name>``: skip when an optional file is absent."""
    require_file(outcome, subject, name)


@given(parsers.re(r"each of their qos directories has (?P<name>[a-z_]+)"))
def _each_has_file(named: Named, outcome: Outcome, name: str) -> None:
    """Every named mdev has ``qos/<name>``: skip when an optional file is absent."""
    for member in named.all():
        require_file(outcome, member.mdev, name)


@given(parsers.re(r"the level (?P<level>background|standard|urgent) is supported by it"))
def _level_supported(subject: Mdev, outcome: Outcome, level: str) -> None:
    """The subject offers ``level``; a driver need not offer every level."""
    levels = subject.levels()
    if level not in levels:
        outcome.skip(
            f"mdev {subject.uuid} supports the levels {' '.join(levels)}, not {level}: "
            "a driver need not offer every level of the vocabulary"
        )


@given("its priority has been set to a supported level other than standard")
def _priority_moved(subject: Mdev, resources: Resources, outcome: Outcome) -> None:
    """Move the subject's priority off the default, to its highest other level."""
    others = [lv for lv in subject.levels() if lv != DEFAULT_LEVEL]
    if not others:
        raise AssertionError(
            f"priority of mdev {subject.uuid} supports only standard; "
            "expected at least two levels (QOS-PRI-001)"
        )
    set_knob(resources, outcome, subject, "priority", others[-1])


# -- mdevs of the type (layout) ----------------------------------------------------------
@given(
    "every mdev of the type under test on its parent, "
    "and a second one where the suite may create it"
)
def _two_of_type(
    resources: Resources, outcome: Outcome, under_test: UnderTest, named: Named
) -> None:
    """Name every mdev of the type on the parent, creating up to two when allowed."""
    chosen = under_test.existing(under_test.type_id)
    while len(chosen) < 2 and under_test.writable:
        chosen.append(resources.create_mdev())
    if not chosen:
        outcome.unsupported(
            f"no mdev of type {under_test.type_id} on {under_test.parent} to inspect, and the "
            "target is read-only"
        )
    for mdev in chosen:
        named.add(mdev)


@given("an mdev of each type on the parent under test")
def _one_of_each_type(
    resources: Resources, outcome: Outcome, under_test: UnderTest, named: Named
) -> None:
    """Name one mdev of each type of the parent, existing or new."""
    for type_id in under_test.types():
        present = under_test.existing(type_id)
        if type_id == under_test.type_id:
            present = [*under_test.named_mdevs(), *present]
        mdev = present[0] if present else None
        if mdev is None and under_test.writable:
            try:
                mdev = resources.create_mdev(type_id=type_id)
            except OSError:
                continue  # no instance left of this type
        if mdev is not None and mdev.uuid not in named.uuids():
            named.add(mdev)
    if not len(named):
        outcome.unsupported(
            f"no mdev on {under_test.parent} to inspect, and the target is read-only"
        )


# -- a type that fixes a knob -------------------------------------------------------------
@given(
    parsers.re(r"(?P<which>an mdev whose type|a fresh mdev of a type that) fixes a knob"),
    target_fixture="subject",
)
def _mdev_fixed(
    resources: Resources, outcome: Outcome, under_test: UnderTest, which: str
) -> Mdev:
    """The subject: an mdev with a knob its type fixes (an existing one unless fresh)."""
    if which == "an mdev whose type":
        for mdev in under_test.existing():
            if mdev.fixed_knobs():
                return mdev
    if not under_test.writable:
        outcome.unsupported(
            "no inspected mdev has a knob its type fixes, and the target is read-only, "
            "so mdevs of the other types cannot be created to look"
        )
    for type_id in under_test.types():
        try:
            mdev = resources.create_mdev(type_id=type_id)
        except OSError:
            continue  # no instance left of this type
        if mdev.fixed_knobs():
            return mdev
    outcome.skip(
        f"no mdev type on {under_test.parent} fixes a knob: what the spec says of type-fixed "
        "knobs applies only where a type fixes one"
    )


# -- named mdevs for scheduling and lifecycle ----------------------------------------------
def parse_settings(outcome: Outcome, text: str) -> dict[str, list[str]]:
    """``weights "100 200" and caps "30 100"`` → {"weight": [...], "cap": [...]}."""
    if not SETTINGS.fullmatch(text):
        outcome.error(f"cannot read the mdev settings {text!r}")
    settings = {SETTING_KNOB[key]: values.split() for key, values in SETTING.findall(text)}
    lengths = {len(v) for v in settings.values()}
    if len(lengths) != 1:
        outcome.error(f"the settings {text!r} name different numbers of mdevs")
    return settings


def configure(
    resources: Resources,
    outcome: Outcome,
    members: list[NamedMdev],
    settings: dict[str, list[str]],
) -> None:
    """Write each non-default setting; skip when the type does not offer the knob.

    A knob the type fixes is fine when it already holds the wanted value. Afterwards
    the knobs are read back: the oracle works from what the driver holds.
    """
    for knob, values in settings.items():
        for member, value in zip(members, values, strict=True):
            member.note(knob, value)
            mdev = member.mdev
            if value == DEFAULT_KNOBS[knob] and not mdev.has(knob):
                continue
            require_file(outcome, mdev, knob)
            if mdev.is_fixed(knob):
                fixed = mdev.knob(knob)
                if fixed != value:
                    outcome.skip(
                        f"{knob} of mdev {mdev.uuid} is fixed by its type at {fixed}; this "
                        f"scenario needs {value}"
                    )
                continue
            if value != mdev.knob(knob):
                set_knob(resources, outcome, mdev, knob, value)
    for member in members:
        member.refresh()


@given(
    parsers.re(
        r"fresh mdevs of the type under test"
        r"(?: (?P<where>in another domain|on another parent in the same domain))? "
        r"with (?P<settings>.+)"
    )
)
def _fresh_with_settings(
    resources: Resources,
    outcome: Outcome,
    under_test: UnderTest,
    named: Named,
    where: str | None,
    settings: str,
) -> None:
    """Create one mdev per value of the settings: beside A, in another domain or A's.

    "Another domain" is read from the mdevs' ``domain`` (their parent's when they
    have none), never assumed from another parent: parents may share an engine.
    """
    parsed = parse_settings(outcome, settings)
    parent = under_test.parent
    if where:
        parent = parent_in_domain(
            resources, outcome, under_test, named, same=where.endswith("same domain")
        )
    count = len(next(iter(parsed.values())))
    require_room(outcome, resources, under_test, count, parent)
    members = [
        create_named(resources, outcome, named, under_test, parent) for _ in range(count)
    ]
    configure(resources, outcome, members, parsed)


@given("a fresh mdev of another type in the same domain")
def _fresh_other_type(
    resources: Resources, outcome: Outcome, under_test: UnderTest, named: Named
) -> None:
    """An mdev of another type of the parent that joins A's domain competes too."""
    other = type_in_domain(resources, outcome, under_test, named)
    mdev = resources.create_mdev(parent=under_test.parent, type_id=other)
    member = named.add(mdev)
    if not mdev.entries():
        outcome.skip(f"type {other} offers no QoS: its share cannot be measured")
    member.timeslice = timeslice(outcome, mdev, under_test.observed)
    member.refresh()


@given(parsers.re(r"(?P<count>[1-9]) fresh mdevs of the type under test"))
def _fresh_count(
    resources: Resources, outcome: Outcome, under_test: UnderTest, named: Named, count: str
) -> None:
    """Create ``count`` mdevs with default knobs, named A, B, C..."""
    require_room(outcome, resources, under_test, int(count))
    for _ in range(int(count)):
        create_named(resources, outcome, named, under_test).refresh()


@given(
    parsers.re(
        rf'(?:its|the) {KNOB}(?: of (?P<name>[A-Z]))? has been set to "(?P<value>[^"]*)"'
    )
)
def _knob_set(
    request: pytest.FixtureRequest,
    resources: Resources,
    outcome: Outcome,
    named: Named,
    knob: str,
    name: str | None,
    value: str,
) -> None:
    """Write a valid value to a knob of the subject ("its") or of a named mdev."""
    if not name:
        set_knob(resources, outcome, whom(request, named, None), knob, value)
        return
    member = named[name]
    require_writable(outcome, member.mdev, knob)
    set_knob(resources, outcome, member.mdev, knob, value)
    member.note(knob, value)
    member.refresh()


@given(parsers.re(
    r'the cap of (?P<name>[A-Z]) has been set to "(?P<value>[0-9]+)" '
    r"if its type offers a writable cap"
))
def _cap_if_offered(
    resources: Resources, outcome: Outcome, named: Named, name: str, value: str
) -> None:
    """Cap a named mdev when its type lets the suite; otherwise change nothing.

    For scenarios about something else (counters), where a cap only adds to what
    is seen: a type without a writable cap, or a device that refuses the value,
    runs the scenario uncapped.
    """
    member = named[name]
    mdev = member.mdev
    if "cap" not in mdev.knobs_present() or mdev.is_fixed("cap"):
        outcome.evidence(f"cap of {name}", expected=value, actual=None,
                         note="the type offers no writable cap: the scenario runs uncapped")
        return
    try:
        resources.write(mdev, "cap", value)
    except OSError as exc:
        outcome.evidence(f"cap of {name}", expected=value, actual=None,
                         note=f"the write was refused ({exc.strerror or exc}): uncapped")
        return
    member.note("cap", value)
    member.refresh()

