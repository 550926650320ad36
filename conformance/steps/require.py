"""What a step needs of an mdev before it can check anything, and how it gets there.

A requirement whose stated condition does not hold (an optional file is absent,
a knob is fixed by the type) skips the scenario; a required file that is missing
or a valid write that is refused is the driver's failure.
"""

from __future__ import annotations

from conformance.oracle.formats import NO_SHARING, TIMESLICE_RANGE, loose_integers
from conformance.oracle.layout import REQUIRED, absent_reason
from conformance.steps.rounding import device_refused
from conformance.suite.claim import Observed
from conformance.suite.mdev import Mdev
from conformance.suite.outcome import Outcome
from conformance.suite.registry import Resources


def require_qos(outcome: Outcome, mdev: Mdev, type_id: str) -> list[str]:
    """The qos/ entries; skip when the mdev's type offers no QoS at all."""
    entries = mdev.entries()
    if not entries:
        outcome.skip(
            f"type {type_id} offers no QoS (no qos/ directory on mdev {mdev.uuid}): "
            "the QoS requirements do not apply"
        )
    return entries


def require_file(outcome: Outcome, mdev: Mdev, name: str) -> None:
    """Skip when an optional file is absent; fail when a required one is."""
    if mdev.has(name):
        return
    if name in REQUIRED:
        raise AssertionError(
            f"mdev {mdev.uuid} has a qos/ directory but no {name} (required, {REQUIRED[name]})"
        )
    outcome.skip(absent_reason(name))




def sharing_of(mdev: Mdev) -> str:
    """What ``qos/sharing`` names, or :data:`NO_SHARING` without the file.

    Read leniently (its format is QOS-FMT-007's business): a malformed word names
    no guarantee of this spec, so no sharing requirement binds it.
    """
    return sharing_word(mdev.raw("sharing") if mdev.has("sharing") else None)


def sharing_word(raw: bytes | None) -> str:
    """The word a ``sharing`` file reads (:data:`NO_SHARING` for no file), read leniently."""
    if raw is None:
        return NO_SHARING
    return raw.decode("ascii", "replace").strip()[:40]


def cap_period(mdev: Mdev, observed: Observed) -> int:
    """``cap_period_us`` of an mdev, 0 without the file; the run notes it.

    A value that is not a number is QOS-CAP-010's business: it counts as 0 here.
    """
    if not mdev.has("cap_period_us"):
        return 0
    values = loose_integers(mdev.raw("cap_period_us"))
    value = values[0] if len(values) == 1 and values[0] > 0 else 0
    if value:
        observed.cap_period(value)
    return value


def require_writable(outcome: Outcome, mdev: Mdev, knob: str) -> None:
    """Skip unless the mdev has ``knob`` and its type does not fix it."""
    require_file(outcome, mdev, knob)
    if mdev.is_fixed(knob):
        outcome.skip(
            f"{knob} of mdev {mdev.uuid} is fixed by its type (read-only): the requirements "
            f"on writing {knob} apply to writable knobs only"
        )


def timeslice(outcome: Outcome, mdev: Mdev, observed: Observed) -> int:
    """Read timeslice_us of an mdev (required wherever qos/ exists); the run notes it."""
    require_file(outcome, mdev, "timeslice_us")
    value = int(mdev.value("timeslice_us"))
    low, high = TIMESLICE_RANGE
    if not low <= value <= high:
        raise AssertionError(
            f"timeslice_us of mdev {mdev.uuid} reads {value}, outside {low}..{high} "
            "(QOS-FMT-004): no measurement window can be sized from it"
        )
    observed.timeslice(value)
    return value


def set_knob(
    resources: Resources, outcome: Outcome, mdev: Mdev, knob: str, value: str
) -> None:
    """Write a valid value; the driver must accept it (a refusal is its failure)."""
    if knob == "priority" and value not in mdev.levels():
        outcome.skip(
            f"mdev {mdev.uuid} does not support priority level {value!r}: a driver offers "
            "standard and at least one other level, not necessarily every level"
        )
    before = mdev.raw(knob)
    try:
        count = resources.write(mdev, knob, value)
    except OSError as exc:
        device_refused(outcome, mdev, knob, value.encode(), exc.errno, before)
        raise AssertionError(
            f"writing the valid value {value!r} to {knob} of mdev {mdev.uuid} failed: "
            f"expected success, got {exc.strerror or exc}"
        ) from None
    if count != len(value.encode()):
        raise AssertionError(
            f"writing {value!r} to {knob} of mdev {mdev.uuid} returned {count}, "
            f"expected the full count {len(value.encode())}"
        )
