"""Mutants of read formats (QOS-FMT-*, QOS-PRI-001)."""

from __future__ import annotations

from typing import Any

from conformance.mock import QosDriver

U64_LIMIT = 2**64


class CapWithoutNewline(QosDriver):
    """cap reads without its terminating newline."""

    breaks = "QOS-FMT-001"

    def format_cap(self, mdev: Any, value: int) -> str:
        return f"{value}"


class WeightTrailingSpace(QosDriver):
    """weight reads with a space before the newline."""

    breaks = "QOS-FMT-001"

    def format_weight(self, mdev: Any, value: int) -> str:
        return f"{value} \n"


class CountersZeroPadded(QosDriver):
    """Counters read zero-padded to eight digits."""

    breaks = "QOS-FMT-002"

    def format_counter(self, mdev: Any, name: str, value: int) -> str:
        return f"{value:08d}\n"


class CapWithSign(QosDriver):
    """cap reads with an explicit plus sign."""

    breaks = "QOS-FMT-002"

    def format_cap(self, mdev: Any, value: int) -> str:
        return f"+{value}\n"


class CounterBeyond64Bits(QosDriver):
    """usage_us, once non-zero, reads above 2**64 (a 128-bit accumulator)."""

    breaks = "QOS-FMT-003"

    def counter_value(self, mdev: Any, name: str, counters: dict[str, int]) -> int:
        value = super().counter_value(mdev, name, counters)
        return value + U64_LIMIT if name == "usage_us" and value else value


class TimesliceZero(QosDriver):
    """timeslice_us reads 0."""

    breaks = "QOS-FMT-004"

    def format_timeslice(self, mdev: Any, us: int) -> str:
        return "0\n"


class TimesliceDrifts(QosDriver):
    """timeslice_us reads one more microsecond on every second read."""

    breaks = "QOS-FMT-004"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._reads = 0

    def format_timeslice(self, mdev: Any, us: int) -> str:
        self._reads += 1
        return f"{us + self._reads % 2}\n"


class TimesliceFollowsWeight(QosDriver):
    """timeslice_us reads a quantum scaled by the mdev's weight."""

    breaks = "QOS-FMT-004"

    def format_timeslice(self, mdev: Any, us: int) -> str:
        return f"{us * int(mdev.knobs['weight']) // 100}\n"


class TimesliceLong(QosDriver):
    """A 200 ms timeslice (a SHOULD: at most 100 ms)."""

    breaks = "QOS-FMT-005"
    expect = "warning"

    def timeslice_us(self, parent: Any) -> int:
        return 200_000


class WeightReadUnstable(QosDriver):
    """Every second read of weight is one too high (a stale conversion)."""

    breaks = "QOS-FMT-006"

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._reads: dict[str, int] = {}

    def format_weight(self, mdev: Any, value: int) -> str:
        count = self._reads.get(mdev.uuid, 0)
        self._reads[mdev.uuid] = count + 1
        return f"{value + count % 2}\n"


class PriorityHighestFirst(QosDriver):
    """priority lists its levels highest first."""

    breaks = "QOS-PRI-001"

    def format_priority(self, mdev: Any, level: str) -> str:
        words = [f"[{lv}]" if lv == level else lv for lv in self.supported_levels(mdev)]
        return " ".join(reversed(words)) + "\n"


class PriorityWithoutBrackets(QosDriver):
    """priority marks the active level with a star instead of brackets."""

    breaks = "QOS-PRI-001"

    def format_priority(self, mdev: Any, level: str) -> str:
        words = [f"*{lv}" if lv == level else lv for lv in self.supported_levels(mdev)]
        return " ".join(words) + "\n"


class PrioritySingleLevel(QosDriver):
    """priority offers the single level standard."""

    breaks = "QOS-PRI-001"

    def supported_levels(self, mdev: Any) -> tuple[str, ...]:
        return ("standard",)


class SharingWordUnknown(QosDriver):
    """sharing reads ``fair``, a word the spec does not define."""

    breaks = "QOS-FMT-007"

    def format_sharing(self, mdev, word: str) -> str:  # type: ignore[no-untyped-def]
        return "fair\n"


class CapPeriodBelowTimeslice(QosDriver):
    """cap_period_us reads 10, shorter than the timeslice it must be at least."""

    breaks = "QOS-CAP-010"

    def format_cap_period(self, mdev, us: int) -> str:  # type: ignore[no-untyped-def]
        return "10\n"
