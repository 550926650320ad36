"""``mdev-qos run --profile fuzz``: requirement results from generated writes.

On the embedded mock and on a FUSE mount (with a named mdev whose knobs come back)
the fuzz profile is conformant; a driver with a classic store bug is caught on
the requirement it breaks; a type that fixes cap skips cap for its condition.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import DEVICES, PARENT, TYPE, suite_env

from conformance.cli import main

FUZZED = {
    "QOS-CAP-002", "QOS-CAP-003", "QOS-CAP-004", "QOS-CAP-005",
    "QOS-WGT-002", "QOS-WGT-003", "QOS-WGT-004", "QOS-WGT-005",
    "QOS-PRI-003", "QOS-PRI-004", "QOS-PRI-005",
}


def _requirements(report_dir) -> dict[str, dict]:
    report = json.loads((report_dir / "report.json").read_text())
    return {r["id"]: r for r in report["requirements"]}


def test_the_fuzz_profile_on_the_embedded_mock_is_conformant(tmp_path) -> None:
    status = main(["run", "--profile", "fuzz", "--max-examples", "40", "-q",
                   "--report-dir", str(tmp_path)])
    results = _requirements(tmp_path)
    assert status == 0
    assert {rid for rid, r in results.items() if r["status"] == "pass"} == FUZZED
    report = json.loads((tmp_path / "report.json").read_text())
    text = json.dumps(report)
    assert "inputs tried" in text and "generated writes to cap" in text


def test_a_store_that_stops_at_nul_is_non_conformant(tmp_path) -> None:
    status = main(["run", "--profile", "fuzz", "--max-examples", "20", "-q",
                   "--mock-driver", "fault_drivers:StopsAtNul", "--report-dir", str(tmp_path)])
    results = _requirements(tmp_path)
    assert status == 1
    assert results["QOS-CAP-003"]["status"] == "fail"
    assert "\\x00" in results["QOS-CAP-003"]["reason"]
    assert results["QOS-PRI-004"]["status"] == "pass"  # priority does not use parse_uint


def test_a_type_that_fixes_cap_skips_cap_for_its_condition(tmp_path) -> None:
    status = main(["run", "--profile", "fuzz", "--max-examples", "20", "-q",
                   "--type", "mqos-fixed", "--report-dir", str(tmp_path)])
    results = _requirements(tmp_path)
    assert status == 0
    assert results["QOS-CAP-003"]["status"] == "skip"
    assert "fixed" in results["QOS-CAP-003"]["reason"]
    assert results["QOS-WGT-003"]["status"] == "pass"


@pytest.mark.fuse
def test_the_fuzz_profile_over_fuse_restores_a_named_mdev(shared_mount, tmp_path) -> None:
    target = shared_mount.target
    uuid = shared_mount.create()
    for knob, value in {"cap": b"37", "weight": b"4321", "priority": b"urgent"}.items():
        target.write(f"{DEVICES}/{uuid}/qos/{knob}", value)
    before = {k: target.read(f"{DEVICES}/{uuid}/qos/{k}") for k in ("cap", "weight", "priority")}
    result = subprocess.run(
        [sys.executable, "-m", "conformance", "run", "--sysfs-root", str(shared_mount.root),
         "--parent", PARENT, "--type", TYPE, "--allow-write", "--mdev", uuid,
         "--profile", "fuzz", "--max-examples", "40", "-q",
         "--state-dir", str(tmp_path / "state"), "--report-dir", str(tmp_path / "report")],
        env=suite_env(), capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    results = _requirements(tmp_path / "report")
    assert {rid for rid, r in results.items() if r["status"] == "pass"} == FUZZED
    after = {k: target.read(f"{DEVICES}/{uuid}/qos/{k}") for k in ("cap", "weight", "priority")}
    assert after == before
