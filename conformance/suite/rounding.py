"""The probe of a number read back otherwise than written (QOS-FMT-009).

A device may round a written cap or weight to a value it applies. Whether the
value read is the applied value nearest the one written is not assumed: the
probe writes every value nearer to the one written (the device must apply none
of them), the knob's default (which every device applies) and the value read
(the device must keep it), which it leaves, and lets the oracle
(:mod:`conformance.oracle.rounding`) judge. Used by the steps and by the random
sequences alike.
"""

from __future__ import annotations

from conformance.oracle import formats
from conformance.oracle.grammar import NUMERIC_RANGES
from conformance.oracle.rounding import APPLIED_DEFAULT, nearer_values, rounded_read_problem
from conformance.suite.mdev import Mdev
from conformance.suite.registry import Resources

MAX_PROBES = 2000
"""Most writes spent showing that no value nearer than the one read is applied."""


def rounded_read(
    resources: Resources, mdev: Mdev, knob: str, written: int, shown: int
) -> str | None:
    """Judge ``shown`` read after ``written`` was accepted; None if it conforms."""
    if shown == written:
        return None
    bounds = NUMERIC_RANGES.get(knob)
    if bounds is None:
        return f"reads {shown} after {written} was written"
    nearer = nearer_values(written, shown, bounds)
    if len(nearer) > MAX_PROBES:
        return (f"reads {shown} after {written} was written: more than {MAX_PROBES} "
                "values lie nearer, which no rounding that keeps the range useful explains")
    applied = [value for value in nearer if _keeps(resources, mdev, knob, value)]
    default = APPLIED_DEFAULT.get(knob, bounds[1])
    default_kept = _keeps(resources, mdev, knob, default)
    idempotent = _keeps(resources, mdev, knob, shown)
    return rounded_read_problem(written, shown, bounds, idempotent=idempotent,
                                applied_nearer=applied, default=default,
                                default_kept=default_kept)


def _keeps(resources: Resources, mdev: Mdev, knob: str, value: int) -> bool:
    """Write ``value`` alone: does the knob then read it?"""
    try:
        resources.write(mdev, knob, str(value))
    except OSError:
        return False
    try:
        return formats.knob_value(knob, mdev.raw(knob)) == str(value)
    except formats.FormatError:
        return False
