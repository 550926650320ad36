"""What the oracle expects of one window of a random sequence, and which requirement says so.

Every check uses the tolerances of the spec's measurement method
(:mod:`conformance.oracle.tolerance`), never a retry, so a conforming driver
passes whatever the sequence:

- counters, on every parent: none decreases (QOS-ACC-002); an idle mdev
  accumulates nothing (QOS-ACC-003); a parent hands out no more than the window
  (QOS-ACC-004); a backlogged mdev runs or waits (QOS-ACC-005); a dispatch lasts
  at most 1.1q (QOS-ACC-006); only a cap throttles, and throttling is waiting
  (QOS-ACC-007); throttled time follows the service that spent the cap's budget,
  at most 100/cap − 1 times the usage (QOS-ACC-008, windows that a cap write
  does not start);
- shares, on a domain whose mdevs are all idle or backlogged (the share formula
  speaks of backlogged mdevs; a ``periodic`` mdev changes the active set all the
  time, so such a domain gets the counter checks only) and whose ``sharing``
  reads ``work-conserving``: every share within the share tolerance, every pair
  whose shares follow their weights within the ratio band, a lone capped mdev
  throttled by its cap (QOS-CAP-009), a starved one waiting (QOS-PRI-010);
- reserved shares, on such a domain whose ``sharing`` reads ``reserved``, outside
  a live window and without mdevs the suite did not create: each backlogged
  mdev receives at least its reserved share, the formula over every mdev of the
  domain, busy or idle (QOS-SCH-005). The work-conserving share checks do not
  judge a reserved driver, and a driver without ``sharing`` (it promises no way
  of sharing) gets the counter checks only.

A share that misses its band is blamed on the most specific rule of the share
formula that gives it (:func:`share_requirement`): a change made at the window's
start, then the cap, strict priority, the leftover of a level, water-filling,
weights, isolation, idle peers, work conservation, equal shares.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from conformance.oracle.formats import NO_SHARING
from conformance.oracle.shares import (
    DEFAULT_LEVEL,
    DEFAULT_WEIGHT,
    LEVELS,
    Member,
    expected_shares,
    reserved_shares,
    weighted_pairs,
)
from conformance.oracle.tolerance import ratio_bound, share_bound
from conformance.suite.measure import Window

LIVE = {"cap": "QOS-CAP-008", "weight": "QOS-WGT-008", "priority": "QOS-PRI-009"}
"""The live-change requirement of each knob."""

REQUIREMENTS = (
    "QOS-FMT-001", "QOS-FMT-006", "QOS-LIFE-001",
    "QOS-SCH-001", "QOS-SCH-002", "QOS-SCH-003", "QOS-SCH-004", "QOS-SCH-005",
    "QOS-CAP-002", "QOS-CAP-006", "QOS-CAP-007", "QOS-CAP-008", "QOS-CAP-009",
    "QOS-WGT-002", "QOS-WGT-006", "QOS-WGT-007", "QOS-WGT-008", "QOS-WGT-009",
    "QOS-PRI-003", "QOS-PRI-006", "QOS-PRI-007", "QOS-PRI-008", "QOS-PRI-009", "QOS-PRI-010",
    "QOS-ACC-002", "QOS-ACC-003", "QOS-ACC-004", "QOS-ACC-005", "QOS-ACC-006", "QOS-ACC-007",
    "QOS-ACC-008",
)
"""Every requirement a random sequence can fail (and so every scenario of random.feature)."""


SHARING_OF = {
    **{f"QOS-SCH-00{n}": "work-conserving" for n in range(1, 5)},
    "QOS-WGT-007": "work-conserving",
    "QOS-SCH-005": "reserved",
}
"""The sharing guarantee each sharing requirement binds (its stated condition)."""


@dataclass(frozen=True)
class Offer:
    """What the type under test offers, for the requirements' conditions."""

    files: frozenset[str]  # the qos/ files of an mdev of the type
    writable: frozenset[str]  # its knobs that the type does not fix
    second_parent: bool  # another parent offers the type
    sharing: str = "work-conserving"  # what its qos/sharing reads ("none": no such file)


