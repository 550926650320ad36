"""Measuring shares: snapshots of counters, windows between them, shares from usage deltas.

A snapshot reads the counters of a set of mdevs and notes the clock before the first
read and how long all reads took (the skew ``s``; 0 on a virtual clock). A window
is two snapshots; its length ``W`` is the time between their starts, and the share
of an mdev is its ``usage_us`` delta divided by ``W``. Tolerances come from
:mod:`conformance.oracle.tolerance` with the skew actually measured; the run's
precision (``quick`` or ``certify``) sets ``W``, and at ``certify`` a window is
long enough for the pair claims of the mdevs it measures.

The expected shares assume that the window's mdevs are the only ones working on
their parents. A meter also watches ``usage_us`` of the bystanders (mdevs on those
parents that the suite did not create), read just outside the timed reads so they
add no skew; when one of them worked during a window, the window proves nothing
about the driver and :class:`BystanderLoad` (an environment error) names it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from conformance.oracle.formats import COUNTERS, loose_integers
from conformance.oracle.shares import Member, weighted_pairs
from conformance.oracle.tolerance import QUICK, Precision, Tolerance
from conformance.sysfs import paths


class Reader(Protocol):
    """What a snapshot reads counters through (a Target)."""
    def read(self, path: str) -> bytes: ...

    def exists(self, path: str) -> bool: ...


class Clock(Protocol):
    """The workload's clock: now, and (virtual time only) letting time pass."""
    def now_us(self) -> int: ...

    def elapse(self, us: int) -> None: ...


def counter_path(uuid: str, counter: str) -> str:
    """Path of one counter of an mdev."""
    return paths.qos(uuid, counter)


def read_counter(target: Reader, uuid: str, counter: str) -> int:
    """One counter's value, read leniently.

    The read format is judged by its own requirements (QOS-FMT-*), so a measurement
    only needs one non-negative integer. Anything else is the driver's failure
    (AssertionError).
    """
    raw = target.read(counter_path(uuid, counter))
    values = loose_integers(raw)
    if len(values) != 1 or values[0] < 0:
        raise AssertionError(f"{counter} of mdev {uuid} reads {raw!r}, not one counter value")
    return values[0]


class BystanderLoad(RuntimeError):
    """An mdev the suite did not create worked during a window: an environment error."""


@dataclass(frozen=True)
class Snapshot:
    """Counter values of some mdevs, read starting at ``at_us`` within ``skew_us``.

    ``watched``: usage_us of the bystanders, read next to (not within) the timed reads.
    """

    at_us: int
    skew_us: int
    values: dict[tuple[str, str], int]
    watched: dict[str, int] = field(default_factory=dict)

    def get(self, uuid: str, counter: str) -> int | None:
        return self.values.get((uuid, counter))


def bystander_usage(target: Reader, uuids: Iterable[str]) -> dict[str, int]:
    """usage_us of each bystander that has a readable one (others cannot be watched)."""
    found = {}
    for uuid in uuids:
        try:
            found[uuid] = read_counter(target, uuid, "usage_us")
        except (OSError, AssertionError):
            continue  # gone, no qos/, or unreadable: not this window's business
    return found


def busy_bystanders(start: Snapshot, end: Snapshot) -> dict[str, int]:
    """Bystanders whose usage_us grew between two snapshots, with how much."""
    return {
        uuid: end.watched[uuid] - before
        for uuid, before in start.watched.items()
        if uuid in end.watched and end.watched[uuid] > before
    }


def take_snapshot(
    target: Reader,
    now_us: Callable[[], int],
    present: dict[str, tuple[str, ...]],
) -> Snapshot:
    """Read every counter named in ``present`` (uuid → counters it has), timing the reads."""
    start = now_us()
    values = {
        (uuid, counter): read_counter(target, uuid, counter)
        for uuid, counters in present.items()
        for counter in counters
    }
    return Snapshot(start, max(0, now_us() - start), values)


