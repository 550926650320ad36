"""Aggregation rules: requirement status, claims per feature, verdict and exit status."""

from __future__ import annotations

from conformance.specbuild.requirements import Requirement
from conformance.suite.recorder import ScenarioResult
from conformance.suite.verdict import decide

CATALOGUE = [
    Requirement("QOS-LAY-001", "MUST", "base", "", "layout", "s"),
    Requirement("QOS-FMT-005", "SHOULD", "base", "", "short timeslice", "s"),
    Requirement("QOS-CAP-001", "MUST", "cap", "cap present", "cap default", "s"),
    Requirement("QOS-CAP-006", "MUST", "cap", "cap present", "cap ceiling", "s"),
    Requirement("QOS-WGT-001", "MUST", "weight", "weight present", "weight default", "s"),
    Requirement("QOS-PRI-002", "MUST", "priority", "priority present", "standard", "s"),
]


def scenario(reqs: list[str], status: str, skip_kind: str = "", reason: str = "") -> ScenarioResult:
    return ScenarioResult(
        nodeid=f"n{reqs}{status}",
        feature="F",
        name="S",
        location="f.feature:1",
        requirements=reqs,
        tags=["control"],
        status=status,
        skip_kind=skip_kind,
        reason=reason or status,
    )


def passing_all(**override: tuple[str, str]) -> list[ScenarioResult]:
    results = []
    for req in CATALOGUE:
        status, kind = override.get(req.id.replace("-", "_"), ("pass", ""))
        results.append(scenario([req.id], status, kind))
    return results


def status_of(verdict, reqid: str) -> str:
    return next(r.status for r in verdict.requirements if r.id == reqid)


def claims(verdict) -> dict[str, str]:
    return {c.feature: c.status for c in verdict.claims}


def test_everything_passing_is_conformant_and_every_claim_holds() -> None:
    verdict = decide(CATALOGUE, passing_all())
    assert (verdict.verdict, verdict.exit_status) == ("conformant", 0)
    assert set(claims(verdict).values()) == {"holds"}


def test_fail_beats_error_beats_pass_beats_skip() -> None:
    runs = [
        scenario(["QOS-LAY-001"], "skip", "profile"),
        scenario(["QOS-LAY-001"], "pass"),
        scenario(["QOS-LAY-001"], "error"),
        scenario(["QOS-LAY-001"], "fail", reason="expected 1, got 2"),
    ]
    verdict = decide(CATALOGUE, runs + passing_all()[1:])
    result = verdict.requirements[0]
    assert result.status == "fail" and result.reason == "expected 1, got 2"
    assert decide(CATALOGUE, runs[:3] + passing_all()[1:]).requirements[0].status == "error"
    assert decide(CATALOGUE, runs[:2] + passing_all()[1:]).requirements[0].status == "pass"


def test_a_must_failure_is_non_conformant_and_breaks_its_claims() -> None:
    verdict = decide(CATALOGUE, passing_all(QOS_CAP_006=("fail", "")))
    assert (verdict.verdict, verdict.exit_status) == ("non-conformant", 1)
    assert claims(verdict) == {
        "base": "holds",
        "share": "holds",
        "reserve": "holds",
        "cap": "fails",
        "weight": "holds",
        "priority": "holds",
    }


def test_a_base_failure_breaks_every_claim() -> None:
    verdict = decide(CATALOGUE, passing_all(QOS_LAY_001=("fail", "")))
    assert set(claims(verdict).values()) == {"fails"}


def test_a_should_failure_is_a_warning_not_a_failure() -> None:
    verdict = decide(CATALOGUE, passing_all(QOS_FMT_005=("fail", "")))
    assert verdict.verdict == "conformant"
    assert [w.id for w in verdict.warnings] == ["QOS-FMT-005"]
    assert claims(verdict)["base"] == "holds"


def test_an_error_without_failure_gives_verdict_error() -> None:
    verdict = decide(CATALOGUE, passing_all(QOS_WGT_001=("error", "")))
    assert (verdict.verdict, verdict.exit_status) == ("error", 2)
    assert claims(verdict)["weight"] == "error"


def test_a_feature_skipped_for_its_condition_is_not_offered() -> None:
    verdict = decide(CATALOGUE, passing_all(QOS_PRI_002=("skip", "condition")))
    assert verdict.verdict == "conformant"
    assert claims(verdict)["priority"] == "not-offered"
    assert claims(verdict)["cap"] == "holds"


def test_a_sanctioned_skip_keeps_a_claim() -> None:
    verdict = decide(CATALOGUE, passing_all(QOS_CAP_001=("skip", "condition")))
    assert claims(verdict)["cap"] == "holds"


def test_an_unsanctioned_skip_leaves_the_claim_incomplete() -> None:
    verdict = decide(CATALOGUE, passing_all(QOS_CAP_006=("skip", "unsupported")))
    assert verdict.verdict == "conformant"
    assert claims(verdict)["cap"] == "incomplete"
    assert next(c for c in verdict.claims if c.feature == "cap").blocking == ["QOS-CAP-006"]


def test_an_unconditional_requirement_that_could_not_run_is_an_error() -> None:
    verdict = decide(CATALOGUE, passing_all(QOS_LAY_001=("skip", "unsupported")))
    assert status_of(verdict, "QOS-LAY-001") == "error"
    assert verdict.verdict == "error"


def test_profile_skips_of_extra_checks_do_not_count() -> None:
    runs = passing_all(QOS_CAP_001=("skip", "condition"))
    runs.append(scenario(["QOS-CAP-001"], "skip", "profile"))  # e.g. a @fuzz scenario
    verdict = decide(CATALOGUE, runs)
    assert next(r for r in verdict.requirements if r.id == "QOS-CAP-001").sanctioned_skip


