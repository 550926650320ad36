"""Counters as firmware and drivers keep them: 32-bit nanoseconds, a quantum charged
per dispatch, world switches counted as dispatches, a housekeeping timer."""

from __future__ import annotations

from typing import Any

from conformance.mock import QosDriver

U32 = 1 << 32
SAMPLE_US = 10_000  # the housekeeping timer that copies the counters


def ns_in_u32(us: int) -> int:
    """A µs count kept as nanoseconds in a u32 field, read back in µs."""
    return (us * 1000) % U32 // 1000


class UsageNsIn32Bits(QosDriver):
    """usage_us is kept in nanoseconds in a u32 and wraps after 4.29 s of device time
    (QOS-ACC-002: counters never decrease)."""

    breaks = "QOS-ACC-002"

    def counter_value(self, mdev: Any, name: str, counters: dict[str, int]) -> int:
        value = super().counter_value(mdev, name, counters)
        return ns_in_u32(value) if name == "usage_us" else value


class WaitNsIn32Bits(QosDriver):
    """wait_us is kept in nanoseconds in a u32 and wraps after 4.29 s of waiting
    (QOS-ACC-002)."""

    breaks = "QOS-ACC-002"

    def counter_value(self, mdev: Any, name: str, counters: dict[str, int]) -> int:
        value = super().counter_value(mdev, name, counters)
        return ns_in_u32(value) if name == "wait_us" else value


class UsageChargedPerQuantum(QosDriver):
    """usage_us charges a whole timeslice per dispatch, however short the dispatch
    (QOS-ACC-004: a parent's usage deltas never exceed the window)."""

    breaks = "QOS-ACC-004"

    def counter_value(self, mdev: Any, name: str, counters: dict[str, int]) -> int:
        if name == "usage_us":
            return counters["nr_slices"] * self.timeslice_us(mdev.parent)
        return super().counter_value(mdev, name, counters)


class SlicesCountWorldSwitches(QosDriver):
    """nr_slices counts context switches: a dispatch of the mdev that ran last is not
    counted (QOS-ACC-006: usage within nr_slices timeslices)."""

    breaks = "QOS-ACC-006"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._last: dict[str, Any] = {}
        self._uncounted: dict[str, int] = {}

    def pick_next(self, parent: Any) -> Any:
        choice = super().pick_next(parent)
        if choice is not None:
            if self._last.get(parent.name) is choice:
                uuid = choice.mdev.uuid
                self._uncounted[uuid] = self._uncounted.get(uuid, 0) + 1
            self._last[parent.name] = choice
        return choice

    def on_remove(self, mdev: Any) -> None:
        self._uncounted.pop(mdev.uuid, None)

    def counter_value(self, mdev: Any, name: str, counters: dict[str, int]) -> int:
        value = super().counter_value(mdev, name, counters)
        if name != "nr_slices":
            return value
        return value - self._uncounted.get(mdev.uuid, 0)


class CopiedByTimer(QosDriver):
    """Counter files that show a copy a periodic housekeeping timer takes (not a mutant
    itself: its subclasses choose the period).

    ``period_us``: how often the copy is refreshed; ``phase_us``: where in the
    engine's time the timer's period starts (a test moves it to show that a kill
    does not depend on it); ``copied``: the counters read from the copy (the others
    are live). The timer runs only while a copy is out of date, as a worker that
    sleeps while the device idles.
    """

    period_us = SAMPLE_US
    phase_us = 0
    copied: tuple[str, ...] = ("usage_us", "wait_us", "throttled_us", "nr_slices")

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._copy: dict[str, dict[str, int]] = {}
        self._tick: dict[str, int] = {}

    def _period_of(self, now: int) -> int:
        return (now - self.phase_us) // self.period_us

    def pick_next(self, parent: Any) -> Any:
        tick = self._period_of(parent.now)
        if self._tick.get(parent.name) != tick:
            self._tick[parent.name] = tick
            for ms in parent.mdevs:  # the counters at the parent's now
                self._copy[ms.mdev.uuid] = ms.counters_at(parent.now)
        return super().pick_next(parent)

    def next_timer_us(self, parent: Any) -> int | None:
        """The timer keeps running while a copy is out of date."""
        stale = any(self._copy.get(ms.mdev.uuid) != ms.counters_at(parent.now)
                    for ms in parent.mdevs)
        if not stale:
            return None
        return (self._period_of(parent.now) + 1) * self.period_us + self.phase_us

    def on_remove(self, mdev: Any) -> None:
        self._copy.pop(mdev.uuid, None)

    def counter_value(self, mdev: Any, name: str, counters: dict[str, int]) -> int:
        if name not in self.copied:
            return super().counter_value(mdev, name, counters)
        return self._copy.get(mdev.uuid, {}).get(name, 0)


class CountersCopiedEvery10ms(CopiedByTimer):
    """The counter files show a copy a 10 ms housekeeping timer takes, so a read can be
    up to ten timeslices stale (QOS-ACC-005: usage plus wait equals the window)."""

    breaks = "QOS-ACC-005"
    period_us = 10_000


class CountersCopiedEvery7ms(CopiedByTimer):
    """The counter files show a copy a 7 ms timer takes, a period no window length of
    the suite is a multiple of (QOS-ACC-005)."""

    breaks = "QOS-ACC-005"
    period_us = 7_000


class CountersCopiedEvery25ms(CopiedByTimer):
    """Firmware busyness copied to the counter files every 25 ms, three per quick
    window (QOS-ACC-005)."""

    breaks = "QOS-ACC-005"
    period_us = 25_000


class CountersCopiedAtDispatch(QosDriver):
    """Time counters charged only at each scheduling decision (conforms to QOS-ACC-005).

    usage_us, wait_us and throttled_us are a copy the switch routine takes, so a
    read lags by up to the dispatch in progress: what the spec permits, and the
    span check of QOS-ACC-005 must pass it."""

    breaks = "QOS-ACC-005"
    expect = "conform"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._copy: dict[str, dict[str, int]] = {}

    def pick_next(self, parent: Any) -> Any:
        for ms in parent.mdevs:
            self._copy[ms.mdev.uuid] = ms.counters_at(parent.now)
        return super().pick_next(parent)

    def on_remove(self, mdev: Any) -> None:
        self._copy.pop(mdev.uuid, None)

    def counter_value(self, mdev: Any, name: str, counters: dict[str, int]) -> int:
        if name == "nr_slices":  # counted at dispatch, as the spec's table has it
            return super().counter_value(mdev, name, counters)
        return self._copy.get(mdev.uuid, {}).get(name, 0)


class SlicesCopiedEvery10ms(CopiedByTimer):
    """nr_slices shows a count a 10 ms worker folds in from the device, the time counters
    are live (QOS-ACC-006: usage within nr_slices timeslices, over any window)."""

    breaks = "QOS-ACC-006"
    copied = ("nr_slices",)
