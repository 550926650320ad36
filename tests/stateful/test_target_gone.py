"""A violation found when the target turns out to be gone is the environment's, not the driver's."""

from __future__ import annotations

from conformance.stateful.campaign import Campaign
from conformance.suite.targets import TargetOptions, open_session

from .conftest import mock_context

BROKEN = "mqos_mutants.scheduling:IdlePeersDilute"  # found within 2 s (test_campaign.py)


def test_a_violation_on_a_target_that_went_away_stops_the_campaign_unjudged() -> None:
    session = open_session(TargetOptions(mock_driver=BROKEN))
    asked: list[str] = []

    def gone() -> str:
        asked.append("asked")
        return "the mount at /mnt went away"

    session.target.check_alive = gone  # what a GuardedTarget whose tree vanished answers
    result = Campaign(mock_context(session), 1, 2_000_000, "fixed").run()
    assert result.failure is None, result.failure
    assert asked, "the campaign never found the violation it is asked to doubt"
    assert result.error is not None and "the target went away" in result.error
    assert result.shrink_device_time_us == 0  # nothing shrunk on a target that is gone
