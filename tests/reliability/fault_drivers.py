"""Drivers that break the environment rather than the spec (loaded with --mock-driver)."""

from __future__ import annotations

import errno
import time

from conformance.mock import QosDriver
from conformance.mock.kernfs import kernel_error


class HangingWeight(QosDriver):
    """A read of ``weight`` never returns (it holds the mock's lock: the tree hangs)."""

    def show_file(self, mdev, name):
        if name == "weight":
            time.sleep(3600)
        return super().show_file(mdev, name)


class FailingUsage(QosDriver):
    """A read of ``usage_us`` fails with EIO."""

    def show_file(self, mdev, name):
        if name == "usage_us":
            raise kernel_error(errno.EIO)
        return super().show_file(mdev, name)


class StopsAtNul(QosDriver):
    """Not an environment fault but a classic store bug: a bare kstrtouint stops at NUL."""

    def parse_uint(self, buf: bytes) -> int:
        return super().parse_uint(buf.split(b"\0", 1)[0])


class FailingRemove(QosDriver):
    """Writing ``remove`` fails with EBUSY: the driver refuses to let an mdev go."""

    def on_remove(self, mdev):
        raise kernel_error(errno.EBUSY)
