"""The mock is an independent implementation: it never loads the oracle or the suite."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_mock_imports_neither_oracle_nor_suite() -> None:
    code = (
        "import sys, conformance.mock, conformance.mock.noise\n"
        "from conformance.mock import MockKernel\n"
        "MockKernel().vfs_listdir('/sys/class/mdev_bus')\n"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('conformance'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                         text=True, check=True).stdout.split()
    forbidden = ("conformance.oracle", "conformance.suite", "conformance.steps",
                 "conformance.workload", "conformance.sysfs")
    assert not [m for m in out if m.startswith(forbidden)], out
