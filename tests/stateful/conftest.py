"""Helpers: a campaign on the embedded mock, with any public driver and noise."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from conformance.oracle.tolerance import QUICK, Precision
from conformance.stateful.campaign import Campaign, Context, Result
from conformance.stateful.explorer import slots
from conformance.suite.outcome import Outcome
from conformance.suite.registry import Resources
from conformance.suite.targets import TargetOptions, open_session

MUTANTS = Path(__file__).resolve().parents[1] / "mutants"
if str(MUTANTS) not in sys.path:
    sys.path.insert(0, str(MUTANTS))


def mock_context(session: Any, precision: Precision = QUICK) -> Context:
    """A campaign's context on an open session: one outcome, the session's slots and clock."""
    outcome = Outcome()
    probe = Resources(session, outcome)
    return Context(
        new_resources=lambda: Resources(session, outcome), precision=precision,
        slots=slots(probe, session.parent, session.type_id, session.other_parent,
                    session.other_type),
        device_time=lambda: session.device_time_us,
    )


def campaign_on_mock(seed: int, budget_s: float, *, driver: str | None = None,
                     noise: int | None = None,
                     precision: Precision = QUICK) -> tuple[Result, int]:
    """Run one campaign on a fresh embedded mock; its result and the run's device time."""
    session = open_session(TargetOptions(mock_driver=driver, mock_noise=noise))
    result = Campaign(mock_context(session, precision), seed, int(budget_s * 1e6), "fixed").run()
    leftovers = [u for p in ("mqos0", "mqos1") for u in session.target.listdir(
        f"/sys/class/mdev_bus/{p}/mdev_supported_types/mqos-full/devices")]
    assert leftovers == [], f"the campaign left mdevs behind: {leftovers}"
    return result, session.device_time_us


@pytest.fixture
def on_mock():
    """:func:`campaign_on_mock` as a fixture."""
    return campaign_on_mock
