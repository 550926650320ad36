"""Expected long-run shares of one parent's active mdevs (the spec's share formula).

1. Priority levels are served strictly, highest first, starting from the whole device.
2. Within a level the remaining capacity is split by weight with water-filling under
   the caps (weighted max-min fairness): an mdev held at its cap gives its excess to
   the others of its level, in proportion to their weights.
3. What a level leaves passes to the next level down.
4. A cap is a ceiling even when capacity is left over (not work-conserving).

Arithmetic is exact (:class:`fractions.Fraction`), so properties such as "shares sum
to at most 1" hold without rounding slack. Independent of the reference mock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

LEVELS: tuple[str, ...] = ("background", "standard", "urgent")
"""The priority vocabulary, lowest first."""

CAP_RANGE = (1, 100)
WEIGHT_RANGE = (1, 10000)
DEFAULT_CAP = 100
DEFAULT_WEIGHT = 100
DEFAULT_LEVEL = "standard"
DEFAULT_KNOBS: dict[str, str] = {
    "cap": str(DEFAULT_CAP),
    "weight": str(DEFAULT_WEIGHT),
    "priority": DEFAULT_LEVEL,
}
"""What each knob reads back as on a new mdev, without the newline."""


@dataclass(frozen=True)
class Member:
    """One active (backlogged) mdev of a parent, with the knobs that shape its share."""

    name: str
    weight: int = DEFAULT_WEIGHT
    cap: int = DEFAULT_CAP
    level: str = DEFAULT_LEVEL

    def __post_init__(self) -> None:
        if not WEIGHT_RANGE[0] <= self.weight <= WEIGHT_RANGE[1]:
            raise ValueError(f"{self.name}: weight {self.weight} outside {WEIGHT_RANGE}")
        if not CAP_RANGE[0] <= self.cap <= CAP_RANGE[1]:
            raise ValueError(f"{self.name}: cap {self.cap} outside {CAP_RANGE}")
        if self.level not in LEVELS:
            raise ValueError(f"{self.name}: level {self.level!r} not one of {LEVELS}")

    @property
    def ceiling(self) -> Fraction:
        """The cap as a fraction of the device."""
        return Fraction(self.cap, 100)


def water_fill(capacity: Fraction, members: Iterable[Member]) -> dict[str, Fraction]:
    """Split ``capacity`` among ``members`` by weight, no one above its cap.

    Repeatedly offer every unfrozen member ``remaining * w / sum(w)``; freeze those
    whose offer would exceed their cap at exactly the cap and redistribute the rest.
    Freezing every violator at once is exact: the fair rate only grows as members
    freeze, so a member over its cap now stays over it.
    """
    unfrozen = list(members)
    names = [m.name for m in unfrozen]
    if len(set(names)) != len(names):
        raise ValueError(f"duplicate member names: {names}")
    shares: dict[str, Fraction] = {}
    remaining = max(Fraction(0), Fraction(capacity))
    while unfrozen:
        total_weight = sum(m.weight for m in unfrozen)
        offers = {m.name: remaining * m.weight / total_weight for m in unfrozen}
        capped = [m for m in unfrozen if offers[m.name] > m.ceiling]
        if not capped:
            shares.update(offers)
            break
        for member in capped:
            shares[member.name] = member.ceiling
            remaining -= member.ceiling
        unfrozen = [m for m in unfrozen if m not in capped]
    return shares


def expected_shares(members: Iterable[Member]) -> dict[str, Fraction]:
    """The share of device time each active member receives in the long run."""
    active = list(members)
    shares: dict[str, Fraction] = {}
    capacity = Fraction(1)
    for level in reversed(LEVELS):
        tier = [m for m in active if m.level == level]
        if not tier:
            continue
        granted = water_fill(capacity, tier)
        shares.update(granted)
        capacity -= sum(granted.values(), Fraction(0))
    if len(shares) != len(active):
        raise ValueError("duplicate member names across levels")
    return {m.name: shares[m.name] for m in active}


def reserved_shares(domain: Iterable[Member]) -> dict[str, Fraction]:
    """The reserved share of every mdev of a domain: the formula with all of them active.

    For a driver whose ``sharing`` is ``reserved`` this is a floor for each owner
    that has work, whatever the others do (spec, "Reserved shares").
    """
    return expected_shares(domain)


def shares_for(
    knobs: Mapping[str, Mapping[str, object]], active: Iterable[str] | None = None
) -> dict[str, Fraction]:
    """Convenience: ``{"A": {"weight": 200}, ...}`` → expected shares of ``active``.

    Members not in ``active`` are idle: they receive 0 and dilute nobody.
    """
    wanted = set(knobs if active is None else active)
    members = [
        Member(
            name,
            weight=int(str(k.get("weight", DEFAULT_WEIGHT))),
            cap=int(str(k.get("cap", DEFAULT_CAP))),
            level=str(k.get("level", DEFAULT_LEVEL)),
        )
        for name, k in knobs.items()
        if name in wanted
    ]
    granted = expected_shares(members)
    return {name: granted.get(name, Fraction(0)) for name in knobs}


@dataclass(frozen=True)
class Pair:
    """Two active mdevs of one level whose expected shares follow their weights."""

    light: Member
    heavy: Member
    light_share: Fraction
    heavy_share: Fraction

    @property
    def ratio(self) -> Fraction:
        """The weight ratio heavy : light (at least 1)."""
        return Fraction(self.heavy.weight, self.light.weight)


def weighted_pairs(members: Iterable[Member]) -> list[Pair]:
    """Every pair of one parent's active members whose shares are in weight proportion.

    Those are the pairs of one level that both receive something and are not held
    below their weighted share by a cap: their usage ratio must follow the weight
    ratio whatever the device delivers.
    """
    active = list(members)
    shares = expected_shares(active)
    pairs = []
    for i, a in enumerate(active):
        for b in active[i + 1:]:
            x_a, x_b = shares[a.name], shares[b.name]
            if a.level != b.level or x_a <= 0 or x_b <= 0 or x_a * b.weight != x_b * a.weight:
                continue
            light, heavy = (a, b) if a.weight <= b.weight else (b, a)
            pairs.append(Pair(light, heavy, shares[light.name], shares[heavy.name]))
    return pairs
