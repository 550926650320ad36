"""Steps about the scheduling domain: which mdevs compete, and where another domain is.

The domain is what ``qos/domain`` names (an mdev without it is in its parent's
domain): isolation scenarios look for *another domain*, never merely another
parent, and sharing scenarios for another parent in the *same* domain.
"""

from __future__ import annotations

from pytest_bdd import then

from conformance.steps.state import Named, NamedMdev
from conformance.suite.mdev import Mdev
from conformance.suite.outcome import Outcome
from conformance.suite.registry import Resources
from conformance.suite.under_test import UnderTest


def domain_of_type(resources: Resources, parent: str, type_id: str) -> str:
    """The domain mdevs of a type on a parent join: read from a probe mdev, then removed."""
    probe = resources.create_mdev(parent=parent, type_id=type_id)
    try:
        return probe.domain()
    finally:
        resources.remove_mdev(probe)


def first_named(outcome: Outcome, named: Named) -> NamedMdev:
    """A, whose domain the scenario's other mdevs are placed against."""
    members = named.all()
    if not members:
        outcome.error("the scenario places mdevs against A's domain before it created A")
    return members[0]


def parent_in_domain(
    resources: Resources, outcome: Outcome, under_test: UnderTest, named: Named, same: bool
) -> str:
    """Another parent offering the type under test whose domain is (or is not) A's."""
    domain = first_named(outcome, named).mdev.domain()
    seen: dict[str, str] = {}
    for parent in under_test.other_parents():
        found = domain_of_type(resources, parent, under_test.type_id)
        seen[parent] = found
        if (found == domain) == same:
            return parent
    others = ", ".join(f"{p} in {d}" for p, d in seen.items()) or "none"
    if same:
        outcome.skip(
            f"no other parent offering type {under_test.type_id} is in domain {domain} "
            f"(other parents: {others}): sharing across parents does not apply"
        )
    outcome.skip(
        f"no other parent offering type {under_test.type_id} is in a domain other than "
        f"{domain} (other parents: {others}): isolation does not apply"
    )


def type_in_domain(
    resources: Resources, outcome: Outcome, under_test: UnderTest, named: Named
) -> str:
    """Another type of the parent under test whose mdevs join A's domain."""
    domain = first_named(outcome, named).mdev.domain()
    seen: dict[str, str] = {}
    for type_id in under_test.types()[1:]:
        found = domain_of_type(resources, under_test.parent, type_id)
        seen[type_id] = found
        if found == domain:
            return type_id
    others = ", ".join(f"{t} in {d}" for t, d in seen.items()) or "none"
    outcome.skip(
        f"parent {under_test.parent} offers no other type in domain {domain} "
        f"(other types: {others}): there is no mix of types in one domain"
    )


@then("they are all in one scheduling domain")
def _one_domain(named: Named, outcome: Outcome, under_test: UnderTest) -> None:
    """Every mdev of the type on the parent reads the same domain (QOS-DOM-002)."""
    domains = {m.mdev.uuid: m.mdev.domain() for m in named.all() if m.mdev.exists()}
    distinct = sorted(set(domains.values()))
    outcome.evidence("domains of one type on one parent", expected="one domain",
                     actual=distinct, note=f"{len(domains)} mdevs compared")
    assert len(distinct) <= 1, (
        f"mdevs of type {under_test.type_id} on {under_test.parent} are in different "
        f"domains: {domains}"
    )


@then("its domain reads one domain name, the same at every read")
def _domain_name(subject: Mdev, outcome: Outcome) -> None:
    """``domain`` is a well-formed name and does not change (QOS-DOM-001)."""
    first = subject.value("domain")
    again = subject.value("domain")
    outcome.evidence("domain", expected=first, actual=again)
    assert first == again, f"domain of mdev {subject.uuid} read {first!r}, then {again!r}"
