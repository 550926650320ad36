"""The oracle's checks of one window, and the requirement a miss is blamed on."""

from __future__ import annotations

from fractions import Fraction

from conformance.oracle.shares import LEVELS, expected_shares
from conformance.stateful.checks import (
    REQUIREMENTS,
    Offer,
    Seen,
    judge,
    share_requirement,
    unmet_condition,
)
from conformance.suite.measure import Snapshot, Window

HIGH, LOW = LEVELS[-1], LEVELS[0]
COUNTERS = ("usage_us", "throttled_us", "wait_us", "nr_slices")
W = 100_000


def seen(name: str, load: str = "backlog", parent: str = "p0", **knobs: int | str) -> Seen:
    return Seen(name, f"uuid-{name}", parent, dict(knobs), load, COUNTERS)


def window(deltas: dict[str, dict[str, int]], live: bool = False) -> Window:
    start = {(f"uuid-{n}", c): 1000 for n in deltas for c in COUNTERS}
    end = {(f"uuid-{n}", c): 1000 + d.get(c, 0) for n, d in deltas.items() for c in COUNTERS}
    return Window(Snapshot(0, 0, start), Snapshot(W, 0, end), 1000, live=live)


def backlogged(usage: int, slices: int = 100) -> dict[str, int]:
    return {"usage_us": usage, "wait_us": W - usage, "nr_slices": slices}


def requirements(verdict) -> list[str]:
    return sorted(v.requirement for v in verdict.violations)


def test_a_fair_window_passes_and_counts_its_checks() -> None:
    mdevs = [seen("A", weight=200), seen("B"), seen("C", load="idle")]
    verdict = judge(window({"A": backlogged(66_000), "B": backlogged(34_000), "C": {}}), mdevs,
                    live_knobs={}, previous={})
    assert verdict.violations == []
    assert verdict.checked["QOS-WGT-006"] >= 3  # two shares and the pair
    assert verdict.checked["QOS-ACC-003"] == 1 and verdict.checked["QOS-ACC-004"] == 1


def test_a_capped_mdev_over_its_cap_fails_the_cap() -> None:
    verdict = judge(window({"A": backlogged(60_000)}), [seen("A", cap=30)],
                    live_knobs={}, previous={})
    assert "QOS-CAP-006" in requirements(verdict)


def test_a_miss_in_a_window_that_starts_at_a_write_is_the_live_requirement() -> None:
    verdict = judge(window({"A": backlogged(90_000), "B": backlogged(10_000)}, live=True),
                    [seen("A"), seen("B", weight=300)], live_knobs={"p0": "weight"},
                    previous={})
    assert set(requirements(verdict)) == {"QOS-WGT-008"}


def test_counters_that_go_back_or_grow_while_idle_fail_their_requirements() -> None:
    verdict = judge(window({"A": {"usage_us": 5, "nr_slices": 1}}), [seen("A", load="idle")],
                    live_knobs={}, previous={("uuid-A", "wait_us"): 2000})
    assert set(requirements(verdict)) == {"QOS-ACC-002", "QOS-ACC-003"}


def test_throttled_time_beyond_what_the_usage_spent_fails_qos_acc_008() -> None:
    """A capped mdev counted throttled for every wait (cap 80, share 1/2) fails; one
    throttled as its usage spent the budget passes; a cap written at the window's
    start is left to the live checks."""
    waits = {**backlogged(50_000), "throttled_us": 50_000}
    spent = {**backlogged(50_000), "throttled_us": 12_000}
    peer = backlogged(50_000)
    one = [seen("A", cap=80), seen("B")]
    assert requirements(judge(window({"A": waits, "B": peer}), one, live_knobs={},
                              previous={})) == ["QOS-ACC-008"]
    assert judge(window({"A": spent, "B": peer}), one, live_knobs={},
                 previous={}).violations == []
    written = [Seen("A", "uuid-A", "p0", {"cap": 80}, "backlog", COUNTERS, cap_changed=True),
               seen("B")]
    verdict = judge(window({"A": waits, "B": peer}, live=True), written,
                    live_knobs={"p0": "cap"}, previous={})
    assert "QOS-ACC-008" not in requirements(verdict)


def test_a_parent_with_a_periodic_mdev_gets_counter_checks_only() -> None:
    verdict = judge(window({"A": backlogged(10_000), "B": {"usage_us": 20_000,
                                                              "nr_slices": 40}}),
                    [seen("A"), seen("B", load="periodic")], live_knobs={}, previous={})
    assert verdict.violations == []
    assert not any(r.startswith(("QOS-SCH", "QOS-WGT")) for r in verdict.checked)


def test_each_rule_of_the_formula_names_its_requirement() -> None:
    def blame(members, name, *, too_high=False, idle=(), elsewhere=(), live=None):
        expected = expected_shares(m.member() for m in members)
        one = next(m for m in members if m.name == name)
        return share_requirement(one, expected, members, too_high=too_high, live_knob=live,
                                 idle_peers=list(idle), busy_elsewhere=list(elsewhere))

    high, low = seen("A", level=HIGH), seen("B", level=LOW)
    assert blame([high, low], "B", too_high=True) == "QOS-PRI-006"
    assert blame([seen("A", level=HIGH, cap=30), low], "B") == "QOS-PRI-007"
    assert blame([seen("A", cap=20), seen("B")], "B") == "QOS-CAP-007"
    assert blame([seen("A", weight=300), seen("B")], "B") == "QOS-WGT-006"
    assert blame([seen("A")], "A", idle=[seen("B", load="idle")]) == "QOS-SCH-003"
    assert blame([seen("A")], "A", idle=[seen("B", load="idle", weight=9)]) == "QOS-WGT-007"
    assert blame([seen("A")], "A", elsewhere=[seen("C", parent="p1")]) == "QOS-SCH-002"
    assert blame([seen("A")], "A") == "QOS-SCH-001"
    assert blame([seen("A"), seen("B")], "A") == "QOS-SCH-004"
    assert blame([seen("A")], "A", live="cap") == "QOS-CAP-008"
    assert Fraction(1, 2) == expected_shares([seen("A").member(), seen("B").member()])["A"]


