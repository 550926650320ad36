"""One priority level of one parent: WF2Q+ over the level's schedulable mdevs.

Each member has a virtual start ``vstart``; its virtual finish is
``vstart + slice / weight``. The level's virtual time ``vtime`` advances by
``served / Σweight`` per dispatch and never lags the smallest start of its
members (WF2Q+, Bennett and Zhang 1997). The choice is the smallest finish among
*eligible* members (``vstart <= vtime``), which keeps every member within about
one slice of its ideal fluid (GPS) service. Both heaps use lazy deletion, so a
decision costs O(log N).
"""

from __future__ import annotations

import heapq
import itertools
from typing import Any, Protocol


class Member(Protocol):
    """What a level needs of an mdev's scheduling state."""

    fair_weight: float  # the member's weight within the level
    vstart: float
    next_len: float
    queue_version: int
    queue_where: str  # "" (not queued), "E" (eligible heap), "W" (waiting heap)


class LevelQueue:
    """The schedulable mdevs of one strict-priority level."""

    def __init__(self) -> None:
        self.vtime = 0.0
        self.weight_sum = 0.0  # members, the running and the parked ones included
        self.members: set[Any] = set()
        self._eligible: list[tuple[float, int, int, Any]] = []  # (vfinish, seq, version, m)
        self._waiting: list[tuple[float, int, int, Any]] = []  # (vstart, seq, version, m)
        self._seq = itertools.count()

    def __len__(self) -> int:
        return len(self.members)

    # -- membership ---------------------------------------------------------------
    def join(self, member: Any, fresh: bool) -> None:
        """Add a member; ``fresh`` (it was away) restarts it at the level's vtime."""
        if fresh:
            member.vstart = max(member.vstart, self.vtime)
        if member not in self.members:
            self.members.add(member)
            self.weight_sum += member.fair_weight
        self._push(member)

    def leave(self, member: Any) -> None:
        """Remove a member (it went idle, was throttled or changed level)."""
        if member in self.members:
            self.members.discard(member)
            self.weight_sum -= member.fair_weight
        self._unqueue(member)

    def requeue(self, member: Any) -> None:
        """Put back a member that was taken for a dispatch and stays schedulable."""
        self._push(member)

    def take(self, member: Any) -> None:
        """The member is dispatched: out of the heaps, still counted in the weight."""
        self._unqueue(member)

    def reweigh(self, member: Any, weight: float) -> None:
        """Change a member's weight from the next decision on."""
        if member in self.members:
            self.weight_sum += weight - member.fair_weight
        member.fair_weight = weight
        if member.queue_where:
            self._push(member)

    # -- service ------------------------------------------------------------------
    def charge(self, member: Any, served: float) -> None:
        """Account ``served`` µs of device time to a member and to the level."""
        member.vstart += served / member.fair_weight
        if self.weight_sum > 0:
            self.vtime += served / self.weight_sum

    def pick(self) -> Any | None:
        """The eligible member with the smallest virtual finish (not removed)."""
        self._promote()
        if not self._top(self._eligible, "E"):
            head = self._top(self._waiting, "W")
            if head is None:
                return None
            self.vtime = max(self.vtime, head.vstart)
            self._promote()
        return self._top(self._eligible, "E")

    # -- heaps --------------------------------------------------------------------
    def _push(self, member: Any) -> None:
        member.queue_version += 1
        seq = next(self._seq)
        if member.vstart <= self.vtime:
            member.queue_where = "E"
            finish = member.vstart + member.next_len / member.fair_weight
            heapq.heappush(self._eligible, (finish, seq, member.queue_version, member))
        else:
            member.queue_where = "W"
            heapq.heappush(self._waiting, (member.vstart, seq, member.queue_version, member))

    def _unqueue(self, member: Any) -> None:
        member.queue_version += 1
        member.queue_where = ""

    def _top(self, heap: list[tuple[float, int, int, Any]], where: str) -> Any | None:
        while heap:
            _, _, version, member = heap[0]
            if member.queue_version == version and member.queue_where == where:
                return member
            heapq.heappop(heap)
        return None

    def _promote(self) -> None:
        while True:
            head = self._top(self._waiting, "W")
            if head is None or head.vstart > self.vtime:
                return
            heapq.heappop(self._waiting)
            self._push(head)
