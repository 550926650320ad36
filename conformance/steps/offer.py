"""Then steps about the offer of a type: the ``qos/`` of a type directory (spec 1.1)."""

from __future__ import annotations

from pytest_bdd import then

from conformance.oracle.formats import QOS_FILES, FormatError
from conformance.oracle.offer import MdevView, agreement_problems, layout_problems, word_list
from conformance.steps.state import Named
from conformance.suite.mdev import Mdev, MdevType
from conformance.suite.outcome import Outcome
from conformance.suite.under_test import UnderTest


def type_of(mdev: Mdev, under_test: UnderTest) -> MdevType:
    """The type of an mdev on its parent, from its links."""
    type_id = mdev.type_id()
    if type_id is None:
        raise AssertionError(f"mdev {mdev.uuid} has no readable mdev_type link")
    return MdevType(mdev.target, mdev.linked_parent() or under_test.parent, type_id)


def raw_word(mdev: Mdev, name: str) -> str:
    """A one-word file as read, without its newline (its format is another check's)."""
    return mdev.raw(name).decode("ascii", "replace").rstrip("\n")


def view(mdev: Mdev) -> MdevView:
    """What the offer of its type must say about this mdev."""
    entries = tuple(mdev.entries() or ())
    return MdevView(
        files=entries,
        fixed={knob: mdev.knob(knob) for knob in mdev.fixed_knobs()},
        levels=mdev.levels() if "priority" in entries else None,
        domain=mdev.domain(),
        timeslice_us=mdev.value("timeslice_us") if "timeslice_us" in entries else None,
        sharing=raw_word(mdev, "sharing") if "sharing" in entries else None,
        cap_period_us=mdev.value("cap_period_us") if "cap_period_us" in entries else None,
    )


def with_qos(named: Named, under_test: UnderTest) -> list[tuple[Mdev, MdevType]]:
    """The named mdevs that have ``qos/``, each with its type."""
    return [(m.mdev, type_of(m.mdev, under_test)) for m in named.all() if m.mdev.entries()]


@then("the type of each of them that offers QoS states its offer in its type directory")
def _offer_present(named: Named, outcome: Outcome, under_test: UnderTest) -> None:
    """QOS-DISC-001 (SHOULD): the offer can be read before an mdev exists."""
    pairs = with_qos(named, under_test)
    if not pairs:
        outcome.skip(f"no type of {under_test.parent} offers QoS")
    missing = [kind.type_id for _mdev, kind in pairs if not kind.has_offer()]
    outcome.evidence("types with qos/ mdevs but no offer", expected=[], actual=missing)
    assert not missing, (
        f"types {', '.join(missing)} give their mdevs qos/ but state no offer in their "
        "type directory: a tool must create an mdev to learn what they offer"
    )


@then("the offer of each of their types holds only its files, each read-only")
def _offer_layout(named: Named, outcome: Outcome, under_test: UnderTest) -> None:
    """QOS-DISC-002: the files a type's ``qos/`` holds, their kinds and modes."""
    offers = [kind for _mdev, kind in with_qos(named, under_test) if kind.has_offer()]
    if not offers:
        outcome.skip(f"no type of {under_test.parent} states an offer (qos/ of a type)")
    problems = {}
    for kind in offers:
        entries = kind.offer_entries()
        try:
            files = word_list(kind.offer().get("files", b"\n"), QOS_FILES)
        except FormatError:
            files = ()
        found = layout_problems(entries, files)
        if found:
            problems[kind.type_id] = found
        outcome.evidence(f"offer of {kind.type_id}", expected="files domain timeslice_us ...",
                         actual=sorted(entries))
    assert not problems, f"offers that break QOS-DISC-002: {problems}"


@then("the offer of each of their types agrees with its qos directory")
def _offer_agrees(named: Named, outcome: Outcome, under_test: UnderTest) -> None:
    """QOS-DISC-003: the offer says what the type's mdevs have."""
    pairs = [(m, k) for m, k in with_qos(named, under_test) if k.has_offer()]
    if not pairs:
        outcome.skip(f"no type of {under_test.parent} states an offer (qos/ of a type)")
    problems = {}
    for mdev, kind in pairs:
        found = agreement_problems(kind.offer(), view(mdev))
        outcome.evidence(f"offer of {kind.type_id} against mdev {mdev.uuid}",
                         expected="agreement", actual=found or "agreement")
        if found:
            problems[f"{kind.type_id} / {mdev.uuid}"] = found
    assert not problems, f"offers that disagree with their mdevs: {problems}"


@then("each of them without a qos directory has a type without an offer")
def _no_offer_without_qos(named: Named, outcome: Outcome, under_test: UnderTest) -> None:
    """QOS-DISC-004: a type that offers no QoS states no offer."""
    plain = [type_of(m.mdev, under_test) for m in named.all()
             if m.mdev.exists() and not m.mdev.entries()]
    if not plain:
        outcome.skip(f"every type of {under_test.parent} offers QoS")
    wrong = [kind.type_id for kind in plain if kind.has_offer()]
    outcome.evidence("types without QoS that state an offer", expected=[], actual=wrong)
    assert not wrong, f"types {', '.join(wrong)} have no qos/ on their mdevs but state an offer"
