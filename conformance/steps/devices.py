"""Given steps: which mdevs a scenario works on, and the knobs they start with."""

from __future__ import annotations

import re
from typing import Any

from pytest_bdd import given, parsers

from conformance.oracle.shares import DEFAULT_KNOBS, DEFAULT_LEVEL
from conformance.steps.scene import (
    Scene,
    is_fixed,
    knobs_in,
    qos_entries,
    read_knob,
    refresh_knobs,
    require_file,
    require_qos,
    require_writable,
    supported_levels,
    timeslice,
)
from conformance.sysfs import paths

KNOB = r"(?P<knob>cap|weight|priority)"
SETTING = re.compile(r'(priorities|weights|caps) "([^"]*)"')
_ONE_SETTING = r'(?:priorities|weights|caps) "[^"]*"'
SETTINGS = re.compile(rf"{_ONE_SETTING}(?:(?:, | and ){_ONE_SETTING})*")
SETTING_KNOB = {"priorities": "priority", "weights": "weight", "caps": "cap"}


# -- writing a knob as a precondition --------------------------------------------------
def set_knob(ctx: Any, uuid: str, knob: str, value: str) -> None:
    """Write a valid value; the driver must accept it (a refusal is its failure)."""
    if knob == "priority" and value not in supported_levels(ctx, uuid):
        ctx.skip(
            f"mdev {uuid} does not support priority level {value!r}: a driver offers "
            "normal and at least one other level, not necessarily every level"
        )
    try:
        count = ctx.write_attr(uuid, knob, value)
    except OSError as exc:
        raise AssertionError(
            f"writing the valid value {value!r} to {knob} of mdev {uuid} failed: "
            f"expected success, got {exc.strerror or exc}"
        ) from None
    if count != len(value.encode()):
        raise AssertionError(
            f"writing {value!r} to {knob} of mdev {uuid} returned {count}, "
            f"expected the full count {len(value.encode())}"
        )


def create_named(ctx: Any, scene: Scene, parent: str | None = None) -> str:
    """Create an mdev of the type under test, name it A, B, C...; it must offer QoS."""
    parent = parent or ctx.parent
    uuid = ctx.create_mdev(parent=parent)
    scene.add(uuid, parent)
    require_qos(ctx, uuid)
    scene.timeslices[uuid] = timeslice(ctx, uuid)
    return uuid


# -- a subject mdev ("it") -------------------------------------------------------------
@given("an mdev of the type under test")
def _an_mdev(ctx: Any, scene: Scene) -> None:
    scene.subject = ctx.device()


@given("an mdev of the type under test that offers QoS")
def _an_mdev_with_qos(ctx: Any, scene: Scene) -> None:
    scene.subject = ctx.device()
    require_qos(ctx, scene.subject)


@given("a fresh mdev of the type under test that offers QoS")
def _fresh_with_qos(ctx: Any, scene: Scene) -> None:
    scene.subject = ctx.create_mdev()
    scene.parents[scene.subject] = ctx.parent
    require_qos(ctx, scene.subject)


@given(parsers.re(rf"a fresh mdev of a type that offers {KNOB}"))
def _fresh_with_knob(ctx: Any, scene: Scene, knob: str) -> None:
    scene.subject = ctx.create_mdev()
    scene.parents[scene.subject] = ctx.parent
    require_qos(ctx, scene.subject)
    require_writable(ctx, scene.subject, knob)


@given(parsers.re(r"its qos directory has (?P<name>[a-z_]+)"))
def _has_file(ctx: Any, scene: Scene, name: str) -> None:
    assert scene.subject is not None
    require_file(ctx, scene.subject, name)


@given(parsers.re(rf'its {KNOB} has been set to "(?P<value>[^"]*)"'))
def _knob_set(ctx: Any, scene: Scene, knob: str, value: str) -> None:
    assert scene.subject is not None
    set_knob(ctx, scene.subject, knob, value)


@given(parsers.re(r"the level (?P<level>low|normal|high) is supported by it"))
def _level_supported(ctx: Any, scene: Scene, level: str) -> None:
    assert scene.subject is not None
    levels = supported_levels(ctx, scene.subject)
    if level not in levels:
        ctx.skip(
            f"mdev {scene.subject} supports the levels {' '.join(levels)}, not {level}: "
            "a driver need not offer every level of the vocabulary"
        )


