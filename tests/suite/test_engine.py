"""A whole run over the engine's demo features: outcomes, reports, refusal, interruption."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conformance.report.document import validate_report
from conformance.suite.engine import RunRefused, RunRequest, execute
from conformance.suite.mdev import MdevType
from conformance.suite.targets import TargetOptions, open_session

from .conftest import DEMO_FEATURES, DEMO_REQUIREMENTS, FIXTURES, demo_steps, live_mdevs


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    """One run over the demo features, shared by the tests that only read its results."""
    session = open_session(TargetOptions())
    session.progress = lambda message: None
    out = tmp_path_factory.mktemp("demo") / "report"
    request = RunRequest(
        report_dir=out,
        features=DEMO_FEATURES,
        step_plugins=[demo_steps],
        requirements=DEMO_REQUIREMENTS,
        session=session,
    )
    return execute(request), out, session


def test_outcomes_are_classified(demo_run) -> None:
    result, _, _ = demo_run
    by_name = {(s["name"], s.get("example", "")): s for s in result.report["scenarios"]}
    assert by_name[("a created mdev has usage_us", "")]["status"] == "pass"
    failed = by_name[("a failed write is an assertion", "")]
    assert failed["status"] == "fail" and "cap reads 60, expected 100" in failed["reason"]
    assert failed["evidence"] == [{"name": "cap", "expected": "100", "actual": "60"}]
    errored = by_name[("the environment breaks", "")]
    assert errored["status"] == "error" and "lost power" in errored["reason"]
    skipped = by_name[("a condition does not hold", "")]
    assert (skipped["status"], skipped["skip_kind"]) == ("skip", "condition")


def test_verdict_claims_and_exit_status(demo_run) -> None:
    result, _, session = demo_run
    report = result.report
    assert (report["verdict"], result.exit_status) == ("non-conformant", 1)
    assert report["claims"]["cap"]["status"] == "fails"
    assert report["claims"]["priority"]["status"] == "not-offered"
    assert live_mdevs(session) == []  # every created mdev was removed


def test_every_report_file_is_written_and_consistent(demo_run) -> None:
    result, directory, _ = demo_run
    report = json.loads((directory / "report.json").read_text())
    validate_report(report)
    assert report == json.loads(json.dumps(result.report, default=str))
    junit = ET.parse(directory / "junit.xml").getroot()
    cases = junit.findall(".//testcase")
    assert len(cases) == len(report["scenarios"])
    props = {p.get("value") for p in junit.iter("property") if p.get("name") == "requirement"}
    assert props == {"QOS-LAY-002", "QOS-CAP-005", "QOS-CAP-001", "QOS-PRI-002", "QOS-SCH-001"}
    assert len(junit.findall(".//failure")) == 1 and len(junit.findall(".//skipped")) == 1
    ktap = (directory / "results.ktap").read_text().splitlines()
    assert ktap[0] == "KTAP version 1" and f"1..{len(DEMO_REQUIREMENTS)}" in ktap
    assert "not ok 2 QOS-CAP-005" in ktap
    assert "ok 4 QOS-PRI-002 # SKIP priority is not offered by this type" in ktap
    html = (directory / "report.html").read_text()
    assert html.index("non-conformant") < html.index("Failing MUST requirements")
    assert 'href="spec/index.html#QOS-CAP-005"' in html


def test_an_uncovered_requirement_makes_the_verdict_error(mock_session, steps, tmp_path) -> None:
    request = RunRequest(
        report_dir=tmp_path,
        features=DEMO_FEATURES,
        step_plugins=[steps],
        requirements=DEMO_REQUIREMENTS,
        session=mock_session,
        build_spec=False,
        select="usage_us",
    )
    report = execute(request).report
    assert report["verdict"] == "conformant"  # -k: unselected requirements are skipped
    skipped = [r for r in report["requirements"] if r["status"] == "skip"]
    assert {r["skip_kind"] for r in skipped} == {"not-selected"}


def test_profile_static_skips_control_scenarios_and_says_why(mock_session, steps, tmp_path):
    mock_session.profile = "static"
    report = execute(
        RunRequest(
            report_dir=tmp_path,
            features=DEMO_FEATURES,
            step_plugins=[steps],
            requirements=DEMO_REQUIREMENTS[:-1],
            session=mock_session,
            build_spec=False,
        )
    ).report
    skipped = [s for s in report["scenarios"] if s["status"] == "skip"]
    assert len(skipped) == 5
    assert all(s["skip_kind"] == "profile" for s in skipped)
    assert all("--profile full" in s["reason"] for s in skipped)
    assert report["verdict"] == "conformant"
    assert report["claims"]["base"]["status"] == "incomplete"


def test_scheduling_without_workload_is_an_error_with_the_reason(mock_session, steps, tmp_path):
    mock_session.workload = None
    mock_session.workload_problem = "no workload adapter: pass --workload sample"
    report = execute(
        RunRequest(
            report_dir=tmp_path,
            features=DEMO_FEATURES,
            step_plugins=[steps],
            requirements=DEMO_REQUIREMENTS,
            session=mock_session,
            build_spec=False,
        )
    ).report
    sch = next(r for r in report["requirements"] if r["id"] == "QOS-SCH-001")
    # an unconditional requirement the run could not exercise is an error, never a skip
    assert sch["status"] == "error"
    assert "could not exercise" in sch["reason"] and "--workload sample" in sch["reason"]
    scenario = next(s for s in report["scenarios"] if "QOS-SCH-001" in s["requirements"])
    assert (scenario["status"], scenario["skip_kind"]) == ("skip", "unsupported")


def test_sigterm_stops_the_run_after_undoing_everything(mock_session, steps, tmp_path) -> None:
    named = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"  # an existing device, named with --mdev
    kind = MdevType(mock_session.target, mock_session.parent, mock_session.type_id)
    mock_session.target.write(kind.create_path, named.encode())
    mock_session.mdevs = (named,)
    weight = f"/sys/bus/mdev/devices/{named}/qos/weight"
    result = execute(
        RunRequest(
            report_dir=tmp_path,
            features=FIXTURES / "interrupt",
            step_plugins=[steps],
            requirements=DEMO_REQUIREMENTS,
            session=mock_session,
            build_spec=False,
        )
    )
    assert result.exit_status == 2
    assert any("interrupted" in e for e in result.report["errors"])
    assert live_mdevs(mock_session) == [named]
    assert mock_session.target.read(weight) == b"100\n"


def test_writing_to_a_tree_needs_allow_write(tmp_path) -> None:
    tree = Path(__file__).resolve().parents[2] / "fixtures" / "conforming"
    before = sorted(p.name for p in tree.rglob("*"))
    with pytest.raises(RunRefused, match="--allow-write"):
        execute(RunRequest(target=TargetOptions(sysfs_root=str(tree)), report_dir=tmp_path / "r"))
    assert not (tmp_path / "r").exists()
    assert sorted(p.name for p in tree.rglob("*")) == before


def test_a_missing_parent_is_refused(tmp_path) -> None:
    with pytest.raises(RunRefused, match="no parent 'nope'"):
        execute(RunRequest(target=TargetOptions(parent="nope"), report_dir=tmp_path))


def test_the_spec_is_built_next_to_the_report_and_linked(mock_session, steps, tmp_path) -> None:
    """Without injected requirements the run builds the spec once and reads them from it."""
    result = execute(
        RunRequest(
            report_dir=tmp_path,
            features=DEMO_FEATURES,
            step_plugins=[steps],
            session=mock_session,
        )
    )
    assert len(result.report["requirements"]) > len(DEMO_REQUIREMENTS)
    spec = (tmp_path / "spec" / "index.html").read_text()
    for req in result.report["requirements"]:
        assert req["url"] == f"spec/index.html#{req['id']}"
        assert f'id="{req["id"]}"' in spec


def test_a_second_run_on_the_same_tree_is_refused_while_one_holds_it(tmp_path) -> None:
    from conformance.suite.journal import Journal, target_key
    from conformance.sysfs.target import FsTarget

    tree = Path(__file__).resolve().parents[2] / "fixtures" / "conforming"
    holder = Journal.for_target(tmp_path / "state", target_key(FsTarget(str(tree)).description))
    holder.open()
    options = TargetOptions(
        sysfs_root=str(tree),
        profile="static",
        mdevs=("6c2e1b0a-3f4d-4e5a-9b6c-7d8e9f0a1b2c",),
        state_dir=str(tmp_path / "state"),
    )
    try:
        with pytest.raises(RunRefused, match="another mdev-qos run"):
            execute(RunRequest(target=options, report_dir=tmp_path / "r", build_spec=False))
    finally:
        holder.close()
    assert not (tmp_path / "r").exists()


def test_every_report_states_what_a_claim_states(demo_run) -> None:
    """Spec "What a claim states" (issue 14 finding 10): driver, version, kernel,
    timeslice_us and windows, in report.json, the JUnit properties and the HTML."""
    result, directory, _ = demo_run
    context = json.loads((directory / "report.json").read_text())["context"]
    assert context["driver"] == {"name": "mdev-qos embedded reference mock",
                                 "version": result.report["suite"]["version"]}
    assert context["kernel"] == os.uname().release
    assert (context["timeslice_us"], context["window_us"]) == ([], None)  # demo: no window
    junit = ET.parse(directory / "junit.xml").getroot()
    props = {p.get("name"): p.get("value") for p in junit.find("testsuite/properties")}
    assert props["driver"] == "mdev-qos embedded reference mock"
    assert props["kernel"] == os.uname().release
    assert props["timeslice_us"] == "not read"
    assert props["window_us"] == "no window measured"
    assert props["driver_version"] == result.report["suite"]["version"]
    html = (directory / "report.html").read_text()
    assert "Claim context: driver <code>mdev-qos embedded reference mock</code>" in html
    assert f"kernel <code>{os.uname().release}</code>" in html


@pytest.mark.slow
def test_a_measuring_run_states_its_timeslice_and_windows(tmp_path) -> None:
    """The windows a share scenario measures and the timeslice they are sized from."""
    session = open_session(TargetOptions())
    session.progress = lambda message: None
    request = RunRequest(report_dir=tmp_path / "report", select="QOS-WGT-006 and not 10000",
                         session=session, build_spec=False)
    result = execute(request)
    assert result.exit_status == 0, result.report["reason"]
    context = result.report["context"]
    assert context["timeslice_us"] == [1000]
    windows = context["window_us"]
    assert windows is not None and windows["count"] >= 1
    assert 1000 < windows["min"] <= windows["max"]


def test_a_type_without_a_weight_file_makes_no_weight_claim(tmp_path) -> None:
    """No weight claim is made, and QOS-WGT-007 is skipped for its condition.

    Since spec 1.1 (finding 1) no scenario of QOS-WGT-007 passes on default weights
    alone; a pass that does is turned into a skip by ``not_offered`` (test_verdict).
    """
    topology = {"driver": "mqos", "timeslice_us": 1000,
                "types": [{"name": "noweight", "instances": 8,
                           "qos": {"knobs": ["cap", "priority"]}}],
                "parents": [{"name": "mqos0", "types": ["noweight"]}]}
    path = tmp_path / "topology.json"
    path.write_text(json.dumps(topology))
    session = open_session(TargetOptions(mock_topology=str(path), parent="mqos0",
                                         type_id="mqos-noweight"))
    session.progress = lambda message: None
    request = RunRequest(report_dir=tmp_path / "report", select="QOS-WGT-007",
                         session=session, build_spec=False)
    report = execute(request).report
    assert report["claims"]["weight"]["status"] == "not-offered"
    wgt = next(r for r in report["requirements"] if r["id"] == "QOS-WGT-007")
    assert wgt["status"] == "skip" and wgt["skip_kind"] == "condition"
    assert "weight" in wgt["reason"]
