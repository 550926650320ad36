"""Then steps about the counters: start values, growth, conservation, slices, latency."""

from __future__ import annotations

from typing import Any

from pytest_bdd import parsers, then

from conformance.oracle.formats import COUNTERS
from conformance.steps.load import latency_tolerance
from conformance.steps.scene import Scene, counters_in, qos_entries, timeslice
from conformance.steps.shares import oracle_shares
from conformance.suite.measure import monotonic_violations, read_counter


def _delta(scene: Scene, name: str, counter: str, *, required: str = "") -> int | None:
    window = scene.last_window
    delta = window.delta(scene.uuid(name), counter)
    if delta is None and required:
        raise AssertionError(f"{name} has no {counter}, required {required}")
    return delta


def _counters_read(ctx: Any, uuid: str, expected: str) -> None:
    names = counters_in(qos_entries(ctx, uuid) or [])
    values = {c: read_counter(ctx.target, uuid, c) for c in names}
    wrong = {c: v for c, v in values.items() if str(v) != expected}
    ctx.evidence("counters", expected=expected, actual=values)
    assert not wrong, f"mdev {uuid}: expected every counter to read {expected}, got {wrong}"


@then(parsers.re(r'every counter of its qos directory reads "(?P<value>\d+)"'))
def _subject_counters(ctx: Any, scene: Scene, value: str) -> None:
    assert scene.subject is not None
    _counters_read(ctx, scene.subject, value)


@then(parsers.re(r'every counter of (?P<name>[A-Z]) reads "(?P<value>\d+)"'))
def _named_counters(ctx: Any, scene: Scene, name: str, value: str) -> None:
    _counters_read(ctx, scene.uuid(name), value)


@then("no counter of any of them decreased between measurements")
def _monotonic(ctx: Any, scene: Scene) -> None:
    problems = monotonic_violations(scene.snapshots)
    ctx.evidence("counters going backwards", expected=[], actual=problems,
                 note=f"{len(scene.snapshots)} snapshots")
    assert not problems, "counters decreased: " + "; ".join(problems)


@then("the timeslice_us of each of them did not change")
def _timeslice_constant(ctx: Any, scene: Scene) -> None:
    now = {scene.name_of(u): timeslice(ctx, u) for u in scene.names.values()}
    before = {scene.name_of(u): q for u, q in scene.timeslices.items()}
    ctx.evidence("timeslice_us", expected=before, actual=now, unit="us")
    assert now == before, f"timeslice_us changed while the mdevs existed: {before} -> {now}"


@then(parsers.re(r"no counter of (?P<name>[A-Z]) grew"))
def _idle_still(ctx: Any, scene: Scene, name: str) -> None:
    grown = {}
    for counter in COUNTERS:
        delta = _delta(scene, name, counter)
        if delta:
            grown[counter] = delta
    ctx.evidence(f"counter growth of idle {name}", expected={}, actual=grown)
    assert not grown, f"idle mdev {name} accumulated {grown} over {scene.last_window.length} µs"


@then("the usage_us of all of them together grew by no more than the window")
def _conservation(ctx: Any, scene: Scene) -> None:
    window = scene.last_window
    by_parent: dict[str, list[str]] = {}
    for name, uuid in scene.names.items():
        by_parent.setdefault(scene.parents[uuid], []).append(name)
    problems = []
    for parent, names in by_parent.items():
        total = sum(_delta(scene, n, "usage_us", required="QOS-LAY-002") or 0 for n in names)
        bound = window.tolerance.conservation(window.length, len(names))
        ctx.evidence(f"sum of usage_us deltas on {parent}", expected=f"<= {bound}",
                     actual=total, unit="us", tolerance=bound - window.length)
        if total > bound:
            problems.append(f"{parent}: {total} µs handed out in a {window.length} µs window "
                            f"(at most {bound})")
    assert not problems, "; ".join(problems)


@then(parsers.re(r"the usage_us and wait_us of (?P<name>[A-Z]) together grew by the window"))
def _usage_plus_wait(ctx: Any, scene: Scene, name: str) -> None:
    wait = _delta(scene, name, "wait_us")
    if wait is None:
        ctx.skip(f"{name} has no wait_us: it is required only together with priority")
    window = scene.last_window
    usage = _delta(scene, name, "usage_us", required="QOS-LAY-002") or 0
    total, tol = usage + (wait or 0), window.tolerance.usage
    ctx.evidence(f"usage_us + wait_us of {name}", expected=window.length, actual=total,
                 tolerance=tol, unit="us")
    assert abs(total - window.length) <= tol, (
        f"backlogged {name}: usage {usage} + wait {wait} = {total} µs, expected "
        f"{window.length} ± {tol} µs"
    )


