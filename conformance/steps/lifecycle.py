"""Steps about creating, removing and re-creating mdevs, and knob independence."""

from __future__ import annotations

from typing import Any

from pytest_bdd import then, when

from conformance.oracle import formats
from conformance.oracle.shares import DEFAULT_KNOBS
from conformance.steps.scene import Scene, is_fixed, knobs_in, qos_entries, read_knob


def _subject(scene: Scene) -> str:
    if scene.subject is None:
        raise LookupError("the scenario has no subject mdev")
    return scene.subject


@then("its qos directory already holds usage_us and timeslice_us, each readable")
def _present_at_create(ctx: Any, scene: Scene) -> None:
    uuid = _subject(scene)
    entries = qos_entries(ctx, uuid) or []
    problems = []
    for name in ("usage_us", "timeslice_us"):
        if name not in entries:
            problems.append(f"{name} missing")
            continue
        raw = ctx.target.read(ctx.qos(uuid, name))
        try:
            formats.unsigned(raw)
        except formats.FormatError as exc:
            problems.append(f"{name} reads {raw!r}: {exc}")
    ctx.evidence("qos/ right after create", expected=["timeslice_us", "usage_us"],
                 actual=sorted(entries), note="; ".join(problems))
    assert not problems, f"mdev {uuid} right after create: " + "; ".join(problems)


@when("the mdev is removed")
def _remove(ctx: Any, scene: Scene) -> None:
    ctx.remove_mdev(_subject(scene))


@then("its qos directory no longer exists")
def _gone(ctx: Any, scene: Scene) -> None:
    uuid = _subject(scene)
    left = [p for p in (ctx.qos(uuid), ctx.mdev_dir(uuid)) if ctx.target.exists(p)]
    ctx.evidence("after remove", expected=[], actual=left)
    assert not left, f"after removing mdev {uuid} these still exist: {left}"


@when("the mdev is removed and created again with the same UUID")
def _recreate(ctx: Any, scene: Scene) -> None:
    uuid = _subject(scene)
    parent = scene.parents.get(uuid, ctx.parent)
    ctx.remove_mdev(uuid)
    ctx.create_mdev(parent=parent, uuid=uuid)


@then("every knob of B reads its default")
def _defaults_of_b(ctx: Any, scene: Scene) -> None:
    uuid = scene.uuid("B")
    knobs = [k for k in knobs_in(qos_entries(ctx, uuid) or []) if not is_fixed(ctx, uuid, k)]
    values = {k: read_knob(ctx, uuid, k) for k in knobs}
    expected = {k: DEFAULT_KNOBS[k] for k in knobs}
    ctx.evidence("knobs of B", expected=expected, actual=values)
    assert values == expected, (
        f"B's knobs changed when A's were written: read {values}, expected {expected}"
    )
