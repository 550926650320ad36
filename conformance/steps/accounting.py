"""Then steps about the counters: start values, growth, conservation, slices, latency."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from pytest_bdd import parsers, then

from conformance.oracle.formats import COUNTERS
from conformance.oracle.layout import cap_of
from conformance.oracle.tolerance import Tolerance
from conformance.steps.require import timeslice
from conformance.steps.shares import oracle_shares
from conformance.steps.state import Measurements, Named, whom
from conformance.suite.measure import Meter, Snapshot, monotonic_violations, spans
from conformance.suite.outcome import Outcome
from conformance.suite.registry import DeviceClock
from conformance.suite.under_test import UnderTest


def _delta(
    named: Named, measurements: Measurements, name: str, counter: str, *, required: str = ""
) -> int | None:
    window = measurements.last_window
    delta = window.delta(named[name].mdev.uuid, counter)
    if delta is None and required:
        raise AssertionError(f"{name} has no {counter}, required {required}")
    return delta


@then(parsers.re(r'every counter of (?:its qos directory|(?P<name>[A-Z])) reads "(?P<value>\d+)"'))
def _counters_read(
    request: pytest.FixtureRequest, named: Named, outcome: Outcome, name: str | None, value: str
) -> None:
    """Every counter of the subject or of a named mdev reads ``value``."""
    mdev = whom(request, named, name)
    values = {c: mdev.counter(c) for c in mdev.counters_present()}
    wrong = {c: v for c, v in values.items() if str(v) != value}
    outcome.evidence("counters", expected=value, actual=values)
    assert not wrong, f"mdev {mdev.uuid}: expected every counter to read {value}, got {wrong}"


@then("no counter of any of them decreased between measurements")
def _monotonic(outcome: Outcome, measurements: Measurements) -> None:
    """No counter went down between any two snapshots."""
    problems = monotonic_violations(measurements.snapshots)
    outcome.evidence("counters going backwards", expected=[], actual=problems,
                     note=f"{len(measurements.snapshots)} snapshots")
    assert not problems, "counters decreased: " + "; ".join(problems)


@then("the timeslice_us of each of them did not change")
def _timeslice_constant(outcome: Outcome, named: Named, under_test: UnderTest) -> None:
    """The timeslice_us of an mdev is constant for its life."""
    now = {m.name: timeslice(outcome, m.mdev, under_test.observed) for m in named.all()}
    before = {m.name: m.timeslice for m in named.all() if m.timeslice is not None}
    outcome.evidence("timeslice_us", expected=before, actual=now, unit="us")
    assert now == before, f"timeslice_us changed while the mdevs existed: {before} -> {now}"


@then(parsers.re(r"no counter of (?P<name>[A-Z]) grew"))
def _idle_still(outcome: Outcome, named: Named, measurements: Measurements, name: str) -> None:
    """An idle mdev accumulates nothing."""
    grown = {}
    for counter in COUNTERS:
        delta = _delta(named, measurements, name, counter)
        if delta:
            grown[counter] = delta
    outcome.evidence(f"counter growth of idle {name}", expected={}, actual=grown)
    assert not grown, (
        f"idle mdev {name} accumulated {grown} over {measurements.last_window.length} µs"
    )


@then("the usage_us of all of them together grew by no more than the window")
def _conservation(outcome: Outcome, named: Named, measurements: Measurements) -> None:
    """A scheduling domain hands out no more time than passes."""
    window = measurements.last_window
    by_domain: dict[str, list[str]] = {}
    for member in named.all():
        by_domain.setdefault(member.domain(), []).append(member.name)
    problems = []
    for domain, names in by_domain.items():
        total = sum(
            _delta(named, measurements, n, "usage_us", required="QOS-LAY-002") or 0
            for n in names
        )
        bound = window.tolerance.conservation(window.length, len(names))
        outcome.evidence(f"sum of usage_us deltas in {domain}", expected=f"<= {bound}",
                         actual=total, unit="us", tolerance=bound - window.length)
        if total > bound:
            problems.append(f"{domain}: {total} µs handed out in a {window.length} µs window "
                            f"(at most {bound})")
    assert not problems, "; ".join(problems)


@then(parsers.re(r"the usage_us and wait_us of (?P<name>[A-Z]) together grew by the window"))
def _usage_plus_wait(
    outcome: Outcome, named: Named, measurements: Measurements, name: str
) -> None:
    """A backlogged mdev either runs or waits."""
    wait = _delta(named, measurements, name, "wait_us")
    if wait is None:
        outcome.skip(f"{name} has no wait_us: it is required only together with priority")
    window = measurements.last_window
    usage = _delta(named, measurements, name, "usage_us", required="QOS-LAY-002") or 0
    total, tol = usage + wait, window.tolerance.usage
    outcome.evidence(f"usage_us + wait_us of {name}", expected=window.length, actual=total,
                     tolerance=tol, unit="us")
    assert abs(total - window.length) <= tol, (
        f"backlogged {name}: usage {usage} + wait {wait} = {total} µs, expected "
        f"{window.length} ± {tol} µs"
    )


Span = tuple[Snapshot, Snapshot, int, int, Tolerance]
Worst = tuple[int, str] | None


def _spans(reads: list[Snapshot], uuid: str, counter: str, q: int, cap_period: int
           ) -> Iterator[Span]:
    """Every span between two traced reads of an mdev.

    Yields (first, last, Δusage_us, Δcounter, the span's tolerance), T from the
    skew of the span's own two reads.
    """
    tolerances: dict[int, Tolerance] = {}  # skew -> tolerance (few skews, many spans)
    for first, last, (usage, other) in spans(reads, uuid, ("usage_us", counter)):
        skew = max(first.skew_us, last.skew_us)
        if skew not in tolerances:
            tolerances[skew] = Tolerance(q, skew, cap_period=cap_period)
        yield first, last, usage, other, tolerances[skew]


def worst_busy_span(reads: list[Snapshot], uuid: str, q: int, cap_period: int = 0) -> Worst:
    """The span between two reads where usage_us + wait_us of an mdev strays furthest.

    Measured against the span's length beyond its tolerance T; None when no span does.

    Every span is a window (QOS-ACC-005 holds over any window), with T from the skew
    of its own two reads. A counter file that shows a copy refreshed every P µs is
    up to P old: the two reads either side of a refresh differ in age by at least
    P minus the gap between them, and so does the span's sum, whatever the phase.
    Returns (µs beyond T, description).
    """
    worst: Worst = None
    for first, last, usage, wait, tol in _spans(reads, uuid, "wait_us", q, cap_period):
        length, total = last.at_us - first.at_us, usage + wait
        excess = abs(total - length) - tol.usage
        if excess > 0 and (worst is None or excess > worst[0]):
            worst = (excess, f"usage + wait grew by {total} µs over the {length} µs from "
                     f"{first.at_us - reads[0].at_us} µs into the window "
                     f"(expected {length} ± {tol.usage} µs)")
    return worst


def worst_slice_span(reads: list[Snapshot], uuid: str, q: int, cap_period: int = 0) -> Worst:
    """The span between two reads where usage_us most exceeds what nr_slices allows.

    Every span is a window of QOS-ACC-006: Δusage ≤ Δnr_slices · q · 1.1 + T, T from
    the skew of its own two reads. Returns (µs beyond the bound, description), or
    None when every span holds.
    """
    worst: Worst = None
    for first, last, usage, slices, tol in _spans(reads, uuid, "nr_slices", q, cap_period):
        bound = tol.slices(slices)
        excess = usage - bound
        if excess > 0 and (worst is None or excess > worst[0]):
            worst = (excess, f"ran {usage} µs in {slices} dispatches over the "
                     f"{last.at_us - first.at_us} µs from {first.at_us - reads[0].at_us} µs "
                     f"into the window (at most {bound} µs)")
    return worst


def _every_span(outcome: Outcome, named: Named, measurements: Measurements, counter: str,
                worst_of: Callable[[list[Snapshot], str, int, int], Worst], what: str) -> None:
    """Judge every named mdev over every span between the traced reads of a window.

    ``worst_of`` finds an mdev's worst span; an mdev without ``counter`` skips
    (it is required only together with priority).
    """
    reads = measurements.trace
    if len(reads) < 3:
        outcome.error("no traced window: use 'one measurement window passes, read every "
                      "timeslice' first")
    window = measurements.last_window
    gap = max(b.at_us - a.at_us for a, b in zip(reads, reads[1:], strict=False))
    problems = []
    for member in named.all():
        if _delta(named, measurements, member.name, counter) is None:
            outcome.skip(f"{member.name} has no {counter}: it is required only together with "
                         "priority")
        worst = worst_of(reads, member.mdev.uuid, window.q, window.cap_period)
        outcome.evidence(f"{what} of {member.name} over every span",
                         expected="each span within its bound",
                         actual=worst[1] if worst else "every span within its bound",
                         ok=worst is None, unit="us",
                         note=f"{len(reads)} reads, at most {gap} µs apart")
        if worst is not None:
            problems.append(f"{member.name}: {worst[1]}")
    assert not problems, f"{what} off over a span: " + "; ".join(problems)


@then(parsers.re(
    r"the usage_us and wait_us of each of them together grew by every span between two of "
    r"those reads"
))
def _usage_plus_wait_every_span(
    outcome: Outcome, named: Named, measurements: Measurements
) -> None:
    """Each backlogged mdev runs or waits over every span between two traced reads."""
    _every_span(outcome, named, measurements, "wait_us", worst_busy_span,
                "usage_us + wait_us")


@then(parsers.re(
    r"the usage_us of each of them grew by no more than its nr_slices delta allows over "
    r"every span between two of those reads"
))
def _slices_every_span(outcome: Outcome, named: Named, measurements: Measurements) -> None:
    """Each mdev ran at most 1.1q per dispatch counted, over every span between two reads."""
    _every_span(outcome, named, measurements, "nr_slices", worst_slice_span,
                "usage_us against nr_slices")


@then(
    parsers.re(r"the usage_us of (?P<name>[A-Z]) grew by no more than its nr_slices delta allows")
)
def _slices(outcome: Outcome, named: Named, measurements: Measurements, name: str) -> None:
    """An mdev runs at most q per dispatch."""
    slices = _delta(named, measurements, name, "nr_slices")
    if slices is None:
        outcome.skip(f"{name} has no nr_slices: it is required only together with priority")
    usage = _delta(named, measurements, name, "usage_us", required="QOS-LAY-002") or 0
    window = measurements.last_window
    bound = window.tolerance.slices(slices)
    outcome.evidence(f"usage_us of {name} against nr_slices", expected=f"<= {bound}",
                     actual=usage, unit="us", note=f"{slices} slices of q={window.q} µs")
    # No "usage grew, so nr_slices must have": a dispatch counted before the window
    # began may run into it. The bound's tolerance covers that one dispatch, and an
    # mdev that runs a window long without being counted exceeds it.
    assert usage <= bound, (
        f"{name} ran {usage} µs in {slices} dispatches of q={window.q} µs: at most {bound} µs"
    )


def _throttled(named: Named, measurements: Measurements, name: str) -> int:
    """How much ``throttled_us`` of ``name`` grew over the last window (a file of QOS-LAY-004)."""
    return _delta(
        named, measurements, name, "throttled_us", required="with cap (QOS-LAY-004)"
    ) or 0


@then(
    parsers.re(
        r"the throttled_us of (?P<name>[A-Z]) grew by the part of the window its cap withholds"
    )
)
def _throttled_by_cap(
    outcome: Outcome, named: Named, measurements: Measurements, name: str
) -> None:
    """A capped, backlogged mdev is throttled for the part its cap withholds."""
    throttled = _throttled(named, measurements, name)
    window = measurements.last_window
    cap = cap_of(named[name].knobs)
    expected = (1 - cap / 100) * window.length
    tol = window.tolerance
    low = expected - tol.usage - tol.interference(window.length) * window.length
    high = expected + tol.usage
    outcome.evidence(f"throttled_us of {name} (cap {cap})", expected=round(expected),
                     actual=throttled, tolerance=tol.usage, unit="us")
    assert low <= throttled <= high, (
        f"{name} with cap {cap}: throttled {throttled} µs, expected {expected:.0f} µs "
        f"(accepted {low:.0f}..{high:.0f}) over {window.length} µs"
    )


@then(parsers.re(r"the throttled_us of (?P<name>[A-Z]) did not grow"))
def _not_throttled(outcome: Outcome, named: Named, measurements: Measurements, name: str) -> None:
    """An mdev without a cap below 100 is never throttled."""
    cap = cap_of(named[name].knobs)
    if cap < 100:
        outcome.skip(f"{name}'s cap is fixed at {cap} by its type: it may be throttled")
    throttled = _throttled(named, measurements, name)
    resolution = measurements.last_window.tolerance.resolution
    outcome.evidence(f"throttled_us of uncapped {name}", expected=0, actual=throttled,
                     unit="us", tolerance=resolution)
    assert throttled <= resolution, f"{name} has cap 100 yet accumulated {throttled} µs throttled"


@then(parsers.re(
    r"the throttled_us of (?P<name>[A-Z]) grew by no more than a live change allows"
))
def _not_throttled_after_change(
    outcome: Outcome, named: Named, measurements: Measurements, name: str
) -> None:
    """An mdev whose cap now reads 100 is throttled at most while the change takes effect.

    QOS-ACC-007: an mdev whose cap is 100 never accumulates throttled_us. In a
    window that starts at the write, the driver may apply the new cap up to one
    timeslice late and charge a counter up to one timeslice late: the live-change
    tolerance of a usage delta, T_live = T + q, bounds both.
    """
    cap = cap_of(named[name].knobs)
    if cap < 100:
        outcome.skip(f"{name}'s cap reads {cap}: it may be throttled")
    throttled = _throttled(named, measurements, name)
    window = measurements.last_window
    bound = window.tolerance.live if window.live else window.tolerance.usage
    outcome.evidence(f"throttled_us of {name}, its cap set back to 100", expected=0,
                     actual=throttled, unit="us", tolerance=bound)
    assert throttled <= bound, (
        f"{name} has cap 100 yet accumulated {throttled} µs throttled over "
        f"{window.length} µs (at most {bound} µs while the change takes effect)"
    )


@then(parsers.re(
    r"the throttled_us of (?P<name>[A-Z]) grew by no more than 100/cap - 1 times its usage_us"
))
def _throttled_within_budget(
    outcome: Outcome, named: Named, measurements: Measurements, name: str
) -> None:
    """Throttled time follows the service that spent the cap's budget (QOS-ACC-008).

    Time an mdev waits while its cap would still let it run is not throttled time,
    so over a window with its cap unchanged Δthrottled ≤ (100/cap − 1)(Δusage + T)
    + T, whoever else runs.
    """
    throttled = _throttled(named, measurements, name)
    usage = _delta(named, measurements, name, "usage_us", required="QOS-LAY-002") or 0
    window = measurements.last_window
    cap = cap_of(named[name].knobs)
    bound = window.tolerance.throttled(cap, usage, live=window.live)
    outcome.evidence(f"throttled_us of {name} (cap {cap}) against its usage_us",
                     expected=f"<= {bound}", actual=throttled, unit="us",
                     note=f"usage_us grew by {usage} µs over {window.length} µs")
    assert throttled <= bound, (
        f"{name} with cap {cap} ran {usage} µs and was counted {throttled} µs throttled "
        f"over {window.length} µs: at most {bound} µs (100/cap - 1 times its usage, with "
        "the tolerance); waiting while its cap would let it run is not throttled time"
    )


@then(parsers.re(r"the throttled_us of (?P<name>[A-Z]) grew by no more than its wait_us"))
def _throttled_within_wait(
    outcome: Outcome, named: Named, measurements: Measurements, name: str
) -> None:
    """Throttled time is part of the time an mdev waits."""
    throttled = _throttled(named, measurements, name)
    window = measurements.last_window
    tol = window.tolerance.usage
    wait = _delta(named, measurements, name, "wait_us")
    if wait is None:  # without wait_us: throttled time is time not running
        usage = _delta(named, measurements, name, "usage_us", required="QOS-LAY-002") or 0
        bound, what = window.length - usage + tol, "the time it did not run"
    else:
        bound, what = wait + tol, "its wait_us"
    outcome.evidence(f"throttled_us of {name}", expected=f"<= {bound}", actual=throttled,
                     unit="us")
    assert throttled <= bound, f"{name}: throttled {throttled} µs exceeds {what} ({bound} µs)"


@then(parsers.re(r"the wait_us of (?P<name>[A-Z]) grew by about the whole window"))
def _starved_waits(outcome: Outcome, named: Named, measurements: Measurements, name: str) -> None:
    """A starved mdev waits the whole window."""
    if oracle_shares(named)[name] > 0:
        outcome.skip(f"{name} is not starved here: the knobs its type fixes leave it a share")
    wait = _delta(
        named, measurements, name, "wait_us", required="with priority (QOS-LAY-005)"
    ) or 0
    window = measurements.last_window
    tol = window.tolerance.usage
    low, high = window.length - 2 * tol, window.length + tol
    outcome.evidence(f"wait_us of starved {name}", expected=window.length, actual=wait,
                     tolerance=2 * tol, unit="us")
    assert low <= wait <= high, (
        f"starved {name}: wait_us grew by {wait} µs, expected {low}..{high} µs "
        f"over {window.length} µs"
    )


@then(parsers.re(r"(?P<name>[A-Z]) is dispatched within one timeslice"))
def _dispatched(
    outcome: Outcome, named: Named, measurements: Measurements, meter: Meter,
    clock: DeviceClock, name: str,
) -> None:
    """An mdev that becomes backlogged is dispatched within q + λ."""
    wake = measurements.wake
    if wake is None or wake[0].name != name:
        outcome.error(f"{name} was not made backlogged in this scenario")
    member, before, t0 = wake
    tol = Tolerance(meter.q, meter.snapshot().skew_us)
    remaining = t0 + tol.latency - clock.now_us()
    if remaining > 0:
        clock.elapse(remaining)
    elapsed = clock.now_us() - t0
    after = member.mdev.counter("nr_slices")
    outcome.evidence(f"dispatches of {name} after it became active", expected=">= 1",
                     actual=after - before, unit="slices",
                     note=f"looked {elapsed} µs after it became active; bound q+λ={tol.latency} µs")
    assert after > before, (
        f"{name} became active {elapsed} µs ago (bound {tol.latency} µs) and was not "
        "dispatched: nr_slices did not grow"
    )
