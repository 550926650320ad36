"""Requirement ↔ scenario traceability, and the check that every link holds."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance import SPEC_VERSION
from conformance.resources import features_dir
from conformance.specbuild.requirements import Requirement, load_requirements
from conformance.specbuild.scenarios import FeatureSet, Scenario, load_features


@dataclass(frozen=True)
class UnknownTag:
    """A scenario tag that names no requirement of the spec."""

    scenario: Scenario
    tag: str

    def __str__(self) -> str:
        s = self.scenario
        return (
            f"{s.feature_file}:{s.line}: scenario {s.name!r} is tagged @{self.tag}, "
            "which names no requirement of the spec"
        )


class Traceability:
    """Which scenarios check which requirement, and what is missing."""

    def __init__(self, requirements: list[Requirement], features: FeatureSet) -> None:
        self.requirements = requirements
        self.features = features
        known = {r.id for r in requirements}
        self._by_id: dict[str, list[Scenario]] = {r.id: [] for r in requirements}
        self.unknown_tags: list[UnknownTag] = []
        for scenario in features.scenarios:
            for tag in scenario.requirements:
                if tag in known:
                    self._by_id[tag].append(scenario)
                else:
                    self.unknown_tags.append(UnknownTag(scenario, tag))

    def scenarios_of(self, reqid: str) -> list[Scenario]:
        """The scenarios tagged with a requirement, in file order."""
        return list(self._by_id.get(reqid, []))

    @property
    def uncovered(self) -> list[Requirement]:
        """Requirements no scenario is tagged with."""
        return [r for r in self.requirements if not self._by_id[r.id]]

    def problems(self) -> list[str]:
        """Everything ``mdev-qos spec check`` fails on, one line each."""
        lines = [str(p) for p in self.features.problems]
        lines += [str(u) for u in self.unknown_tags]
        lines += [
            f"{r.id} ({r.level}, {r.feature}): no scenario is tagged @{r.id}"
            for r in self.uncovered
        ]
        return lines

    def as_json(self) -> dict[str, Any]:
        """The content of ``requirements.json``."""
        return {
            "spec_version": SPEC_VERSION,
            "requirements": [
                {
                    "id": r.id,
                    "level": r.level,
                    "feature": r.feature,
                    "condition": r.condition or None,
                    "text": r.text,
                    "section": r.section,
                    "scenarios": [
                        [s.feature_file, s.name] for s in self.scenarios_of(r.id)
                    ],
                }
                for r in self.requirements
            ],
        }


def trace(spec: Path | None, features: Path | None) -> Traceability:
    """Load the spec's requirements and the feature files and link them."""
    return Traceability(
        load_requirements(spec), load_features(features if features else features_dir())
    )
