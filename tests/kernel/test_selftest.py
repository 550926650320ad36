"""kmod/selftest/mdev_qos.sh, the series' kselftest: KTAP skips where it cannot run."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "kmod" / "selftest" / "mdev_qos.sh"
KSFT_SKIP = 4


def run(path: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [shutil.which("bash") or "/bin/bash", str(SCRIPT)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PATH": path, **env},
    )


@pytest.mark.skipif(os.geteuid() != 0, reason="the script's first check is for root")
def test_without_the_suite_it_skips_in_ktap(tmp_path: Path) -> None:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    for tool in ("id", "modprobe", "mktemp", "cat", "rm"):
        found = shutil.which(tool) or shutil.which(tool, path="/usr/sbin:/sbin")
        if found:
            (bindir / tool).symlink_to(found)
    proc = run(str(bindir))
    assert proc.returncode == KSFT_SKIP
    assert proc.stdout == (
        "KTAP version 1\n1..0 # SKIP mdev-qos (the conformance suite) is not installed\n"
    )


@pytest.mark.skipif(os.geteuid() != 0, reason="the script's first check is for root")
def test_without_the_parent_it_skips_in_ktap(tmp_path: Path) -> None:
    fake = tmp_path / "mdev-qos"
    fake.write_text("#!/bin/sh\nexit 99\n")
    fake.chmod(0o755)
    proc = run(f"{tmp_path}:{os.environ['PATH']}", MDEV_QOS_PARENT="no-such-parent")
    assert proc.returncode == KSFT_SKIP
    assert "1..0 # SKIP no mdev type mqos-full on parent no-such-parent" in proc.stdout
