"""Steps of ``features/random.feature``: the random campaigns, and replaying a sequence.

The campaigns (a fixed seed, then a fresh one or ``--seed N``) run once per run,
in the first scenario that needs them, under the run's device-time budget for
random testing (``--random-budget``); every scenario of the outline then judges
them for its own requirement, so a failure names only the requirement whose
check failed. The ``When`` lines replay a shrunk sequence as printed by
:mod:`conformance.stateful.gherkin`.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from pytest_bdd import given, parsers, then, when

from conformance.oracle.tolerance import QUICK, Precision
from conformance.stateful import gherkin
from conformance.stateful.campaign import BUDGET_SLICES, FIXED_SEED, Campaign, Context, Result
from conformance.stateful.checks import Offer, unmet_condition
from conformance.stateful.explorer import OTHER_PARENT, OTHER_TYPE, PARENT, TYPE, Explorer, Slot
from conformance.stateful.explorer import slots as find_slots
from conformance.steps.require import sharing_of, timeslice
from conformance.suite.outcome import Outcome
from conformance.suite.registry import DeviceClock, Resources
from conformance.suite.under_test import UnderTest
from conformance.workload.base import parse_load

Campaigns = dict[str, Any]


@pytest.fixture(scope="session")
def random_campaigns() -> Campaigns:
    """Per run: the campaigns' results, or why they could not run."""
    return {}


def probe_type(resources: Resources, outcome: Outcome, under_test: UnderTest) -> tuple[int, Offer]:
    """The timeslice and the offer of the type under test, from an mdev made and removed."""
    probe = resources.create_mdev()
    try:
        q = timeslice(outcome, probe, under_test.observed)
        files = frozenset(probe.entries() or ())
        writable = frozenset(k for k in probe.knobs_present() if not probe.is_fixed(k))
        sharing = sharing_of(probe)
    finally:
        resources.remove_mdev(probe)
    return q, Offer(files, writable, under_test.other_parent is not None, sharing)


def window_scale(precision: Precision) -> int:
    """How many times longer this precision's windows are than the quick ones (≥ 1).

    W is inversely proportional to the share tolerance it is sized for, so a
    certifying run (δ = 0.01 against 0.05) needs five times the device time for
    as many windows; its default budget grows with it.
    """
    return max(1, round(QUICK.delta_target / precision.delta_target))


def budget_us(under_test: UnderTest, q: int) -> int:
    """The run's device-time budget for random testing: the option, else BUDGET_SLICES q.

    The default is also scaled by :func:`window_scale` of the run's precision.
    """
    option = under_test.session.options.get("random_budget_s")
    if option is not None:
        return int(float(str(option)) * 1e6)
    return BUDGET_SLICES * q * window_scale(under_test.precision)


def budget_rule(option: object, total_us: int, precision: Precision = QUICK) -> str:
    """How the budget was chosen, as the report states it (``off`` for a zero budget)."""
    if total_us <= 0:
        return "off (--random-budget 0): no random sequence ran"
    if option is None:
        scale = window_scale(precision)
        longer = (f" x {scale} for the {precision.name} precision's longer windows"
                  if scale > 1 else "")
        return f"{BUDGET_SLICES} timeslices of the type under test{longer}, half per seed"
    return "--random-budget, half per seed"