@then(
    parsers.re(r"the usage_us of (?P<name>[A-Z]) grew by no more than its nr_slices delta allows")
)
def _slices(ctx: Any, scene: Scene, name: str) -> None:
    slices = _delta(scene, name, "nr_slices")
    if slices is None:
        ctx.skip(f"{name} has no nr_slices: it is required only together with priority")
    usage = _delta(scene, name, "usage_us", required="QOS-LAY-002") or 0
    window = scene.last_window
    bound = window.tolerance.slices(slices or 0)
    ctx.evidence(f"usage_us of {name} against nr_slices", expected=f"<= {bound}",
                 actual=usage, unit="us", note=f"{slices} slices of q={window.q} µs")
    assert usage <= bound, (
        f"{name} ran {usage} µs in {slices} dispatches of q={window.q} µs: at most {bound} µs"
    )
    assert usage == 0 or (slices or 0) >= 1, f"{name} consumed {usage} µs without a dispatch"


@then(
    parsers.re(
        r"the throttled_us of (?P<name>[A-Z]) grew by the part of the window its cap withholds"
    )
)
def _throttled_by_cap(ctx: Any, scene: Scene, name: str) -> None:
    throttled = _delta(scene, name, "throttled_us", required="with cap (QOS-LAY-004)") or 0
    window = scene.last_window
    cap = int(scene.knobs[name].get("cap", 100))
    expected = (1 - cap / 100) * window.length
    tol = window.tolerance
    low = expected - tol.usage - tol.interference(window.length) * window.length
    high = expected + tol.usage
    ctx.evidence(f"throttled_us of {name} (cap {cap})", expected=round(expected),
                 actual=throttled, tolerance=tol.usage, unit="us")
    assert low <= throttled <= high, (
        f"{name} with cap {cap}: throttled {throttled} µs, expected {expected:.0f} µs "
        f"(accepted {low:.0f}..{high:.0f}) over {window.length} µs"
    )


@then(parsers.re(r"the throttled_us of (?P<name>[A-Z]) did not grow"))
def _not_throttled(ctx: Any, scene: Scene, name: str) -> None:
    cap = int(scene.knobs[name].get("cap", 100))
    if cap < 100:
        ctx.skip(f"{name}'s cap is fixed at {cap} by its type: it may be throttled")
    throttled = _delta(scene, name, "throttled_us", required="with cap (QOS-LAY-004)") or 0
    resolution = scene.last_window.tolerance.resolution
    ctx.evidence(f"throttled_us of uncapped {name}", expected=0, actual=throttled, unit="us",
                 tolerance=resolution)
    assert throttled <= resolution, f"{name} has cap 100 yet accumulated {throttled} µs throttled"


@then(parsers.re(r"the throttled_us of (?P<name>[A-Z]) grew by no more than its wait_us"))
def _throttled_within_wait(ctx: Any, scene: Scene, name: str) -> None:
    throttled = _delta(scene, name, "throttled_us", required="with cap (QOS-LAY-004)") or 0
    window = scene.last_window
    tol = window.tolerance.usage
    wait = _delta(scene, name, "wait_us")
    if wait is None:  # without wait_us: throttled time is time not running
        usage = _delta(scene, name, "usage_us", required="QOS-LAY-002") or 0
        bound, what = window.length - usage + tol, "the time it did not run"
    else:
        bound, what = wait + tol, "its wait_us"
    ctx.evidence(f"throttled_us of {name}", expected=f"<= {bound}", actual=throttled, unit="us")
    assert throttled <= bound, f"{name}: throttled {throttled} µs exceeds {what} ({bound} µs)"


@then(parsers.re(r"the wait_us of (?P<name>[A-Z]) grew by about the whole window"))
def _starved_waits(ctx: Any, scene: Scene, name: str) -> None:
    if oracle_shares(scene)[name] > 0:
        ctx.skip(f"{name} is not starved here: the knobs its type fixes leave it a share")
    wait = _delta(scene, name, "wait_us", required="with priority (QOS-LAY-005)") or 0
    window = scene.last_window
    tol = window.tolerance.usage
    low, high = window.length - 2 * tol, window.length + tol
    ctx.evidence(f"wait_us of starved {name}", expected=window.length, actual=wait,
                 tolerance=2 * tol, unit="us")
    assert low <= wait <= high, (
        f"starved {name}: wait_us grew by {wait} µs, expected {low}..{high} µs "
        f"over {window.length} µs"
    )


@then(parsers.re(r"(?P<name>[A-Z]) is dispatched within one timeslice"))
def _dispatched(ctx: Any, scene: Scene, name: str) -> None:
    if scene.wake is None or scene.wake[0] != scene.uuid(name):
        ctx.error(f"{name} was not made backlogged in this scenario")
    uuid, before, t0 = scene.wake
    tol = latency_tolerance(ctx, scene)
    remaining = t0 + tol.latency - ctx.workload.now_us()
    if remaining > 0:
        ctx.workload.elapse(remaining)
    elapsed = ctx.workload.now_us() - t0
    after = read_counter(ctx.target, uuid, "nr_slices")
    ctx.evidence(f"dispatches of {name} after it became active", expected=">= 1",
                 actual=after - before, unit="slices",
                 note=f"looked {elapsed} µs after it became active; bound q+λ={tol.latency} µs")
    assert after > before, (
        f"{name} became active {elapsed} µs ago (bound {tol.latency} µs) and was not "
        "dispatched: nr_slices did not grow"
    )
