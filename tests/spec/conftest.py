"""Fixtures that find the checkers of the ecosystem that ``tox -e spec`` runs.

A missing tool fails the test that needs it with one line naming the tool and how
to get it: CI installs every one, so in CI each check runs.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import libvirt_schema
import pytest

GET_ABI_ENV = "MDEV_QOS_GET_ABI"
KERNEL_SOURCES = Path("/usr/src")


def _version(tree: Path) -> tuple[int, ...]:
    digits = tree.name.removeprefix("linux-source-").split(".")
    return tuple(int(d) for d in digits if d.isdigit())


@pytest.fixture(scope="session")
def get_abi() -> list[str]:
    """The command that runs the kernel's ``get_abi`` checker (newest tree first)."""
    configured = os.environ.get(GET_ABI_ENV)
    candidates = [Path(configured)] if configured else [
        tree / "scripts" / name
        for tree in sorted(KERNEL_SOURCES.glob("linux-source-*/"), key=_version, reverse=True)
        for name in ("get_abi.py", "get_abi.pl")
    ]
    for script in candidates:
        if script.is_file():
            interpreter = "python3" if script.suffix == ".py" else "perl"
            if shutil.which(interpreter) is None:
                pytest.fail(f"missing tool: {interpreter}, needed to run {script}")
            return [interpreter, str(script)]
    pytest.fail(
        f"missing tool: the kernel's scripts/get_abi.py or get_abi.pl (run .ci/setup as "
        f"root: it installs linux-source-6.12 and extracts it; or set {GET_ABI_ENV})"
    )


@pytest.fixture(scope="session")
def nodedev_rng() -> Path:
    """libvirt's node device schema, as Debian's libvirt0 package ships it."""
    return libvirt_schema.nodedev_rng()
