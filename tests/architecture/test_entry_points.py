"""The command runs both ways a user starts it: ``mdev-qos`` and ``python -m conformance``."""

from __future__ import annotations

import subprocess
import sys


def test_python_m_conformance_runs_the_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "conformance", "--version"],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 0 and done.stdout.startswith("mdev-qos "), done
