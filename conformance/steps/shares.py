"""Then steps that compare measured shares with the oracle's expected shares.

A share x passes when x(1 − ι) − δ ≤ measured ≤ x + δ, with δ = T/W (or T_live/W
for a window that started at a knob write) and ι the permitted interference; each
pair whose shares follow their weights must also keep its usage ratio within the
band of :func:`~conformance.oracle.tolerance.ratio_bound`. Every measured share and
ratio is recorded as evidence, pass or fail.
"""

from __future__ import annotations

import math
from fractions import Fraction

from pytest_bdd import parsers, then

from conformance.oracle.layout import cap_of, member
from conformance.oracle.shares import Member, expected_shares, weighted_pairs
from conformance.oracle.tolerance import (
    Tolerance,
    delivered_share_low,
    ratio_bound,
    share_bound,
)
from conformance.steps.state import Measurements, Named
from conformance.suite.measure import Snapshot, spans
from conformance.suite.outcome import Outcome


def backlogged(named: Named, *, assumed: bool = False) -> list[list[Member]]:
    """The backlogged named mdevs, one list per scheduling domain, with their knobs.

    From the knobs read back from the driver, or (``assumed``) from the knobs the
    scenario's text gives, defaults elsewhere.
    """
    by_domain: dict[str, list[Member]] = {}
    for one in named.all():
        if one.load == "backlog":
            knobs = one.assumed if assumed else one.knobs
            by_domain.setdefault(one.domain(), []).append(member(one.name, knobs))
    return list(by_domain.values())


def oracle_shares(named: Named, *, assumed: bool = False) -> dict[str, Fraction]:
    """Expected shares of the named mdevs: per domain, over the backlogged ones."""
    expected: dict[str, Fraction] = {one.name: Fraction(0) for one in named.all()}
    for members in backlogged(named, assumed=assumed):
        expected.update(expected_shares(members))
    return expected


def check_pairs(outcome: Outcome, named: Named, measurements: Measurements) -> list[str]:
    """Check every backlogged pair whose shares follow their weights; the problems."""
    window = measurements.last_window
    tol, length = window.tolerance, window.length
    usage = tol.live if window.live else tol.usage
    problems = []
    for members in backlogged(named):
        for pair in weighted_pairs(members):
            light, heavy = pair.light.name, pair.heavy.name
            u_light = window.delta(named[light].mdev.uuid, "usage_us")
            u_heavy = window.delta(named[heavy].mdev.uuid, "usage_us")
            if u_light is None or u_heavy is None:
                continue  # no usage_us: the share checks already say so
            bound = ratio_bound(float(pair.heavy_share), float(pair.light_share), usage,
                                length, window.interference)
            ratio = float(pair.ratio)
            normalized = (u_heavy / u_light / ratio) if u_light > 0 else math.inf
            ok = bound.holds(normalized)
            high = None if math.isinf(bound.high) else round(bound.high * ratio, 6)
            outcome.evidence(f"ratio {heavy}:{light}", expected=round(ratio, 6),
                             actual=round(normalized * ratio, 6), unit="ratio", ok=ok,
                             accepted=(round(bound.low * ratio, 6), high),
                             note=f"usage {u_heavy}:{u_light} µs over W={length} µs; weights "
                             f"{pair.heavy.weight}:{pair.light.weight}")
            if not ok:
                measured = f"{normalized * ratio:.3f}:1" if u_light > 0 else f"{u_heavy}:0"
                problems.append(
                    f"{heavy}:{light} ran {measured}, weights give {ratio:.3f}:1 "
                    f"(accepted {bound.low * ratio:.3f}..{bound.high * ratio:.3f})")
    return problems


