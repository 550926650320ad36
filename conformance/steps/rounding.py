"""Writes the device refuses (QOS-FMT-008): what a step does about them.

The oracle (:mod:`conformance.oracle.rounding`) judges. A device may refuse a
valid write with ``EIO`` or ``EPERM``: where a step needs that write to succeed,
the run cannot check what the step checks (the claim is incomplete), unless the
refusal changed the knob, which is the driver's failure. A value the device
rounds is probed by :mod:`conformance.suite.rounding`.
"""

from __future__ import annotations

import errno

from conformance.oracle.rounding import DEVICE_REFUSALS, refusal_problem
from conformance.suite.mdev import Mdev
from conformance.suite.outcome import Outcome


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