@dataclass(frozen=True)
class Window:
    """Two snapshots; ``live`` when the window started at a knob write."""

    start: Snapshot
    end: Snapshot
    q: int
    live: bool = False
    cap_period: int = 0  # cap_period_us of the mdevs measured (0: none stated)

    @property
    def length(self) -> int:
        return self.end.at_us - self.start.at_us

    @property
    def skew(self) -> int:
        return max(self.start.skew_us, self.end.skew_us)

    @property
    def tolerance(self) -> Tolerance:
        return Tolerance(self.q, self.skew, cap_period=self.cap_period)

    def delta(self, uuid: str, counter: str) -> int | None:
        """How much a counter grew over the window (None when the mdev lacks it)."""
        before, after = self.start.get(uuid, counter), self.end.get(uuid, counter)
        if before is None or after is None:
            return None
        return after - before

    def share(self, uuid: str) -> float:
        """usage_us delta / W."""
        usage = self.delta(uuid, "usage_us")
        if usage is None:
            raise AssertionError(f"mdev {uuid} has no usage_us (required, QOS-LAY-002)")
        return usage / self.length

    @property
    def share_tolerance(self) -> float:
        """δ, or δ_live when the window started at a knob write."""
        tol = self.tolerance
        return tol.live_share(self.length) if self.live else tol.share(self.length)

    @property
    def interference(self) -> float:
        return self.tolerance.interference(self.length)