def delivered_by_parent(named: Named, measurements: Measurements) -> dict[str, tuple[int, int]]:
    """Σ usage delta and mdev count of each parent whose backlogged mdevs should keep it busy.

    Only where the expected shares of the backlogged mdevs add up to 1 with no cap
    below 100 among them (the device should never idle) and every named mdev of
    the parent has ``usage_us``; bystanders are watched by the meter.
    """
    window = measurements.last_window
    found = {}
    for members in backlogged(named):
        if any(m.cap < 100 for m in members):
            continue
        if sum(expected_shares(members).values()) != 1:
            continue
        parent = named[members[0].name].mdev.parent
        on_parent = [one for one in named.all()
                     if one.mdev.parent == parent and one.load != "removed"]
        deltas = [window.delta(one.mdev.uuid, "usage_us") for one in on_parent]
        if all(d is not None for d in deltas):
            found[parent] = (sum(d for d in deltas if d is not None), len(deltas))
    return found


def check_share(
    outcome: Outcome, named: Named, measurements: Measurements, name: str, expected: float, *,
    upper_only: bool = False, lower_only: bool = False, note: str = "",
    delivered: tuple[int, int] | None = None,
) -> str | None:
    """Check one mdev's share in the last window; the problem, or None.

    ``delivered``: (Σ usage delta, mdevs) of the parent when it should have been
    busy throughout; the share must then also reach its part of the time delivered.
    """
    window = measurements.last_window
    measured = window.share(named[name].mdev.uuid)
    delta, iota = window.share_tolerance, window.interference
    bound = share_bound(expected, delta, iota)
    low = float("-inf") if upper_only else bound.low
    if delivered is not None and not upper_only:
        tol = window.tolerance
        usage = tol.live if window.live else tol.usage
        low = max(low, delivered_share_low(expected, usage, delivered[0],
                                           tol.delivered(delivered[1]), window.length))
    high = float("inf") if lower_only else bound.high
    ok = low <= measured <= high
    outcome.evidence(f"share of {name}", expected=round(expected, 6), actual=round(measured, 6),
                     tolerance=round(delta, 6), unit="share", ok=ok,
                     accepted=(None if upper_only else round(low, 6),
                               None if lower_only else round(high, 6)),
                     note=f"accepted {low:.4f}..{high:.4f} over W={window.length} µs"
                     + (" (live change)" if window.live else "") + note)
    if ok:
        return None
    return (f"{name}: expected {expected:.4f} (accepted {low:.4f}..{high:.4f}), "
            f"measured {measured:.4f} over {window.length} µs")


def stated_shares(outcome: Outcome, named: Named, table: str) -> None:
    """The feature table's shares agree with the oracle's for the knobs the text gives."""
    stated = [Fraction(word) for word in table.split()]
    if len(stated) != len(named):
        outcome.error(f"{len(stated)} shares stated for {len(named)} mdevs")
    for (name, share), value in zip(oracle_shares(named, assumed=True).items(), stated,
                                    strict=True):
        if share != value:
            outcome.error(
                f"the feature table gives {name} the share {value}; the oracle says {share}"
            )


@then(parsers.re(r'their shares are "(?P<table>[0-9/. ]+)"'))
def _shares(outcome: Outcome, named: Named, measurements: Measurements, table: str) -> None:
    """Each named mdev received the share the table (and the oracle) gives it.

    An mdev the scenario removed for good is no longer read: its share is stated
    (0) but not measured.
    """
    stated_shares(outcome, named, table)
    computed, assumed = ({name: share for name, share in oracle_shares(named, assumed=a).items()
                          if named[name].load != "removed"} for a in (False, True))
    fixed = "" if computed == assumed else (
        "; the type fixes knobs, so the shares follow the knobs read back"
    )
    delivered = delivered_by_parent(named, measurements)
    problems = [p for name, share in computed.items()
                if (p := check_share(outcome, named, measurements, name, float(share),
                                     note=fixed,
                                     delivered=delivered.get(named[name].mdev.parent)))]
    problems += check_pairs(outcome, named, measurements)
    assert not problems, "shares outside tolerance: " + "; ".join(problems)


