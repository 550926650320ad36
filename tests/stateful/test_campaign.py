"""Random campaigns: no false fail, a bug found and shrunk, the budget honoured, --seed."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from conformance.cli import main
from conformance.oracle.shares import LEVELS
from conformance.oracle.tolerance import CERTIFY, QUICK
from conformance.specbuild.scenarios import parse_feature
from conformance.stateful.campaign import SHRINK_FACTOR, Campaign, Context
from conformance.stateful.explorer import slots
from conformance.steps.stateful import budget_rule, window_scale
from conformance.suite.outcome import Outcome
from conformance.suite.registry import Resources
from conformance.suite.targets import TargetOptions, open_session

from .conftest import campaign_on_mock, mock_context

CONFORMING_MODELS = ("conformance.models.nvidia:NvidiaBestEffort",
                     "conformance.models.nvidia:NvidiaFixedShare")
THREE_KNOBS = "mqos_mutants.vendor.descriptors:CapLostOnRebuild"


@pytest.mark.parametrize("seed", range(6))
def test_the_reference_driver_passes_with_the_largest_noise(seed: int) -> None:
    result, _ = campaign_on_mock(seed, 2.0, noise=seed + 40)
    assert result.error is None
    assert result.failure is None, result.failure and result.failure.gherkin
    assert result.windows >= 5


@pytest.mark.slow
@pytest.mark.parametrize("driver", [None, *CONFORMING_MODELS])
def test_no_false_fail_over_many_seeds(driver: str | None) -> None:
    for seed in range(12):
        result, _ = campaign_on_mock(seed, 6.0, driver=driver, noise=seed)
        assert result.error is None and result.failure is None, (
            driver, seed, result.failure and result.failure.gherkin)


def test_the_budget_bounds_the_device_time_of_the_search() -> None:
    result, device_time = campaign_on_mock(3, 0.5)
    assert result.failure is None
    assert 0 < result.device_time_us <= 500_000
    assert device_time == result.device_time_us  # nothing else asked for device time


def test_a_broken_driver_is_found_shrunk_and_printed_as_gherkin() -> None:
    result, device_time = campaign_on_mock(1, 2.0, driver="mqos_mutants.scheduling:IdlePeersDilute")
    failure = result.failure
    assert failure is not None and failure.violation.requirement == "QOS-SCH-003"
    assert len(failure.lines) <= 6  # shrunk: create, load, create, window...
    assert result.device_time_us <= 2_000_000
    assert result.shrink_device_time_us <= SHRINK_FACTOR * 2_000_000 + 2 * 160_080
    scenarios, problems = parse_feature(failure.gherkin, "shrunk.feature")
    assert problems == []
    assert [s.requirements for s in scenarios] == [("QOS-SCH-003",)]


def test_a_printed_scenario_replays_with_the_features_option(tmp_path: Path, capsys) -> None:
    driver = "mqos_mutants.scheduling:IdlePeersDilute"
    result, _ = campaign_on_mock(1, 2.0, driver=driver)
    assert result.failure is not None
    (tmp_path / "features").mkdir()
    (tmp_path / "features" / "shrunk.feature").write_text(result.failure.gherkin)
    status = main(["run", "-q", "--features", str(tmp_path / "features"), "-k", "Shrunk",
                   "--mock-driver", driver, "--report-dir", str(tmp_path / "r")])
    assert status == 1
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    assert [r["id"] for r in report["requirements"] if r["status"] == "fail"] == ["QOS-SCH-003"]
    assert main(["run", "-q", "--features", str(tmp_path / "features"), "-k", "Shrunk",
                 "--report-dir", str(tmp_path / "ref")]) == 0  # the reference passes it


def _random_section(tmp_path: Path, name: str, *options: str) -> dict:
    assert main(["run", "-q", "-k", "random", "--random-budget", "0.4",
                 "--report-dir", str(tmp_path / name), *options]) in (0, 2)
    report = json.loads((tmp_path / name / "report.json").read_text())
    section = report["random"]
    for campaign in section["campaigns"]:
        campaign.pop("wall_s")
    return section


def test_seed_replays_the_fresh_campaign_identically(tmp_path: Path) -> None:
    first = _random_section(tmp_path, "a", "--seed", "77")
    assert first["seeds"] == {"fixed": 20261130, "fresh": 77}
    assert first["replay"] == "mdev-qos run --seed 77"
    assert _random_section(tmp_path, "b", "--seed", "77") == first
    fresh = _random_section(tmp_path, "c")["seeds"]["fresh"]
    assert main(["run", "-q", "-k", "random", "--random-budget", "0.4", "--seed",
                 str(fresh), "--report-dir", str(tmp_path / "d")]) in (0, 2)


def test_the_budget_and_seeds_are_printed_and_reported(tmp_path: Path, capsys) -> None:
    main(["run", "-k", "random", "--random-budget", "0.3", "--seed", "5",
          "--report-dir", str(tmp_path / "r")])
    out = capsys.readouterr().out
    assert "random: budget 0.30 s of device time (--random-budget, half per seed)" in out
    assert "fresh seed 5:" in out and "replay: mdev-qos run --seed 5" in out
    campaigns = json.loads((tmp_path / "r" / "report.json").read_text())["random"]["campaigns"]
    assert all(c["device_time_s"] <= c["budget_s"] == 0.15 for c in campaigns)


@pytest.mark.parametrize(("option", "value"), [("--seed", "-1"), ("--seed", "4294967296"),
                                               ("--random-budget", "-2"),
                                               ("--random-budget", "nan")])
def test_a_bad_seed_or_budget_is_refused(tmp_path: Path, capsys, option: str, value: str) -> None:
    assert main(["run", option, value, "--report-dir", str(tmp_path / "r")]) == 2
    assert option in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


def test_random_testing_can_be_turned_off(tmp_path: Path) -> None:
    main(["run", "-q", "-k", "random", "--random-budget", "0", "--report-dir",
          str(tmp_path / "r")])
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    assert report["random"]["campaigns"] == []
    statuses = {s["status"] for s in report["scenarios"] if s["feature"] == "Random sequences"}
    assert statuses == {"skip"}


@pytest.mark.slow
def test_the_three_knob_mutant_is_found_only_by_the_random_tester() -> None:
    """The worked example of benchmarks/README.md (the default run certifies it)."""
    result, _ = campaign_on_mock(0, 20.0, driver=THREE_KNOBS)
    failure = result.failure
    assert failure is not None and failure.violation.requirement == "QOS-CAP-006"
    assert len(failure.lines) <= 10
    knobs = " ".join(failure.lines)
    assert f'the priority of A is set to "{LEVELS[-1]}"' in knobs and "weight of A" in knobs


@pytest.mark.slow
def test_no_written_scenario_catches_the_three_knob_mutant(tmp_path: Path) -> None:
    """The other half of the worked example's claim: without the random sequences the
    default run certifies it, so a written scenario that starts catching it makes the
    example stale (pick another one for benchmarks/README.md)."""
    assert main(["run", "-q", "-k", "not random", "--mock-driver", THREE_KNOBS,
                 "--report-dir", str(tmp_path / "r")]) == 0
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    assert report["verdict"] == "conformant"
    assert not [r["id"] for r in report["requirements"] if r["status"] == "fail"]


def test_without_a_workload_every_random_scenario_skips_alike() -> None:
    from conformance.steps.stateful import _tried
    from conformance.suite.outcome import Outcome
    from conformance.suite.registry import Resources
    from conformance.suite.targets import TargetOptions, open_session
    from conformance.suite.under_test import UnderTest

    session = open_session(TargetOptions())
    session.workload, session.workload_problem = None, "no workload adapter here"
    campaigns: dict = {}
    for _ in range(2):  # the first scenario runs the campaigns, the next one reuses that
        outcome = Outcome()
        with pytest.raises(pytest.skip.Exception, match="no workload adapter here"):
            _tried(campaigns, Resources(session, outcome), outcome, UnderTest(session))
        assert outcome.skip_kind == "unsupported"


TOPOLOGIES = Path(__file__).resolve().parents[1] / "mutants" / "topologies"


@pytest.mark.parametrize("topology", ["shared-engine.json", "two-engines.json"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_mdevs_are_judged_by_their_scheduling_domain_not_their_parent(
    tmp_path: Path, topology: str, seed: int
) -> None:
    """Parents that share an engine compete: the sequences must not call that a leak."""
    status = main(["run", "-q", "-k", "random", "--seed", str(seed), "--mock-topology",
                   str(TOPOLOGIES / topology), "--report-dir", str(tmp_path / "r")])
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    failed = [s["name"] for s in report["scenarios"] if s["status"] == "fail"]
    assert status == 0 and failed == []


def test_a_type_whose_room_was_taken_since_the_campaign_began_is_no_error() -> None:
    """Types often share one pool: the room a type offered at the start may be gone.

    The slots are read, then the type under test is filled on its parent from
    outside (as another type's mdevs would drain a shared pool): the campaign must
    create nothing there and end without an error.
    """
    session = open_session(TargetOptions())
    outcome = Outcome()
    probe = Resources(session, outcome)
    chosen = slots(probe, session.parent, session.type_id, session.other_parent,
                   session.other_type)
    create = f"/sys/class/mdev_bus/{session.parent}/mdev_supported_types/{session.type_id}"
    fillers = []
    while int(session.target.read(f"{create}/available_instances").decode()) > 0:
        fillers.append(str(uuid.uuid4()))
        session.target.write(f"{create}/create", fillers[-1].encode())
    try:
        context = Context(new_resources=lambda: Resources(session, outcome), precision=QUICK,
                          slots=chosen, device_time=lambda: session.device_time_us)
        result = Campaign(context, 1, 300_000, "fixed").run()
    finally:
        for one in fillers:
            session.target.write(f"/sys/bus/mdev/devices/{one}/remove", b"1")
    assert result.error is None, result.error


@pytest.mark.parametrize("seed", [0, 2])
def test_a_window_too_long_for_the_budget_left_does_not_end_the_search(seed: int) -> None:
    # a certifying window sized for a far weight pair is long; the search used to
    # stop at the first window the budget refused (these seeds: after one window
    # of a 1.2 s budget) although shorter ones still fitted
    result, device_time = campaign_on_mock(seed, 1.2, precision=CERTIFY)
    assert result.error is None and result.failure is None
    assert result.windows_refused >= 1
    assert result.windows >= 2, (result.windows, result.windows_refused)
    assert 0 < result.device_time_us <= 1_200_000
    assert device_time == result.device_time_us


def test_the_default_budget_grows_with_the_length_of_the_precisions_windows() -> None:
    assert window_scale(QUICK) == 1
    assert window_scale(CERTIFY) == 5
    assert budget_rule(None, 6_000_000, CERTIFY) == (
        "1200 timeslices of the type under test x 5 for the certify precision's "
        "longer windows, half per seed")
    assert budget_rule(None, 1_200_000, QUICK) == (
        "1200 timeslices of the type under test, half per seed")
    assert budget_rule(2.0, 2_000_000, CERTIFY) == "--random-budget, half per seed"


def test_once_the_budget_is_spent_no_further_mdev_is_created() -> None:
    """A budget below the shortest window ends the search at its first refused window.

    Hypothesis still draws the rest of its round; those examples must not touch the
    device (on a type with a 100 µs timeslice under emulation they once spent 90 s
    of wall time creating and removing mdevs for no window at all).
    """
    session = open_session(TargetOptions())
    campaigns: list[Campaign] = []
    late: list[str] = []  # creates after the search was over
    write = session.target.write

    def counting(path: str, data: bytes, **options: object) -> object:
        if path.endswith("/create") and campaigns[0].exhausted:
            late.append(path)
        return write(path, data, **options)

    session.target.write = counting  # type: ignore[method-assign]
    campaigns.append(Campaign(mock_context(session), 5, 1_000, "fixed"))  # 1 ms: no window fits
    result = campaigns[0].run()
    assert result.error is None and result.failure is None
    assert result.windows == 0 and result.windows_refused == 1
    assert late == []
