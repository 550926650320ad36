"""When steps that drive the workload and measure windows.

Loads go through the resource registry (virtual clock on the mock, real time on
the sample drivers, vendor commands with ``exec``). A window starts after the
settling time S = 2q, or right at a knob write for live changes; its length W
comes from the tolerance formula, never from a retry.
"""

from __future__ import annotations

from fractions import Fraction

from pytest_bdd import parsers, when

from conformance.oracle.layout import another_value
from conformance.steps.require import require_file, require_writable, set_knob
from conformance.steps.shares import backlogged
from conformance.steps.state import Measurements, Named
from conformance.suite.measure import Meter
from conformance.suite.outcome import Outcome
from conformance.suite.registry import DeviceClock, Resources

LOADS = ("idle", "backlog")
WRAP_32_NS_US = -(-(1 << 32) // 1000)  # 2^32 ns in µs, rounded up: 4 294 968
LONG_RUN_MARGIN = 1.05  # covers interference (2 %) and lag: the counters do pass it


@when(
    parsers.re(r'(?:all of them are (?P<every>backlogged)|their loads are "(?P<loads>[a-z ]+)")')
)
def _loads(
    resources: Resources, outcome: Outcome, named: Named, every: str | None, loads: str | None
) -> None:
    """Give every named mdev a load, in order (or backlog them all)."""
    wanted = ["backlog"] * len(named) if every else (loads or "").split()
    if len(wanted) != len(named):
        outcome.error(f"{len(wanted)} loads given for {len(named)} mdevs")
    for member, load in zip(named.all(), wanted, strict=True):
        if load not in LOADS:
            outcome.error(f"unknown load {load!r}: use one of {', '.join(LOADS)}")
        resources.set_load(member.mdev, load)
        member.load = load


@when(parsers.re(
    r"each of them runs a job of (?P<part>[1-9][0-9]*/[1-9][0-9]*) of a timeslice every timeslice"
))
def _periodic(resources: Resources, outcome: Outcome, named: Named, part: str) -> None:
    """Give every named mdev a job of ``part`` of its timeslice_us q every q.

    Its dispatches end before the timeslice does.
    """
    fraction = Fraction(part)
    if not 0 < fraction < 1:
        outcome.error(f"a job of {part} of a timeslice is not shorter than the timeslice")
    for member in named.all():
        q = member.timeslice
        if q is None:
            outcome.error(f"the timeslice of {member.name} was not read when it was created")
        run_us = max(1, int(q * fraction))
        resources.set_load(member.mdev, f"periodic {run_us} {q}")
        member.load = "periodic"


@when("one measurement window passes")
def _window(
    meter: Meter, outcome: Outcome, named: Named, measurements: Measurements
) -> None:
    """Measure one window (from a knob write, when one is pending)."""
    start, measurements.pending = measurements.pending, None
    window = meter.measure(
        start, announce=lambda w: outcome.progress(f"measuring a {w} µs window"),
        groups=backlogged(named),
    )
    measurements.add(window)


@when(parsers.re(
    r"one measurement window of at least (?P<slices>[1-9][0-9]*) timeslices passes"
))
def _long_window(
    meter: Meter, outcome: Outcome, named: Named, measurements: Measurements, slices: str
) -> None:
    """Measure one window of W or ``slices`` times q, whichever is longer.

    For a counter that may be read rarely: the window holds more dispatches than
    a narrow register counts before it wraps. Its tolerance is that of its length.
    """
    window = meter.measure(
        announce=lambda w: outcome.progress(f"measuring a {w} µs window"),
        groups=backlogged(named), least_us=int(slices) * meter.q,
    )
    measurements.add(window)


@when("they stay busy past 2 to the power of 32 nanoseconds, measured window after window")
def _past_32_bit_ns(
    meter: Meter, outcome: Outcome, named: Named, measurements: Measurements
) -> None:
    """Measure windows back to back for 1.05 · 2^32 ns of device time (4.5 s).

    A counter kept in 32-bit nanoseconds wraps within that span, and consecutive
    snapshots are one window apart, far less than the 4.3 s it takes to wrap, so
    a wrap shows as a counter that decreased. The windows are the run's plain
    windows (no pair claims lengthen them): this step is about counters only.
    """
    span = int(WRAP_32_NS_US * LONG_RUN_MARGIN)
    outcome.progress(f"measuring window after window for {span} µs of device time")
    first: int | None = None
    while first is None or measurements.snapshots[-1].at_us - first < span:
        window = meter.measure(settle=first is None)
        first = window.start.at_us if first is None else first
        measurements.add(window)


@when("one measurement window passes, read every timeslice")
def _traced_window(
    meter: Meter, outcome: Outcome, named: Named, measurements: Measurements
) -> None:
    """Measure one window, reading the counters once per timeslice q in between."""
    outcome.progress(f"measuring a window read every {meter.q} µs")
    window, reads = meter.measure_traced(meter.q, groups=backlogged(named))
    measurements.add(window)
    measurements.trace = reads


@when("the device has settled")
def _settle(meter: Meter) -> None:
    """Let the settling time S = 2q pass."""
    meter.settle()


def _start_live_window(meter: Meter, measurements: Measurements) -> None:
    """Settle, then start the next window now (at the knob write that follows)."""
    meter.settle()
    measurements.pending = meter.snapshot()
    measurements.snapshots.append(measurements.pending)


@when(
    parsers.re(
        r'the (?P<knob>cap|weight|priority) of (?P<name>[A-Z]) is changed to '
        r'"(?P<value>[^"]*)" while they run'
    )
)
def _live_change(
    resources: Resources, outcome: Outcome, named: Named, meter: Meter,
    measurements: Measurements, knob: str, name: str, value: str,
) -> None:
    """Change one knob of a running mdev; the next window starts at the write."""
    member = named[name]
    require_writable(outcome, member.mdev, knob)
    _start_live_window(meter, measurements)
    set_knob(resources, outcome, member.mdev, knob, value)
    member.note(knob, value)
    member.refresh()


@when(
    parsers.re(
        r'the (?P<knob>cap|weight|priority) of (?P<name>[A-Z]) is changed to '
        r'"(?P<value>[^"]*)" while it idles'
    )
)
def _idle_change(
    resources: Resources, outcome: Outcome, named: Named, knob: str, name: str, value: str
) -> None:
    """Change one knob of an mdev that has no work (it applies when the mdev wakes)."""
    member = named[name]
    if member.load != "idle":
        outcome.error(f"{name} is not idle: give it the load idle before this step")
    require_writable(outcome, member.mdev, knob)
    set_knob(resources, outcome, member.mdev, knob, value)
    member.note(knob, value)
    member.refresh()


@when(parsers.re(
    r"they stay busy for (?P<seconds>[1-9]) seconds?, measured window after window"
))
def _busy_for_seconds(
    meter: Meter, outcome: Outcome, named: Named, measurements: Measurements, seconds: str
) -> None:
    """Measure windows back to back until they cover ``seconds`` of device time.

    Behaviour that starts only after a while shows in one of the windows: a
    scheduler period of one second (Linux's real-time throttling period, GVT-g's
    re-balance) that starts anywhere in the first second lies whole within two,
    and a narrow virtual-runtime field wraps after some device time. The Then
    step that follows checks every window, each with its own tolerance.
    """
    span = int(seconds) * 1_000_000
    outcome.progress(f"measuring window after window for {span} µs of device time")
    first: int | None = None
    while first is None or measurements.snapshots[-1].at_us - first < span:
        window = meter.measure(settle=first is None, groups=backlogged(named))
        first = window.start.at_us if first is None else first
        measurements.add(window)


@when(parsers.re(r"(?P<name>[A-Z]) becomes backlogged"))
def _wake(
    resources: Resources, clock: DeviceClock, outcome: Outcome, named: Named,
    measurements: Measurements, name: str,
) -> None:
    """Make an idle named mdev backlogged, noting when and its nr_slices."""
    member = named[name]
    require_file(outcome, member.mdev, "nr_slices")
    before = member.mdev.counter("nr_slices")
    resources.set_load(member.mdev, "backlog")
    member.load = "backlog"
    measurements.wake = (member, before, clock.now_us())


@when(parsers.re(
    r"every writable knob of (?P<name>[A-Z]) is given another valid value while they run"
))
def _rewrite_knobs(
    resources: Resources, outcome: Outcome, named: Named, meter: Meter,
    measurements: Measurements, name: str,
) -> None:
    """Give every writable knob of a running mdev another value; a window starts there."""
    member = named[name]
    mdev = member.mdev
    knobs = [k for k in mdev.knobs_present() if not mdev.is_fixed(k)]
    if not knobs:
        outcome.skip(f"{name} has no writable knob: every knob is optional")
    _start_live_window(meter, measurements)
    for knob in knobs:
        levels = mdev.levels() if knob == "priority" else ()
        value = another_value(knob, mdev.knob(knob), levels)
        set_knob(resources, outcome, mdev, knob, value)
        member.note(knob, value)
    member.refresh()