@given("its priority has been set to a supported level other than normal")
def _priority_moved(ctx: Any, scene: Scene) -> None:
    assert scene.subject is not None
    others = [lv for lv in supported_levels(ctx, scene.subject) if lv != DEFAULT_LEVEL]
    if not others:
        raise AssertionError(
            f"priority of mdev {scene.subject} supports only normal; "
            "expected at least two levels (QOS-PRI-001)"
        )
    set_knob(ctx, scene.subject, "priority", others[-1])


# -- mdevs of the type (layout) ----------------------------------------------------------
def existing_mdevs(ctx: Any, type_id: str | None = None) -> list[str]:
    """mdevs named with --mdev, then those listed under the parent's types."""
    found = list(ctx.mdevs)
    types = [type_id] if type_id else _types(ctx)
    for type_name in types:
        try:
            found += ctx.target.listdir(f"{ctx.type_dir(type_id=type_name)}/devices")
        except OSError:
            continue
    return list(dict.fromkeys(found))


def _types(ctx: Any) -> list[str]:
    try:
        names = ctx.target.listdir(paths.types_dir(ctx.parent))
    except OSError:
        return [ctx.type_id]
    return [ctx.type_id, *[t for t in names if t != ctx.type_id]]


@given(
    "every mdev of the type under test on its parent, "
    "and a second one where the suite may create it"
)
def _two_of_type(ctx: Any, scene: Scene) -> None:
    chosen = existing_mdevs(ctx, ctx.type_id)
    while len(chosen) < 2 and ctx.session.writable:
        chosen.append(ctx.create_mdev())
    if not chosen:
        ctx.unsupported(
            f"no mdev of type {ctx.type_id} on {ctx.parent} to inspect, and the target "
            "is read-only"
        )
    for uuid in chosen:
        scene.add(uuid, ctx.parent)


@given("an mdev of each type on the parent under test")
def _one_of_each_type(ctx: Any, scene: Scene) -> None:
    for type_id in _types(ctx):
        present = existing_mdevs(ctx, type_id)
        if type_id == ctx.type_id:
            present = [*ctx.mdevs, *present]
        uuid = present[0] if present else None
        if uuid is None and ctx.session.writable:
            try:
                uuid = ctx.create_mdev(type_id=type_id)
            except OSError:
                continue  # no instance left of this type
        if uuid is not None and uuid not in scene.names.values():
            scene.add(uuid, ctx.parent)
    if not scene.names:
        ctx.unsupported(
            f"no mdev on {ctx.parent} to inspect, and the target is read-only"
        )


# -- a type that fixes a knob -------------------------------------------------------------
def _fixed_knobs(ctx: Any, uuid: str) -> tuple[str, ...]:
    entries = qos_entries(ctx, uuid) or []
    return tuple(k for k in knobs_in(entries) if is_fixed(ctx, uuid, k))


def _find_fixed(ctx: Any, scene: Scene, *, existing: bool) -> None:
    candidates = existing_mdevs(ctx) if existing else []
    for uuid in candidates:
        fixed = _fixed_knobs(ctx, uuid)
        if fixed:
            scene.subject, scene.fixed[uuid] = uuid, fixed
            return
    if not ctx.session.writable:
        ctx.unsupported(
            "no inspected mdev has a knob its type fixes, and the target is read-only, "
            "so mdevs of the other types cannot be created to look"
        )
    for type_id in _types(ctx):
        try:
            uuid = ctx.create_mdev(type_id=type_id)
        except OSError:
            continue  # no instance left of this type
        fixed = _fixed_knobs(ctx, uuid)
        if fixed:
            scene.subject, scene.fixed[uuid] = uuid, fixed
            scene.parents[uuid] = ctx.parent
            return
    ctx.skip(
        f"no mdev type on {ctx.parent} fixes a knob: what the spec says of type-fixed "
        "knobs applies only where a type fixes one"
    )


@given("an mdev whose type fixes a knob")
def _mdev_fixed(ctx: Any, scene: Scene) -> None:
    _find_fixed(ctx, scene, existing=True)


