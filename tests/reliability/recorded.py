"""A writable copy of the conforming recorded tree, for tests that make it hostile."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from conftest import REPO

FIXTURE = REPO / "fixtures" / "conforming"
UUID = "6c2e1b0a-3f4d-4e5a-9b6c-7d8e9f0a1b2c"
DEVICE = f"sys/devices/virtual/mqos/mqos0/{UUID}"
TYPE_DIR = "sys/devices/virtual/mqos/mqos0/mdev_supported_types/mqos-full"
TOKEN = "SECRET-7f3a9c-never-quote-me"


def conforming_copy(root: Path) -> Path:
    """Copy fixtures/conforming to ``root`` with its modes and owners restored."""
    shutil.copytree(FIXTURE, root, symlinks=True)
    subprocess.run([sys.executable, str(REPO / "fixtures" / "make_fixtures.py"), "--restore",
                    str(root)], check=True, capture_output=True)
    return root


def replace(path: Path, how) -> None:
    """Remove ``path`` and let ``how(path)`` put something else there."""
    path.unlink()
    how(path)
