"""Refused and rounded knob writes (spec, Refused and rounded writes).

A valid write (well formed, in range) that the device does not apply fails with
``EIO`` (the firmware refused it) or ``EPERM`` (not applicable on this device in
its present state) and leaves the knob unchanged (QOS-FMT-008). A driver whose
device applies only some values of ``cap`` or ``weight`` may round a written value
to one it applies: the knob then reads the value applied, an applicable value
nearest the written one (either of two equally near), in range, and writing the
value read leaves it unchanged (QOS-FMT-009). A new mdev reads the default
(QOS-CAP-001, QOS-WGT-001) and the knob reads what is applied, so the default is
always an applied value: written, it reads back as written.

Written independently of the reference mock, from the spec's text. Pure
functions: the steps do the writes and reads these judge.
"""

from __future__ import annotations

import errno
from collections.abc import Iterable, Mapping

from conformance.oracle.shares import DEFAULT_KNOBS

DEVICE_REFUSALS = frozenset({errno.EIO, errno.EPERM})
"""The errnos of a valid write the device did not apply."""

APPLIED_DEFAULT = {knob: int(DEFAULT_KNOBS[knob]) for knob in ("cap", "weight")}
"""The value of each numeric knob that every device applies: its default."""


def refusal_problem(code: int | None, before: str, after: str) -> str | None:
    """What is wrong with a valid write refused with ``code`` (None: nothing)."""
    if code not in DEVICE_REFUSALS:
        name = errno.errorcode.get(code or 0, str(code))
        return f"refused a valid value with {name}: expected success, or EIO or EPERM"
    if after != before:
        return f"changed from {before} to {after} although the write failed"
    return None


def nearer_values(written: int, shown: int, bounds: tuple[int, int]) -> list[int]:
    """The values of the range strictly nearer to ``written`` than ``shown`` is.

    A driver that rounds ``written`` to ``shown`` must apply none of them
    (``written`` itself first, then outwards).
    """
    distance = abs(shown - written)
    low, high = bounds
    nearer = [written] if distance else []
    for step in range(1, distance):
        nearer += [v for v in (written - step, written + step) if v != shown]
    return [v for v in nearer if low <= v <= high]


def rounded_read_problem(
    written: int,
    shown: int,
    bounds: tuple[int, int],
    *,
    idempotent: bool,
    applied_nearer: Iterable[int] = (),
    default: int | None = None,
    default_kept: bool = True,
) -> str | None:
    """Judge ``shown``, read after ``written`` was accepted (None: conforming).

    ``idempotent``: writing ``shown`` read ``shown`` back. ``applied_nearer``: the
    values of :func:`nearer_values` the driver applied (read back as written).
    ``default_kept``: writing the knob's ``default`` read it back.
    """
    if shown == written:
        return None
    low, high = bounds
    if not low <= shown <= high:
        return f"reads {shown} after {written} was written: outside {low}..{high}"
    if not idempotent:
        return f"reads {shown} after {written} was written, but does not keep {shown}"
    if not default_kept:
        return (f"reads {shown} after {written} was written, but does not keep its "
                f"default {default} either: it ignores writes rather than rounding them")
    nearer = sorted(set(applied_nearer), key=lambda v: (abs(v - written), v))
    if nearer:
        return (f"reads {shown} after {written} was written, but applies {nearer[0]}, "
                "which is nearer")
    return None


def sweep_problems(
    reads: Mapping[int, int], bounds: tuple[int, int], default: int | None = None
) -> list[str]:
    """Judge the values read after a sweep of accepted writes (written -> read).

    The values read are values the driver applies, and so is the knob's
    ``default``; each written value must read as an applied value at least as
    near as every other one known.
    """
    low, high = bounds
    applied = {v for v in reads.values() if low <= v <= high}
    if default is not None:
        applied.add(default)
    problems = []
    for written, shown in sorted(reads.items()):
        if shown == written:
            continue
        if shown not in applied:
            problems.append(f"{written}: reads {shown}, outside {low}..{high}")
            continue
        nearer = [v for v in applied if abs(v - written) < abs(shown - written)]
        if nearer:
            best = min(nearer, key=lambda v: (abs(v - written), v))
            problems.append(f"{written}: reads {shown}, but {best} is applied and nearer")
    return problems
