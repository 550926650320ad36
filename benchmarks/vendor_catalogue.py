"""The vendor catalogue of issue 12 against the default ``mdev-qos run``.

Each mutant of ``tests/mutants/mqos_mutants/vendor/`` runs once through the public
option a vendor uses (``--mock-driver module:Class``, default profile, plus the
options the mutant names), two at a time, and the table says whether the suite
failed the requirement it breaks (``killed``), rejected the driver for another
requirement only (``rejected``) or certified it (``SURVIVED``):

    .venv/bin/python benchmarks/vendor_catalogue.py [NAME ...]
    .venv/bin/python benchmarks/vendor_catalogue.py --area vendor.blind --precision certify
    .venv/bin/python benchmarks/vendor_catalogue.py --area vendor.blind2 --precision both

``--precision both`` runs every mutant at quick and at certify and prints one row
per mutant (mutant, requirement, quick, certify, mechanism), as benchmarks/README.md
records it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "mutants"))

from mqos_mutants import MutantInfo, catalogue  # noqa: E402
from mutant_runs import Outcome, run_key, run_many  # noqa: E402
from mutant_score import killed  # noqa: E402

from conformance import defaults  # noqa: E402


def mark(entry: MutantInfo, outcome: Outcome) -> str:
    """``killed``, ``rejected`` (for another requirement only) or ``SURVIVED``."""
    if killed(entry, outcome):
        return "killed"
    return "rejected" if outcome.verdict == "non-conformant" else "SURVIVED"


def run_at(entries: list[MutantInfo], precision: str | None) -> dict[str, Outcome]:
    """One default run per mutant at ``precision`` (None: the run's own default)."""
    extra = ("--precision", precision) if precision else ()
    with tempfile.TemporaryDirectory(prefix="vendor-catalogue-") as tmp:
        jobs = [(e.spec, defaults.PROFILE, Path(tmp) / e.name, (*e.run_options, *extra))
                for e in entries]
        outcomes = run_many(jobs)
    return {e.name: outcomes[run_key(e.spec, (*e.run_options, *extra))] for e in entries}


def main(argv: list[str] | None = None) -> int:
    """Run the vendor catalogue (or the named mutants) and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="only these mutants (class names)")
    parser.add_argument("--area", default="vendor.",
                        help="only this area, or the areas under it when it ends with "
                             "'.' (default: vendor.)")
    parser.add_argument("--precision", choices=("quick", "certify", "both"), default=None,
                        help="run at this precision, or at both (default: the run's own)")
    args = parser.parse_args(argv)
    entries = [e for e in catalogue() if e.area == args.area
               or (args.area.endswith(".") and e.area.startswith(args.area))]
    if args.names:
        entries = [e for e in entries if e.name in args.names]
    started = time.monotonic()
    if args.precision == "both":
        quick, certify = run_at(entries, "quick"), run_at(entries, "certify")
        print(f"{'mutant':<34}{'breaks':<13}{'quick':<10}{'certify':<10}mechanism")
        for e in entries:
            print(f"{e.name:<34}{e.breaks:<13}{mark(e, quick[e.name]):<10}"
                  f"{mark(e, certify[e.name]):<10}{e.summary}")
        for name, outcomes in (("quick", quick), ("certify", certify)):
            hits = sum(1 for e in entries if mark(e, outcomes[e.name]) == "killed")
            print(f"{name}: {hits}/{len(entries)} killed")
        print(f"profile {defaults.PROFILE}; wall {time.monotonic() - started:.0f} s")
        return 0
    outcomes = run_at(entries, args.precision)
    rows = []
    for entry in entries:
        outcome = outcomes[entry.name]
        others = ", ".join(r for r in outcome.failed if r != entry.breaks) or "-"
        rows.append(f"{mark(entry, outcome):<9}{entry.area[7:]:<10}{entry.name:<34}"
                    f"{entry.breaks:<13}{outcome.verdict:<15}also failed: {others}")
    print("\n".join(rows))
    hits = sum(1 for row in rows if row.startswith("killed"))
    rejected = sum(1 for row in rows if row.startswith("rejected"))
    print(f"{hits}/{len(rows)} killed, {rejected} more rejected for another requirement, "
          f"by a run at precision {args.precision or 'default'} (profile {defaults.PROFILE}); "
          f"wall {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
