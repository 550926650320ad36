"""Each scenario written for a gap class of issue 12 kills a public mutant that no other
scenario kills.

``test_mutants.py`` shows that the whole run kills every mutant; this runs each
mutant named below once more with its scenario and the random sequences deselected
(``-k "not ... and not random"``, the option a vendor has) and expects it to survive:
so the scenario is the only one that catches it, and it is not there for show.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import pytest
from mqos_mutants import MutantInfo, catalogue
from mutant_runs import LazyOutcomes, Outcome, distributed, run_key, run_many
from mutant_score import killed

# the scenario (a fragment of its pytest-bdd test name) -> the mutant only it kills
ONLY_KILLER = {
    "priority_set_back_to_standard": "mqos_mutants.vendor.oneway:NormalWriteIgnored",
    "busy_for_a_while": "mqos_mutants.vendor.history:HighDecaysAfterLongRun",
    "over_every_span_of_a_window": "mqos_mutants.vendor.timers:FortyMsFrame",
    # counter_spans: QOS-ACC-005 over every span (the 7 and 25 ms copies survive without
    # it too; test_copy_phase.py shows the kill whatever the period and phase)
    "running_or_waiting_over_every_span": "mqos_mutants.vendor.counters:CountersCopiedEvery10ms",
    "timeslice_over_every_span": "mqos_mutants.vendor.counters:SlicesCopiedEvery10ms",
    "joins_after_another_has_run": "mqos_mutants.vendor.history:NewcomerStartsAtZero",
    "goes_idle_after_running": "mqos_mutants.vendor.timers:IdleKeepsSlotUntilRebuild",
    "comes_back_after_idling_gets": "mqos_mutants.vendor.history:ReturnKeepsOldCredit",
    "capped_mdev_that_comes_back": "mqos_mutants.vendor.history:CapBudgetBankedWhileIdle",
    "cap_set_back_to_100": "mqos_mutants.vendor.oneway:UncapIgnored",
    "weight_set_back_to_the_default": "mqos_mutants.vendor.oneway:WeightDefaultIgnored",
    "shorter_than_a_timeslice_are_charged": "mqos_mutants.vendor.counters:UsageChargedPerQuantum",
    "past_2_to_the_power_of_32": "mqos_mutants.vendor.counters:WaitNsIn32Bits",
    # topology, combinations, fixed, trailing_nul (gap classes 3, 4, 5, 8 and 9)
    "up_to_the_types_instance_limit": "mqos_mutants.vendor.runlists:RunListOfFour",
    "more_than_four_mdevs_of_a_parent_are_capped": "mqos_mutants.vendor.runlists:CapTableOfFour",
    "more_than_four_mdevs_of_a_parent_have": "mqos_mutants.topology:WeightTableOfFour",
    "cap_that_does_not_bind": "mqos_mutants.combinations:WeightIgnoredWithCap",
    "heavy_capped_mdev_leaves": "mqos_mutants.combinations:ExcessSplitEqually",
    "whatever_the_weights_and_caps": "mqos_mutants.combinations:SliceScalesWithWeight",
    "cap_its_type_fixes_holds": "mqos_mutants.vendor.knobfiles:FixedCapLostOnKnobWrite",
    "comes_back_with_default_knobs": "mqos_mutants.vendor.knobfiles:SchedStateOutlivesBusyMdev",
    "comes_back_with_its_counters": "mqos_mutants.vendor.knobfiles:CountersOutliveBusyMdev",
    "cap_refuses_a_valid_value_followed": "mqos_mutants.vendor.knobfiles:CapStopsAtNul",
    "weight_refuses_a_valid_value_followed": "mqos_mutants.vendor.knobfiles:WeightStopsAtNul",
    "priority_refuses_a_level_name_followed": "mqos_mutants.vendor.knobfiles:PriorityStopsAtNul",
    "cap_holds_on_a_priority_level": "mqos_mutants.vendor.combos:CapIgnoredOffNormal",
    "strict_priority_holds_whatever_the_weights": "mqos_mutants.vendor.combos:LevelLostWithWeight",
    # "higher_level_backlogged_on_another_parent" (PriorityAcrossParents) is no longer the
    # only killer: the domain isolation scenarios (QOS-SCH-002) catch that mutant too
    "middlelevel_mdev_that_becomes_active": "mqos_mutants.vendor.combos:NormalArrivalNotPreempting",
    # the second blind catalogue's survivors (after_work, long_window); the slot-reuse
    # scenario is not the only killer of StatsSlotNotClearedOnReuse: another ACC-001
    # check (accounting.feature) meets the slot the long window's busy mdev left
    "has_run_alone_and_gone_idle": "mqos_mutants.vendor.blind2:IdleByWatchdogChargesWait",
    "counted_over_300_timeslices": "mqos_mutants.vendor.blind2:SlicesFoldedFromEightBitRegister",
    # throttle_budget (QOS-ACC-008, the spec decision on a cap that does not bind)
    "waits_with_budget_left": "mqos_mutants.vendor.blind:ThrottledWhileCapNotBinding",
}


def entry_of(spec: str) -> MutantInfo:
    """The catalogue entry loaded by ``--mock-driver spec``."""
    return next(e for e in catalogue() if e.spec == spec)


@pytest.fixture(scope="module")
def without_their_scenario(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Mapping[str, Outcome]]:
    """Each mutant run (profile full) with the scenario that should be its only killer
    deselected (under pytest-xdist, each when its test asks for it)."""
    base = tmp_path_factory.mktemp("unique")
    jobs = [(spec, "full", base / fragment, ("-k", f"not {fragment} and not random"))
            for fragment, spec in ONLY_KILLER.items()]
    if not distributed():
        yield run_many(jobs)
        return
    lazy = LazyOutcomes(jobs)
    yield lazy
    lazy.close()


@pytest.mark.slow
@pytest.mark.parametrize("fragment", sorted(ONLY_KILLER))
def test_no_other_scenario_kills_it(fragment: str,
                                    without_their_scenario: dict[str, Outcome]) -> None:
    spec = ONLY_KILLER[fragment]
    entry = entry_of(spec)
    assert not entry.known_gap, f"{entry.name} is still marked as a gap"
    outcome = without_their_scenario[run_key(spec, ("-k", f"not {fragment} and not random"))]
    assert outcome.verdict in ("conformant", "non-conformant"), outcome.describe()
    assert not killed(entry, outcome), (
        f"{entry.name} is killed without the scenario '{fragment}': {outcome.describe()}")