@given("a fresh mdev of a type that fixes a knob")
def _fresh_fixed(ctx: Any, scene: Scene) -> None:
    _find_fixed(ctx, scene, existing=False)


# -- named mdevs for scheduling and lifecycle ----------------------------------------------
def parse_settings(ctx: Any, text: str) -> dict[str, list[str]]:
    """``weights "100 200" and caps "30 100"`` → {"weight": [...], "cap": [...]}."""
    if not SETTINGS.fullmatch(text):
        ctx.error(f"cannot read the mdev settings {text!r}")
    settings = {SETTING_KNOB[key]: values.split() for key, values in SETTING.findall(text)}
    lengths = {len(v) for v in settings.values()}
    if len(lengths) != 1:
        ctx.error(f"the settings {text!r} name different numbers of mdevs")
    return settings


def configure(ctx: Any, scene: Scene, names: list[str], settings: dict[str, list[str]]) -> None:
    """Write each non-default setting; skip when the type does not offer the knob.

    A knob the type fixes is fine when it already holds the wanted value. Afterwards
    the knobs are read back: the oracle works from what the driver holds.
    """
    for knob, values in settings.items():
        for name, value in zip(names, values, strict=True):
            scene.note(name, knob, value)
            uuid = scene.uuid(name)
            if value == DEFAULT_KNOBS[knob] and not ctx.target.exists(ctx.qos(uuid, knob)):
                continue
            require_file(ctx, uuid, knob)
            if is_fixed(ctx, uuid, knob):
                fixed = read_knob(ctx, uuid, knob)
                if fixed != value:
                    ctx.skip(
                        f"{knob} of mdev {uuid} is fixed by its type at {fixed}; this "
                        f"scenario needs {value}"
                    )
                continue
            if value != read_knob(ctx, uuid, knob):
                set_knob(ctx, uuid, knob, value)
    for name in names:
        refresh_knobs(ctx, scene, name)


@given(
    parsers.re(
        r"fresh mdevs of the type under test(?P<other> on the other parent)? "
        r"with (?P<settings>.+)"
    )
)
def _fresh_with_settings(ctx: Any, scene: Scene, other: str | None, settings: str) -> None:
    parsed = parse_settings(ctx, settings)
    parent = ctx.parent
    if other:
        parent = ctx.other_parent
        if parent is None:
            # With one parent there is nothing to interfere with: the spec makes the
            # isolation requirements conditional on a second parent.
            ctx.skip(f"no second parent offers type {ctx.type_id}: isolation does not apply")
    count = len(next(iter(parsed.values())))
    names = [scene.name_of(create_named(ctx, scene, parent)) for _ in range(count)]
    configure(ctx, scene, names, parsed)


@given("a fresh mdev of another type on the same parent")
def _fresh_other_type(ctx: Any, scene: Scene) -> None:
    """The scheduling domain is the parent: an mdev of another type competes too."""
    other = ctx.other_type
    if other is None:
        ctx.skip(f"parent {ctx.parent} offers no second type: there is no mix of types")
    uuid = ctx.create_mdev(parent=ctx.parent, type_id=other)
    scene.add(uuid, ctx.parent)
    if not qos_entries(ctx, uuid):
        ctx.skip(f"type {other} offers no QoS: its share cannot be measured")
    scene.timeslices[uuid] = timeslice(ctx, uuid)
    refresh_knobs(ctx, scene, scene.name_of(uuid))


@given(parsers.re(r"(?P<count>[1-9]) fresh mdevs of the type under test"))
def _fresh_count(ctx: Any, scene: Scene, count: str) -> None:
    for _ in range(int(count)):
        refresh_knobs(ctx, scene, scene.name_of(create_named(ctx, scene)))


@given(parsers.re(rf'the {KNOB} of (?P<name>[A-Z]) has been set to "(?P<value>[^"]*)"'))
def _named_knob_set(ctx: Any, scene: Scene, knob: str, name: str, value: str) -> None:
    uuid = scene.uuid(name)
    require_writable(ctx, uuid, knob)
    set_knob(ctx, uuid, knob, value)
    scene.note(name, knob, value)
    refresh_knobs(ctx, scene, name)
