"""When steps that drive the workload and measure windows.

Loads go through ``ctx.workload`` (virtual clock on the mock, real time on the
sample drivers, vendor commands with ``exec``). A window starts after the settling
time S = 2q, or right at a knob write for live changes; its length W comes from the
tolerance formula, never from a retry.
"""

from __future__ import annotations

from typing import Any

from pytest_bdd import parsers, when

from conformance.oracle.tolerance import Tolerance
from conformance.steps.devices import set_knob
from conformance.steps.scene import (
    Scene,
    is_fixed,
    knobs_in,
    qos_entries,
    read_knob,
    refresh_knobs,
    require_file,
    require_writable,
    supported_levels,
)
from conformance.steps.shares import backlogged
from conformance.suite.measure import Meter, read_counter
from conformance.sysfs import paths

LOADS = ("idle", "backlog")


def meter(ctx: Any, scene: Scene) -> Meter:
    """The scenario's meter over all its named mdevs (q = their largest timeslice)."""
    if scene.meter is None:
        if not scene.names:
            ctx.error("a measurement needs named mdevs (Given fresh mdevs ...)")
        uuids = list(scene.names.values())
        q = max(scene.timeslices[u] for u in uuids)
        scene.meter = Meter(ctx.target, ctx.workload, uuids, q,
                            bystanders=bystanders(ctx, scene), precision=ctx.precision,
                            observe=ctx.session.observed.window)
    return scene.meter


def bystanders(ctx: Any, scene: Scene) -> list[str]:
    """mdevs on the parents of the scenario's mdevs that the suite did not create."""
    ours = set(scene.names.values()) | set(ctx.created)
    found: list[str] = []
    for parent in dict.fromkeys(scene.parents.values()):
        try:
            types = ctx.target.listdir(paths.types_dir(parent))
        except OSError:
            continue
        for type_id in types:
            try:
                found += ctx.target.listdir(f"{paths.type_dir(parent, type_id)}/devices")
            except OSError:
                continue
    return [uuid for uuid in dict.fromkeys(found) if uuid not in ours]


def apply_loads(ctx: Any, scene: Scene, loads: list[str]) -> None:
    if len(loads) != len(scene.names):
        ctx.error(f"{len(loads)} loads given for {len(scene.names)} mdevs")
    for (name, uuid), load in zip(scene.names.items(), loads, strict=True):
        if load not in LOADS:
            ctx.error(f"unknown load {load!r}: use one of {', '.join(LOADS)}")
        ctx.workload.set_load(uuid, load)
        scene.loads[name] = load


@when("all of them are backlogged")
def _all_backlogged(ctx: Any, scene: Scene) -> None:
    apply_loads(ctx, scene, ["backlog"] * len(scene.names))


@when(parsers.re(r'their loads are "(?P<loads>[a-z ]+)"'))
def _loads(ctx: Any, scene: Scene, loads: str) -> None:
    apply_loads(ctx, scene, loads.split())


@when("one measurement window passes")
def _window(ctx: Any, scene: Scene) -> None:
    m = meter(ctx, scene)
    start, scene.pending = scene.pending, None
    window = m.measure(start, announce=lambda w: ctx.progress(f"measuring a {w} µs window"),
                       groups=backlogged(scene))
    scene.windows.append(window)
    scene.snapshots += [window.start, window.end]


@when("the device has settled")
def _settle(ctx: Any, scene: Scene) -> None:
    meter(ctx, scene).settle()


@when(
    parsers.re(
        r'the (?P<knob>cap|weight|priority) of (?P<name>[A-Z]) is changed to '
        r'"(?P<value>[^"]*)" while they run'
    )
)
def _live_change(ctx: Any, scene: Scene, knob: str, name: str, value: str) -> None:
    uuid = scene.uuid(name)
    require_writable(ctx, uuid, knob)
    m = meter(ctx, scene)
    m.settle()
    scene.pending = m.snapshot()
    scene.snapshots.append(scene.pending)
    set_knob(ctx, uuid, knob, value)
    scene.note(name, knob, value)
    refresh_knobs(ctx, scene, name)


@when(parsers.re(r"(?P<name>[A-Z]) becomes backlogged"))
def _wake(ctx: Any, scene: Scene, name: str) -> None:
    uuid = scene.uuid(name)
    require_file(ctx, uuid, "nr_slices")
    before = read_counter(ctx.target, uuid, "nr_slices")
    ctx.workload.set_load(uuid, "backlog")
    scene.loads[name] = "backlog"
    scene.wake = (uuid, before, ctx.workload.now_us())


@when(parsers.re(r"(?P<name>[A-Z]) is removed and created again with the same UUID"))
def _recreate_named(ctx: Any, scene: Scene, name: str) -> None:
    uuid = scene.uuid(name)
    if scene.loads.get(name, "idle") != "idle":
        ctx.workload.set_load(uuid, "idle")
        scene.loads[name] = "idle"
    parent = scene.parents[uuid]
    ctx.remove_mdev(uuid)
    ctx.create_mdev(parent=parent, uuid=uuid)


def latency_tolerance(ctx: Any, scene: Scene) -> Tolerance:
    """Tolerance for the dispatch latency, with the skew of one counter read."""
    m = meter(ctx, scene)
    return Tolerance(m.q, m.snapshot().skew_us)


def another_value(knob: str, current: str, levels: tuple[str, ...]) -> str:
    """A valid value for ``knob`` other than ``current``."""
    if knob == "priority":
        return next(lv for lv in reversed(levels) if lv != current)
    first, second = ("90", "80") if knob == "cap" else ("200", "300")
    return first if current != first else second


@when(parsers.re(
    r"every writable knob of (?P<name>[A-Z]) is given another valid value while they run"
))
def _rewrite_knobs(ctx: Any, scene: Scene, name: str) -> None:
    uuid = scene.uuid(name)
    entries = qos_entries(ctx, uuid) or []
    knobs = [k for k in knobs_in(entries) if not is_fixed(ctx, uuid, k)]
    if not knobs:
        ctx.skip(f"{name} has no writable knob: every knob is optional")
    m = meter(ctx, scene)
    m.settle()
    scene.pending = m.snapshot()
    scene.snapshots.append(scene.pending)
    for knob in knobs:
        levels = supported_levels(ctx, uuid) if knob == "priority" else ()
        value = another_value(knob, read_knob(ctx, uuid, knob), levels)
        set_knob(ctx, uuid, knob, value)
        scene.note(name, knob, value)
    refresh_knobs(ctx, scene, name)
