"""What stays the same for every scenario of one run: target, devices, workload, journal."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from conformance import defaults, streams
from conformance.suite.claim import Observed
from conformance.suite.journal import Journal
from conformance.sysfs.target import Target
from conformance.workload.base import Workload

if TYPE_CHECKING:
    from conformance.suite.type_layout import TypeLayout

_progress_closed = False


def _stderr_line(message: str) -> None:
    """Print one progress line; once stderr is a closed pipe, print no more.

    Progress is a courtesy: a reader that went away (``2>&1 | head``) must not
    abort the run half-way, before what it created is removed and its reports
    are written.
    """
    global _progress_closed
    if _progress_closed:
        return
    try:
        print(message, file=sys.stderr, flush=True)
    except BrokenPipeError:
        _progress_closed = True
        streams.gone(sys.stderr)  # so that no later flush fails on exit


@dataclass
class SuiteSession:
    """The run-wide state a scenario's fixtures are built from."""

    target: Target
    parent: str
    type_id: str
    profile: str = defaults.PROFILE
    precision: str = defaults.PRECISION  # a name in conformance.oracle.tolerance.PRECISIONS
    device_time_us: int = 0  # device time the scenarios asked to pass (settling, windows)
    other_parent: str | None = None
    other_type: str | None = None
    workload: Workload | None = None
    workload_problem: str | None = None  # why there is no usable workload
    journal: Journal = field(default_factory=lambda: Journal(None))
    mdevs: tuple[str, ...] = ()  # existing devices named with --mdev
    embedded_mock: bool = False
    progress: Callable[[str], None] = _stderr_line
    options: dict[str, object] = field(default_factory=dict)  # e.g. max_examples for fuzz
    qos_offered: bool | None = None  # does the type have a qos/ group (None: unknown)
    knobs_offered: dict[str, bool] | None = None  # knob → offered writable (None: unknown)
    layout: TypeLayout | None = None  # the probe mdev's qos/ (None: unknown)
    observed: Observed = field(default_factory=Observed)  # timeslices read, windows measured
    random: dict[str, object] | None = None  # the random campaigns (seeds, budget, findings)

    @property
    def writable(self) -> bool:
        return bool(getattr(self.target, "writable", True))

    @property
    def can_switch_user(self) -> bool:
        """The suite can act as an unprivileged user (root on a real tree, or the mock)."""
        return self.embedded_mock or os.geteuid() == 0

    def describe(self) -> dict[str, object]:
        """The target as the report describes it."""
        return {
            "description": self.target.description,
            "kind": "embedded-mock" if self.embedded_mock else "sysfs-tree",
            "parent": self.parent,
            "type": self.type_id,
            "other_parent": self.other_parent,
            "other_type": self.other_type,
            "mdevs": list(self.mdevs),
            "writable": self.writable,
            "workload": self.workload.name if self.workload else "none",
            "qos_offered": self.qos_offered,
        }
