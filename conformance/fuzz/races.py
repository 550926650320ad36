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
  ``available_instances`` is back where it was.

"Errors instead of crashes": an exception that is not an ``OSError`` (for an
in-process target: a bug in the driver model) is recorded as a crash; an
``OSError`` whose errno the race does not allow is recorded as unexpected.
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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from conformance.sysfs import paths
from conformance.sysfs.target import Target

COUNTERS = ("usage_us", "throttled_us", "wait_us", "nr_slices")
GONE = frozenset({errno.ENOENT, errno.ENODEV})
_DECIMAL = re.compile(rb"(0|[1-9][0-9]*)\n")
JOIN_TIMEOUT_S = 60.0
SWITCH_INTERVAL_S = 1e-5
HOLD_S = 0.0005  # how long the lifecycle race leaves the mdev present, then absent


@dataclass
class RaceReport:
    """What one race observed; :attr:`problems` is empty when nothing went wrong."""

    name: str
    operations: int = 0
    succeeded: int = 0
    errnos: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    final: bytes = b""

    def add_problem(self, text: str) -> None:
        if len(self.problems) < 50:
            self.problems.append(text)

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "operations": self.operations,
            "succeeded": self.succeeded,
            "errnos": dict(self.errnos),
            "problems": list(self.problems),
            "final": self.final.decode(errors="replace"),
        }


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

    def problem(self, text: str) -> None:
        with self.lock:
            self.report.add_problem(text)


def _run_threads(workers: Sequence[Callable[[], None]], ledger: _Ledger) -> None:
    """Start every worker at once (a barrier), wait for all, record escaped exceptions."""
    barrier = threading.Barrier(len(workers))

    def wrap(work: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                barrier.wait()
                work()
            except Exception as exc:  # noqa: BLE001 - a crash is a finding
                ledger.problem(f"crash: {type(exc).__name__}: {exc}")

        return run

    threads = [threading.Thread(target=wrap(w), daemon=True) for w in workers]
    switch = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL_S)  # interleave threads finely, even in-process
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(JOIN_TIMEOUT_S)
            if thread.is_alive():
                ledger.problem(f"a race thread did not finish within {JOIN_TIMEOUT_S:g} s (hang)")
    finally:
        sys.setswitchinterval(switch)


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
    seed: int = 0,
) -> RaceReport:
    """Writers write ``values`` to ``path`` while readers read it; see module doc."""
    report = RaceReport(f"{knob}: {writers} writers, {readers} readers, {rounds} rounds")
    ledger = _Ledger(report)
    original = target.read(path)
    levels = _levels(original) if knob == "priority" else []
    allowed = {original} | {canonical(knob, v, levels) for v in values}
    succeeded: set[bytes] = set()

    def writer(index: int) -> Callable[[], None]:
        rng = random.Random(seed * 1000 + index)

        def work() -> None:
            for _ in range(rounds):
                value = rng.choice(values)
                try:
                    count = target.write(path, value)
                except OSError as exc:
                    ledger.errno(exc.errno)
                    ledger.problem(f"write {value!r} failed with {exc} (a valid value)")
                    continue
                finally:
                    ledger.count()
                if count != len(value):
                    ledger.problem(f"write {value!r} returned {count}, not {len(value)}")
                ledger.success()
                with ledger.lock:
                    succeeded.add(canonical(knob, value, levels))

        return work

    def reader() -> None:
        for _ in range(rounds):
            try:
                seen = target.read(path)
                ledger.success()
            except OSError as exc:
                ledger.errno(exc.errno)
                ledger.problem(f"read failed with {exc}")
                continue
            finally:
                ledger.count()
            if seen not in allowed:
                ledger.problem(f"torn or foreign read {seen!r}")

    _run_threads([writer(i) for i in range(writers)] + [reader] * readers, ledger)
    report.final = target.read(path)
    if report.final not in (succeeded or {original}):
        report.add_problem(f"final value {report.final!r} is not one that was written")
    return report


