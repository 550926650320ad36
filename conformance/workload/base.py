"""What every workload adapter offers, and the load vocabulary they share."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

_PERIODIC = re.compile(r"periodic ([1-9][0-9]*) ([1-9][0-9]*)")


class WorkloadError(RuntimeError):
    """The workload could not be applied: the environment broke, not the driver."""


@dataclass(frozen=True)
class Load:
    """A demand on one mdev: ``idle``, ``backlog`` or ``periodic <run_us> <period_us>``."""

    kind: str
    run_us: int = 0
    period_us: int = 0

    def __str__(self) -> str:
        if self.kind == "periodic":
            return f"periodic {self.run_us} {self.period_us}"
        return self.kind


IDLE = Load("idle")
BACKLOG = Load("backlog")


def parse_load(text: str | Load) -> Load:
    """Parse a load setting in the debugfs ``load`` file's grammar; ValueError if bad."""
    if isinstance(text, Load):
        return text
    value = text.strip()
    if value in ("idle", "backlog"):
        return Load(value)
    match = _PERIODIC.fullmatch(value)
    if match:
        run_us, period_us = int(match[1]), int(match[2])
        if run_us > period_us:
            raise ValueError(f"periodic load runs longer than its period: {text!r}")
        return Load("periodic", run_us, period_us)
    raise ValueError(f"not a load: {text!r} (idle, backlog or periodic <run_us> <period_us>)")


@runtime_checkable
class Workload(Protocol):
    """Makes mdevs busy or idle and lets device time pass."""

    name: str
    virtual: bool  # True when time only passes through elapse() (skew is 0)

    def unavailable(self) -> str | None:
        """None when usable on this target, else why not (becomes a skip reason)."""

    def set_load(self, uuid: str, load: Load) -> None:
        """Apply a demand to an mdev; WorkloadError when it cannot."""

    def get_load(self, uuid: str) -> Load | None:
        """The demand currently applied, when the adapter can tell."""

    def elapse(self, us: int) -> None:
        """Let ``us`` microseconds of device time pass."""

    def now_us(self) -> int:
        """The clock windows are measured on (virtual or monotonic), in µs."""
