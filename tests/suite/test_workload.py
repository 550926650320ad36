"""Workload adapters: the load vocabulary, the mock clock, exec commands and their failures."""

from __future__ import annotations

import time

import pytest

from conformance.workload import WorkloadError, make_workload, parse_load
from conformance.workload.base import Load
from conformance.workload.execcmd import ExecWorkload

UUID = "6c2e1b0a-3f4d-4e5a-9b6c-7d8e9f0a1b2c"


@pytest.mark.parametrize(
    ("text", "load"),
    [
        ("idle", Load("idle")),
        ("backlog\n", Load("backlog")),
        ("periodic 500 1000", Load("periodic", 500, 1000)),
    ],
)
def test_parse_load_accepts_the_vocabulary(text: str, load: Load) -> None:
    assert parse_load(text) == load
    assert parse_load(str(load)) == load


@pytest.mark.parametrize("text", ["", "busy", "periodic 0 10", "periodic 20 10", "periodic 1"])
def test_parse_load_rejects_anything_else(text: str) -> None:
    with pytest.raises(ValueError):
        parse_load(text)


def test_auto_picks_the_mock_clock_on_the_mock(mock_session) -> None:
    workload = make_workload("auto", mock_session.target)
    assert workload is not None and workload.name == "mock" and workload.virtual
    before = workload.now_us()
    workload.elapse(1234)
    assert workload.now_us() - before == 1234


def test_exec_fills_placeholders_and_runs(tmp_path) -> None:
    log = tmp_path / "log"
    workload = ExecWorkload(f"echo {{uuid}} {{demand}} {{run_us}} >> {log}")
    workload.set_load(UUID, Load("periodic", 5, 10))
    workload.set_load(UUID, Load("idle"))
    assert log.read_text().splitlines() == [f"{UUID} periodic 5 10 5", f"{UUID} idle 0"]
    assert workload.get_load(UUID) == Load("idle")


def test_exec_failure_is_an_environment_error() -> None:
    workload = ExecWorkload("echo no such vGPU >&2; exit 3 # {uuid} {demand}")
    with pytest.raises(WorkloadError, match="exit status 3"):
        workload.set_load(UUID, Load("backlog"))


def test_exec_timeout_kills_the_command_in_bounded_time() -> None:
    workload = ExecWorkload("sleep 30 # {uuid} {demand}", timeout_s=0.3)
    started = time.monotonic()
    with pytest.raises(WorkloadError, match="timed out"):
        workload.set_load(UUID, Load("backlog"))
    assert time.monotonic() - started < 5


def test_exec_needs_both_placeholders() -> None:
    with pytest.raises(ValueError, match="uuid"):
        ExecWorkload("vgpu-load {demand}")


def test_exec_refuses_a_non_uuid() -> None:
    with pytest.raises(WorkloadError, match="non-UUID"):
        ExecWorkload("true {uuid} {demand}").set_load("x; rm -rf /", Load("idle"))
