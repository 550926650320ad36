"""The suite against a FUSE mount of the mock, in real time with the sample workload."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.fuse,
    pytest.mark.skipif(
        not os.path.exists("/dev/fuse") or shutil.which("fusermount3") is None,
        reason="needs /dev/fuse and fusermount3",
    ),
]


def fuse_run(report_dir: Path, *options: str) -> tuple[subprocess.CompletedProcess, dict]:
    scripts = Path(sys.executable).parent  # where mdev-qos is installed
    env = {**os.environ, "PATH": f"{scripts}:{os.environ['PATH']}"}
    if shutil.which("mdev-qos", path=env["PATH"]) is None:
        pytest.skip("mdev-qos is not installed next to this interpreter")
    proc = subprocess.run(
        [
            "bash",
            str(ROOT / ".ci" / "mock-fuse-run"),
            str(report_dir),
            "-q",
            "--spec-url",
            "https://example.org/spec",
            *options,
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return proc, json.loads((report_dir / "report.json").read_text())


def assert_conformant(proc: subprocess.CompletedProcess, report: dict, workload: str) -> None:
    assert proc.returncode == 0, (proc.stdout, proc.stderr[-2000:])
    assert report["verdict"] == "conformant"
    assert report["target"]["kind"] == "sysfs-tree" and report["target"]["workload"] == workload
    # every requirement passes, but those the reference device cannot exercise: two parents
    # in one scheduling domain (QOS-DOM-003), which its topology has not, a reserved share
    # (QOS-SCH-005), since its sharing is work-conserving, and a refused or a rounded valid
    # write (QOS-FMT-008, QOS-FMT-009), since it applies every value of the range; each is
    # skipped for its condition, not for want of a check
    skips = {r["id"]: (r["status"], r.get("skip_kind")) for r in report["requirements"]
             if r["status"] != "pass"}
    expected = ("QOS-DOM-003", "QOS-SCH-005", "QOS-FMT-008", "QOS-FMT-009")
    assert skips == dict.fromkeys(expected, ("skip", "condition")), skips
    assert report["cleanup"]["left_behind"] == []


def test_a_fuse_mount_of_the_mock_is_conformant_with_the_sample_workload(tmp_path) -> None:
    proc, report = fuse_run(tmp_path / "report")
    assert_conformant(proc, report, "sample")


def test_an_exec_adapter_drives_the_same_mount(tmp_path) -> None:
    """A vendor-style command template, here writing the mount's load control."""
    load = 'echo "{demand}" > "$MDEV_QOS_MOUNT/sys/kernel/debug/mqos/{uuid}/load"'
    proc, report = fuse_run(tmp_path / "report", "--workload", "exec", "--exec-load", load)
    assert_conformant(proc, report, "exec")
