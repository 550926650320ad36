"""kmod/mdpy_load.py: the exec workload of the mdpy sample (its VFIO part runs in the guest)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import load_kmod_module

mdpy_load = load_kmod_module("mdpy_load")
UUID = "6c2e1b0a-3f4d-4e5a-9b6c-7d8e9f0a1b2c"


@pytest.mark.parametrize(
    "words", [["idle"], ["backlog"], ["periodic", "1", "1"], ["periodic", "2000", "10000"]]
)
def test_the_load_vocabulary_is_accepted(words: list[str]) -> None:
    assert mdpy_load.parse_demand(words) == words


@pytest.mark.parametrize(
    "words",
    [["busy"], ["idle", "now"], ["periodic", "0", "10"], ["periodic", "20", "10"],
     ["periodic", "-1", "10"], ["periodic", "10"]],
)
def test_anything_else_is_refused(words: list[str]) -> None:
    with pytest.raises(ValueError):
        mdpy_load.parse_demand(words)


def test_a_bad_demand_is_exit_2_and_touches_nothing(tmp_path: Path) -> None:
    state = tmp_path / "state"
    proc = subprocess.run(
        [sys.executable, str(mdpy_load.__file__), "--state-dir", str(state), UUID, "busy"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 2
    assert proc.stderr == "mdpy_load: not a demand: 'busy'\n"
    assert not state.exists()


def test_idle_ends_the_worker_and_waits_for_it(tmp_path: Path) -> None:
    worker = subprocess.Popen(["sleep", "60"])
    (tmp_path / f"{UUID}.pid").write_text(f"{worker.pid}\n")
    try:
        assert mdpy_load.main(["--state-dir", str(tmp_path), UUID, "idle"]) == 0
        assert worker.wait(timeout=5) == -15
        assert not (tmp_path / f"{UUID}.pid").exists()
    finally:
        worker.kill()


def test_a_worker_that_dies_before_its_first_access_is_reported() -> None:
    read_end, write_end = os.pipe()
    os.close(write_end)
    try:
        assert mdpy_load.read_answer(read_end) == ""
    finally:
        os.close(read_end)
