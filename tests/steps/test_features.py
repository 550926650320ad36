"""The feature files: they parse, trace every requirement, and carry one profile each."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from gherkin.parser import Parser

from conformance.resources import features_dir
from conformance.specbuild.requirements import requirements_by_id

PROFILES = {"@static", "@control", "@scheduling", "@fuzz"}
STEP_WORDS = re.compile(r"^\s*(Given|When|Then|And|But|\*)\s", re.MULTILINE)
FEATURES = sorted(features_dir().glob("*.feature"))
AREAS = {"layout", "formats", "writes", "cap", "weight", "priority", "accounting",
         "lifecycle", "concurrency"}


def scenarios(path: Path) -> list[tuple[dict, set[str]]]:
    """Each scenario of a feature file with its tags (scenario, rules and examples)."""
    document = Parser().parse(path.read_text(encoding="utf-8"))
    found = []

    def walk(children: list[dict], inherited: set[str]) -> None:
        for child in children:
            if "rule" in child:
                rule = child["rule"]
                walk(rule["children"], inherited | {t["name"] for t in rule.get("tags", [])})
            elif "scenario" in child:
                sc = child["scenario"]
                tags = inherited | {t["name"] for t in sc["tags"]}
                for examples in sc.get("examples", []):
                    tags |= {t["name"] for t in examples["tags"]}
                found.append((sc, tags))

    feature = document["feature"]
    walk(feature["children"], {t["name"] for t in feature.get("tags", [])})
    return found


def test_one_feature_file_per_area() -> None:
    assert AREAS <= {p.stem for p in FEATURES}


@pytest.mark.parametrize("path", FEATURES, ids=[p.stem for p in FEATURES])
def test_every_scenario_names_requirements_and_one_profile(path: Path) -> None:
    known = requirements_by_id()
    for scenario, tags in scenarios(path):
        ids = {t[1:] for t in tags if t.startswith("@QOS-")}
        assert ids, f"{path.name}: {scenario['name']!r} names no requirement"
        assert ids <= set(known), f"{path.name}: unknown IDs {ids - set(known)}"
        assert len(tags & PROFILES) == 1, f"{path.name}: {scenario['name']!r} profiles {tags}"


@pytest.mark.parametrize("path", FEATURES, ids=[p.stem for p in FEATURES])
def test_no_step_hides_in_a_description(path: Path) -> None:
    document = Parser().parse(path.read_text(encoding="utf-8"))
    texts = [document["feature"].get("description", "")]
    texts += [sc.get("description", "") for sc, _tags in scenarios(path)]
    for text in texts:
        assert not STEP_WORDS.search(text or ""), f"{path.name}: a step line in {text!r}"


def test_every_requirement_is_checked_by_a_scenario() -> None:
    covered = {t[1:] for p in FEATURES for _sc, tags in scenarios(p) for t in tags
               if t.startswith("@QOS-")}
    missing = sorted(set(requirements_by_id()) - covered)
    assert not missing, f"requirements without a scenario: {missing}"


def test_outlines_carry_tables() -> None:
    outlines = [sc for p in FEATURES for sc, _tags in scenarios(p) if sc.get("examples")]
    assert len(outlines) >= 15
    assert all(ex["tableBody"] for sc in outlines for ex in sc["examples"])
