"""False fails and false passes of the suite under the largest noise the spec permits.

The reference driver and the mutants that miss a bound by twice its tolerance
run with ``Noise.within_spec(seed)`` (overrun 10%, counters a timeslice coarse,
reads up to q/10 old, 2% interference) for many seeds, all through the public
options a vendor uses (``--mock-driver module:Class --mock-noise SEED``):

    .venv/bin/python benchmarks/power_noise.py --seeds 50 [--precision certify]

At ``--precision certify`` the margin mutants of the certifying precision
(``mqos_mutants.precision``) join those of the quick one.

The real-scheduler models that conform (``spec/models-run.json``) run over the
same seeds as the reference (``--models``, the default).

``--features [NAME ...]`` runs only the scenarios of ``features/NAME.feature``
(default: :data:`NEW_SCENARIO_FEATURES`, every scenario added since the 300-run
studies), without the margin mutants unless ``--mutant-seeds`` asks for them;
``--precision`` takes both precisions at once. The study of the new scenarios:

    chrt -i 0 nice -n 19 .venv/bin/python benchmarks/power_noise.py --seeds 50 \
        --features --precision certify quick

A false fail is a reference (or conforming model) run that is not ``conformant``; a
false pass is a mutant run in which the suite did not fail the requirement the
mutant breaks.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "mutants"))

from mutant_runs import Outcome, run_key, run_many  # noqa: E402

PROFILE = "scheduling"
MARGIN_MUTANTS = {  # driver -> the requirement it breaks by twice the tolerance
    "CapExceeded": "QOS-CAP-006",
    "LoneShareShort": "QOS-SCH-001",
    "WeightsFlattened": "QOS-WGT-006",
    "PriorityLeak": "QOS-PRI-006",
    "SlowPreemption": "QOS-PRI-008",
}
CERTIFY_MARGIN_MUTANTS = {  # outside a bound of the certifying precision
    "OldBandEdges": "QOS-WGT-006",
    "WeightFloor20": "QOS-WGT-006",
    "WeightPlus16": "QOS-WGT-006",
    "ShareOverClaim": "QOS-WGT-006",
    "RatioOffByMore": "QOS-WGT-006",
    "HeavyShortOfDelivered": "QOS-WGT-006",
}


# Every scenario added since the 300-run studies of 30 November (main at 7e168ca and
# 3aa14b6): the files of the blind catalogue's scenarios (aa9416b) and longrun.feature,
# whose strict-priority run it lengthened and whose equal-share run it added; then
# throttle_budget (QOS-ACC-008), after_work and long_window (the second blind catalogue).
NEW_SCENARIO_FEATURES = (
    "cap_values", "crowds", "idle_peers", "idle_writes", "longrun", "throttle_accounting",
    "throttle_budget", "after_work", "long_window", "counter_spans",
)
FEATURES_DIR = ROOT / "features"


def feature_subset(names: list[str] | tuple[str, ...], directory: Path) -> tuple[str, ...]:
    """The run options that run only the scenarios of ``features/NAME.feature`` for each name.

    The files are copied to ``directory`` and run with ``--features``; ``-k scheduling``
    (the tag every scenario of the profile carries) makes it a selection, so a
    requirement that no scenario of these files checks is not selected, not unchecked.
    """
    directory.mkdir(parents=True, exist_ok=True)
    for name in names:
        source = FEATURES_DIR / f"{name}.feature"
        if not source.is_file():
            raise SystemExit(f"power_noise: no feature file {source}")
        shutil.copyfile(source, directory / source.name)
    return ("--features", str(directory), "-k", PROFILE)


def scenario_statuses(report_dir: Path) -> Counter[str]:
    """How many scenarios of a run passed, skipped, failed (none: no report)."""
    path = report_dir / "report.json"
    if not path.exists():
        return Counter()
    return Counter(s["status"] for s in json.loads(path.read_text()).get("scenarios", []))


def conforming_models() -> dict[str, str]:
    """Name -> ``module:Class`` of every model the pinned models run finds conformant."""
    run = json.loads((ROOT / "spec" / "models-run.json").read_text())
    return {m["name"]: m["driver"] for m in run["models"] if m["verdict"] == "conformant"}


@dataclass
class Study:
    """Runs of the reference and of each margin mutant, per seed."""

    seeds: list[int]
    margins: dict[str, str] = field(default_factory=lambda: dict(MARGIN_MUTANTS))
    reference: dict[int, Outcome] = field(default_factory=dict)
    models: dict[str, dict[int, Outcome]] = field(default_factory=dict)
    mutants: dict[str, dict[int, Outcome]] = field(default_factory=dict)
    scenarios: dict[str, Counter[str]] = field(default_factory=dict)  # driver -> statuses
    wall_s: float = 0.0

    def false_fails(self) -> list[Outcome]:
        runs = [*self.reference.values(), *(o for m in self.models.values() for o in m.values())]
        return [o for o in runs if is_false_fail(o)]

    def model_false_fails(self, name: str) -> int:
        return sum(is_false_fail(o) for o in self.models[name].values())

    def false_passes(self, name: str) -> list[Outcome]:
        return [o for o in self.mutants[name].values() if is_false_pass(o, self.margins[name])]

    def table(self) -> list[str]:
        n = len(self.seeds)

        def counted(name: str) -> str:
            tally = self.scenarios.get(name, Counter())
            return "  " + ", ".join(f"{tally[k]} {k}" for k in sorted(tally))

        lines = [
            f"{'driver':<20}{'breaks':<14}{'runs':>6}{'false fails':>13}{'false passes':>14}"
            "  scenarios",
            f"{'reference':<20}{'-':<14}{n:>6}"
            f"{sum(map(is_false_fail, self.reference.values())):>13}{'-':>14}"
            + counted("Reference"),
        ]
        for name, runs in self.models.items():
            lines.append(f"{name:<20}{'-':<14}{len(runs):>6}{self.model_false_fails(name):>13}"
                         f"{'-':>14}" + counted(name))
        for name, breaks in self.margins.items():
            if self.mutants.get(name):
                runs = len(self.mutants[name])
                lines.append(f"{name:<20}{breaks:<14}{runs:>6}{'-':>13}"
                             f"{len(self.false_passes(name)):>14}" + counted(name))
        lines.append(f"wall time {self.wall_s:.0f} s")
        return lines


REFERENCE = "conformance.mock:QosDriver"


def driver_path(name: str) -> str:
    """``module:Class`` of the reference (``Reference``) or of a catalogue mutant."""
    if name == "Reference":
        return REFERENCE
    from mqos_mutants import catalogue

    return next(entry.spec for entry in catalogue() if entry.name == name)


def noisy(name: str, seed: int) -> tuple[str, tuple[str, ...]]:
    """The driver and the options of one seeded run (as run_many keys it)."""
    return driver_path(name), ("--mock-noise", str(seed))


Job = tuple[str, str, Path, tuple[str, ...]]


def seeded_job(driver: str, seed: int, report_dir: Path, precision: str = "quick",
               extra: tuple[str, ...] = ()) -> Job:
    """One run of a study, as ``run_many`` and ``LazyOutcomes`` take it (see :func:`job_key`)."""
    return driver, PROFILE, report_dir, ("--mock-noise", str(seed), "--precision", precision,
                                         *extra)


def job_key(job: Job) -> str:
    """The key of a job's outcome in what ``run_many`` and ``LazyOutcomes`` return."""
    return run_key(job[0], job[3])