def test_a_random_scenario_that_reached_nothing_does_not_count() -> None:
    runs = passing_all(QOS_PRI_002=("skip", "condition"))
    runs += [scenario(["QOS-PRI-002"], "skip", "not-reached"),
             scenario(["QOS-CAP-001"], "skip", "not-reached")]
    verdict = decide(CATALOGUE, runs)
    assert claims(verdict)["priority"] == "not-offered"  # an unsupported skip: incomplete
    assert status_of(verdict, "QOS-CAP-001") == "pass"
    assert verdict.verdict == "conformant"


def test_random_sequences_off_leave_requirements_to_their_written_scenarios() -> None:
    """--random-budget 0 with written skips for the condition: the claims do not move."""
    runs = passing_all(QOS_PRI_002=("skip", "condition"), QOS_CAP_001=("skip", "condition"))
    runs += [scenario(["QOS-PRI-002"], "skip", "random-off"),
             scenario(["QOS-CAP-001"], "skip", "random-off"),
             scenario(["QOS-LAY-001"], "skip", "random-off")]
    verdict = decide(CATALOGUE, runs)
    assert claims(verdict) == {**{f: "holds" for f in claims(verdict)}, "priority": "not-offered"}
    assert next(r for r in verdict.requirements if r.id == "QOS-CAP-001").sanctioned_skip
    assert status_of(verdict, "QOS-LAY-001") == "pass"
    assert verdict.verdict == "conformant"


def test_a_requirement_only_random_sequences_check_is_not_checked_when_they_are_off() -> None:
    runs = [s for s in passing_all() if s.requirements != ["QOS-CAP-006"]]
    runs.append(scenario(["QOS-CAP-006"], "skip", "random-off", "random sequences are off"))
    verdict = decide(CATALOGUE, runs)
    cap006 = next(r for r in verdict.requirements if r.id == "QOS-CAP-006")
    assert (cap006.status, cap006.skip_kind) == ("skip", "random-off")
    assert cap006.reason == "random sequences are off"
    cap = next(c for c in verdict.claims if c.feature == "cap")
    assert (cap.status, cap.blocking) == ("incomplete", ["QOS-CAP-006"])
    assert claims(verdict)["base"] == "holds"


def test_a_type_without_qos_is_not_applicable() -> None:
    runs = [scenario([r.id], "skip", "condition") for r in CATALOGUE]
    verdict = decide(CATALOGUE, runs, qos_offered=False)
    assert (verdict.verdict, verdict.exit_status) == ("not-applicable", 0)
    assert set(claims(verdict).values()) == {"not-offered"}
    failing = decide(CATALOGUE, passing_all(QOS_LAY_001=("fail", "")), qos_offered=False)
    assert failing.verdict == "non-conformant"


def test_profile_skips_leave_claims_incomplete() -> None:
    verdict = decide(CATALOGUE, passing_all(QOS_LAY_001=("skip", "profile")))
    assert set(claims(verdict).values()) == {"incomplete"}


def test_an_uncovered_requirement_is_an_error() -> None:
    verdict = decide(CATALOGUE, passing_all()[1:])
    assert status_of(verdict, "QOS-LAY-001") == "error"
    assert verdict.verdict == "error"


def test_an_unknown_requirement_tag_is_an_error() -> None:
    verdict = decide(CATALOGUE, passing_all() + [scenario(["QOS-XYZ-999"], "pass")])
    assert verdict.verdict == "error"
    assert "QOS-XYZ-999" in verdict.errors[0]


def test_engine_errors_make_the_verdict_error() -> None:
    verdict = decide(CATALOGUE, passing_all(), engine_errors=["interrupted (SIGTERM)"])
    assert verdict.verdict == "error" and "interrupted" in verdict.reason


def test_nothing_ran_is_an_error() -> None:
    assert decide([], []).verdict == "error"


def test_changes_left_on_the_target_turn_conformant_into_error() -> None:
    verdict = decide(CATALOGUE, passing_all(), left_behind=["remove mdev X: EBUSY"])
    assert (verdict.verdict, verdict.exit_status) == ("error", 2)
    assert verdict.reason == "changes to the target could not be undone"
    assert verdict.errors == ["1 change(s) could not be undone; see cleanup"]


def test_changes_left_on_the_target_keep_a_failure_non_conformant() -> None:
    runs = passing_all(QOS_CAP_006=("fail", ""))
    verdict = decide(CATALOGUE, runs, left_behind=["a", "b"])
    assert (verdict.verdict, verdict.exit_status) == ("non-conformant", 1)
    assert verdict.errors == ["2 change(s) could not be undone; see cleanup"]


def test_a_feature_whose_knob_the_type_lacks_is_not_offered_even_when_it_passed() -> None:
    verdict = decide(CATALOGUE, passing_all(),
                     knobs_offered={"cap": True, "weight": False, "priority": True})
    assert verdict.verdict == "conformant"
    assert claims(verdict) == {"base": "holds", "share": "holds", "reserve": "holds",
                               "cap": "holds", "weight": "not-offered", "priority": "holds"}
    weight = next(r for r in verdict.requirements if r.id == "QOS-WGT-001")
    assert (weight.status, weight.skip_kind) == ("skip", "condition")
    assert "offers no writable weight" in weight.reason


def test_a_failure_of_a_feature_not_offered_is_never_hidden() -> None:
    verdict = decide(CATALOGUE, passing_all(QOS_WGT_001=("fail", "")),
                     knobs_offered={"weight": False})
    assert verdict.verdict == "non-conformant"
    assert status_of(verdict, "QOS-WGT-001") == "fail"
    assert claims(verdict)["weight"] == "fails"
