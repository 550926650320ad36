"""Steps with concurrent writers and readers, run by the suite's one race checker.

:mod:`conformance.fuzz.races` runs the threads (bounded in number, rounds and
time; with the interpreter's own switch interval, as on a slow emulated guest a
finer one costs minutes); these steps choose the race, keep its report and judge
it for one requirement each. A thread that crashes or hangs is the suite's error, not the
driver's failure.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pytest_bdd import parsers, then, when

from conformance.fuzz.races import (
    RaceReport,
    race_counters,
    race_knob,
    race_lifecycle,
    writable_knob_values,
)
from conformance.oracle import formats
from conformance.oracle.grammar import NUMERIC_RANGES
from conformance.steps.require import set_knob
from conformance.steps.state import Measurements
from conformance.suite.mdev import Mdev
from conformance.suite.measure import Meter, Window
from conformance.suite.outcome import Outcome
from conformance.suite.registry import DeviceClock, Resources

MAX_THREADS = 8
WRITES_PER_THREAD = 25
READS_PER_THREAD = 20000  # at most; readers stop when the writers are done
CHUNKS_PER_WINDOW = 16
KNOB = r"(?P<knob>cap|weight|priority)"


@dataclass
class Race:
    """The race a scenario ran: its report and, for a knob race, the knob."""

    report: RaceReport
    knob: str = ""
    reads_as: dict[bytes, bytes] = field(default_factory=dict)


def _reads_alone(
    resources: Resources, outcome: Outcome, subject: Mdev, knob: str, values: list[bytes]
) -> dict[bytes, bytes]:
    """What the knob reads after each value is written alone, for a device that rounds.

    A value read back otherwise than written must be one the device keeps
    (QOS-FMT-009; whether it is the nearest is the rounding scenarios' business).
    """
    if knob not in NUMERIC_RANGES:
        return {}
    shown: dict[bytes, bytes] = {}
    for value in dict.fromkeys(values):
        set_knob(resources, outcome, subject, knob, value.decode())
        raw = subject.raw(knob)
        if raw != b"%d\n" % int(value):
            set_knob(resources, outcome, subject, knob, raw.decode().strip())
            assert subject.raw(knob) == raw, (
                f"{knob} of mdev {subject.uuid} reads {raw!r} after {value!r} was written, "
                "but does not keep that value when it is written"
            )
            shown[value] = raw
    return shown


def _thread_count(outcome: Outcome, text: str) -> int:
    count = int(text)
    if not 1 <= count <= MAX_THREADS:
        outcome.error(f"{count} threads requested; the suite uses 1..{MAX_THREADS}")
    return count


def _no_crash(outcome: Outcome, report: RaceReport) -> None:
    if report.crashes:
        outcome.error("a concurrent thread failed: " + "; ".join(report.crashes[:3]))


def _decoded(knob: str, raw: bytes) -> str:
    try:
        return formats.knob_value(knob, raw)
    except formats.FormatError:
        return raw.decode(errors="replace")


@when(
    parsers.re(
        rf'(?P<count>\d+) threads write the values "(?P<values>[^"]+)" to its {KNOB}'
        r"(?: while (?P<readers>\d+) threads read it| at the same time)"
    ),
    target_fixture="race",
)
def _knob_race(
    subject: Mdev, resources: Resources, outcome: Outcome, count: str, values: str, knob: str,
    readers: str | None,
) -> Race:
    """Writers write the values to one knob at once, while readers (if any) read it."""
    n_writers = _thread_count(outcome, count)
    n_readers = _thread_count(outcome, readers) if readers else 0
    written = [v.encode() for v in values.split()]
    reads_as = _reads_alone(resources, outcome, subject, knob, written)
    report = race_knob(
        resources.target,
        subject.path(knob),
        knob,
        written,
        writers=n_writers,
        readers=n_readers,
        rounds=WRITES_PER_THREAD,
        read_rounds=READS_PER_THREAD,
        write=resources.writer(subject, knob),
        errno_is_problem=False,
        one_value_per_writer=True,
        readers_follow_writers=True,
        switch_interval_s=None,
        reads_as=reads_as,
    )
    _no_crash(outcome, report)
    return Race(report, knob, reads_as)


@then("every one of those writes returned the full count or an errno")
def _counts(race: Race, outcome: Outcome) -> None:
    """No concurrent write returned a short count."""
    report = race.report
    writes = report.operations - report.reads
    outcome.evidence("concurrent writes", expected="full count or errno",
                     actual=f"{writes} writes, {len(report.partial)} partial")
    assert not report.partial, (
        f"{len(report.partial)} writes returned a partial count, e.g. {report.partial[0]}"
    )


@then(parsers.re(rf"its {KNOB} reads one of the values that were written successfully"))
def _final_value(subject: Mdev, race: Race, outcome: Outcome, knob: str) -> None:
    """After the writers, the knob holds a value one of them wrote."""
    final = subject.knob(knob)
    accepted = sorted({_decoded(knob, raw) for raw in race.report.written})
    if not accepted:
        accepted = [_decoded(knob, race.report.original)]
    outcome.evidence(f"{knob} after concurrent writes", expected=accepted, actual=final)
    assert final in accepted, f"{knob} reads {final!r}; expected one of {accepted}"


@then("every read was a complete value: the old one or one of the written ones")
def _complete_reads(race: Race, outcome: Outcome) -> None:
    """No reader saw a torn or foreign value."""
    report = race.report
    if not report.reads:
        outcome.error("the readers read nothing")
    allowed = sorted({_decoded(race.knob, raw) for raw in report.allowed})
    outcome.evidence("reads racing writers", expected=allowed,
                     actual=f"{report.reads} reads, {len(report.torn)} bad",
                     note="; ".join(report.torn[:5]))
    assert not report.torn, (
        f"{len(report.torn)} torn or foreign reads, e.g. " + "; ".join(report.torn[:5])
    )


@when(
    parsers.re(r"(?P<count>\d+) threads read their counters while one measurement window passes"),
    target_fixture="race",
)
def _counter_race(
    resources: Resources, clock: DeviceClock, outcome: Outcome, meter: Meter,
    measurements: Measurements, count: str,
) -> Race:
    """Readers race each other on every counter while the window's time passes in chunks."""
    readers = _thread_count(outcome, count)
    meter.settle()
    start = meter.snapshot()
    length = meter.window_length()
    report = race_counters(
        resources.target,
        list(meter.mdevs),
        lambda: clock.elapse(length // CHUNKS_PER_WINDOW),
        readers=readers,
        rounds=CHUNKS_PER_WINDOW,
        until_clock_stops=True,
        switch_interval_s=None,
    )
    _no_crash(outcome, report)
    end = meter.snapshot()
    measurements.add(Window(start, end, meter.q))
    return Race(report)


@then("every counter read was well-formed and none went backwards")
def _counter_reads(race: Race, outcome: Outcome) -> None:
    """Every counter read was one decimal value, and never less than the one before."""
    report = race.report
    if not report.reads:
        outcome.error("the counter readers read nothing")
    outcome.evidence("counter reads during a window", expected="well-formed, non-decreasing",
                     actual=f"{report.reads} reads, {len(report.problems)} problems",
                     note="; ".join(report.problems[:5]))
    assert not report.problems, "; ".join(report.problems[:5])


# -- create and remove racing the knobs ------------------------------------------------------
@when(
    parsers.re(
        r"it is created and removed (?P<cycles>\d+) times while (?P<writers>\d+) threads "
        r"write its knobs and (?P<readers>\d+) threads read them"
    ),
    target_fixture="race",
)
def _lifecycle_race(
    subject: Mdev, resources: Resources, outcome: Outcome, cycles: str, writers: str,
    readers: str,
) -> Race:
    """One thread creates and removes the subject's UUID while others use its knobs."""
    values = writable_knob_values(subject)
    if not values:
        outcome.skip(f"mdev {subject.uuid} has no writable knob: every knob is optional")
    resources.remove_mdev(subject)
    mdev = resources.reserve_mdev(subject.parent, uuid=subject.uuid)
    report = race_lifecycle(
        resources.target,
        resources.mdev_type(mdev.parent).path,
        knob_values=values,
        cycles=int(cycles),
        writers=_thread_count(outcome, writers),
        readers=_thread_count(outcome, readers),
        rounds=WRITES_PER_THREAD,
        uuid=mdev.uuid,
        switch_interval_s=None,
    )
    _no_crash(outcome, report)
    return Race(report)


@then("every access found the mdev whole or gone: a complete value, or ENOENT or ENODEV")
def _lifecycle_accesses(race: Race, outcome: Outcome) -> None:
    """Reads and writes racing create and remove saw a complete device or none."""
    report = race.report
    others = [p for p in report.problems if p not in report.leaks]
    outcome.evidence("accesses racing create and remove",
                     expected="complete value, ENOENT or ENODEV",
                     actual=f"{report.reads} reads, {len(others)} problems",
                     note="; ".join(others[:5]))
    assert not others, "; ".join(others[:5])


@then("no mdev of the race is left and available_instances reads as before")
def _lifecycle_leftovers(race: Race, outcome: Outcome) -> None:
    """Create and remove gave every instance back."""
    leaks = race.report.leaks
    outcome.evidence("after the create/remove race", expected=[], actual=leaks)
    assert not leaks, "; ".join(leaks)
