"""Steps with concurrent writers and readers, bounded in thread count and time."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from pytest_bdd import parsers, then, when

from conformance.oracle import formats
from conformance.steps.load import meter
from conformance.steps.scene import Scene, Written, counters_in, qos_entries, read_raw
from conformance.suite.measure import Window

MAX_THREADS = 8
WRITES_PER_THREAD = 25
READS_PER_THREAD = 20000
JOIN_TIMEOUT_S = 20.0
CHUNKS_PER_WINDOW = 16
KNOB = r"(?P<knob>cap|weight|priority)"


def _subject(scene: Scene) -> str:
    if scene.subject is None:
        raise LookupError("the scenario has no subject mdev")
    return scene.subject


def _run_all(ctx: Any, threads: list[threading.Thread], barrier: threading.Barrier) -> None:
    for thread in threads:
        thread.start()
    _join(ctx, threads, barrier)


def _join(ctx: Any, threads: list[threading.Thread], barrier: threading.Barrier) -> None:
    for thread in threads:
        thread.join(JOIN_TIMEOUT_S)
    if any(t.is_alive() for t in threads):
        barrier.abort()
        ctx.error(f"concurrent threads did not finish within {JOIN_TIMEOUT_S} s")


def _guarded(body: Callable[[], None], crashes: list[str]) -> Callable[[], None]:
    """Run a thread body; an unexpected exception is kept for the main thread to report."""
    def run() -> None:
        try:
            body()
        except threading.BrokenBarrierError:
            return
        except Exception as exc:  # noqa: BLE001 - reported as a suite error below
            crashes.append(f"{threading.current_thread().name}: {exc!r}")
    return run


def _report_crashes(ctx: Any, crashes: list[str]) -> None:
    if crashes:
        ctx.error("a concurrent thread failed: " + "; ".join(crashes[:3]))


def _thread_count(ctx: Any, text: str) -> int:
    count = int(text)
    if not 1 <= count <= MAX_THREADS:
        ctx.error(f"{count} threads requested; the suite uses 1..{MAX_THREADS}")
    return count


def _writer(ctx: Any, scene: Scene, uuid: str, knob: str, value: bytes,
            barrier: threading.Barrier, results: list[Written], lock: threading.Lock,
            before: bytes) -> Callable[[], None]:
    def run() -> None:
        barrier.wait()
        for _ in range(WRITES_PER_THREAD):
            written = Written(uuid, knob, value, before)
            try:
                written.count = ctx.write_attr(uuid, knob, value)
            except OSError as exc:
                written.errno = exc.errno
            with lock:
                results.append(written)
    return run


def _start_writers(ctx: Any, scene: Scene, count: int, values: list[str], knob: str,
                   barrier: threading.Barrier, crashes: list[str]) -> list[threading.Thread]:
    uuid = _subject(scene)
    before = read_raw(ctx, uuid, knob)
    lock = threading.Lock()
    return [
        threading.Thread(
            target=_guarded(
                _writer(ctx, scene, uuid, knob, values[i % len(values)].encode(), barrier,
                        scene.writes, lock, before),
                crashes,
            ),
            name=f"writer-{i}", daemon=True,
        )
        for i in range(count)
    ]


@when(parsers.re(
    rf'(?P<count>\d+) threads write the values "(?P<values>[^"]+)" to its {KNOB} at the same time'
))
def _concurrent_writes(ctx: Any, scene: Scene, count: str, values: str, knob: str) -> None:
    writers = _thread_count(ctx, count)
    barrier = threading.Barrier(writers)
    crashes: list[str] = []
    threads = _start_writers(ctx, scene, writers, values.split(), knob, barrier, crashes)
    _run_all(ctx, threads, barrier)
    _report_crashes(ctx, crashes)


@when(parsers.re(
    rf'(?P<count>\d+) threads write the values "(?P<values>[^"]+)" to its {KNOB} '
    r"while (?P<readers>\d+) threads read it"
))
def _writes_and_reads(ctx: Any, scene: Scene, count: str, values: str, knob: str,
                      readers: str) -> None:
    uuid = _subject(scene)
    n_writers, n_readers = _thread_count(ctx, count), _thread_count(ctx, readers)
    barrier = threading.Barrier(n_writers + n_readers)
    crashes: list[str] = []
    writers = _start_writers(ctx, scene, n_writers, values.split(), knob, barrier, crashes)
    done = threading.Event()
    lock = threading.Lock()

    def read() -> None:
        barrier.wait()
        for _ in range(READS_PER_THREAD):
            raw = read_raw(ctx, uuid, knob)
            with lock:
                scene.reads.append((knob, raw))
            if done.is_set():
                break

    reader_threads = [
        threading.Thread(target=_guarded(read, crashes), name=f"reader-{i}", daemon=True)
        for i in range(n_readers)
    ]
    for thread in reader_threads:
        thread.start()
    _run_all(ctx, writers, barrier)
    done.set()
    _join(ctx, reader_threads, barrier)
    _report_crashes(ctx, crashes)


@then("every one of those writes returned the full count or an errno")
def _counts(ctx: Any, scene: Scene) -> None:
    partial = [w for w in scene.writes if w.succeeded and w.count != len(w.data)]
    ctx.evidence("concurrent writes", expected="full count or errno",
                 actual=f"{len(scene.writes)} writes, {len(partial)} partial")
    assert not partial, (
        f"{len(partial)} writes returned a partial count, e.g. {partial[0].count} "
        f"for {partial[0].data!r}"
    )


@then(parsers.re(rf"its {KNOB} reads one of the values that were written successfully"))
def _final_value(ctx: Any, scene: Scene, knob: str) -> None:
    uuid = _subject(scene)
    raw = read_raw(ctx, uuid, knob)
    try:
        final = formats.knob_value(knob, raw)
    except formats.FormatError as exc:
        raise AssertionError(f"{knob} reads {raw!r} after concurrent writes: {exc}") from None
    accepted = sorted({w.data.decode() for w in scene.writes if w.succeeded})
    if not accepted:
        accepted = [formats.knob_value(knob, scene.writes[0].before)]
    ctx.evidence(f"{knob} after concurrent writes", expected=accepted, actual=final)
    assert final in accepted, f"{knob} reads {final!r}; expected one of {accepted}"


@then("every read was a complete value: the old one or one of the written ones")
def _complete_reads(ctx: Any, scene: Scene) -> None:
    if not scene.reads:
        ctx.error("the readers read nothing")
    allowed = {formats.knob_value(w.name, w.before) for w in scene.writes[:1]}
    allowed |= {w.data.decode() for w in scene.writes if w.succeeded}
    bad = []
    for knob, raw in scene.reads:
        try:
            value = formats.knob_value(knob, raw)
        except formats.FormatError as exc:
            bad.append(f"{raw!r} ({exc})")
            continue
        if value not in allowed:
            bad.append(f"{raw!r} is neither the old value nor a written one")
    ctx.evidence("reads racing writers", expected=sorted(allowed),
                 actual=f"{len(scene.reads)} reads, {len(bad)} bad", note="; ".join(bad[:5]))
    assert not bad, f"{len(bad)} torn or foreign reads, e.g. " + "; ".join(bad[:5])


class _Passes:
    """How many full passes over the counters each reader has made."""

    def __init__(self, readers: int) -> None:
        self.counts = [0] * readers
        self.cond = threading.Condition()

    def done_one(self, reader: int) -> None:
        with self.cond:
            self.counts[reader] += 1
            self.cond.notify_all()

    def wait_for_all(self, at_least: int, timeout_s: float) -> bool:
        """Block until every reader made ``at_least`` passes; False on timeout."""
        with self.cond:
            return self.cond.wait_for(lambda: min(self.counts) >= at_least, timeout_s)


@when(parsers.re(r"(?P<count>\d+) threads read their counters while one measurement window passes"))
def _read_during_window(ctx: Any, scene: Scene, count: str) -> None:
    """Readers race each other on every counter while the window's time passes in
    chunks; each chunk waits for one more full pass of every reader, so reads and
    time interleave on a virtual clock as on a real one."""
    readers = _thread_count(ctx, count)
    m = meter(ctx, scene)
    files = [(u, c) for u in scene.names.values() for c in counters_in(qos_entries(ctx, u) or [])]
    done = threading.Event()
    passes = _Passes(readers)
    lock = threading.Lock()

    def reader(index: int) -> Callable[[], None]:
        def read() -> None:
            last: dict[tuple[str, str], int] = {}
            for _ in range(READS_PER_THREAD):
                for uuid, counter in files:
                    problem = _check_counter_read(ctx, scene, uuid, counter, last)
                    with lock:
                        scene.reads.append((counter, b""))
                        if problem:
                            scene.problems.append(problem)
                passes.done_one(index)
                if done.is_set():
                    break
        return read

    crashes: list[str] = []
    threads = [
        threading.Thread(target=_guarded(reader(i), crashes), name=f"counter-reader-{i}",
                         daemon=True)
        for i in range(readers)
    ]
    m.settle()
    start = m.snapshot()
    length = m.window_length()
    for thread in threads:
        thread.start()
    for chunk in range(1, CHUNKS_PER_WINDOW + 1):
        if not passes.wait_for_all(chunk, JOIN_TIMEOUT_S):
            done.set()
            ctx.error(f"counter readers stalled (no pass within {JOIN_TIMEOUT_S} s)")
        ctx.workload.elapse(length // CHUNKS_PER_WINDOW)
    end = m.snapshot()
    done.set()
    for thread in threads:
        thread.join(JOIN_TIMEOUT_S)
    if any(t.is_alive() for t in threads):
        ctx.error(f"counter readers did not finish within {JOIN_TIMEOUT_S} s")
    _report_crashes(ctx, crashes)
    scene.windows.append(Window(start, end, m.q))
    scene.snapshots += [start, end]


def _check_counter_read(ctx: Any, scene: Scene, uuid: str, counter: str,
                        last: dict[tuple[str, str], int]) -> str:
    """Read one counter; the problem with it (malformed, backwards) or ""."""
    raw = ctx.target.read(ctx.qos(uuid, counter))
    who = f"{counter} of {scene.name_of(uuid)}"
    try:
        value = formats.unsigned(raw)
    except formats.FormatError as exc:
        return f"{who} read {raw!r}: {exc}"
    previous = last.get((uuid, counter), 0)
    last[(uuid, counter)] = value
    return f"{who} went from {previous} to {value}" if value < previous else ""


@then("every counter read was well-formed and none went backwards")
def _counter_reads(ctx: Any, scene: Scene) -> None:
    if not scene.reads:
        ctx.error("the counter readers read nothing")
    ctx.evidence("counter reads during a window", expected="well-formed, non-decreasing",
                 actual=f"{len(scene.reads)} reads, {len(scene.problems)} problems",
                 note="; ".join(scene.problems[:5]))
    assert not scene.problems, "; ".join(scene.problems[:5])
