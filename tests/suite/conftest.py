"""Shared helpers for the run engine's own tests."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from conformance.specbuild.requirements import Requirement
from conformance.suite.session import SuiteSession
from conformance.suite.targets import TargetOptions, open_session

FIXTURES = Path(__file__).resolve().parent / "fixtures"
DEMO_FEATURES = FIXTURES / "features"
sys.path.insert(0, str(FIXTURES))

import demo_steps  # noqa: E402  (the engine's own step definitions)

DEMO_REQUIREMENTS = [
    Requirement("QOS-LAY-002", "MUST", "base", "", "qos/ holds usage_us", "layout"),
    Requirement("QOS-CAP-005", "MUST", "cap", "cap present", "failed write keeps cap", "cap"),
    Requirement("QOS-CAP-001", "MUST", "cap", "cap present", "cap reads 100", "cap"),
    Requirement("QOS-PRI-002", "MUST", "priority", "priority present", "standard", "priority"),
    Requirement("QOS-SCH-001", "MUST", "base", "", "work conservation", "scheduling"),
    Requirement("QOS-FMT-005", "SHOULD", "base", "", "timeslice at most 100 ms", "formats"),
]


@pytest.fixture
def steps():
    return demo_steps


@pytest.fixture
def mock_session() -> SuiteSession:
    session = open_session(TargetOptions())
    session.progress = lambda message: None
    return session


def mock_kernel(session: SuiteSession):
    """The MockKernel behind an embedded-mock session."""
    return session.target.kernel


def live_mdevs(session: SuiteSession) -> list[str]:
    return session.target.listdir("/sys/bus/mdev/devices")
