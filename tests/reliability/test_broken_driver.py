"""A driver that refuses to remove an mdev: an environment error, never a crash.

The probe that asks whether the type offers QoS creates one mdev and removes it.
When ``remove`` fails (EBUSY), the run goes on, ends ``error`` (exit 2) with its
reports written, and names every mdev it could not remove, on the in-process
mock and over FUSE. Nothing is ever blamed on the driver as a ``fail``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import DEVICES, PARENT, TYPE, Mount, fuse_problem, suite_env

from conformance.cli import main

DRIVER = "fault_drivers:FailingRemove"
SELECT = "QOS-LAY-002"  # one quick scenario; the probe runs whatever is selected


def _check(report: dict, status: int, leftovers: set[str]) -> None:
    assert status == 2
    assert report["verdict"] == "error"
    assert not [r for r in report["requirements"] if r["status"] == "fail"]
    named = " ".join(report["errors"] + report["cleanup"]["left_behind"])
    assert "probe" in named and "Device or resource busy" in named
    assert leftovers and all(uuid in named for uuid in leftovers), (leftovers, named)


def test_a_failing_remove_on_the_embedded_mock_is_an_error(tmp_path, capsys) -> None:
    report_dir = tmp_path / "report"
    status = main(["run", "-q", "--mock-driver", DRIVER, "-k", SELECT,
                   "--report-dir", str(report_dir), "--state-dir", str(tmp_path / "state")])
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    assert "verdict: error" in out.out
    report = json.loads((report_dir / "report.json").read_text())
    probe = [e for e in report["errors"] if e.startswith("probe:")]
    assert probe, report["errors"]
    leftover = probe[0].split("remove mdev ", 1)[1].split(":", 1)[0]
    _check(report, status, {leftover})


@pytest.mark.fuse
def test_a_failing_remove_over_fuse_names_what_it_left(tmp_path) -> None:
    problem = fuse_problem()
    if problem:
        pytest.skip(problem)
    (tmp_path / "mnt").mkdir()
    mount = Mount(tmp_path / "mnt", "--mock-driver", DRIVER)
    try:
        before = set(mount.target.listdir(DEVICES))
        argv = [sys.executable, "-m", "conformance", "run", "--sysfs-root", str(mount.root),
                "--parent", PARENT, "--type", TYPE, "--allow-write", "-q", "-k", SELECT,
                "--state-dir", str(tmp_path / "state"), "--report-dir", str(tmp_path / "report")]
        result = subprocess.run(argv, env=suite_env(), capture_output=True, text=True,
                                timeout=120, check=False)
        leftovers = set(mount.target.listdir(DEVICES)) - before
    finally:
        mount.stop()
    assert "Traceback" not in result.stderr, result.stderr
    report = json.loads((Path(tmp_path) / "report" / "report.json").read_text())
    _check(report, result.returncode, leftovers)


def test_a_crash_of_the_suite_is_exit_2_not_non_conformant(tmp_path, capsys, monkeypatch):
    """Whatever breaks inside the suite, exit 1 (non-conformant) is never the answer."""
    from conformance.suite import engine

    def broken(request):
        raise RuntimeError("a bug in the suite")

    monkeypatch.setattr(engine, "execute", broken)
    status = main(["run", "-q", "--report-dir", str(tmp_path / "report")])
    err = capsys.readouterr().err
    assert status == 2
    assert err.strip().splitlines()[-1] == (
        "mdev-qos run: internal error, not a verdict: RuntimeError: a bug in the suite")