@then(parsers.re(r'their shares are "(?P<table>[0-9/. ]+)" in every one of those windows'))
def _shares_every_window(
    outcome: Outcome, named: Named, measurements: Measurements, table: str
) -> None:
    """Each named mdev received its share in each window measured, not only the last."""
    stated_shares(outcome, named, table)
    computed = oracle_shares(named)
    problems = []
    for number, window in enumerate(measurements.windows, start=1):
        one = Measurements(windows=[window])
        delivered = delivered_by_parent(named, one)
        problems += [f"window {number}: {p}" for name, share in computed.items()
                     if (p := check_share(outcome, named, one, name, float(share),
                                          delivered=delivered.get(named[name].mdev.parent)))]
    assert not problems, "shares outside tolerance: " + "; ".join(problems)


def worst_span(reads: list[Snapshot], uuid: str, expected: float, q: int
                ) -> tuple[float, str] | None:
    """The span between two reads where the share strays furthest outside its band.

    Every span is a window of its own length with its own tolerance (δ = T/W and
    ι of spec/measurement.rst, T from the skew of its two reads), so a driver whose
    period divides the run's window length is seen in the spans it does not divide.
    Returns (how far outside, description), or None when every span holds.
    """
    worst: tuple[float, str] | None = None
    for first, last, (usage,) in spans(reads, uuid, ("usage_us",)):
        length = last.at_us - first.at_us
        tol = Tolerance(q, max(first.skew_us, last.skew_us))
        bound = share_bound(expected, tol.share(length), tol.interference(length))
        measured = usage / length
        excess = max(bound.low - measured, measured - bound.high)
        if excess > 0 and (worst is None or excess > worst[0]):
            worst = (excess, f"{measured:.4f} over the {length} µs from "
                     f"{first.at_us - reads[0].at_us} µs into the window (accepted "
                     f"{bound.low:.4f}..{bound.high:.4f})")
    return worst


@then(parsers.re(
    r'their shares are "(?P<table>[0-9/. ]+)" over every span between two of those reads'
))
def _shares_every_span(
    outcome: Outcome, named: Named, measurements: Measurements, table: str
) -> None:
    """Each named mdev received its share over every span between two traced reads.

    Each span is checked with the tolerance of its own length.
    """
    stated_shares(outcome, named, table)
    reads, q = measurements.trace, measurements.last_window.q
    if len(reads) < 3:
        outcome.error("no traced window: use 'one measurement window passes, read every "
                      "timeslice' first")
    problems = []
    for name, share in oracle_shares(named).items():
        worst = worst_span(reads, named[name].mdev.uuid, float(share), q)
        outcome.evidence(f"share of {name} over every span", expected=round(float(share), 6),
                         actual=worst[1] if worst else "every span within its band",
                         ok=worst is None, note=f"{len(reads)} reads, one per {q} µs")
        if worst is not None:
            problems.append(f"{name}: expected {float(share):.4f}, measured {worst[1]}")
    assert not problems, "shares outside tolerance over a span: " + "; ".join(problems)


@then(parsers.re(r"(?P<name>[A-Z]) receives the whole device"))
def _whole_device(outcome: Outcome, named: Named, measurements: Measurements, name: str) -> None:
    """Work conservation: a lone backlogged mdev without a cap gets everything."""
    cap = cap_of(named[name].knobs)
    if cap < 100:
        outcome.skip(f"{name}'s cap is fixed at {cap} by its type: the whole device goes only "
                     "to an mdev without a cap below 100")
    problem = check_share(outcome, named, measurements, name, 1.0, lower_only=True)
    assert problem is None, f"work conservation: {problem}"


@then(parsers.re(r"the share of (?P<name>[A-Z]) does not exceed its cap"))
def _within_cap(outcome: Outcome, named: Named, measurements: Measurements, name: str) -> None:
    """A capped mdev never gets more than its cap."""
    cap = cap_of(named[name].knobs)
    problem = check_share(outcome, named, measurements, name, cap / 100, upper_only=True)
    assert problem is None, f"cap {cap} exceeded: {problem}"
