"""Writes the device refuses or rounds (QOS-FMT-008, QOS-FMT-009): the probes.

The oracle (:mod:`conformance.oracle.rounding`) judges; these helpers make the
writes and reads it judges. A device may refuse a valid write with ``EIO`` or
``EPERM``: where a step needs that write to succeed, the run cannot check what
the step checks (the claim is incomplete), unless the refusal changed the knob,
which is the driver's failure. A device may round a cap or weight: a step that
expects the value written accepts the nearest value the device applies, which it
finds by writing the values nearer than the one read.
"""

from __future__ import annotations

import errno

from conformance.oracle import formats
from conformance.oracle.grammar import NUMERIC_RANGES
from conformance.oracle.rounding import (
    DEVICE_REFUSALS,
    nearer_values,
    refusal_problem,
    rounded_read_problem,
)
from conformance.suite.mdev import Mdev
from conformance.suite.outcome import Outcome
from conformance.suite.registry import Resources

MAX_PROBES = 2000
"""Most writes spent showing that no value nearer than the one read is applied."""


def device_refused(
    outcome: Outcome, mdev: Mdev, knob: str, data: bytes, code: int | None, before: bytes
) -> None:
    """A valid write failed with ``code``: stop as the spec says, or return for a failure.

    EIO or EPERM with the knob unchanged: this run cannot check the step
    (``unsupported``). Any other errno, or a changed knob, returns: the caller
    reports the driver's failure.
    """
    if code not in DEVICE_REFUSALS:
        return
    after = mdev.raw(knob)
    problem = refusal_problem(code, before.decode(errors="replace").strip(),
                              after.decode(errors="replace").strip())
    if problem is None:
        outcome.unsupported(
            f"the device refused the valid write {data!r} to {knob} of mdev {mdev.uuid} "
            f"with {errno.errorcode[code or 0]} and kept its value "
            "(QOS-FMT-008): this run cannot check a write it refused"
        )


def rounded_read(
    resources: Resources, mdev: Mdev, knob: str, written: int, shown: int
) -> str | None:
    """Judge ``shown`` read after ``written`` was accepted; None if it conforms.

    Writes ``shown`` (the device must keep it) and every value nearer to
    ``written`` (the device must apply none of them), then leaves ``shown``.
    """
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
    idempotent = _keeps(resources, mdev, knob, shown)
    return rounded_read_problem(written, shown, bounds, idempotent=idempotent,
                                applied_nearer=applied)


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
