"""Issue 15/17 (ci-time): a driver with few features is skipped before anything is created.

``CountersOnly`` (the shape of the kernel's converted ``mdpy`` sample: no knob, no
``sharing``) is skipped by nearly every scenario. The skip must come before the
scenario creates an mdev or starts a load (on a guest under TCG those are what a
run costs), and must be the skip the steps give: same status, skip kind, reason
and evidence as when every step runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

import conformance.mock.config as mock_config
from conformance.suite import registry
from conformance.suite.engine import probe_qos
from conformance.suite.recorder import ScenarioResult
from conformance.suite.runner import run_scenarios
from conformance.suite.targets import TargetOptions, open_session

from .sharing_drivers import CountersOnly

UUID = re.compile(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}")
# one scenario per step that skips for an absent knob or sharing word
EARLY = {
    "weight accepts a value from 1 to 10000 in the numeric grammar",  # a fresh mdev that offers
    "weight accepts values across its whole range",
    "What a capped mdev cannot use goes to the others of its level by weight",  # settings
    "Backlogged mdevs with default knobs share the parent equally",  # their sharing is ...
    "Backlogged mdevs up to the type's instance limit share the parent equally",  # up to 8
    "A weight change applies to running mdevs in the next window",  # backlogged, then changed
    "Knob values do not persist across remove and re-create",  # its qos directory has ...
}
SELECT = ("weight_accepts or capped_mdev_cannot_use or default_knobs_share or instance_limit"
          " or weight_change_applies or do_not_persist")


def run(
    monkeypatch: pytest.MonkeyPatch, *, early: bool, select: str | None
) -> list[tuple[ScenarioResult, dict[str, int]]]:
    """Run on ``CountersOnly``; each scenario with the mdevs it created and loads it started."""
    monkeypatch.setattr(mock_config, "load_driver_class", lambda _spec: CountersOnly)
    session = open_session(TargetOptions(profile="full", mock_driver="sharing:CountersOnly"))
    session.progress = lambda _line: None
    session.options["random_budget_s"] = 0.0
    probe_qos(session)
    assert session.layout is not None and session.layout.clean
    if not early:
        session.layout = None
    work = {"creates": 0, "loads": 0}
    for name, key in (("create_mdev", "creates"), ("set_load", "loads")):
        monkeypatch.setattr(registry.Resources, name, counting(getattr(registry.Resources, name),
                                                               work, key))
    results: list[tuple[ScenarioResult, dict[str, int]]] = []

    def finished(result: ScenarioResult) -> None:
        results.append((result, dict(work)))
        work.update(creates=0, loads=0)

    outcome = run_scenarios(session, select=select, on_result=finished)
    assert not outcome.collection_errors
    return results


def counting(method: object, work: dict[str, int], key: str) -> object:
    def wrapper(self: object, *args: object, **kwargs: object) -> object:
        if key == "creates" or str(args[1]).strip() != "idle":
            work[key] += 1
        return method(self, *args, **kwargs)  # type: ignore[operator]

    return wrapper


def test_a_missing_knob_or_sharing_word_skips_before_any_create(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    results = run(monkeypatch, early=True, select=SELECT)
    assert {r.name for r, _ in results} == EARLY
    for result, work in results:
        assert (result.status, result.skip_kind) == ("skip", "condition"), result.title
        assert work == {"creates": 0, "loads": 0}, result.title


def outcome_of(result: ScenarioResult) -> tuple[str, str, str, str, str]:
    skipped = result.status == "skip"
    evidence = [(e["name"], e.get("expected"), e.get("actual")) for e in result.evidence]
    return (result.nodeid, result.status, result.skip_kind, UUID.sub("<uuid>", result.reason),
            repr(evidence) if skipped else "")


@pytest.fixture(scope="module")
def both_ways() -> Iterator[tuple[list, list]]:
    with pytest.MonkeyPatch.context() as monkeypatch:
        late = run(monkeypatch, early=False, select=None)
    with pytest.MonkeyPatch.context() as monkeypatch:
        early = run(monkeypatch, early=True, select=None)
    yield late, early


BOTH_WAYS = pytest.mark.xdist_group("presence-both-ways")  # one worker computes both_ways


@pytest.mark.slow
@BOTH_WAYS
def test_the_early_skip_is_the_skip_the_steps_give(both_ways: tuple[list, list]) -> None:
    late, early = both_ways
    assert [outcome_of(r) for r, _ in early] == [outcome_of(r) for r, _ in late]
    skipped = sum(r.status == "skip" for r, _ in early)
    assert skipped > 150


@pytest.mark.slow
@BOTH_WAYS
def test_a_counters_only_run_creates_a_third_of_the_mdevs(both_ways: tuple[list, list]) -> None:
    late, early = both_ways
    created = [sum(work["creates"] for r, work in run if r.status == "skip")
               for run in (late, early)]
    assert created[1] * 3 < created[0], created