def unmet_condition(requirement: str, offer: Offer) -> str | None:
    """Why ``requirement``'s stated condition does not hold for the type, or None."""
    needs: list[tuple[str, bool]] = []  # (file, writable too)
    group = requirement.split("-")[1]
    knob = {"CAP": "cap", "WGT": "weight", "PRI": "priority"}.get(group)
    if knob is not None:
        needs.append((knob, True))
    # QOS-ACC-007 and 008 count for the cap feature, which a type that fixes cap does not offer
    needs += {"QOS-ACC-005": [("wait_us", False)], "QOS-ACC-006": [("nr_slices", False)],
              "QOS-ACC-007": [("cap", True)], "QOS-ACC-008": [("cap", True)]
              }.get(requirement, [])
    for name, writable in needs:
        if name not in offer.files:
            return f"the type under test has no qos/{name}"
        if writable and name not in offer.writable:
            return f"the type under test fixes {name}: its requirements apply to a writable one"
    if requirement in ("QOS-SCH-002", "QOS-WGT-009") and not offer.second_parent:
        return "no second parent offers the type under test"
    promised = SHARING_OF.get(requirement)
    if promised is not None and offer.sharing != promised:
        said = "is absent" if offer.sharing == NO_SHARING else f"reads {offer.sharing}"
        return (f"qos/sharing of the type under test {said}: the requirements of "
                f"{promised} sharing do not apply")
    return None


@dataclass(frozen=True)
class Violation:
    """One check that did not hold, with the requirement it belongs to."""

    requirement: str
    message: str

    def __str__(self) -> str:
        return f"{self.requirement}: {self.message}"


@dataclass(frozen=True)
class Seen:
    """One mdev as a window saw it: knobs as read back, load, counters it has."""

    name: str
    uuid: str
    parent: str  # where it competes: its scheduling domain (its parent by default)
    knobs: Mapping[str, int | str]  # "weight", "cap", "level" (the oracle's names)
    load: str  # idle, backlog or periodic (the kind)
    counters: tuple[str, ...]
    cap_changed: bool = False  # its cap was written at the window's start (live)
    sharing: str = "work-conserving"  # what its qos/sharing reads (NO_SHARING: absent)

    @property
    def cap(self) -> int:
        return int(str(self.knobs.get("cap", 100)))

    @property
    def weight(self) -> int:
        return int(str(self.knobs.get("weight", DEFAULT_WEIGHT)))

    @property
    def level(self) -> str:
        return str(self.knobs.get("level", DEFAULT_LEVEL))

    def member(self) -> Member:
        """The mdev as the share formula takes it."""
        return Member(self.name, weight=self.weight, cap=self.cap, level=self.level)


@dataclass
class Judgement:
    """The violations of one window and how often each requirement was checked."""

    violations: list[Violation] = field(default_factory=list)
    checked: Counter[str] = field(default_factory=Counter)

    def check(self, requirement: str, ok: bool, message: str) -> None:
        """Count one check of ``requirement``; keep the violation when it failed."""
        self.checked[requirement] += 1
        if not ok:
            self.violations.append(Violation(requirement, message))


def share_requirement(
    one: Seen, expected: Mapping[str, Fraction], members: Sequence[Seen], *,
    too_high: bool, live_knob: str | None, idle_peers: Sequence[Seen],
    busy_elsewhere: Sequence[Seen],
) -> str:
    """The requirement whose rule gives ``one`` the share it missed."""
    if live_knob:
        return LIVE[live_knob]
    x = expected[one.name]
    if one.cap < 100 and (too_high and x >= Fraction(one.cap, 100) or x == Fraction(one.cap, 100)):
        return "QOS-CAP-006" if too_high else "QOS-CAP-007"
    rank = LEVELS.index(one.level)
    if x == 0:
        return "QOS-PRI-006"
    if any(LEVELS.index(m.level) > rank for m in members):
        return "QOS-PRI-007"
    same = [m for m in members if m.level == one.level]
    if any(m.cap < 100 and expected[m.name] == Fraction(m.cap, 100) for m in same):
        return "QOS-CAP-007"
    if len({m.weight for m in same}) > 1:
        return "QOS-WGT-006"
    if len(members) == 1:
        if busy_elsewhere:
            weighted = any(m.weight != DEFAULT_WEIGHT for m in busy_elsewhere)
            return "QOS-WGT-009" if weighted else "QOS-SCH-002"
        if idle_peers:
            weighted = any(m.weight != DEFAULT_WEIGHT for m in idle_peers)
            return "QOS-WGT-007" if weighted else "QOS-SCH-003"
        return "QOS-SCH-001"
    return "QOS-SCH-004"


