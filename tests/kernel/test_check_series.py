"""kmod/check-series.sh names a missing tool in one line before it touches anything."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "kmod" / "check-series.sh"


def test_a_missing_tool_names_its_debian_package(tmp_path: Path) -> None:
    # a PATH with bash and what the script's first line needs: git is the first check
    bindir = tmp_path / "bin"
    bindir.mkdir()
    for tool in ("bash", "dirname"):
        found = shutil.which(tool)
        assert found
        (bindir / tool).symlink_to(found)
    proc = subprocess.run(
        ["bash", str(SCRIPT)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PATH": str(bindir), "MQOS_KERNEL_CACHE": str(tmp_path / "cache")},
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 2
    assert proc.stderr == "check-series: git not found; install the Debian package git\n"
    assert not (tmp_path / "cache").exists()