def run_campaigns(resources: Resources, outcome: Outcome,
                  under_test: UnderTest) -> tuple[list[Result], Offer]:
    """The fixed-seed and the fresh-seed campaign, each with half the budget."""
    session = under_test.session
    resources.adapter()  # unsupported without a workload adapter
    q, offer = probe_type(resources, outcome, under_test)
    total = budget_us(under_test, q)
    chosen = under_test.int_option("seed")
    # uuid4 is os.urandom's; benchmarks/report_diff.py seeds it to compare two runs
    fresh = chosen if chosen is not None else uuid.uuid4().int % 2**32
    context = Context(
        new_resources=lambda: Resources(session, outcome),
        precision=under_test.precision,
        slots=find_slots(resources, under_test.parent, under_test.type_id,
                         under_test.other_parent, under_test.other_type),
        device_time=lambda: session.device_time_us,
        observe=under_test.observed.window,
    )
    results = []
    for label, seed in (("fixed", FIXED_SEED), ("fresh", fresh)):
        if total <= 0:
            break
        outcome.progress(f"random sequences, {label} seed {seed}: budget "
                         f"{total // 2 / 1e6:.2f} s of device time")
        result = Campaign(context, seed, total // 2, label).run()
        results.append(result)
        outcome.progress(_summary(result))
        if result.failure is not None:
            outcome.progress("shrunk sequence:\n" + result.failure.gherkin)
    session.random = {
        "budget_s": round(total / 1e6, 6),
        "budget_rule": budget_rule(session.options.get("random_budget_s"), total,
                                   under_test.precision),
        "seeds": {r.label: r.seed for r in results},
        "replay": f"mdev-qos run --seed {fresh}",
        "campaigns": [r.to_json() for r in results],
    }
    return results, offer


def _summary(result: Result) -> str:
    found = (f"found {result.failure.violation.requirement}" if result.failure
             else f"error: {result.error}" if result.error else "nothing found")
    return (f"random sequences, {result.label} seed {result.seed}: {result.examples} examples, "
            f"{result.windows} windows"
            + (f" ({result.windows_refused} too long for the budget left)"
               if result.windows_refused else "")
            + f", {result.device_time_us / 1e6:.2f} s of device time "
            f"(+{result.shrink_device_time_us / 1e6:.2f} s shrinking), {result.wall_s:.2f} s "
            f"wall: {found}")


@given("the random sequences of this run have been tried")
def _tried(random_campaigns: Campaigns, resources: Resources, outcome: Outcome,
           under_test: UnderTest) -> None:
    """Run the campaigns once per run (the first scenario that needs them)."""
    if "skipped" in random_campaigns:  # the first scenario could not run them: nor can this
        kind, reason = random_campaigns["skipped"]
        (outcome.skip if kind == "condition" else outcome.unsupported)(reason)
    if "results" not in random_campaigns:
        random_campaigns["results"] = None
        try:
            results, offer = run_campaigns(resources, outcome, under_test)
        except pytest.skip.Exception as exc:
            random_campaigns["skipped"] = (outcome.skip_kind, str(exc.msg))
            raise
        random_campaigns["results"], random_campaigns["offer"] = results, offer


@then(parsers.re(r"no random sequence broke (?P<requirement>QOS-[A-Z]+-\d{3})"))
def _none_broke(random_campaigns: Campaigns, outcome: Outcome, requirement: str) -> None:
    """No campaign found a violation of ``requirement``; it was checked at least once.

    A violation fails the requirement wherever it was found; without one, a
    requirement whose condition the type under test does not meet is skipped for
    it (the claim is not made from checks on another type), and one that no
    sequence reached counts for nothing.
    """
    results: list[Result] | None = random_campaigns.get("results")
    if results is None:
        outcome.error("the random campaigns did not run (see the first random scenario)")
    if not results:
        outcome.random_off(f"random sequences are off for this run (--random-budget 0): "
                           f"{requirement} is left to its written scenarios, and is not "
                           f"checked by this run if it has none")
    errors = [f"{r.label} seed {r.seed}: {r.error}" for r in results if r.error]
    if errors:
        outcome.error("a random campaign stopped: " + "; ".join(errors))
    checked = sum(r.checked[requirement] for r in results)
    outcome.evidence(f"random checks of {requirement}", expected=">= 1", actual=checked,
                     note="; ".join(f"{r.label} seed {r.seed}: {r.windows} windows"
                                    for r in results))
    for result in results:
        failure = result.failure
        if failure is not None and failure.violation.requirement == requirement:
            raise AssertionError(
                f"{failure.violation.message} (random sequence, {result.label} seed "
                f"{result.seed}, shrunk to {len(failure.lines)} steps; replay with "
                f"mdev-qos run --seed {result.seed} or the scenario:)\n{failure.gherkin}")
    unmet = unmet_condition(requirement, random_campaigns["offer"])
    if unmet:
        outcome.skip(unmet)
    if checked == 0:
        outcome.not_reached("no random sequence of this run reached a situation that checks "
                            "it within the budget")


# -- replaying a printed sequence -------------------------------------------------------
@pytest.fixture
def sequence(resources: Resources, clock: DeviceClock, under_test: UnderTest) -> Explorer:
    """The sequence a printed scenario replays (no budget: it runs every window)."""
    return Explorer(resources, clock, under_test.precision, observe=under_test.observed.window)


@given(parsers.re(r"a random sequence found with seed (?P<seed>\d+)"))
def _sequence(sequence: Explorer, resources: Resources, seed: str) -> None:
    """Start a printed sequence (the seed says where it came from); needs a workload."""
    resources.adapter()


@when(parsers.re(r"mdev (?P<name>[A-Z]+)(?P<other> of the other type)? is created on "
                 r"(?P<where>the parent under test|the other parent)"))
def _create(sequence: Explorer, outcome: Outcome, under_test: UnderTest, name: str,
            other: str | None, where: str) -> None:
    """Create a named mdev where the line says."""
    parent = under_test.parent if where == PARENT else under_test.other_parent
    type_id = under_test.other_type if other else under_test.type_id
    if parent is None or type_id is None:
        outcome.unsupported(f"this run has no {'other type' if other else 'other parent'}")
    slot = Slot(where if where == PARENT else OTHER_PARENT, OTHER_TYPE if other else TYPE,
                parent, type_id, limit=0)
    if not sequence.has_room(slot):
        outcome.skip(f"type {type_id} allows no more mdev on {parent}: the sequence "
                     f"cannot create {name}")
    if sequence.create(name, slot) is None:
        outcome.skip(f"type {type_id} offers no QoS: the sequence cannot measure {name}")


@when(parsers.re(r"mdev (?P<name>[A-Z]+) is removed"))
def _remove(sequence: Explorer, name: str) -> None:
    """Remove a named mdev."""
    sequence.remove(name)


@when(parsers.re(r'the (?P<knob>cap|weight|priority) of (?P<name>[A-Z]+) is set to '
                 r'"(?P<value>[^"]*)"'))
def _knob(sequence: Explorer, name: str, knob: str, value: str) -> None:
    """Write a knob of a named mdev (a refusal is recorded as a violation)."""
    sequence.set_knob(name, knob, value)


@when(parsers.re(r'the load of (?P<name>[A-Z]+) becomes "(?P<load>[^"]*)"'))
def _load(sequence: Explorer, name: str, load: str) -> None:
    """Give a named mdev a load (an mdev waking above all others is checked for latency)."""
    sequence.set_load(name, parse_load(load))


@when(parsers.re(r"a window of (?P<whole>[12])\.(?P<part>\d{3}) W passes"))
def _window(sequence: Explorer, whole: str, part: str) -> None:
    """A window of the given multiple of the precision's W; the oracle judges it."""
    sequence.window(int(whole) * 1000 + int(part))


@then(gherkin.THEN)
def _met(sequence: Explorer, outcome: Outcome) -> None:
    """Every check of every window and dispatch held."""
    outcome.evidence("random sequence checks", expected=[], actual=[str(v) for v in
                     sequence.violations], note=f"{sequence.windows} windows")
    assert not sequence.violations, "; ".join(str(v) for v in sequence.violations)
