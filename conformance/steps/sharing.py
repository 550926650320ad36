"""Steps about the sharing guarantee a driver states in ``qos/sharing``.

``work-conserving`` binds the driver to the *share* requirements, ``reserved`` to
the *reserve* requirement; without the file it promises neither, and the
scenarios of both are skipped for their condition (the claims say "not offered").
"""

from __future__ import annotations

from pytest_bdd import given, parsers, then

from conformance.oracle import formats
from conformance.oracle.formats import NO_SHARING
from conformance.oracle.layout import member
from conformance.oracle.shares import Member, reserved_shares
from conformance.steps.require import sharing_of
from conformance.steps.shares import check_share
from conformance.steps.state import Measurements, Named
from conformance.suite.mdev import Mdev, MdevType, parent_types, parents
from conformance.suite.outcome import Outcome
from conformance.suite.registry import Resources


@given(parsers.re(r"their sharing is (?P<word>work-conserving|reserved)"))
def _sharing_is(named: Named, outcome: Outcome, word: str) -> None:
    """Every named mdev states the sharing guarantee the scenario checks, else skip."""
    stated = {one.name: sharing_of(one.mdev) for one in named.all()}
    outcome.evidence("sharing", expected=word, actual=stated)
    reason = sharing_unpromised(word, stated)
    if reason:
        outcome.skip(reason)


def sharing_unpromised(word: str, stated: dict[str, str]) -> str | None:
    """Why the mdevs that state ``stated`` do not bind the ``word`` requirements (None: they do)."""
    other = sorted({value for value in stated.values() if value != word})
    if not other:
        return None
    said = " or ".join(f"reads {v}" if v != NO_SHARING else "is absent" for v in other)
    return (f"qos/sharing {said}: the driver does not promise {word} sharing, so the "
            f"requirements of that guarantee do not apply")


@then("each of them states the same sharing guarantee, work-conserving or reserved")
def _same_sharing(named: Named, outcome: Outcome) -> None:
    """``sharing`` reads one word of the vocabulary, the same on every mdev of the type."""
    having = [one for one in named.all() if one.mdev.has("sharing")]
    if not having:
        outcome.skip("no inspected mdev has qos/sharing: the driver promises no way of "
                     "sharing, and the format of sharing applies only where it is present")
    problems, words = [], {}
    for one in named.all():
        if not one.mdev.has("sharing"):
            problems.append(f"{one.mdev.uuid} has no sharing while others of its type have it")
            continue
        raw = one.mdev.raw("sharing")
        try:
            words[one.mdev.uuid] = formats.sharing(raw)
        except formats.FormatError as exc:
            problems.append(f"{one.mdev.uuid}: {exc}")
    outcome.evidence("sharing of each mdev", expected=" or ".join(formats.SHARING),
                     actual=words or None)
    if len(set(words.values())) > 1:
        problems.append(f"mdevs of one type state different guarantees: {words}")
    assert not problems, "qos/sharing: " + "; ".join(problems)


def domain_members(resources: Resources, named: Named, domain: str) -> list[Member]:
    """Every mdev of a scheduling domain, busy or idle, on any parent.

    The named ones and those the suite did not create; another user's mdev counts
    with the knobs it shows (defaults where it has none).
    """
    found = [member(one.name, one.knobs) for one in named.all() if one.domain() == domain]
    ours = set(named.uuids()) | set(resources.created)
    for parent in parents(resources.target):
        for type_id in parent_types(resources.target, parent) or []:
            for uuid in MdevType(resources.target, parent, type_id).devices():
                other = Mdev(resources.target, uuid, parent)
                if uuid not in ours and other.exists() and other.domain() == domain:
                    found.append(member(uuid, other.knob_values()))
    return found


@then("each backlogged mdev receives at least its reserved share")
def _reserved(
    resources: Resources, outcome: Outcome, named: Named, measurements: Measurements
) -> None:
    """A reserved share, counted over every mdev of the domain, is a floor for its owner."""
    problems = []
    for domain in dict.fromkeys(one.domain() for one in named.all()):
        floor = reserved_shares(domain_members(resources, named, domain))
        for one in named.all():
            if one.domain() != domain or one.load != "backlog":
                continue
            problem = check_share(outcome, named, measurements, one.name,
                                  float(floor[one.name]), lower_only=True,
                                  note=f"; reserved share over every mdev of domain {domain}")
            if problem:
                problems.append(problem)
    assert not problems, "below the reserved share: " + "; ".join(problems)