def judge(
    window: Window, seen: Sequence[Seen], *, live_knobs: Mapping[str, str],
    previous: Mapping[tuple[str, str], int], bystanders: bool = False,
) -> Judgement:
    """Every check of one window.

    ``live_knobs``: parent → the knob last written there at the window's start;
    ``previous``: counter values read before the window; ``bystanders``: mdevs the
    suite did not create share the parents (their reserved shares are unknown).
    """
    verdict = Judgement()
    _monotonic(verdict, window, seen, previous)
    for one in seen:
        _counters(verdict, window, one)
    parents = list(dict.fromkeys(one.parent for one in seen))
    for parent in parents:
        here = [one for one in seen if one.parent == parent]
        elsewhere = [one for one in seen if one.parent != parent and one.load != "idle"]
        _conservation(verdict, window, parent, here)
        if any(one.load == "periodic" for one in here):
            continue  # the share formula speaks of backlogged mdevs only
        sharing = {one.sharing for one in here}
        if sharing == {"work-conserving"}:
            _shares(verdict, window, here, live_knobs.get(parent), elsewhere)
        elif sharing == {"reserved"} and not window.live and not bystanders:
            _reserved(verdict, window, here)
        # otherwise the domain promises no share (no sharing file, or mixed words)
    return verdict


def _monotonic(verdict: Judgement, window: Window, seen: Sequence[Seen],
               previous: Mapping[tuple[str, str], int]) -> None:
    for one in seen:
        for counter in one.counters:
            before = previous.get((one.uuid, counter))
            start = window.start.get(one.uuid, counter)
            end = window.end.get(one.uuid, counter)
            pairs = [(before, start), (start, end)]
            bad = [(a, b) for a, b in pairs if a is not None and b is not None and b < a]
            verdict.check("QOS-ACC-002", not bad,
                          f"{counter} of {one.name} went from {bad[0][0]} to {bad[0][1]}"
                          if bad else "")


def _counters(verdict: Judgement, window: Window, one: Seen) -> None:
    tol = window.tolerance
    usage_tol = tol.live if window.live else tol.usage
    length = window.length
    delta = {c: window.delta(one.uuid, c) for c in one.counters}
    usage = delta.get("usage_us") or 0
    if one.load == "idle":
        grown = {c: d for c, d in delta.items() if d}
        verdict.check("QOS-ACC-003", not grown,
                      f"idle {one.name} accumulated {grown} over {length} µs")
    slices = delta.get("nr_slices")
    if slices is not None:
        bound = tol.slices(slices)
        # a dispatch counted before the window may run into it: the bound's tolerance
        # covers it, so usage with no dispatch in the window is no failure by itself
        verdict.check("QOS-ACC-006", usage <= bound,
                      f"{one.name} ran {usage} µs in {slices} dispatches of q={window.q} µs "
                      f"(at most {bound} µs)")
    wait = delta.get("wait_us")
    if one.load == "backlog" and wait is not None:
        total = usage + wait
        verdict.check("QOS-ACC-005", abs(total - length) <= tol.usage,
                      f"backlogged {one.name}: usage {usage} + wait {wait} = {total} µs, "
                      f"expected {length} ± {tol.usage} µs")
    throttled = delta.get("throttled_us")
    if throttled is not None:
        if one.cap == 100 and not one.cap_changed:
            verdict.check("QOS-ACC-007", throttled <= tol.resolution,
                          f"{one.name} has cap 100 yet accumulated {throttled} µs throttled")
        bound = (wait if wait is not None else length - usage) + usage_tol
        verdict.check("QOS-ACC-007", throttled <= bound,
                      f"{one.name}: throttled {throttled} µs exceeds the time it did not run "
                      f"or waited ({bound} µs with the tolerance)")
        if not one.cap_changed:
            budget = tol.throttled(one.cap, usage, live=window.live)
            verdict.check("QOS-ACC-008", throttled <= budget,
                          f"{one.name} with cap {one.cap} ran {usage} µs and was counted "
                          f"{throttled} µs throttled over {length} µs (at most {budget} µs: "
                          "100/cap - 1 times its usage, with the tolerance)")


def _conservation(verdict: Judgement, window: Window, parent: str, here: Sequence[Seen]) -> None:
    total = sum(window.delta(one.uuid, "usage_us") or 0 for one in here)
    bound = window.tolerance.conservation(window.length, len(here))
    verdict.check("QOS-ACC-004", total <= bound,
                  f"{parent}: {total} µs handed out in a {window.length} µs window "
                  f"(at most {bound})")