@dataclass
class Meter:
    """Measures windows over a fixed set of mdevs with one clock."""

    target: Reader
    clock: Clock
    mdevs: Sequence[str]
    q: int
    precision: Precision = QUICK
    present: dict[str, tuple[str, ...]] = field(default_factory=dict)
    bystanders: Sequence[str] = ()  # mdevs on the same parents the suite did not create
    observe: Callable[[int, int], None] | None = None  # told (q, W) of each window measured
    cap_period: int = 0  # the largest cap_period_us of the mdevs (0: none stated)

    def __post_init__(self) -> None:
        if not self.present:
            self.present = {
                uuid: tuple(c for c in COUNTERS if self.target.exists(counter_path(uuid, c)))
                for uuid in self.mdevs
            }

    def forget(self, uuid: str) -> None:
        """Stop reading an mdev that the scenario removed for good."""
        self.mdevs = [one for one in self.mdevs if one != uuid]
        self.present.pop(uuid, None)

    def snapshot(self) -> Snapshot:
        """A snapshot that can start a window: bystanders read just before it."""
        watched = bystander_usage(self.target, self.bystanders)
        snap = take_snapshot(self.target, self.clock.now_us, self.present)
        return replace(snap, watched=watched)

    def closing_snapshot(self) -> Snapshot:
        """A snapshot that ends a window: bystanders read just after it."""
        snap = take_snapshot(self.target, self.clock.now_us, self.present)
        return replace(snap, watched=bystander_usage(self.target, self.bystanders))

    def window_length(self, groups: Sequence[Sequence[Member]] = (),
                      skew: int | None = None) -> int:
        """W from the formula, with ``skew`` (else a trial snapshot's) as the estimate.

        ``groups``: the backlogged mdevs of each parent, so that a certifying window
        is long enough for every pair whose shares follow their weights.
        """
        if skew is None:
            skew = take_snapshot(self.target, self.clock.now_us, self.present).skew_us
        pairs = [
            (float(p.light_share), float(p.heavy_share), float(p.ratio))
            for members in groups
            for p in weighted_pairs(members)
        ]
        return self.precision.window(Tolerance(self.q, skew, cap_period=self.cap_period), pairs)

    def settle(self) -> None:
        """Wait S = 2q after a load change so the window sees the steady state."""
        self.clock.elapse(Tolerance(self.q, cap_period=self.cap_period).settle)

    def measure(
        self,
        start: Snapshot | None = None,
        *,
        settle: bool = True,
        announce: Callable[[int], None] | None = None,
        groups: Sequence[Sequence[Member]] = (),
        least_us: int = 0,
    ) -> Window:
        """One window of length W; ``start`` given: it began at a knob write (live).

        ``announce`` is told W before the window runs (progress for long windows);
        ``groups`` as for :meth:`window_length`; ``least_us``: a window at least
        that long (a longer window only narrows the tolerance). The skew of the snapshot that
        starts the window is the estimate W is sized with (the tolerances use the
        skews both snapshots really had), so no trial snapshot is read.
        """
        live = start is not None
        if start is None:
            if settle:
                self.settle()
            start = self.snapshot()
        length = max(least_us, self.window_length(groups, skew=start.skew_us))
        if announce is not None:
            announce(length)
        remaining = length - (self.clock.now_us() - start.at_us)
        if remaining > 0:
            self.clock.elapse(remaining)
        return self._close(start, live)

    def measure_traced(
        self, every_us: int, *, groups: Sequence[Sequence[Member]] = ()
    ) -> tuple[Window, list[Snapshot]]:
        """One window (after settling), also read every ``every_us`` in between.

        Returns the window and every read of it, its ends included, in order: the
        spans between any two of them are windows of other lengths.
        """
        length = self.window_length(groups)
        self.settle()
        start = self.snapshot()
        reads = [start]
        while length - (self.clock.now_us() - start.at_us) > every_us:
            self.clock.elapse(every_us)
            reads.append(take_snapshot(self.target, self.clock.now_us, self.present))
        remaining = length - (self.clock.now_us() - start.at_us)
        if remaining > 0:
            self.clock.elapse(remaining)
        window = self._close(start, live=False)
        return window, [*reads, window.end]

    def _close(self, start: Snapshot, live: bool) -> Window:
        """End the window begun at ``start``; BystanderLoad if another mdev worked."""
        window = Window(start, self.closing_snapshot(), self.q, live=live,
                        cap_period=self.cap_period)
        if self.observe is not None:
            self.observe(self.q, window.length)
        busy = busy_bystanders(window.start, window.end)
        if busy:
            raise BystanderLoad(
                "mdevs the suite did not create worked during the measurement window "
                f"({window.length} µs), so the measured shares prove nothing about the "
                "driver: " + ", ".join(f"{uuid} (usage_us +{used})" for uuid, used in busy.items())
                + "; idle them or test on a parent without other work"
            )
        return window


def monotonic_violations(snapshots: Iterable[Snapshot]) -> list[str]:
    """Every counter that went down between consecutive snapshots, described."""
    problems = []
    previous: Snapshot | None = None
    for snap in snapshots:
        if previous is not None:
            for key, value in snap.values.items():
                before = previous.values.get(key)
                if before is not None and value < before:
                    uuid, counter = key
                    problems.append(f"{counter} of {uuid} went from {before} to {value}")
        previous = snap
    return problems


def spans(reads: Sequence[Snapshot], uuid: str, counters: Sequence[str]
          ) -> Iterator[tuple[Snapshot, Snapshot, tuple[int, ...]]]:
    """Every span between two traced reads, each a window of its own.

    Yields (first read, last read, the deltas of ``counters`` of ``uuid``), as
    spec/measurement.rst ("Spans of a window") checks them; a span whose reads
    lack one of the counters is left out.
    """
    def values(read: Snapshot) -> tuple[int, ...] | None:
        found = tuple(v for name in counters if (v := read.get(uuid, name)) is not None)
        return found if len(found) == len(counters) else None

    for i, first in enumerate(reads):
        before = values(first)
        if before is None:
            continue
        for last in reads[i + 1:]:
            after = values(last)
            if after is None or last.at_us <= first.at_us:
                continue
            yield first, last, tuple(a - b for a, b in zip(after, before, strict=True))
