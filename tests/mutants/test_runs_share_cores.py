"""Runs of the suite made by the tests share the cores with pytest-xdist's workers.

Alone, ``run_many`` uses every core; under xdist each worker gets its part, and a
worker's lazy runs (``LazyOutcomes``) are made one at a time, each when asked.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from mutant_runs import LazyOutcomes, default_workers, run_key
from mutant_score import REFERENCE


def test_alone_every_core_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYTEST_XDIST_WORKER_COUNT", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    assert default_workers() == 4


@pytest.mark.parametrize(("cores", "workers", "each"), [(2, 2, 1), (8, 2, 4), (2, 3, 1)])
def test_xdist_workers_share_the_cores(
    monkeypatch: pytest.MonkeyPatch, cores: int, workers: int, each: int
) -> None:
    monkeypatch.setenv("PYTEST_XDIST_WORKER_COUNT", str(workers))
    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    assert default_workers() == each


def test_lazy_runs_are_made_when_asked_one_at_a_time(tmp_path: Path) -> None:
    jobs = [(REFERENCE, "static", tmp_path / "a", ()),
            (REFERENCE, "static", tmp_path / "b", ("--precision", "certify"))]
    lazy = LazyOutcomes(jobs)
    try:
        assert lazy.done == {}
        first = lazy[run_key(REFERENCE)]
        assert list(lazy.done) == [REFERENCE]  # the other run is not made
        assert (first.verdict, first.exit_status) == ("conformant", 0)
        second = lazy[run_key(REFERENCE, ("--precision", "certify"))]
        assert second.verdict == "conformant" and (tmp_path / "b" / "report.json").exists()
        assert lazy[run_key(REFERENCE)] is first  # asked again: not run again
    finally:
        lazy.close()
    with pytest.raises(KeyError):
        LazyOutcomes([])["nothing:Here"]