def race_counters(
    target: Target,
    uuid: str,
    tick: Callable[[], None],
    *,
    readers: int = 3,
    rounds: int = 200,
) -> RaceReport:
    """Readers read the counters of ``uuid`` while ``tick`` (called ``rounds`` times) runs."""
    names = [n for n in COUNTERS if target.exists(paths.qos(uuid, n))]
    report = RaceReport(f"counters {', '.join(names)}: {readers} readers, {rounds} ticks")
    ledger = _Ledger(report)

    def clock() -> None:
        for _ in range(rounds):
            tick()
            ledger.count()

    def reader() -> None:
        last: dict[str, int] = {}
        for _ in range(rounds):
            for name in names:
                try:
                    raw = target.read(paths.qos(uuid, name))
                    ledger.success()
                except OSError as exc:
                    ledger.errno(exc.errno)
                    ledger.problem(f"read {name} failed with {exc}")
                    continue
                finally:
                    ledger.count()
                if not _DECIMAL.fullmatch(raw):
                    ledger.problem(f"{name} read {raw!r}: not one decimal value")
                    continue
                value = int(raw)
                if value < last.get(name, 0):
                    ledger.problem(f"{name} went backwards: {last[name]} then {value}")
                last[name] = value

    _run_threads([clock] + [reader] * readers, ledger)
    return report


def _mdevs(target: Target) -> set[str]:
    return set(target.listdir(paths.DEVICES)) if target.exists(paths.DEVICES) else set()


def race_lifecycle(
    target: Target,
    type_dir: str,
    *,
    knob_values: dict[str, Sequence[bytes]],
    cycles: int = 50,
    writers: int = 2,
    readers: int = 2,
    rounds: int = 200,
    seed: int = 0,
) -> RaceReport:
    """Create and remove one mdev ``cycles`` times while others use its knobs."""
    report = RaceReport(
        f"create/remove x{cycles} with {writers} writers and {readers} readers"
    )
    ledger = _Ledger(report)
    before = _mdevs(target)
    available = target.read(f"{type_dir}/available_instances")
    uuid = str(uuidlib.uuid4())
    qos = paths.qos(uuid)
    knobs = sorted(knob_values)

    finished = threading.Event()

    def lifecycle() -> None:
        try:
            _cycle()
        finally:
            finished.set()

    def _cycle() -> None:
        for _ in range(cycles):
            for op, path, data in (
                ("create", f"{type_dir}/create", uuid.encode()),
                ("remove", paths.remove_file(uuid), b"1"),
            ):
                try:
                    target.write(path, data)
                    ledger.success()
                except OSError as exc:
                    ledger.errno(exc.errno)
                    ledger.problem(f"{op} failed with {exc}")
                finally:
                    ledger.count()
                time.sleep(HOLD_S)  # let the others see the device both present and gone

    def writer(index: int) -> Callable[[], None]:
        rng = random.Random(seed * 1000 + index)

        def work() -> None:
            # at least `rounds`, and on until the lifecycle ends, so that the
            # writers see the device both present and gone however threads run
            done = 0
            while done < rounds or not finished.is_set():
                done += 1
                knob = rng.choice(knobs)
                value = rng.choice(knob_values[knob])
                try:
                    count = target.write(f"{qos}/{knob}", value)
                    ledger.success()
                    if count != len(value):
                        ledger.problem(f"write {value!r} to {knob} returned {count}")
                except OSError as exc:
                    ledger.errno(exc.errno)
                    if exc.errno not in GONE:
                        ledger.problem(f"write {value!r} to {knob} failed with {exc}")
                finally:
                    ledger.count()

        return work

    def reader() -> None:
        done = 0
        while done < rounds or not finished.is_set():
            done += 1
            for knob in knobs:
                try:
                    raw = target.read(f"{qos}/{knob}")
                    ledger.success()
                except OSError as exc:
                    ledger.errno(exc.errno)
                    if exc.errno not in GONE:
                        ledger.problem(f"read {knob} failed with {exc}")
                    continue
                finally:
                    ledger.count()
                if not raw.endswith(b"\n") or raw.count(b"\n") != 1:
                    ledger.problem(f"{knob} read {raw!r}: not one complete value")

    workers = [lifecycle] + [writer(i) for i in range(writers)] + [reader] * readers
    _run_threads(workers, ledger)
    left = _mdevs(target) - before
    if left:
        report.add_problem(f"mdevs left behind: {sorted(left)}")
    available_after = target.read(f"{type_dir}/available_instances")
    if available_after != available:
        report.add_problem(
            f"available_instances was {available!r}, is {available_after!r} after the race"
        )
    report.final = available_after
    return report
