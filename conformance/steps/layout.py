"""Then steps about where the qos files live and which ones come together."""

from __future__ import annotations

from pytest_bdd import parsers, then

from conformance.oracle.formats import KNOBS, QOS_FILES
from conformance.oracle.layout import REQUIRED
from conformance.steps.state import Named
from conformance.suite.mdev import Mdev
from conformance.suite.outcome import Outcome
from conformance.suite.under_test import UnderTest


@then("its qos directory exists under /sys/bus/mdev/devices")
def _qos_under_bus(subject: Mdev, outcome: Outcome) -> None:
    """qos/ is a directory of the device on the mdev bus."""
    path = subject.path()
    kind = subject.stat().kind if subject.has_qos() else "absent"
    outcome.evidence("qos/ under the bus", expected="dir", actual=kind, note=path)
    assert kind == "dir", f"{path}: expected a directory, found {kind}"


@then("the same qos directory is reached through its parent under /sys/class/mdev_bus")
def _qos_under_parent(subject: Mdev, outcome: Outcome, under_test: UnderTest) -> None:
    """The parent (as the device's link names it) lists the same qos/ files."""
    parent = subject.linked_parent() or under_test.parent
    via_parent = subject.path_via_parent(parent)
    bus_files = subject.entries()
    parent_files = subject.entries_via_parent(parent)
    outcome.evidence("qos/ through the parent", expected=bus_files, actual=parent_files,
                     note=via_parent)
    assert parent_files == bus_files, (
        f"{via_parent}: expected the files {bus_files} of {subject.path()}, "
        f"found {'nothing' if parent_files is None else parent_files}"
    )


@then(
    "every entry of its qos directory is one of cap, weight, priority, timeslice_us, "
    "usage_us, throttled_us, wait_us and nr_slices"
)
def _only_spec_files(subject: Mdev, outcome: Outcome) -> None:
    """qos/ holds nothing this spec does not define."""
    extra = [name for name in subject.entries() or [] if name not in QOS_FILES]
    outcome.evidence("files outside the spec", expected=[], actual=extra)
    assert not extra, (
        f"{subject.path()} holds {', '.join(extra)}, which this spec does not define "
        "(vendor files belong in another attribute group)"
    )


@then(parsers.re(r"its qos directory also has (?P<names>[a-z_ ]+)"))
def _also_has(subject: Mdev, outcome: Outcome, names: str) -> None:
    """The files that must come together with another are all there."""
    entries = subject.entries() or []
    wanted = [name for name in names.split() if name != "and"]
    missing = [name for name in wanted if name not in entries]
    outcome.evidence(f"companions {' '.join(wanted)}", expected=wanted,
                     actual=[n for n in wanted if n in entries])
    assert not missing, f"{subject.path()} lacks {', '.join(missing)}; it holds {entries}"


@then("every entry of its qos directory is a regular file")
def _regular_files(subject: Mdev, outcome: Outcome) -> None:
    """No directory or link inside qos/."""
    kinds = {name: subject.stat(name).kind for name in subject.entries() or []}
    odd = {name: kind for name, kind in kinds.items() if kind != "file"}
    outcome.evidence("entries that are not regular files", expected={}, actual=odd)
    assert not odd, f"{subject.path()}: expected regular files only, found {odd}"


def _listings(named: Named) -> dict[str, list[str] | None]:
    return {m.mdev.uuid: m.mdev.entries() for m in named.all()}


class Gone:
    """The mark of an mdev removed (by someone else) while it was being inspected."""


GONE = Gone()
EXAMPLES = 3  # UUIDs shown per distinct listing


def _listing(mdev: Mdev) -> tuple[str, ...] | None | Gone:
    """An mdev's qos/ entries (None: no qos/), or GONE when the mdev itself went away."""
    try:
        entries = mdev.entries()
    except FileNotFoundError:
        entries = None
    if entries is None and not mdev.exists():
        return GONE
    return None if entries is None else tuple(entries)


@then("their qos directories list the same files")
def _same_files(named: Named, outcome: Outcome, under_test: UnderTest) -> None:
    """Every mdev of one type offers the same qos/ files (one removed meanwhile is left out)."""
    listings = {m.mdev.uuid: _listing(m.mdev) for m in named.all()}
    gone = [uuid for uuid, entries in listings.items() if entries is GONE]
    if gone and len(gone) == len(listings):
        outcome.error(f"every mdev inspected was removed during the check: {', '.join(gone)}")
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
    outcome.evidence("qos/ listings of one type", expected="identical", actual=summary,
                     note="; ".join(notes))
    assert len(groups) == 1, (
        f"mdevs of type {under_test.type_id} on {under_test.parent} offer different qos/ "
        "files: " + "; ".join(f"{listing} ({who})" for listing, who in summary.items())
    )


@then("each of their qos directories is either absent or holds a knob or usage_us")
def _no_group_without_qos(named: Named, outcome: Outcome) -> None:
    """A qos/ group that offers nothing does not exist."""
    listings = _listings(named)
    hollow = {
        uuid: entries for uuid, entries in listings.items()
        if entries is not None and not ({"usage_us", *KNOBS} & set(entries))
    }
    outcome.evidence("qos/ groups offering nothing", expected={}, actual=hollow,
                     note=f"{len(listings)} mdevs inspected, one per type")
    assert not hollow, (
        "a qos/ directory without any knob or usage_us (a driver that offers no QoS "
        f"for an mdev creates no qos/ at all): {hollow}"
    )


@then("each of their qos directories is either absent or holds usage_us and timeslice_us")
def _each_complete(named: Named, outcome: Outcome) -> None:
    """Every qos/ group holds the required files."""
    listings = _listings(named)
    lacking = {
        uuid: [n for n in REQUIRED if n not in entries]
        for uuid, entries in listings.items() if entries is not None
    }
    lacking = {uuid: names for uuid, names in lacking.items() if names}
    outcome.evidence("qos/ lacking accounting files", expected={}, actual=lacking,
                     note=f"{len(listings)} mdevs inspected, one per type")
    assert not lacking, f"qos/ directories without required files: {lacking}"
