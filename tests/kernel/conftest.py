"""Fixtures for the kmod/ tests: the guest helpers, and a finished guest run's results.

kmod/run-in-guest.sh runs these tests on the host after the guest powers off,
with MQOS_KERNEL_RESULTS pointing at its output directory; without it the
result tests skip and only the fast unit tests of the helpers run.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

KMOD = Path(__file__).resolve().parents[2] / "kmod"


def load_kmod_module(name: str) -> ModuleType:
    """Import kmod/<name>.py (kmod/ is scripts, not a package).

    kmod/ goes on the import path, as for a script run from there, so that the
    guest scripts find what they share (guest_result.py).
    """
    if name in sys.modules:
        return sys.modules[name]
    if str(KMOD) not in sys.path:
        sys.path.append(str(KMOD))
    spec = importlib.util.spec_from_file_location(name, KMOD / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def guest_checks() -> ModuleType:
    return load_kmod_module("guest_checks")


@pytest.fixture(scope="session")
def guest_mgmt() -> ModuleType:
    return load_kmod_module("guest_mgmt")


@pytest.fixture(scope="session")
def parity() -> ModuleType:
    return load_kmod_module("parity")


@pytest.fixture(scope="session")
def results_dir() -> Path:
    """The output directory of a finished kmod/run-in-guest.sh run."""
    value = os.environ.get("MQOS_KERNEL_RESULTS")
    if not value:
        pytest.skip("no guest run to check (MQOS_KERNEL_RESULTS is not set)")
    path = Path(value)
    if not (path / "guest.rc").exists():
        pytest.fail(f"{path} holds no finished guest run (no guest.rc)")
    return path


@pytest.fixture(scope="session")
def guest_checks_run(results_dir: Path) -> list[dict[str, Any]]:
    """Every line of the guest's checks.jsonl."""
    lines = (results_dir / "checks.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@pytest.fixture(scope="session")
def kernel_report(results_dir: Path) -> dict[str, Any]:
    path = results_dir / "report" / "report.json"
    if not path.exists():
        pytest.fail(f"the suite wrote no report in the guest ({path})")
    return json.loads(path.read_text())


@pytest.fixture(scope="session")
def mock_report(results_dir: Path) -> dict[str, Any]:
    path = results_dir / "mock-report" / "report.json"
    if not path.exists():
        pytest.fail(f"no mock run beside the guest run ({path})")
    return json.loads(path.read_text())
