"""``mdev-qos spec check``: traceability and Gherkin lint, on fixture feature files."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.cli import main
from conformance.specbuild.scenarios import load_features, parse_feature

FIXTURES = Path(__file__).parent / "fixtures"
SPEC = FIXTURES / "spec"


def check(features: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    status = main(
        ["spec", "check", "--spec-dir", str(SPEC), "--features-dir", str(FIXTURES / features)]
    )
    captured = capsys.readouterr()
    return status, captured.out + captured.err


def test_good_features_pass(capsys: pytest.CaptureFixture[str]) -> None:
    status, out = check("good", capsys)
    assert status == 0, out
    assert "ok: 2 requirements" in out


def test_stray_steps_in_descriptions_fail(capsys: pytest.CaptureFixture[str]) -> None:
    status, out = check("stray", capsys)
    assert status == 1
    assert "cap.feature:3: step line 'Given a step that the parser" in out
    assert "cap.feature:10: step line 'When another hidden step'" in out
    assert "2 problem(s)" in out


def test_unknown_tags_fail(capsys: pytest.CaptureFixture[str]) -> None:
    status, out = check("unknown", capsys)
    assert status == 1
    assert "@QOS-CAP-099, which names no requirement" in out
    assert "@qos-cap-001, which names no requirement" in out
    assert "smoke" not in out


def test_untagged_scenario_fails(capsys: pytest.CaptureFixture[str]) -> None:
    status, out = check("untagged", capsys)
    assert status == 1
    assert "cap.feature:8: scenario 'only a non-requirement tag' has no requirement tag" in out


def test_uncovered_requirement_fails(capsys: pytest.CaptureFixture[str]) -> None:
    status, out = check("uncovered", capsys)
    assert status == 1
    assert "QOS-CAP-002 (SHOULD, cap): no scenario is tagged @QOS-CAP-002" in out
    flagged = [line for line in out.splitlines() if "no scenario is tagged" in line]
    assert flagged == ["QOS-CAP-002 (SHOULD, cap): no scenario is tagged @QOS-CAP-002"]


def test_parse_error_fails(capsys: pytest.CaptureFixture[str]) -> None:
    status, out = check("broken", capsys)
    assert status == 1
    assert "cap.feature:6: Gherkin parse error" in out


def test_missing_features_dir_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out = check(str(tmp_path / "nowhere"), capsys)
    assert status == 1
    assert "does not exist" in out


def test_scenarios_inherit_rule_and_feature_tags() -> None:
    text = (
        "@QOS-CAP-001\nFeature: F\n\n  Rule: R\n    @QOS-CAP-002\n    Scenario: S\n"
        "      Given x\n"
    )
    (scenario,), problems = parse_feature(text, "f.feature")
    assert problems == []
    assert scenario.requirements == ("QOS-CAP-001", "QOS-CAP-002")
    assert scenario.steps == ("Given x",)


def test_outline_examples_tags_count() -> None:
    features = load_features(FIXTURES / "good")
    outline = [s for s in features.scenarios if s.keyword == "Scenario Outline"]
    assert [s.requirements for s in outline] == [("QOS-CAP-002",)]
    assert features.files == ["cap.feature"]


def test_stray_step_in_other_language_is_found() -> None:
    text = "# language: de\nFunktionalität: F\n  Angenommen versteckt\n\n  @QOS-CAP-001\n"
    text += "  Szenario: S\n    Angenommen x\n"
    _, problems = parse_feature(text, "de.feature")
    assert [p.line for p in problems] == [3]