def _shares(verdict: Judgement, window: Window, here: Sequence[Seen], live_knob: str | None,
            elsewhere: Sequence[Seen]) -> None:
    busy = [one for one in here if one.load == "backlog"]
    idle = [one for one in here if one.load == "idle"]
    expected = expected_shares(one.member() for one in busy)
    delta, iota = window.share_tolerance, window.interference
    for one in busy:
        x = expected[one.name]
        measured = window.share(one.uuid)
        bound = share_bound(float(x), delta, iota)
        ok = bound.holds(measured)
        requirement = share_requirement(
            one, expected, busy, too_high=measured > bound.high, live_knob=live_knob,
            idle_peers=idle, busy_elsewhere=elsewhere,
        ) if not ok else _share_owner(one, expected, busy, live_knob, idle, elsewhere)
        verdict.check(requirement, ok,
                      f"{one.name}: expected share {float(x):.4f} (accepted {bound.low:.4f}.."
                      f"{bound.high:.4f}), measured {measured:.4f} over {window.length} µs"
                      + (" (window starting at a knob write)" if window.live else ""))
    _pairs(verdict, window, busy, live_knob)
    if not window.live:
        _alone_at_cap(verdict, window, busy, here)
        _starved(verdict, window, busy, expected)


def _reserved(verdict: Judgement, window: Window, here: Sequence[Seen]) -> None:
    """QOS-SCH-005: each backlogged mdev receives at least its reserved share."""
    floor = reserved_shares(one.member() for one in here)
    delta, iota = window.share_tolerance, window.interference
    for one in here:
        if one.load != "backlog":
            continue
        x = floor[one.name]
        measured = window.share(one.uuid)
        low = share_bound(float(x), delta, iota).low
        verdict.check("QOS-SCH-005", measured >= low,
                      f"{one.name}: reserved share {float(x):.4f} over the {len(here)} mdevs "
                      f"of its domain (accepted from {low:.4f}), measured {measured:.4f} "
                      f"over {window.length} µs")


def _share_owner(one: Seen, expected: Mapping[str, Fraction], busy: Sequence[Seen],
                 live_knob: str | None, idle: Sequence[Seen], elsewhere: Sequence[Seen]) -> str:
    """The requirement a share check that held counts for (coverage)."""
    return share_requirement(one, expected, busy, too_high=False, live_knob=live_knob,
                             idle_peers=idle, busy_elsewhere=elsewhere)


def _pairs(verdict: Judgement, window: Window, busy: Sequence[Seen], live_knob: str | None) -> None:
    tol = window.tolerance
    usage_tol = tol.live if window.live else tol.usage
    by_name = {one.name: one for one in busy}
    for pair in weighted_pairs(one.member() for one in busy):
        light, heavy = by_name[pair.light.name], by_name[pair.heavy.name]
        u_light = window.delta(light.uuid, "usage_us") or 0
        u_heavy = window.delta(heavy.uuid, "usage_us") or 0
        bound = ratio_bound(float(pair.heavy_share), float(pair.light_share), usage_tol,
                            window.length, window.interference)
        ratio = float(pair.ratio)
        normalized = (u_heavy / u_light / ratio) if u_light > 0 else float("inf")
        requirement = (LIVE["weight"] if live_knob == "weight" else
                       "QOS-WGT-006" if ratio != 1 else "QOS-SCH-004")
        verdict.check(requirement, bound.holds(normalized),
                      f"{heavy.name}:{light.name} ran {u_heavy}:{u_light} µs, weights give "
                      f"{ratio:.3f}:1 (accepted {bound.low * ratio:.3f}.."
                      f"{bound.high * ratio:.3f}) over {window.length} µs")


def _alone_at_cap(verdict: Judgement, window: Window, busy: Sequence[Seen],
                  here: Sequence[Seen]) -> None:
    if len(busy) != 1 or busy[0].cap >= 100:
        return
    one = busy[0]
    throttled = window.delta(one.uuid, "throttled_us")
    if throttled is None:
        return
    tol = window.tolerance
    expected = (1 - one.cap / 100) * window.length
    low = expected - tol.usage - tol.interference(window.length) * window.length
    high = expected + tol.usage
    verdict.check("QOS-CAP-009", low <= throttled <= high,
                  f"{one.name} alone at cap {one.cap}: throttled {throttled} µs, expected "
                  f"{expected:.0f} µs (accepted {low:.0f}..{high:.0f}) over {window.length} µs")


def _starved(verdict: Judgement, window: Window, busy: Sequence[Seen],
             expected: Mapping[str, Fraction]) -> None:
    tol = window.tolerance.usage
    for one in busy:
        wait = window.delta(one.uuid, "wait_us")
        if expected[one.name] > 0 or wait is None:
            continue
        low, high = window.length - 2 * tol, window.length + tol
        verdict.check("QOS-PRI-010", low <= wait <= high,
                      f"starved {one.name}: wait_us grew by {wait} µs, expected {low}..{high} "
                      f"µs over {window.length} µs")
