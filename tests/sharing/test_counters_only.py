"""Issue 14, finding 1: a driver that only exports counters claims ``base``.

``CountersOnly`` has ``qos/`` with ``usage_us`` and ``timeslice_us`` and nothing
else, and a scheduler that is not fair at all. Under spec 1.0 it failed ``base``
(QOS-SCH-004); under 1.1 ``base`` holds and every other feature is "not offered",
and the report says that the mdevs state no sharing guarantee. The same
scheduler behind a ``sharing`` file that promises work-conserving sharing fails
the ``share`` claim, and still holds ``base``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def run(driver: str, report: Path, *options: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(HERE)}
    proc = subprocess.run(
        [sys.executable, "-m", "conformance", "run", "-q", "--mock-driver",
         f"sharing_drivers:{driver}", "--report-dir", str(report), *options],
        env=env, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode in (0, 1), proc.stderr
    (report / "stdout").write_text(proc.stdout)
    return json.loads((report / "report.json").read_text())


def claims(report: dict) -> dict[str, str]:
    return {feature: claim["status"] for feature, claim in report["claims"].items()}


@pytest.mark.slow
def test_counters_only_claims_base_and_promises_no_sharing(tmp_path: Path) -> None:
    report = run("CountersOnly", tmp_path / "r")
    assert report["verdict"] == "conformant"
    assert claims(report) == {
        "base": "holds", "share": "not-offered", "reserve": "not-offered",
        "cap": "not-offered", "weight": "not-offered", "priority": "not-offered",
    }
    assert report["context"]["sharing"] == ["none"]
    skipped = {r["id"]: r for r in report["requirements"] if r["feature"] == "share"}
    assert all(r["status"] == "skip" and r["skip_kind"] == "condition"
               for r in skipped.values())
    assert "sharing <code>none</code>" in (tmp_path / "r" / "report.html").read_text()


@pytest.mark.slow
def test_the_same_scheduler_promising_work_conserving_fails_share_only(tmp_path: Path) -> None:
    report = run("CountersOnlyClaimingShare", tmp_path / "r")
    assert report["verdict"] == "non-conformant"
    assert claims(report)["base"] == "holds"
    assert claims(report)["share"] == "fails"
    assert "QOS-SCH-004" in report["claims"]["share"]["blocking"]
    assert report["context"]["sharing"] == ["work-conserving"]


def test_without_random_sequences_the_written_checks_still_decide(tmp_path: Path) -> None:
    """--random-budget 0 once read "base incomplete; share incomplete; reserve incomplete"."""
    report = run("CountersOnly", tmp_path / "r", "--random-budget", "0")
    assert report["verdict"] == "conformant"
    assert claims(report)["base"] == "holds"
    assert claims(report)["share"] == claims(report)["reserve"] == "not-offered"
    acc005 = next(r for r in report["requirements"] if r["id"] == "QOS-ACC-005")
    assert (acc005["status"], acc005["skip_kind"]) == ("skip", "condition")
    assert report["random"]["campaigns"] == []
    assert report["random"]["budget_rule"].startswith("off")
    assert "random: off (--random-budget 0)" in (tmp_path / "r" / "stdout").read_text()
