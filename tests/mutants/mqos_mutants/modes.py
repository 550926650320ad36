"""Mutants of file modes and permissions (QOS-MODE-*)."""

from __future__ import annotations

import errno
from typing import Any

from conformance.mock import QosDriver
from conformance.mock.kernfs import kernel_error

COUNTERS = ("usage_us", "throttled_us", "wait_us", "nr_slices")


class KnobOwnerOnly(QosDriver):
    """Writable knobs have mode 0600."""

    breaks = "QOS-MODE-001"

    def file_mode(self, mdev: Any, name: str) -> int:
        mode = super().file_mode(mdev, name)
        return 0o600 if mode == 0o644 else mode


class CounterWritableRefused(QosDriver):
    """usage_us has mode 0644, although every write to it fails with EIO."""

    breaks = "QOS-MODE-002"

    def file_mode(self, mdev: Any, name: str) -> int:
        return 0o644 if name == "usage_us" else super().file_mode(mdev, name)

    def store_knob(self, mdev: Any, name: str, buf: bytes) -> None:
        if name == "usage_us":
            raise kernel_error(errno.EIO)
        super().store_knob(mdev, name, buf)


class FixedKnobWrongMode(QosDriver):
    """A knob the type fixes has mode 0440."""

    breaks = "QOS-MODE-003"

    def file_mode(self, mdev: Any, name: str) -> int:
        if name in ("cap", "weight", "priority") and self.is_fixed(mdev, name):
            return 0o440
        return super().file_mode(mdev, name)


class FixedKnobIgnoresWrites(QosDriver):
    """A knob the type fixes is left writable (0644): writes succeed and change nothing.

    Run with ``--type mqos-fixed``: nothing marks the knob as fixed any more, so the
    suite holds it to the rules of a writable knob.
    """

    breaks = "QOS-CAP-002"
    run_options = ("--type", "mqos-fixed")

    def file_mode(self, mdev: Any, name: str) -> int:
        if name in ("cap", "weight", "priority"):
            return 0o644
        return super().file_mode(mdev, name)

    def store_knob(self, mdev: Any, name: str, buf: bytes) -> None:
        if not self.is_fixed(mdev, name):
            super().store_knob(mdev, name, buf)


class KnobWorldWritable(QosDriver):
    """Writable knobs have mode 0666: any user may change them."""

    breaks = "QOS-MODE-005"

    def file_mode(self, mdev: Any, name: str) -> int:
        mode = super().file_mode(mdev, name)
        return 0o666 if mode == 0o644 else mode


class CounterWriteResets(QosDriver):
    """Writing anything to a counter resets it to zero."""

    breaks = "QOS-MODE-006"

    def file_mode(self, mdev: Any, name: str) -> int:
        return 0o644 if name in COUNTERS else super().file_mode(mdev, name)

    def store_knob(self, mdev: Any, name: str, buf: bytes) -> None:
        if name not in COUNTERS:
            super().store_knob(mdev, name, buf)
            return
        ms = self.engine.state(mdev)
        ms.set_state(ms.state, ms.parent.now)
        ms.acc.usage = ms.acc.wait = ms.acc.throttled = ms.acc.slices = 0
        if ms.noisy is not None:
            ms.noisy.last = None


class TimesliceWritable(QosDriver):
    """timeslice_us is writable; a write returns success and is ignored."""

    breaks = "QOS-MODE-006"

    def file_mode(self, mdev: Any, name: str) -> int:
        return 0o644 if name == "timeslice_us" else super().file_mode(mdev, name)

    def store_knob(self, mdev: Any, name: str, buf: bytes) -> None:
        if name != "timeslice_us":
            super().store_knob(mdev, name, buf)
