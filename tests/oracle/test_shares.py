"""The oracle's expected shares: worked examples and properties of the share formula."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conformance.oracle.shares import (
    LEVELS,
    Member,
    expected_shares,
    reserved_shares,
    shares_for,
    water_fill,
)

F = Fraction


def member_lists(min_size: int = 1, max_size: int = 6, levels: tuple[str, ...] = LEVELS):
    """Lists of active members with distinct names and arbitrary knobs."""
    one = st.builds(
        lambda w, c, lv: (w, c, lv),
        st.integers(1, 10000),
        st.integers(1, 100),
        st.sampled_from(levels),
    )
    return st.lists(one, min_size=min_size, max_size=max_size).map(
        lambda items: [Member(f"m{i}", weight=w, cap=c, level=lv)
                       for i, (w, c, lv) in enumerate(items)]
    )


@pytest.mark.parametrize(
    ("knobs", "expected"),
    [
        ([(100, 100), (200, 100), (300, 100)], [F(1, 6), F(1, 3), F(1, 2)]),
        ([(100, 20), (100, 100)], [F(1, 5), F(4, 5)]),
        ([(100, 30), (100, 30), (100, 100)], [F(3, 10), F(3, 10), F(2, 5)]),
        ([(100, 100), (300, 50)], [F(1, 2), F(1, 2)]),
        ([(100, 10), (100, 20)], [F(1, 10), F(1, 5)]),
        ([(100, 10), (100, 100), (200, 100)], [F(1, 10), F(3, 10), F(3, 5)]),
    ],
)
def test_water_filling_examples(knobs: list[tuple[int, int]], expected: list[Fraction]) -> None:
    members = [Member(f"m{i}", weight=w, cap=c) for i, (w, c) in enumerate(knobs)]
    assert list(expected_shares(members).values()) == expected


def test_strict_priority_and_leftovers_pass_down() -> None:
    members = [Member("a", cap=50, level="urgent"), Member("b", cap=30, level="standard"),
               Member("c", level="background")]
    assert expected_shares(members) == {"a": F(1, 2), "b": F(3, 10), "c": F(1, 5)}
    starved = [Member("a", level="urgent"), Member("b", level="background")]
    assert expected_shares(starved) == {"a": F(1), "b": F(0)}


def test_idle_members_get_nothing_and_dilute_nobody() -> None:
    knobs = {"A": {"weight": 100}, "B": {"weight": 300}, "C": {"weight": 600}}
    assert shares_for(knobs, active=["A", "B"]) == {"A": F(1, 4), "B": F(3, 4), "C": F(0)}


@pytest.mark.parametrize(
    "bad",
    [dict(weight=0), dict(weight=10001), dict(cap=0), dict(cap=101), dict(level="high")],
)
def test_out_of_range_knobs_are_refused(bad: dict) -> None:
    with pytest.raises(ValueError):
        Member("x", **bad)


def test_duplicate_names_are_refused() -> None:
    with pytest.raises(ValueError):
        water_fill(F(1), [Member("x"), Member("x")])
    with pytest.raises(ValueError):
        expected_shares([Member("x", level="urgent"), Member("x", level="background")])


@settings(deadline=None)  # a busy machine is not a slow function
@given(member_lists())
def test_shares_never_sum_beyond_the_device(members: list[Member]) -> None:
    assert sum(expected_shares(members).values()) <= 1


@settings(deadline=None)  # a busy machine is not a slow function
@given(member_lists())
def test_caps_always_hold(members: list[Member]) -> None:
    shares = expected_shares(members)
    assert all(shares[m.name] <= m.ceiling for m in members)
    assert all(shares[m.name] >= 0 for m in members)


@settings(deadline=None)  # a busy machine is not a slow function
@given(member_lists())
def test_device_is_work_conserving_up_to_the_caps(members: list[Member]) -> None:
    """The device hands out everything unless the caps of all members forbid it."""
    total_caps = sum((m.ceiling for m in members), F(0))
    assert sum(expected_shares(members).values()) == min(F(1), total_caps)


@settings(deadline=None)  # a busy machine is not a slow function
@given(member_lists(levels=("standard",)))
def test_weights_are_proportional_when_nothing_is_capped(members: list[Member]) -> None:
    uncapped = [Member(m.name, weight=m.weight) for m in members]
    total = sum(m.weight for m in uncapped)
    assert expected_shares(uncapped) == {m.name: F(m.weight, total) for m in uncapped}


@settings(deadline=None)  # a busy machine is not a slow function
@given(member_lists(min_size=2, levels=("standard",)))
def test_water_filling_is_weighted_max_min_fair(members: list[Member]) -> None:
    """An mdev below its cap has the largest share per unit of weight in its level."""
    shares = expected_shares(members)
    per_weight = {m.name: shares[m.name] / m.weight for m in members}
    for m in members:
        if shares[m.name] < m.ceiling:
            assert per_weight[m.name] == max(per_weight.values())


@settings(deadline=None)  # a busy machine is not a slow function
@given(member_lists(min_size=2))
def test_lower_levels_get_only_what_higher_levels_leave(members: list[Member]) -> None:
    shares = expected_shares(members)
    for rank, level in enumerate(LEVELS):
        above = [m for m in members if LEVELS.index(m.level) > rank]
        here = [m for m in members if m.level == level]
        left = max(F(0), 1 - sum((shares[m.name] for m in above), F(0)))
        assert sum((shares[m.name] for m in here), F(0)) <= left
        if not all(shares[m.name] == m.ceiling for m in above):
            assert all(shares[m.name] == 0 for m in here)


def test_reserved_shares_count_every_mdev_of_the_domain() -> None:
    """Issue 14, finding 4: a reserved share is the formula over busy and idle mdevs."""
    domain = [Member("A"), Member("B"), Member("C")]
    assert reserved_shares(domain) == {n: Fraction(1, 3) for n in "ABC"}
    fixed = [Member(n, cap=12) for n in "ABC"]  # NVIDIA fixed share: 100 // 8 each
    assert reserved_shares(fixed) == {n: Fraction(12, 100) for n in "ABC"}
    weighted = [Member("A", weight=200), Member("B"), Member("C")]
    assert reserved_shares(weighted)["A"] == Fraction(1, 2)
