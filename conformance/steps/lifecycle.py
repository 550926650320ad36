"""Steps about creating, removing and re-creating mdevs, and knob independence."""

from __future__ import annotations

import pytest
from pytest_bdd import parsers, then, when

from conformance.oracle import formats
from conformance.oracle.shares import DEFAULT_KNOBS
from conformance.steps.devices import create_named
from conformance.steps.state import Named, whom
from conformance.suite.mdev import Mdev
from conformance.suite.measure import Meter
from conformance.suite.outcome import Outcome
from conformance.suite.registry import Resources
from conformance.suite.under_test import UnderTest


@then("its qos directory already holds usage_us and timeslice_us, each readable")
def _present_at_create(subject: Mdev, outcome: Outcome) -> None:
    """The required files exist as soon as create returns."""
    entries = subject.entries() or []
    problems = []
    for name in ("usage_us", "timeslice_us"):
        if name not in entries:
            problems.append(f"{name} missing")
            continue
        raw = subject.raw(name)
        try:
            formats.unsigned(raw)
        except formats.FormatError as exc:
            problems.append(f"{name} reads {raw!r}: {exc}")
    outcome.evidence("qos/ right after create", expected=["timeslice_us", "usage_us"],
                     actual=sorted(entries), note="; ".join(problems))
    assert not problems, f"mdev {subject.uuid} right after create: " + "; ".join(problems)


@when("the mdev is removed")
def _remove(subject: Mdev, resources: Resources) -> None:
    """Remove the subject (the suite created it)."""
    resources.remove_mdev(subject)


@then("its qos directory no longer exists")
def _gone(subject: Mdev, outcome: Outcome) -> None:
    """Nothing of a removed mdev is left."""
    present = ((subject.path(), subject.has_qos()), (subject.dir, subject.exists()))
    left = [path for path, there in present if there]
    outcome.evidence("after remove", expected=[], actual=left)
    assert not left, f"after removing mdev {subject.uuid} these still exist: {left}"


@when(
    parsers.re(
        r"(?:the mdev|(?P<name>[A-Z])) is removed and created again with the same UUID"
    )
)
def _recreate(
    request: pytest.FixtureRequest, resources: Resources, named: Named, name: str | None
) -> None:
    """Remove the subject or a named mdev and create it again (a named one idle first)."""
    mdev = whom(request, named, name)
    if name and named[name].load not in ("", "idle"):
        resources.set_load(mdev, "idle")
        named[name].load = "idle"
    resources.recreate(mdev)


@when(parsers.re(
    r"(?P<name>[A-Z]) is removed while it has work and created again with the same UUID"
))
def _recreate_busy(
    resources: Resources, outcome: Outcome, named: Named, name: str
) -> None:
    """Remove a named mdev with its work in flight, then create it again.

    With the load files of the sample drivers and the mock the mdev is still
    backlogged when it is removed. An exec workload runs in a guest that holds the
    mdev open, and an open mdev cannot be removed: it is made idle and removed at
    once, with no settling, so that its last work may still be in the driver. The
    mdev created again is named as before, with no knob the scenario gave it.
    """
    member = named[name]
    if member.load in ("", "idle"):
        outcome.error(f"{name} has no work: make it backlogged before removing it")
    if resources.adapter().name == "exec":
        resources.set_load(member.mdev, "idle")
    member.mdev = resources.recreate(member.mdev)
    member.load = "idle"
    member.assumed = {}
    member.refresh()


@when(parsers.re(
    r"(?P<name>[A-Z]) is removed while it has work and another fresh mdev is created"
))
def _replace_busy(
    resources: Resources, outcome: Outcome, under_test: UnderTest, named: Named, name: str
) -> None:
    """Remove a busy named mdev, then create a new one (a new UUID) on its parent.

    The new one is named next. A driver that keeps its statistics in a slot per
    instance gives it the slot just freed. The removed one stays named, with the
    load ``removed``; with an exec workload it is made idle first, as for a re-create.
    """
    member = named[name]
    if member.load in ("", "idle", "removed"):
        outcome.error(f"{name} has no work: make it backlogged before removing it")
    if resources.adapter().name == "exec":
        resources.set_load(member.mdev, "idle")
    resources.remove_mdev(member.mdev)
    member.load = "removed"
    create_named(resources, outcome, named, under_test, member.mdev.parent).refresh()


@when(parsers.re(r"(?P<name>[A-Z]) is removed while the others run"))
def _remove_named(
    resources: Resources, outcome: Outcome, named: Named, meter: Meter, name: str
) -> None:
    """Remove a named mdev for good; it counts for nothing from then on.

    It stays named (so the others keep their names) with the load ``removed``,
    which no share step counts as active, and the meter stops reading it.
    """
    member = named[name]
    if member.load == "removed":
        outcome.error(f"{name} is already removed")
    resources.remove_mdev(member.mdev)
    member.load = "removed"
    meter.forget(member.mdev.uuid)


@then(parsers.re(r"every knob of (?P<name>[A-Z]) reads its default"))
def _defaults_of(named: Named, outcome: Outcome, name: str) -> None:
    """The writable knobs of a named mdev read their defaults.

    Another mdev's knobs were written, or this one was created again.
    """
    mdev = named[name].mdev
    knobs = [k for k in mdev.knobs_present() if not mdev.is_fixed(k)]
    values = {k: mdev.knob(k) for k in knobs}
    expected = {k: DEFAULT_KNOBS[k] for k in knobs}
    outcome.evidence(f"knobs of {name}", expected=expected, actual=values)
    assert values == expected, (
        f"{name}'s knobs do not read their defaults: read {values}, expected {expected}"
    )
