"""benchmarks/report_diff.py: seeded runs are reproducible, and only noise is normalised away."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load():
    spec = importlib.util.spec_from_file_location(
        "report_diff", ROOT / "benchmarks" / "report_diff.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


REPORT_DIFF = _load()


def test_times_paths_and_thread_counts_are_normalised() -> None:
    document = {
        "timing": {"started": "x", "finished": "y", "duration_s": 1.0},
        "scenarios": [{"duration_s": 0.2, "status": "pass"}],
        "target": {"description": "/tmp/s1/tree"},
        "evidence": [
            {"name": "reads racing writers", "actual": "2275 reads, 0 bad"},
            {"name": "cap after concurrent writes", "expected": ["10", "20"], "actual": "20"},
            {"name": "generated writes to cap", "note": "2.97 s"},
        ],
    }
    assert REPORT_DIFF.normalise(document, "/tmp/s1") == {
        "timing": {},
        "scenarios": [{"status": "pass"}],
        "target": {"description": "<scratch>/tree"},
        "evidence": [
            {"name": "reads racing writers", "actual": "N reads, 0 bad"},
            {
                "name": "cap after concurrent writes",
                "expected": ["10", "20"],
                "actual": "<one of expected>",
            },
            {"name": "generated writes to cap", "note": "<t> s"},
        ],
    }


def test_what_the_driver_decides_is_kept() -> None:
    evidence = {"name": "cap after concurrent writes", "expected": ["10", "20"], "actual": "99"}
    assert REPORT_DIFF.normalise(evidence, "/tmp/s1")["actual"] == "99"
    share = {"name": "share of A", "actual": 0.337331, "note": "over W=80040 µs"}
    assert REPORT_DIFF.normalise(share, "/tmp/s1") == share


@pytest.mark.slow
def test_a_seeded_run_is_reproducible(tmp_path: Path) -> None:
    first, second = tmp_path / "1", tmp_path / "2"
    first.mkdir()
    second.mkdir()
    report, status = REPORT_DIFF.seeded_report(ROOT, [], first)
    assert status == 0
    assert REPORT_DIFF.seeded_report(ROOT, [], second) == (report, 0)
