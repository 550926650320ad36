"""Step definitions for tests/reliability/dying: a scenario kills its own target.

The test sets :data:`KILL` (it stops the FUSE mock behind the run and waits for
it to be gone); the steps then check what a dead target makes of the usual reads.
"""

from __future__ import annotations

from collections.abc import Callable

from pytest_bdd import given, parsers, then, when

from conformance.suite.mdev import Mdev
from conformance.suite.outcome import Outcome
from conformance.suite.registry import Resources


def _no_kill() -> None:
    raise AssertionError("the test did not say how to kill the target")


KILL: Callable[[], None] = _no_kill
READ: dict[str, str] = {}


@given(parsers.parse('a new mdev with its cap set to "{value}"'), target_fixture="subject")
def _new_capped(resources: Resources, value: str) -> Mdev:
    """Create an mdev and write its cap (both journaled)."""
    mdev = resources.create_mdev()
    resources.write(mdev, "cap", value)
    return mdev


@given("its cap is read")
def _read_cap(subject: Mdev) -> None:
    """Remember the cap as read now."""
    READ["cap"] = subject.raw("cap").decode().strip()


@when("the target dies")
def _dies() -> None:
    """Kill the FUSE mock behind the run and wait until it is gone."""
    KILL()


@then("it has a qos directory")
def _has_qos(subject: Mdev) -> None:
    """The mdev still shows its qos/ group."""
    assert subject.has_qos(), f"mdev {subject.uuid} has no qos/ directory"


@then(parsers.parse('the cap read is "{value}"'))
def _cap_was(value: str) -> None:
    """Judge the cap read before the target died."""
    assert READ["cap"] == value, f"cap read {READ['cap']}, expected {value}"


@then("a new mdev cannot be created")
def _cannot_create(resources: Resources) -> None:
    """Try to create an mdev on the dead target (the write is journaled first)."""
    resources.create_mdev()


@then(parsers.parse('the requirement does not apply unless the cap read is "{value}"'))
def _skip_unless(outcome: Outcome, value: str) -> None:
    """Skip for the requirement's condition, judged on the cap read before the target died."""
    if READ["cap"] != value:
        outcome.skip(f"cap read {READ['cap']}, not {value}: the condition does not hold")
