"""The remembered step lookup finds what pytest-bdd's own lookup finds."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from conformance.suite.step_lookup import memoised_step_lookup

FEATURE = """\
Feature: overlapping steps
  Scenario: the same step text in two modules
    When I have a specific thing
    Then the value is {expected}
"""

CONFTEST = """\
import pytest
from pytest_bdd import parsers, then, when

@pytest.fixture
def value():
    return []

@when(parsers.parse("I have a {thing} thing"))
def generic(thing, value):
    value.append(thing)

@then(parsers.parse("the value is {expected}"))
def check(expected, value):
    assert value == [expected]
"""

# module a overrides the step for its own scenarios only; module b does not
MODULE_A = """\
from pytest_bdd import scenarios, when

@when("I have a specific thing")
def specific(value):
    value.append("42")

scenarios("a.feature")
"""

MODULE_B = """\
from pytest_bdd import scenarios

scenarios("b.feature")
"""


def _project(root: Path) -> None:
    (root / "a.feature").write_text(FEATURE.format(expected="42"))
    (root / "b.feature").write_text(FEATURE.format(expected="specific"))
    (root / "conftest.py").write_text(CONFTEST)
    (root / "test_a.py").write_text(MODULE_A)
    (root / "test_b.py").write_text(MODULE_B)
    (root / "pytest.ini").write_text("[pytest]\n")


def test_each_module_sees_its_own_step_definitions(tmp_path: Path) -> None:
    """Keyed by step text alone, module b would run module a's override and fail."""
    _project(tmp_path)
    args = [str(tmp_path), "-q", "-p", "no:cacheprovider", "-c", str(tmp_path / "pytest.ini")]
    with memoised_step_lookup() as installed:
        assert installed, "pytest-bdd changed: the step lookup is no longer remembered"
        code = pytest.main(args)
    assert code == pytest.ExitCode.OK


def test_the_original_lookup_is_back_after_the_block() -> None:
    bdd = importlib.import_module("pytest_bdd.scenario")
    before = bdd.find_fixturedefs_for_step
    with memoised_step_lookup():
        assert bdd.find_fixturedefs_for_step is not before
    assert bdd.find_fixturedefs_for_step is before



def test_a_step_functions_signature_is_read_once() -> None:
    """pytest-bdd reads a step's signature twice per step it runs (5% of a run's CPU)."""
    bdd = importlib.import_module("pytest_bdd.scenario")
    before = (bdd.signature, bdd.get_required_args)

    def step(subject, outcome, name: str = "A") -> None:
        pass

    with memoised_step_lookup():
        assert bdd.signature(step) is bdd.signature(step)
        assert bdd.get_required_args(step) == ["subject", "outcome"]
        bdd.get_required_args(step).append("changed by a caller")
        assert bdd.get_required_args(step) == ["subject", "outcome"]
    assert (bdd.signature, bdd.get_required_args) == before
