"""The result model of a run: scenario and requirement results, claims, the verdict.

The suite fills it in (:mod:`conformance.suite.recorder`, :mod:`conformance.suite.verdict`)
and the report writers read it (:mod:`conformance.report`); it imports neither.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

EXIT_STATUS = {"conformant": 0, "non-conformant": 1, "error": 2, "not-applicable": 0}

FEATURES = ("base", "share", "reserve", "cap", "weight", "priority")
"""The features a claim is made for (spec, "Conformance"), ``base`` first."""


@dataclass
class ScenarioResult:
    """The outcome of one scenario (one Examples row of an outline)."""

    nodeid: str
    feature: str
    name: str
    location: str  # feature file and line
    requirements: list[str]
    tags: list[str]
    example: str = ""
    status: str = "error"  # pass, fail, skip or error
    reason: str = ""
    skip_kind: str = ""  # condition, unsupported or profile
    evidence: list[dict[str, Any]] = field(default_factory=list)
    duration_s: float = 0.0

    @property
    def title(self) -> str:
        row = f" [{self.example}]" if self.example else ""
        return f"{self.feature}: {self.name}{row}"

    def to_json(self) -> dict[str, Any]:
        doc = {
            "id": self.nodeid,
            "feature": self.feature,
            "name": self.name,
            "location": self.location,
            "requirements": self.requirements,
            "tags": self.tags,
            "status": self.status,
            "reason": self.reason,
            "duration_s": round(self.duration_s, 4),
            "evidence": self.evidence,
        }
        if self.example:
            doc["example"] = self.example
        if self.skip_kind:
            doc["skip_kind"] = self.skip_kind
        return doc


@dataclass
class RequirementResult:
    """One requirement's status over every scenario tagged with it."""

    id: str
    level: str
    feature: str
    condition: str
    text: str
    section: str
    status: str
    reason: str = ""
    skip_kind: str = ""
    scenarios: list[ScenarioResult] = field(default_factory=list)

    @property
    def sanctioned_skip(self) -> bool:
        return self.status == "skip" and self.skip_kind == "condition"

    @property
    def warning(self) -> bool:
        return self.status == "fail" and self.level != "MUST"

    def evidence(self) -> list[dict[str, Any]]:
        items = []
        for scenario in self.scenarios:
            for item in scenario.evidence:
                if item.get("requirement") in (None, "", self.id):
                    items.append({**item, "scenario": scenario.title})
        return items


@dataclass
class Claim:
    """Whether the target may claim conformance for one feature."""

    feature: str
    status: str  # holds, fails, error, incomplete, not-offered
    blocking: list[str] = field(default_factory=list)  # requirement IDs that decide it
    checked: int = 0  # MUST requirements considered


@dataclass
class Verdict:
    """The run's verdict with the results, claims, warnings and errors behind it."""
    verdict: str
    reason: str
    requirements: list[RequirementResult]
    claims: list[Claim]
    warnings: list[RequirementResult]
    errors: list[str]

    @property
    def exit_status(self) -> int:
        return EXIT_STATUS[self.verdict]
