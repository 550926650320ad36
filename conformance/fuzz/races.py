"""Bounded races against any Target: concurrent writers and readers, create/remove.

Three races, each bounded by a number of rounds (never by luck or wall time):

- :func:`race_knob`: writers write values to one knob while readers read it.
  Every write returns its full count or an errno; every read is a complete
  value (the old one or one that was written); the final value is one that was
  written successfully.
- :func:`race_counters`: readers read an mdev's counters while a driver thread
  makes time pass; no counter ever goes backwards and every read is a decimal.
- :func:`race_lifecycle`: one thread creates and removes an mdev over and over
  while writers and readers use its knobs. Operations on a device that is gone
  fail with ``ENOENT``/``ENODEV``; afterwards no mdev of the race is left and
  ``available_instances`` is back where it was. Every writer and reader uses
  the mdev in each state it is left in, present and gone (:class:`_Turns`).

"Errors instead of crashes": an exception that is not an ``OSError`` (for an
in-process target: a bug in the driver model) is recorded as a crash; an
``OSError`` whose errno the race does not allow is recorded as unexpected.

This is the suite's one race checker: the concurrency scenarios, the guest
checks of ``kmod/`` and the reliability figures all run these races.
"""

from __future__ import annotations

import errno
import random
import re
import sys
import threading
import time
import uuid as uuidlib
from collections import Counter
from collections.abc import Callable, Container, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TypeVar

from conformance.oracle.formats import COUNTERS, FormatError, knob_value
from conformance.suite.mdev import Mdev
from conformance.sysfs.target import Target

Write = Callable[[str, bytes], int]
GONE = frozenset({errno.ENOENT, errno.ENODEV})
_DECIMAL = re.compile(rb"(0|[1-9][0-9]*)\n")
JOIN_TIMEOUT_S = 60.0
SWITCH_INTERVAL_S = 1e-5
ACCESSES_PER_STATE = 8  # a lifecycle race thread's accesses to one state of the mdev, at most
HOLD_TIMEOUT_S = 10.0  # the longest a lifecycle race thread waits for the others


@dataclass
class RaceReport:
    """What one race observed; :attr:`problems` is empty when nothing went wrong."""

    name: str
    operations: int = 0
    succeeded: int = 0
    errnos: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    final: bytes = b""
    original: bytes = b""  # what the file read before the race
    reads: int = 0  # reads that returned a value
    written: set[bytes] = field(default_factory=set)  # reads that follow accepted writes
    allowed: set[bytes] = field(default_factory=set)  # every read a reader may see
    partial: list[str] = field(default_factory=list)  # writes that returned a short count
    torn: list[str] = field(default_factory=list)  # reads neither old nor written
    crashes: list[str] = field(default_factory=list)  # exceptions and hangs (not the driver's)
    leaks: list[str] = field(default_factory=list)  # mdevs or instances not given back

    def add_problem(self, text: str) -> None:
        """Keep one problem (the first 50)."""
        if len(self.problems) < 50:
            self.problems.append(text)

    def to_json(self) -> dict[str, object]:
        """The report as the reliability figures print it."""
        return {
            "name": self.name,
            "operations": self.operations,
            "succeeded": self.succeeded,
            "errnos": dict(self.errnos),
            "problems": list(self.problems),
            "final": self.final.decode(errors="replace"),
        }


T = TypeVar("T")


class _Ledger:
    """Thread-safe counting for a race."""

    def __init__(self, report: RaceReport) -> None:
        self.report = report
        self.lock = threading.Lock()

    def count(self, n: int = 1) -> None:
        with self.lock:
            self.report.operations += n

    def success(self) -> None:
        with self.lock:
            self.report.succeeded += 1

    def errno(self, code: int | None) -> None:
        with self.lock:
            self.report.errnos[errno.errorcode.get(code or 0, str(code))] += 1

    def problem(self, text: str, kind: list[str] | None = None) -> None:
        with self.lock:
            self.report.add_problem(text)
            if kind is not None and len(kind) < 50:
                kind.append(text)

    def read(self) -> None:
        with self.lock:
            self.report.reads += 1

    def attempt(
        self, action: Callable[[], T], failure: str, *, read: bool = False,
        quiet: Container[int | None] = (),
    ) -> T | None:
        """One counted operation: its result, or None after an OSError.

        The error is counted by errno and is a problem (``failure`` failed with …)
        unless its errno is ``quiet`` (e.g. the device is gone, as the race intends).
        """
        try:
            value = action()
        except OSError as exc:
            self.errno(exc.errno)
            if exc.errno not in quiet:
                self.problem(f"{failure} failed with {exc}")
            return None
        finally:
            self.count()
        self.success()
        if read:
            self.read()
        return value


