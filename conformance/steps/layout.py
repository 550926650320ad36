"""Then steps about where the qos files live and which ones come together."""

from __future__ import annotations

from typing import Any

from pytest_bdd import parsers, then

from conformance.oracle.formats import KNOBS, QOS_FILES
from conformance.steps.scene import Scene, parent_of, qos_entries
from conformance.sysfs import paths


def _subject(scene: Scene) -> str:
    if scene.subject is None:
        raise LookupError("the scenario has no subject mdev")
    return scene.subject


@then("its qos directory exists under /sys/bus/mdev/devices")
def _qos_under_bus(ctx: Any, scene: Scene) -> None:
    uuid = _subject(scene)
    path = ctx.qos(uuid)
    kind = ctx.target.stat(path).kind if ctx.target.exists(path) else "absent"
    ctx.evidence("qos/ under the bus", expected="dir", actual=kind, note=path)
    assert kind == "dir", f"{path}: expected a directory, found {kind}"


@then("the same qos directory is reached through its parent under /sys/class/mdev_bus")
def _qos_under_parent(ctx: Any, scene: Scene) -> None:
    uuid = _subject(scene)
    via_parent = f"{paths.mdev_via_parent(parent_of(ctx, scene, uuid), uuid)}/qos"
    bus_files = ctx.target.listdir(ctx.qos(uuid))
    parent_files = ctx.target.listdir(via_parent) if ctx.target.exists(via_parent) else None
    ctx.evidence("qos/ through the parent", expected=bus_files, actual=parent_files,
                 note=via_parent)
    assert parent_files == bus_files, (
        f"{via_parent}: expected the files {bus_files} of {ctx.qos(uuid)}, "
        f"found {'nothing' if parent_files is None else parent_files}"
    )


@then(
    "every entry of its qos directory is one of cap, weight, priority, timeslice_us, "
    "usage_us, throttled_us, wait_us and nr_slices"
)
def _only_spec_files(ctx: Any, scene: Scene) -> None:
    uuid = _subject(scene)
    entries = qos_entries(ctx, uuid) or []
    extra = [name for name in entries if name not in QOS_FILES]
    ctx.evidence("files outside the spec", expected=[], actual=extra)
    assert not extra, (
        f"{ctx.qos(uuid)} holds {', '.join(extra)}, which this spec does not define "
        "(vendor files belong in another attribute group)"
    )


@then(parsers.re(r"its qos directory also has (?P<names>[a-z_ ]+)"))
def _also_has(ctx: Any, scene: Scene, names: str) -> None:
    uuid = _subject(scene)
    entries = qos_entries(ctx, uuid) or []
    wanted = [name for name in names.split() if name != "and"]
    missing = [name for name in wanted if name not in entries]
    ctx.evidence(f"companions {' '.join(wanted)}", expected=wanted,
                 actual=[n for n in wanted if n in entries])
    assert not missing, f"{ctx.qos(uuid)} lacks {', '.join(missing)}; it holds {entries}"


@then("every entry of its qos directory is a regular file")
def _regular_files(ctx: Any, scene: Scene) -> None:
    uuid = _subject(scene)
    kinds = {name: ctx.target.stat(ctx.qos(uuid, name)).kind
             for name in qos_entries(ctx, uuid) or []}
    odd = {name: kind for name, kind in kinds.items() if kind != "file"}
    ctx.evidence("entries that are not regular files", expected={}, actual=odd)
    assert not odd, f"{ctx.qos(uuid)}: expected regular files only, found {odd}"


class Gone:
    """The mark of an mdev removed (by someone else) while it was being inspected."""


GONE = Gone()
def _listing(ctx: Any, uuid: str) -> tuple[str, ...] | None | Gone:
    """An mdev's qos/ entries (None: no qos/), or GONE when the mdev itself went away."""
    try:
        entries = qos_entries(ctx, uuid)
    except FileNotFoundError:
        entries = None
    if entries is None and not ctx.target.exists(paths.mdev_dir(uuid)):
        return GONE
    return None if entries is None else tuple(entries)


EXAMPLES = 3  # UUIDs shown per distinct listing


@then("their qos directories list the same files")
def _same_files(ctx: Any, scene: Scene) -> None:
    listings = {uuid: _listing(ctx, uuid) for uuid in scene.names.values()}
    gone = [uuid for uuid, entries in listings.items() if entries is GONE]
    if gone and len(gone) == len(listings):
        ctx.error(f"every mdev inspected was removed during the check: {', '.join(gone)}")
    groups: dict[tuple[str, ...] | None, list[str]] = {}
    for uuid, entries in listings.items():
        if not isinstance(entries, Gone):
            groups.setdefault(entries, []).append(uuid)
    summary = {
        ("no qos/" if entries is None else " ".join(entries)):
        f"{len(uuids)} mdev(s): {', '.join(uuids[:EXAMPLES])}"
        + (", ..." if len(uuids) > EXAMPLES else "")
        for entries, uuids in groups.items()
    }
    notes = [f"{len(listings) - len(gone)} mdevs compared"]
    if gone:
        notes.append(f"removed by someone else during the check, so not compared: "
                     f"{', '.join(gone)}")
    ctx.evidence("qos/ listings of one type", expected="identical", actual=summary,
                 note="; ".join(notes))
    assert len(groups) == 1, (
        f"mdevs of type {ctx.type_id} on {ctx.parent} offer different qos/ files: "
        + "; ".join(f"{listing} ({who})" for listing, who in summary.items())
    )


def _each_qos(ctx: Any, scene: Scene) -> dict[str, list[str] | None]:
    return {uuid: qos_entries(ctx, uuid) for uuid in scene.names.values()}


@then("each of their qos directories is either absent or holds a knob or usage_us")
def _no_group_without_qos(ctx: Any, scene: Scene) -> None:
    listings = _each_qos(ctx, scene)
    hollow = {
        uuid: entries for uuid, entries in listings.items()
        if entries is not None and not ({"usage_us", *KNOBS} & set(entries))
    }
    ctx.evidence("qos/ groups offering nothing", expected={}, actual=hollow,
                 note=f"{len(listings)} mdevs inspected, one per type")
    assert not hollow, (
        "a qos/ directory without any knob or usage_us (a driver that offers no QoS "
        f"for an mdev creates no qos/ at all): {hollow}"
    )


@then(
    "each of their qos directories is either absent or holds usage_us and timeslice_us"
)
def _each_complete(ctx: Any, scene: Scene) -> None:
    listings = _each_qos(ctx, scene)
    lacking = {
        uuid: [n for n in ("usage_us", "timeslice_us") if n not in entries]
        for uuid, entries in listings.items() if entries is not None
    }
    lacking = {uuid: names for uuid, names in lacking.items() if names}
    ctx.evidence("qos/ lacking accounting files", expected={}, actual=lacking,
                 note=f"{len(listings)} mdevs inspected, one per type")
    assert not lacking, f"qos/ directories without required files: {lacking}"
