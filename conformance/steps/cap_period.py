"""Steps about ``cap_period_us``, the period over which a driver's cap holds."""

from __future__ import annotations

from pytest_bdd import then

from conformance.oracle import formats
from conformance.suite.mdev import Mdev
from conformance.suite.outcome import Outcome


@then("its cap_period_us reads an integer from its timeslice_us to 1000000")
def _cap_period_range(subject: Mdev, outcome: Outcome) -> None:
    """A cap period is at least one timeslice and at most one second."""
    raw = subject.raw("cap_period_us")
    try:
        period = formats.unsigned(raw)
    except formats.FormatError as exc:
        raise AssertionError(f"cap_period_us of mdev {subject.uuid}: {exc}") from None
    low, high = int(subject.value("timeslice_us")), formats.CAP_PERIOD_MAX
    outcome.evidence("cap_period_us", expected=f"{low}..{high}", actual=period, unit="us")
    assert low <= period <= high, (
        f"cap_period_us of mdev {subject.uuid}: expected {low}..{high} (from its "
        f"timeslice_us to one second), got {period}"
    )

