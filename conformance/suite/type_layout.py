"""What the run's probe mdev showed of the type under test, before any scenario ran.

The engine creates (or names, with ``--mdev``) one mdev of the type under test
before the scenarios (:func:`conformance.suite.engine.probe_qos`). Its ``qos/``
entries, the knobs its type fixes, its priority levels and its ``sharing`` file
are kept here, so that a scenario needing a file the type does not have can skip
before it creates mdevs or starts loads (:mod:`conformance.steps.presence`).

``clean`` says the probe read as a conforming mdev reads where the scenarios'
first steps look (``timeslice_us`` in range, every knob well-formed): only then
may a scenario be skipped on the probe's word, because only then would those
steps have passed on the way to the same skip.
"""

from __future__ import annotations

from dataclasses import dataclass

from conformance.oracle.formats import TIMESLICE_RANGE
from conformance.suite.mdev import Mdev


@dataclass(frozen=True)
class TypeLayout:
    """The ``qos/`` of an mdev of the type under test, as the probe read it."""

    entries: frozenset[str]
    fixed: frozenset[str]  # knobs present and read-only
    levels: tuple[str, ...]  # priority levels (empty without priority)
    sharing: bytes | None  # the raw ``sharing`` file, None without one
    clean: bool

    def has(self, name: str) -> bool:
        """Whether ``qos/<name>`` exists on an mdev of the type."""
        return name in self.entries


def probe_layout(mdev: Mdev) -> TypeLayout | None:
    """Read the layout of ``mdev`` (None without ``qos/`` or when it cannot be read)."""
    try:
        entries = mdev.entries()
        if not entries:
            return None
        names = frozenset(entries)
        fixed = frozenset(mdev.fixed_knobs())
        sharing = mdev.raw("sharing") if "sharing" in names else None
        clean = True
        levels: tuple[str, ...] = ()
        try:
            mdev.knob_values()
            if "priority" in names:
                levels = mdev.levels()
            low, high = TIMESLICE_RANGE
            clean = "timeslice_us" in names and low <= int(mdev.value("timeslice_us")) <= high
        except (AssertionError, ValueError):
            clean = False
        return TypeLayout(names, fixed, levels, sharing, clean)
    except (OSError, ValueError):
        return None