def test_every_requirement_has_a_scenario_in_random_feature() -> None:
    from conformance.resources import features_dir

    text = (features_dir() / "random.feature").read_text(encoding="utf-8")
    assert all(f"@{r}\n" in text for r in REQUIREMENTS)


def test_a_requirement_whose_condition_the_type_does_not_meet_is_named() -> None:
    from conformance.stateful.checks import Offer, unmet_condition

    fixed_cap = Offer(frozenset({"cap", "weight", "usage_us", "throttled_us"}),
                      frozenset({"weight"}), second_parent=False)
    assert "fixes cap" in unmet_condition("QOS-CAP-006", fixed_cap)
    assert "fixes cap" in unmet_condition("QOS-ACC-007", fixed_cap)  # a cap feature MUST
    assert "no qos/priority" in unmet_condition("QOS-PRI-008", fixed_cap)
    assert "second parent" in unmet_condition("QOS-SCH-002", fixed_cap)
    assert unmet_condition("QOS-WGT-006", fixed_cap) is None
    assert unmet_condition("QOS-SCH-004", fixed_cap) is None


def reserved(name: str, load: str = "backlog", **knobs: int | str) -> Seen:
    return Seen(name, f"uuid-{name}", "p0", dict(knobs), load, COUNTERS, sharing="reserved")


def test_a_reserved_domain_is_not_judged_as_work_conserving() -> None:
    """A busy mdev beside an idle one gets 1/2, its reserved share: no share fails."""
    mdevs = [reserved("A"), reserved("B", load="idle")]
    verdict = judge(window({"A": backlogged(50_000), "B": {}}), mdevs, live_knobs={},
                    previous={})
    assert verdict.violations == []
    assert verdict.checked["QOS-SCH-005"] == 1
    assert not any(r.startswith("QOS-SCH-00") and r != "QOS-SCH-005" for r in verdict.checked)


def test_a_reserved_mdev_below_its_floor_fails_the_reserve_requirement() -> None:
    mdevs = [reserved("A"), reserved("B", load="idle"), reserved("C", load="idle")]
    verdict = judge(window({"A": backlogged(20_000), "B": {}, "C": {}}), mdevs,
                    live_knobs={}, previous={})
    assert requirements(verdict) == ["QOS-SCH-005"]


def test_reserved_floors_are_not_judged_beside_mdevs_the_suite_did_not_create() -> None:
    mdevs = [reserved("A"), reserved("B", load="idle")]
    verdict = judge(window({"A": backlogged(20_000), "B": {}}), mdevs, live_knobs={},
                    previous={}, bystanders=True)
    assert verdict.checked["QOS-SCH-005"] == 0 and verdict.violations == []


def test_a_driver_without_sharing_gets_the_counter_checks_only() -> None:
    mdevs = [Seen(n, f"uuid-{n}", "p0", {}, "backlog", COUNTERS, sharing="none")
             for n in "AB"]
    verdict = judge(window({"A": backlogged(90_000), "B": backlogged(10_000)}), mdevs,
                    live_knobs={}, previous={})
    assert verdict.violations == []
    assert verdict.checked["QOS-ACC-005"] == 2
    assert not any(r.startswith("QOS-SCH") for r in verdict.checked)


def test_the_sharing_requirements_bind_only_the_guarantee_the_type_states() -> None:
    files = frozenset({"usage_us", "timeslice_us", "sharing"})
    work, held = (Offer(files, frozenset(), True, word)
                  for word in ("work-conserving", "reserved"))
    absent = Offer(frozenset({"usage_us", "timeslice_us"}), frozenset(), True, "none")
    assert unmet_condition("QOS-SCH-003", work) is None
    assert "reads reserved" in str(unmet_condition("QOS-SCH-003", held))
    assert unmet_condition("QOS-SCH-005", held) is None
    assert "reads work-conserving" in str(unmet_condition("QOS-SCH-005", work))
    assert "is absent" in str(unmet_condition("QOS-SCH-001", absent))


def test_a_dispatch_counted_before_the_window_may_run_into_it() -> None:
    """Seed 2217732888: B, starved by an urgent C, ran 839 µs of a dispatch that began
    before the window, so its nr_slices did not grow: no QOS-ACC-006 failure."""
    verdict = judge(window({"A": backlogged(W - 839, 100), "B": backlogged(839, 0)}),
                    [seen("A", priority=HIGH), seen("B", cap=60)], live_knobs={}, previous={})
    assert "QOS-ACC-006" not in requirements(verdict)


def test_an_mdev_that_runs_a_window_long_uncounted_fails_the_dispatch_rule() -> None:
    verdict = judge(window({"A": backlogged(W // 2, 0), "B": backlogged(W // 2, 50)}),
                    [seen("A"), seen("B")], live_knobs={}, previous={})
    assert "QOS-ACC-006" in requirements(verdict)
