"""Driver subclasses the hook tests load through ``module:Class``."""

from __future__ import annotations

from conformance.mock import QosDriver


class EqualWeights(QosDriver):
    """Ignores weight when scheduling."""

    def sched_weight(self, mdev) -> int:
        return 100


class WorkConservingCap(QosDriver):
    """Lets a capped mdev run when the device would otherwise idle."""

    def cap_blocks_when_idle(self, mdev) -> bool:
        return False


class NoWaitFile(QosDriver):
    """Offers no wait_us file."""

    def qos_files(self, mdev) -> tuple[str, ...]:
        return tuple(n for n in super().qos_files(mdev) if n != "wait_us")


class RoundRobin(QosDriver):
    """Picks the schedulable mdev that waited longest, ignoring levels and weights."""

    def pick_next(self, parent):
        ready = parent.schedulable()
        return min(ready, key=lambda m: m.since) if ready else None


NotADriver = object


class EveryOtherMillisecond(QosDriver):
    """Runs nobody in odd milliseconds and wakes itself with a timer at each edge."""

    def pick_next(self, parent):
        if (parent.now // 1000) % 2:
            return None
        return super().pick_next(parent)

    def next_timer_us(self, parent):
        return (parent.now // 1000 + 1) * 1000
