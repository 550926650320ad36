"""The knob files as C store methods get them wrong: a parse that stops at NUL, a
type-fixed knob lost on refresh, scheduler state that outlives a busy mdev."""

from __future__ import annotations

from typing import Any

from conformance.mock import QosDriver
from conformance.mock.topology import LEVELS


def up_to_nul(buf: bytes) -> bytes:
    """What a C string sees of a write buffer: everything before the first NUL."""
    return buf.split(b"\0", 1)[0]


class CapStopsAtNul(QosDriver):
    """cap parses the buffer as a C string, so ``60\\0x`` is taken as 60 (QOS-CAP-003:
    a NUL byte is malformed)."""

    breaks = "QOS-CAP-003"

    def parse_cap(self, mdev: Any, buf: bytes) -> int:
        return super().parse_cap(mdev, up_to_nul(buf))


class WeightStopsAtNul(QosDriver):
    """weight parses the buffer as a C string, so ``200\\0x`` is taken as 200
    (QOS-WGT-003)."""

    breaks = "QOS-WGT-003"

    def parse_weight(self, mdev: Any, buf: bytes) -> int:
        return super().parse_weight(mdev, up_to_nul(buf))


class PriorityStopsAtNul(QosDriver):
    """priority matches the level names with ``sysfs_streq`` on a C string, so
    ``urgent\\0x`` selects urgent (QOS-PRI-004: only the exact name, one newline)."""

    breaks = "QOS-PRI-004"

    def parse_priority(self, mdev: Any, buf: bytes) -> str:
        return super().parse_priority(mdev, up_to_nul(buf))


class FixedCapLostOnKnobWrite(QosDriver):
    """The refresh after a weight or priority write rebuilds the scheduler entry from
    the writable knobs only: the type's fixed cap of 50 stops being enforced
    (QOS-MODE-007)."""

    breaks = "QOS-MODE-007"
    run_options = ("--type", "mqos-fixed")

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._rebuilt: set[str] = set()

    def apply_knob(self, mdev: Any, name: str, value: Any) -> None:
        self._rebuilt.add(mdev.uuid)
        super().apply_knob(mdev, name, value)

    def on_remove(self, mdev: Any) -> None:
        self._rebuilt.discard(mdev.uuid)

    def sched_cap(self, mdev: Any) -> int:
        if self.is_fixed(mdev, "cap") and mdev.uuid in self._rebuilt:
            return 100
        return super().sched_cap(mdev)


class SchedStateOutlivesBusyMdev(QosDriver):
    """Removing an mdev with work in flight frees its scheduler entry lazily; an mdev
    created again with that UUID reuses it: its files read the defaults, the
    scheduler keeps the old cap, weight and level (QOS-LIFE-002)."""

    breaks = "QOS-LIFE-002"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._left: dict[str, dict[str, Any]] = {}
        self._reused: dict[str, dict[str, Any]] = {}

    def on_remove(self, mdev: Any) -> None:
        if self.engine.state(mdev).active:
            self._left[mdev.uuid] = dict(mdev.knobs)
        self._reused.pop(mdev.uuid, None)

    def initial_knobs(self, mdev: Any) -> dict[str, Any]:
        if mdev.uuid in self._left:
            self._reused[mdev.uuid] = self._left.pop(mdev.uuid)
        return super().initial_knobs(mdev)

    def apply_knob(self, mdev: Any, name: str, value: Any) -> None:
        self._reused.get(mdev.uuid, {}).pop(name, None)
        super().apply_knob(mdev, name, value)

    def scheduled(self, mdev: Any, name: str) -> Any:
        return self._reused.get(mdev.uuid, {}).get(name, mdev.knobs[name])

    def sched_cap(self, mdev: Any) -> int:
        return int(self.scheduled(mdev, "cap"))

    def sched_weight(self, mdev: Any) -> int:
        return int(self.scheduled(mdev, "weight"))

    def sched_level(self, mdev: Any) -> int:
        return LEVELS.index(self.scheduled(mdev, "priority"))


class CountersOutliveBusyMdev(QosDriver):
    """Removing an mdev with work in flight frees its accounting lazily; an mdev created
    again with that UUID starts from the old counters (QOS-LIFE-003)."""

    breaks = "QOS-LIFE-003"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._left: dict[str, dict[str, int]] = {}
        self._offset: dict[str, dict[str, int]] = {}

    def on_remove(self, mdev: Any) -> None:
        if self.engine.state(mdev).active:
            counters = self.engine.counters(mdev)
            self._left[mdev.uuid] = {
                name: self.counter_value(mdev, name, counters) for name in counters
            }
        self._offset.pop(mdev.uuid, None)

    def on_create(self, mdev: Any) -> None:
        self._offset[mdev.uuid] = self._left.pop(mdev.uuid, {})

    def counter_value(self, mdev: Any, name: str, counters: dict[str, int]) -> int:
        value = super().counter_value(mdev, name, counters)
        return value + self._offset.get(mdev.uuid, {}).get(name, 0)