def is_false_fail(outcome: Outcome) -> bool:
    """A run of a correct driver (the reference, a conforming model) that is not conformant."""
    return outcome.verdict != "conformant"


def is_false_pass(outcome: Outcome, breaks: str) -> bool:
    """A run of a margin mutant in which the suite did not fail the requirement it breaks."""
    return outcome.verdict != "non-conformant" or breaks not in outcome.failed


def noise_study(seeds: list[int], mutant_seeds: list[int], workdir: Path,
                mutants: dict[str, str] = MARGIN_MUTANTS,
                precision: str = "quick", models: dict[str, str] | None = None,
                features: tuple[str, ...] = ()) -> Study:
    """The reference and ``models`` over ``seeds``, each margin mutant over ``mutant_seeds``.

    Every run is in ``run_many``'s pool (every core).
    ``features``: run only the scenarios of these feature files (:func:`feature_subset`).
    """
    study = Study(seeds=list(seeds), margins=dict(mutants))
    models = models or {}
    extra = feature_subset(features, workdir / "features") if features else ()
    drivers = {"Reference": (REFERENCE, "reference", seeds),
               **{name: (driver, name, seeds) for name, driver in models.items()},
               **{name: (driver_path(name), name, mutant_seeds) for name in mutants}}
    planned = {(name, s): seeded_job(driver, s, workdir / f"{label}-{s}", precision, extra)
               for name, (driver, label, its_seeds) in drivers.items() for s in its_seeds}
    started = time.monotonic()
    outcomes = run_many(planned.values())
    study.wall_s = time.monotonic() - started
    got = {run: outcomes[job_key(job)] for run, job in planned.items()}
    study.reference = {s: got["Reference", s] for s in seeds}
    study.models = {name: {s: got[name, s] for s in seeds} for name in models}
    study.mutants = {name: {s: got[name, s] for s in mutant_seeds} for name in mutants}
    for (name, _), job in planned.items():
        study.scenarios.setdefault(name, Counter()).update(scenario_statuses(job[2]))
    return study


