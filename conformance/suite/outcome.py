"""How a scenario ends other than by passing, and what it observed on the way.

Outcome rules: an ``AssertionError`` is the driver's fault (``fail``);
:meth:`Outcome.skip` is a spec-sanctioned absence (``skip``, the claim holds);
:meth:`Outcome.unsupported` means this run cannot check it (``skip``, the claim
is incomplete); :meth:`Outcome.error` or any other exception means the suite or
its environment broke (``error``). Evidence goes into the report.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NoReturn

import pytest


class SuiteError(Exception):
    """The suite or its environment broke: the scenario's result is ``error``."""


@dataclass
class Evidence:
    """One expected/actual pair a scenario observed, for the report."""

    name: str
    expected: object = None
    actual: object = None
    tolerance: object = None
    unit: str = ""
    requirement: str = ""
    ok: bool | None = None
    note: str = ""
    accepted: tuple[float | None, float | None] | None = None  # the interval that passes

    def to_json(self) -> dict[str, Any]:
        """The evidence as report.json holds it."""
        doc: dict[str, Any] = {"name": self.name, "expected": self.expected, "actual": self.actual}
        if self.accepted is not None:
            doc["accepted"] = list(self.accepted)
        for key in ("tolerance", "unit", "requirement", "ok", "note"):
            value = getattr(self, key)
            if value not in (None, ""):
                doc[key] = value
        return doc


def _no_progress(message: str) -> None:
    return None


@dataclass
class Outcome:
    """One scenario's evidence and the way it stops when it cannot pass or fail."""

    progress_line: Callable[[str], None] = _no_progress
    evidences: list[Evidence] = field(default_factory=list)
    skip_kind: str = ""  # "condition" after skip, "unsupported" after unsupported

    def evidence(
        self,
        name: str,
        *,
        expected: object = None,
        actual: object = None,
        tolerance: object = None,
        unit: str = "",
        requirement: str = "",
        ok: bool | None = None,
        note: str = "",
        accepted: tuple[float | None, float | None] | None = None,
    ) -> Evidence:
        """Record an expected/actual pair for the report (``unit="share"`` is charted).

        ``accepted`` is the interval that passes (None for an open end); the HTML
        chart draws it as the tolerance band.
        """
        item = Evidence(name, expected, actual, tolerance, unit, requirement, ok, note, accepted)
        self.evidences.append(item)
        return item

    def skip(self, reason: str) -> NoReturn:
        """Skip for a spec-sanctioned absence (the requirement's condition does not hold)."""
        self.skip_kind = "condition"
        pytest.skip(reason)

    def unsupported(self, reason: str) -> NoReturn:
        """Skip because this run cannot check it (no workload, read-only, no 2nd parent).

        Unlike :meth:`skip`, this leaves the feature's claim incomplete.
        """
        self.skip_kind = "unsupported"
        pytest.skip(reason)

    def not_reached(self, reason: str) -> NoReturn:
        """Skip a random scenario that checked nothing: it counts for nothing.

        Unlike :meth:`unsupported`, it leaves the requirement to its other scenarios.
        """
        self.skip_kind = "not-reached"
        pytest.skip(reason)

    def random_off(self, reason: str) -> NoReturn:
        """Skip a random scenario of a run whose random sequences are off (a zero budget).

        Like :meth:`not_reached` it leaves the requirement to its written scenarios;
        a requirement that only random sequences check stays unchecked by the run
        (its claim is incomplete).
        """
        self.skip_kind = "random-off"
        pytest.skip(reason)

    def error(self, message: str) -> NoReturn:
        """Stop the scenario: the suite or the environment broke, not the driver."""
        raise SuiteError(message)

    def progress(self, message: str) -> None:
        """One progress line on stderr (long measurements)."""
        self.progress_line(f"    {message}")
