"""Mutants of the accounting counters (QOS-ACC-*)."""

from __future__ import annotations

from typing import Any

from conformance.mock import QosDriver


class SlicesStartAtOne(QosDriver):
    """nr_slices reads 1 on a new mdev (an off-by-one)."""

    breaks = "QOS-ACC-001"

    def counter_value(self, mdev: Any, name: str, counters: dict[str, int]) -> int:
        value = super().counter_value(mdev, name, counters)
        return value + 1 if name == "nr_slices" else value


class UsageDropsSliceWhenIdle(QosDriver):
    """While an mdev is idle its usage_us reads one timeslice less (the last slice is
    only credited again when it next runs)."""

    breaks = "QOS-ACC-002"

    def counter_value(self, mdev: Any, name: str, counters: dict[str, int]) -> int:
        value = super().counter_value(mdev, name, counters)
        if name != "usage_us" or self.engine.state(mdev).active:
            return value
        return max(0, value - self.timeslice_us(mdev.parent))


class CountersResetOnKnobWrite(QosDriver):
    """Writing a knob restarts the mdev's counters from zero."""

    breaks = "QOS-ACC-002"

    def apply_knob(self, mdev: Any, name: str, value: Any) -> None:
        super().apply_knob(mdev, name, value)
        ms = self.engine.state(mdev)
        ms.set_state(ms.state, ms.parent.now)
        ms.acc.usage = ms.acc.wait = ms.acc.throttled = ms.acc.slices = 0
        if ms.noisy is not None:
            ms.noisy.last = None


class IdleAccumulatesWait(QosDriver):
    """wait_us counts every µs the mdev was not running, idle or not."""

    breaks = "QOS-ACC-003"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._born: dict[str, int] = {}

    def on_create(self, mdev: Any) -> None:
        self._born[mdev.uuid] = self.engine.now()

    def counter_value(self, mdev: Any, name: str, counters: dict[str, int]) -> int:
        if name != "wait_us":
            return super().counter_value(mdev, name, counters)
        lived = self.engine.now() - self._born.get(mdev.uuid, self.engine.now())
        return max(counters["wait_us"], lived - counters["usage_us"])


class IdleSlicesCounted(QosDriver):
    """nr_slices keeps ticking once per timeslice while the mdev is idle."""

    breaks = "QOS-ACC-003"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._banked: dict[str, int] = {}
        self._idle_since: dict[str, int] = {}

    def counter_value(self, mdev: Any, name: str, counters: dict[str, int]) -> int:
        value = super().counter_value(mdev, name, counters)
        if name != "nr_slices":
            return value
        q, now = self.timeslice_us(mdev.parent), self.engine.now()
        if self.engine.state(mdev).active:
            self._idle_since.pop(mdev.uuid, None)
        else:
            since = self._idle_since.get(mdev.uuid, now)
            ticks = (now - since) // q
            self._banked[mdev.uuid] = self._banked.get(mdev.uuid, 0) + ticks
            self._idle_since[mdev.uuid] = since + ticks * q
        return value + self._banked.get(mdev.uuid, 0)


class ThrottledWhileIdle(QosDriver):
    """A capped mdev keeps accumulating throttled_us while it has no work."""

    breaks = "QOS-ACC-003"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._banked: dict[str, int] = {}
        self._idle_since: dict[str, int] = {}

    def counter_value(self, mdev: Any, name: str, counters: dict[str, int]) -> int:
        value = super().counter_value(mdev, name, counters)
        if name != "throttled_us":
            return value
        now = self.engine.now()
        if self.engine.state(mdev).active or mdev.knobs["cap"] >= 100:
            self._idle_since.pop(mdev.uuid, None)
        else:
            since = self._idle_since.get(mdev.uuid, now)
            self._banked[mdev.uuid] = self._banked.get(mdev.uuid, 0) + now - since
            self._idle_since[mdev.uuid] = now
        return value + self._banked.get(mdev.uuid, 0)


class UsageOvercounted(QosDriver):
    """usage_us counts a quarter more than the device time used."""

    breaks = "QOS-ACC-004"

    def counter_value(self, mdev: Any, name: str, counters: dict[str, int]) -> int:
        value = super().counter_value(mdev, name, counters)
        return value * 5 // 4 if name == "usage_us" else value


class WaitHalved(QosDriver):
    """wait_us counts half the time the mdev waited."""

    breaks = "QOS-ACC-005"

    def counter_value(self, mdev: Any, name: str, counters: dict[str, int]) -> int:
        value = super().counter_value(mdev, name, counters)
        return value // 2 if name == "wait_us" else value


class WaitExcludesThrottled(QosDriver):
    """wait_us leaves out the time the cap held the mdev back."""

    breaks = "QOS-ACC-007"

    def counter_value(self, mdev: Any, name: str, counters: dict[str, int]) -> int:
        value = super().counter_value(mdev, name, counters)
        return value - counters["throttled_us"] if name == "wait_us" else value


class TimesliceUnderstated(QosDriver):
    """Dispatches last 5 ms while timeslice_us reads 1000."""

    breaks = "QOS-ACC-006"

    def format_timeslice(self, mdev: Any, us: int) -> str:
        return f"{us // 5}\n"

    def timeslice_us(self, parent: Any) -> int:
        return 5 * super().timeslice_us(parent)


class SlicesHalved(QosDriver):
    """nr_slices counts every second dispatch."""

    breaks = "QOS-ACC-006"

    def counter_value(self, mdev: Any, name: str, counters: dict[str, int]) -> int:
        value = super().counter_value(mdev, name, counters)
        return value // 2 if name == "nr_slices" else value


class ThrottledCountsAllWaiting(QosDriver):
    """throttled_us counts every wait, even without a cap."""

    breaks = "QOS-ACC-007"

    def counter_value(self, mdev: Any, name: str, counters: dict[str, int]) -> int:
        if name == "throttled_us":
            return counters["wait_us"]
        return super().counter_value(mdev, name, counters)