def _run_threads(
    workers: Sequence[Callable[[], None]], ledger: _Ledger, switch_interval_s: float | None
) -> None:
    """Start every worker at once (a barrier), wait for all, record escaped exceptions.

    ``switch_interval_s`` lowers the interpreter's switch interval meanwhile (None:
    leave it), so that even in-process threads interleave finely; under emulation
    (the guest of kmod/) every switch is costly, and syscalls interleave anyway.
    """
    barrier = threading.Barrier(len(workers))

    def wrap(work: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                barrier.wait()
                work()
            except Exception as exc:  # noqa: BLE001 - a crash is a finding
                ledger.problem(f"crash: {type(exc).__name__}: {exc}", ledger.report.crashes)

        return run

    threads = [threading.Thread(target=wrap(w), daemon=True) for w in workers]
    switch = sys.getswitchinterval()
    sys.setswitchinterval(switch_interval_s or switch)
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(JOIN_TIMEOUT_S)
            if thread.is_alive():
                ledger.problem(
                    f"a race thread did not finish within {JOIN_TIMEOUT_S:g} s (hang)",
                    ledger.report.crashes,
                )
    finally:
        sys.setswitchinterval(switch)


VALID_VALUES = {"cap": (b"10", b"55", b"100"), "weight": (b"1", b"777", b"10000")}


def writable_knob_values(mdev: Mdev) -> dict[str, list[bytes]]:
    """Valid values for each knob of ``mdev`` its type does not fix (a lifecycle race's)."""
    values: dict[str, list[bytes]] = {}
    for knob in mdev.knobs_present():
        if mdev.is_fixed(knob):
            continue
        if knob == "priority":
            values[knob] = [level.encode() for level in mdev.levels()]
        else:
            values[knob] = list(VALID_VALUES[knob])
    return values


def canonical(knob: str, value: bytes, levels: Sequence[str]) -> bytes:
    """The read that follows an accepted write of ``value``."""
    if knob == "priority":
        name = value.decode().strip()
        return (" ".join(f"[{lv}]" if lv == name else lv for lv in levels) + "\n").encode()
    return b"%d\n" % int(value)


def _levels(raw: bytes) -> list[str]:
    return [word.strip("[]") for word in raw.decode().split()]


def race_knob(
    target: Target,
    path: str,
    knob: str,
    values: Sequence[bytes],
    *,
    writers: int = 4,
    readers: int = 2,
    rounds: int = 200,
    read_rounds: int | None = None,
    seed: int = 0,
    write: Write | None = None,
    errno_is_problem: bool = True,
    one_value_per_writer: bool = False,
    readers_follow_writers: bool = False,
    switch_interval_s: float | None = SWITCH_INTERVAL_S,
    reads_as: Mapping[bytes, bytes] | None = None,
) -> RaceReport:
    """Writers write ``values`` to ``path`` while readers read it; see module doc.

    Each writer writes ``rounds`` times, each reader reads ``read_rounds`` times
    (default ``rounds``), or with ``readers_follow_writers`` until the last writer
    is done (at least once, at most ``read_rounds`` times). ``write`` replaces
    ``target.write`` (the suite passes its resource registry's). With
    ``errno_is_problem=False`` a refused valid write is only counted: the spec
    allows a write to fail with an errno. With
    ``one_value_per_writer`` writer ``i`` always writes ``values[i % len(values)]``
    (the values that can be read are then only those some writer writes).
    ``reads_as`` maps a written value to what the knob reads after it was written
    alone, for a device that rounds (default: the value's canonical form).
    """
    report = RaceReport(f"{knob}: {writers} writers, {readers} readers, {rounds} rounds")
    ledger = _Ledger(report)
    original = target.read(path)
    levels = _levels(original) if knob == "priority" else []
    if one_value_per_writer:
        values = [values[i % len(values)] for i in range(min(writers, len(values)))]
    shown = dict(reads_as or {})

    def read_after(value: bytes) -> bytes:
        return shown.get(value) or canonical(knob, value, levels)

    allowed = {original} | {read_after(v) for v in values}
    report.allowed = allowed
    report.original = original
    succeeded = report.written
    do_write: Write = write or (lambda p, d: target.write(p, d))

    writing = [writers]  # writers still at work, under ledger.lock

    def writer(index: int) -> Callable[[], None]:
        rng = random.Random(seed * 1000 + index)

        def work() -> None:
            try:
                write_rounds()
            finally:
                with ledger.lock:
                    writing[0] -= 1

        def write_rounds() -> None:
            for _ in range(rounds):
                value = values[index % len(values)] if one_value_per_writer else rng.choice(values)
                try:
                    count = do_write(path, value)
                except OSError as exc:
                    ledger.errno(exc.errno)
                    if errno_is_problem:
                        ledger.problem(f"write {value!r} failed with {exc} (a valid value)")
                    continue
                finally:
                    ledger.count()
                if count != len(value):
                    ledger.problem(
                        f"write {value!r} returned {count}, not {len(value)}", report.partial
                    )
                ledger.success()
                with ledger.lock:
                    succeeded.add(read_after(value))

        return work

    def reader() -> None:
        for done in range(rounds if read_rounds is None else read_rounds):
            if done and readers_follow_writers and not writing[0]:
                break
            seen = ledger.attempt(lambda: target.read(path), "read", read=True)
            if seen is not None and seen not in allowed:
                ledger.problem(f"torn or foreign read {seen!r}", report.torn)

    _run_threads(
        [writer(i) for i in range(writers)] + [reader] * readers, ledger, switch_interval_s
    )
    report.final = target.read(path)
    if report.final not in (succeeded or {original}):
        report.add_problem(f"final value {report.final!r} is not one that was written")
    return report


def race_counters(
    target: Target,
    uuid: str | Sequence[str],
    tick: Callable[[], None],
    *,
    readers: int = 3,
    rounds: int = 200,
    until_clock_stops: bool = False,
    switch_interval_s: float | None = SWITCH_INTERVAL_S,
) -> RaceReport:
    """Readers read the counters of ``uuid`` while ``tick`` (called ``rounds`` times) runs.

    ``uuid`` may name several mdevs. Each reader makes ``rounds`` passes over every
    counter, and with ``until_clock_stops`` goes on until the last tick returned.
    """
    mdevs = [Mdev(target, u, "") for u in ([uuid] if isinstance(uuid, str) else uuid)]
    files = [(m, n) for m in mdevs for n in COUNTERS if m.has(n)]
    names = list(dict.fromkeys(n for _, n in files))
    report = RaceReport(f"counters {', '.join(names)}: {readers} readers, {rounds} ticks")
    ledger = _Ledger(report)
    ticking = threading.Event()
    ticking.set()

    def clock() -> None:
        try:
            for _ in range(rounds):
                tick()
                ledger.count()
        finally:
            ticking.clear()

    def reader() -> None:
        last: dict[tuple[str, str], int] = {}
        done = 0
        while done < rounds or (until_clock_stops and ticking.is_set()):
            done += 1
            for mdev, name in files:
                who = name if len(mdevs) == 1 else f"{name} of {mdev.uuid}"
                raw = ledger.attempt(partial(mdev.raw, name), f"read {who}", read=True)
                if raw is None:
                    continue
                if not _DECIMAL.fullmatch(raw):
                    ledger.problem(f"{who} read {raw!r}: not one decimal value")
                    continue
                value = int(raw)
                key = (mdev.uuid, name)
                if value < last.get(key, 0):
                    ledger.problem(f"{who} went backwards: {last[key]} then {value}")
                last[key] = value

    _run_threads([clock] + [reader] * readers, ledger, switch_interval_s)
    return report


class _Turns:
    """Keeps the lifecycle race's threads on the states the mdev is left in.

    After each create or remove, the lifecycle thread waits until every worker
    still running has used the mdev at least once in its new state; a worker uses
    one state at most ``per_state`` times, then waits for the next. So every
    worker sees the device both present and gone whatever the scheduler does, and
    none spins through thousands of accesses while the lifecycle thread waits for
    the CPU. Each wait is bounded by ``timeout_s``: a worker that misses its turn
    (it hangs in the driver; the join timeout reports it) is not waited for again.
    """

    def __init__(self, workers: int, per_state: int, timeout_s: float) -> None:
        lock = threading.Lock()
        self._seen = threading.Condition(lock)  # the lifecycle thread waits on it
        self._changed = threading.Condition(lock)  # the workers wait on it
        self._state = 0
        self._uses = [0] * workers
        self._running = set(range(workers))
        self._over = False
        self.per_state = per_state
        self.timeout_s = timeout_s

    def used(self, worker: int) -> None:
        """``worker`` used the mdev once; after ``per_state`` uses, wait for a new state."""
        with self._seen:
            self._uses[worker] += 1
            if self._uses[worker] == 1:
                self._seen.notify()
            if self._uses[worker] < self.per_state:
                return
            state = self._state
            deadline = time.monotonic() + self.timeout_s
            while self._state == state and not self._over:
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                self._changed.wait(left)

    def changed(self) -> None:
        """The lifecycle thread changed the mdev: wait until every worker has used it."""
        with self._seen:
            self._state += 1
            self._uses = [0] * len(self._uses)
            self._changed.notify_all()
            deadline = time.monotonic() + self.timeout_s
            while any(self._uses[w] == 0 for w in self._running):
                left = deadline - time.monotonic()
                if left <= 0:
                    self._running -= {w for w in self._running if self._uses[w] == 0}
                    return
                self._seen.wait(left)

    def left(self, worker: int) -> None:
        """``worker`` stopped (it finished or crashed): nobody waits for it."""
        with self._seen:
            self._running.discard(worker)
            self._seen.notify()

    def over(self) -> None:
        """The lifecycle thread is done: no worker waits for another state."""
        with self._seen:
            self._over = True
            self._changed.notify_all()


def race_lifecycle(
    target: Target,
    type_dir: str,
    *,
    knob_values: Mapping[str, Sequence[bytes]],
    cycles: int = 50,
    writers: int = 2,
    readers: int = 2,
    rounds: int = 200,
    seed: int = 0,
    uuid: str | None = None,
    switch_interval_s: float | None = SWITCH_INTERVAL_S,
) -> RaceReport:
    """Create and remove one mdev ``cycles`` times while others use its knobs.

    ``uuid`` is the mdev's (a new one by default); the suite passes one its
    resource registry journaled, so that a killed run still removes it.
    """
    report = RaceReport(
        f"create/remove x{cycles} with {writers} writers and {readers} readers"
    )
    ledger = _Ledger(report)
    available = target.read(f"{type_dir}/available_instances")
    mdev = Mdev(target, uuid or str(uuidlib.uuid4()), "")
    knobs = sorted(knob_values)

    finished = threading.Event()
    turns = _Turns(writers + readers, ACCESSES_PER_STATE, HOLD_TIMEOUT_S)

    def lifecycle() -> None:
        try:
            _cycle()
        finally:
            finished.set()
            turns.over()

    def _cycle() -> None:
        for _ in range(cycles):
            for op, path, data in (
                ("create", f"{type_dir}/create", mdev.uuid.encode()),
                ("remove", mdev.remove_path, b"1"),
            ):
                ledger.attempt(partial(target.write, path, data), op)
                turns.changed()  # every other thread sees the device present, then gone

    def taking_turns(index: int, use: Callable[[], None]) -> Callable[[], None]:
        def work() -> None:
            # at least `rounds`, and on until the lifecycle ends
            try:
                done = 0
                while done < rounds or not finished.is_set():
                    done += 1
                    use()
                    turns.used(index)
            finally:
                turns.left(index)

        return work

    def writer(index: int) -> Callable[[], None]:
        rng = random.Random(seed * 1000 + index)

        def write() -> None:
            knob = rng.choice(knobs)
            value = rng.choice(knob_values[knob])
            count = ledger.attempt(partial(target.write, mdev.path(knob), value),
                                   f"write {value!r} to {knob}", quiet=GONE)
            if count is not None and count != len(value):
                ledger.problem(f"write {value!r} to {knob} returned {count}")

        return taking_turns(index, write)

    def read() -> None:
        for knob in knobs:
            raw = ledger.attempt(partial(mdev.raw, knob), f"read {knob}", read=True,
                                 quiet=GONE)
            if raw is None:
                continue
            try:
                knob_value(knob, raw)
            except FormatError as exc:
                ledger.problem(
                    f"{knob} read {raw!r}: not one complete value ({exc})", report.torn
                )

    workers = [lifecycle] + [writer(i) for i in range(writers)]
    workers += [taking_turns(writers + i, read) for i in range(readers)]
    _run_threads(workers, ledger, switch_interval_s)
    if mdev.exists():
        report.leaks.append(f"mdevs left behind: {[mdev.uuid]}")
    available_after = target.read(f"{type_dir}/available_instances")
    if available_after != available:
        report.leaks.append(
            f"available_instances was {available!r}, is {available_after!r} after the race"
        )
    for leak in report.leaks:
        report.add_problem(leak)
    report.final = available_after
    return report
