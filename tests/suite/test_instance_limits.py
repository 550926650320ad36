"""A type's instance limit is the driver's choice: scenarios that need more mdevs skip."""

from __future__ import annotations

import json
from pathlib import Path

from conformance.cli import main

TOPOLOGY = Path(__file__).resolve().parents[1] / "mutants" / "topologies" / "two-engines.json"


def test_a_type_of_four_instances_is_conformant_and_says_what_it_skipped(
    tmp_path: Path, capsys
) -> None:
    """Six mdevs cannot be made of a type of four: a skip naming both numbers, no error."""
    topology = json.loads(TOPOLOGY.read_text())
    for mdev_type in topology["types"]:
        mdev_type["instances"] = min(mdev_type["instances"], 4)
    small = tmp_path / "four.json"
    small.write_text(json.dumps(topology))
    code = main(["run", "-q", "--mock-topology", str(small), "-k", "four",
                 "--random-budget", "0", "--report-dir", str(tmp_path / "report")])
    report = json.loads((tmp_path / "report" / "report.json").read_text())
    assert code == 0 and report["verdict"] == "conformant", capsys.readouterr().err
    skipped = [s["reason"] for s in report["scenarios"] if "more than four" in s["name"]]
    assert skipped and all("allows 4 more mdev(s)" in r and "needs 6" in r for r in skipped)
