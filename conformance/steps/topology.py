"""Steps for topologies and type-fixed knobs.

A parent filled up to its type's instance limit, an mdev whose type fixes a knob
measured under load, and shares checked against the share formula for whatever
knobs the mdevs read back.
"""

from __future__ import annotations

from pytest_bdd import given, parsers, then, when

from conformance.oracle.layout import another_value
from conformance.steps.devices import KNOB, create_named, instance_room
from conformance.steps.require import require_qos, set_knob, timeslice
from conformance.steps.shares import check_pairs, check_share, oracle_shares
from conformance.steps.state import Measurements, Named
from conformance.suite.outcome import Outcome
from conformance.suite.registry import Resources
from conformance.suite.under_test import UnderTest


@given(
    parsers.re(
        r"as many fresh mdevs of the type under test as its parent allows, up to (?P<most>\d+)"
    )
)
def _fill_parent(
    resources: Resources, outcome: Outcome, under_test: UnderTest, named: Named, most: str
) -> None:
    """Create mdevs with default knobs up to the type's instance limit (at most ``most``)."""
    count = min(int(most), instance_room(outcome, resources))
    if count < 2:
        outcome.skip(
            f"type {under_test.type_id} allows {count} more mdev(s) on {under_test.parent}: "
            "no two of them can share the parent"
        )
    outcome.evidence("mdevs created", expected=f"min({most}, available_instances)",
                     actual=count)
    for _ in range(count):
        create_named(resources, outcome, named, under_test).refresh()


@given(parsers.re(rf"a fresh mdev of a type that fixes its {KNOB}, named A"))
def _fixed_named(
    resources: Resources, outcome: Outcome, under_test: UnderTest, named: Named, knob: str
) -> None:
    """Name A an mdev of the first type on the parent that fixes ``knob``."""
    if len(named):
        outcome.error("the mdev whose type fixes a knob must be the first one named")
    for type_id in under_test.types():
        try:
            mdev = resources.create_mdev(type_id=type_id)
        except OSError:
            continue  # no instance left of this type
        if knob in mdev.fixed_knobs():
            require_qos(outcome, mdev, type_id)
            member = named.add(mdev)
            member.timeslice = timeslice(outcome, mdev, under_test.observed)
            member.refresh()
            return
        resources.remove_mdev(mdev)
    outcome.skip(
        f"no mdev type on {under_test.parent} fixes {knob}: what the spec says of a "
        "type-fixed knob applies only where a type fixes one"
    )


@when(
    parsers.re(
        r"every knob of (?P<name>[A-Z]) is given another valid value, "
        r"the ones its type fixes included"
    )
)
def _write_every_knob(
    resources: Resources, outcome: Outcome, named: Named, name: str
) -> None:
    """Write another valid value to each knob of a named mdev.

    The writable ones take it, the fixed ones refuse it (whatever the errno:
    QOS-MODE-004 checks that).
    """
    member = named[name]
    mdev = member.mdev
    refused = []
    for knob in mdev.knobs_present():
        levels = mdev.levels() if knob == "priority" else ()
        value = another_value(knob, mdev.knob(knob), levels)
        if not mdev.is_fixed(knob):
            set_knob(resources, outcome, mdev, knob, value)
            member.note(knob, value)
            continue
        try:
            resources.write(mdev, knob, value)
        except OSError as exc:
            refused.append(f"{knob}: {exc.strerror or exc}")
    outcome.evidence(f"writes to the fixed knobs of {name}", expected="refused",
                     actual=refused or "none refused")
    member.refresh()


@then("their shares follow the share formula for the knobs they read")
def _formula(outcome: Outcome, named: Named, measurements: Measurements) -> None:
    """Each named mdev received the share the oracle gives for its knobs.

    The knobs as read back: defaults, written or fixed by the type alike.
    """
    problems = [p for name, share in oracle_shares(named).items()
                if (p := check_share(outcome, named, measurements, name, float(share)))]
    problems += check_pairs(outcome, named, measurements)
    assert not problems, "shares outside tolerance: " + "; ".join(problems)
