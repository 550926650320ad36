"""Synthetic demand of one mdev, as the debugfs ``load`` file sets it.

``idle``: no work. ``backlog``: always work pending. ``periodic RUN PERIOD``: a job
of RUN µs of work released every PERIOD µs (the first one when the load is set).
"""

from __future__ import annotations

import errno
from dataclasses import dataclass

from conformance.mock.grammar import kstrtouint, strip_one_newline
from conformance.mock.kernfs import kernel_error


@dataclass(frozen=True)
class Demand:
    """What work an mdev has."""

    kind: str = "idle"  # idle | backlog | periodic
    run_us: int = 0
    period_us: int = 0

    def format(self) -> str:
        """The ``load`` file's content (newline-terminated)."""
        if self.kind == "periodic":
            return f"periodic {self.run_us} {self.period_us}\n"
        return f"{self.kind}\n"

    @classmethod
    def parse(cls, buf: bytes) -> Demand:
        """Parse a ``load`` write; EINVAL on anything else."""
        body = strip_one_newline(buf)
        if b"\n" in body:
            raise kernel_error(errno.EINVAL)
        words = body.split(b" ")
        if words == [b"idle"]:
            return cls("idle")
        if words == [b"backlog"]:
            return cls("backlog")
        if len(words) == 3 and words[0] == b"periodic":
            run, period = kstrtouint(words[1]), kstrtouint(words[2])
            if 1 <= run <= period:
                return cls("periodic", run, period)
        raise kernel_error(errno.EINVAL)


IDLE = Demand("idle")