def main(argv: list[str] | None = None) -> int:
    """Run the study and print its table; the exit status (1 if any false fail or pass)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=50, help="reference seeds (default 50)")
    parser.add_argument("--mutant-seeds", type=int, default=None,
                        help="seeds per margin mutant (default: as many as --seeds; "
                             "none with --features)")
    parser.add_argument("--precision", choices=("quick", "certify"), nargs="+",
                        default=["quick"], help="one study per precision named")
    parser.add_argument("--models", action=argparse.BooleanOptionalAction, default=True,
                        help="also run the conforming real-scheduler models (default: yes)")
    parser.add_argument("--features", nargs="*", metavar="NAME", default=None,
                        help="only the scenarios of features/NAME.feature (no NAME: "
                             f"{' '.join(NEW_SCENARIO_FEATURES)})")
    parser.add_argument("--work-dir", type=Path, default=None,
                        help="keep every run's report and log here (default: a temporary "
                             "directory, removed)")
    args = parser.parse_args(argv)
    features = tuple(args.features or NEW_SCENARIO_FEATURES) if args.features is not None else ()
    seeds = list(range(args.seeds))
    default_mutant_seeds = 0 if features else args.seeds
    mutant_seeds = list(range(args.mutant_seeds if args.mutant_seeds is not None
                              else default_mutant_seeds))
    models = conforming_models() if args.models else {}
    print(f"started {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, "
          f"load average {os.getloadavg()[0]:.1f}, {os.cpu_count()} cores")
    if features:
        print(f"features: {' '.join(features)}")
    found = 0
    for precision in args.precision:
        mutants = dict(MARGIN_MUTANTS)
        if precision == "certify":
            mutants.update(CERTIFY_MARGIN_MUTANTS)
        with tempfile.TemporaryDirectory(prefix="mdev-qos-noise-") as tmp:
            workdir = (args.work_dir / precision) if args.work_dir else Path(tmp)
            study = noise_study(seeds, mutant_seeds, workdir, mutants if mutant_seeds else {},
                                precision, models, features)
        print(f"precision {precision}")
        print("\n".join(study.table()))
        for outcome in study.false_fails():
            print(f"false fail: {outcome.describe()}")
            found += 1
        for name in study.mutants:
            for outcome in study.false_passes(name):
                print(f"false pass: {outcome.describe()}")
                found += 1
    print(f"finished {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, "
          f"load average {os.getloadavg()[0]:.1f}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
