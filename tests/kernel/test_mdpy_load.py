"""kmod/mdpy_load.py and mdpy_load.sh: the exec workload of the mdpy sample.

Its VFIO accesses need the guest; the server, its client and the worker
bookkeeping run here.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import KMOD, load_kmod_module

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
    with pytest.raises(mdpy_load.LoadError):
        mdpy_load.parse_demand(words)


def test_idle_ends_the_worker_and_reaps_it() -> None:
    server = mdpy_load.Server()
    worker = os.fork()
    if worker == 0:
        time.sleep(60)
        os._exit(0)
    server.workers[UUID] = worker
    assert server.handle(f"{UUID} idle") == "ok"
    assert server.workers == {}
    with pytest.raises(ChildProcessError):
        os.waitpid(worker, os.WNOHANG)


def test_no_worker_starts_for_an_mdev_that_does_not_exist() -> None:
    server = mdpy_load.Server()
    assert server.handle(f"{UUID} backlog") == f"error: no mdev {UUID}"
    assert server.workers == {}


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Path]:
    """A running server with its state in a temporary directory."""
    proc = subprocess.Popen(
        [sys.executable, str(KMOD / "mdpy_load.py"), "serve", "--state-dir", str(tmp_path)]
    )
    deadline = time.monotonic() + 20
    while not (tmp_path / "control").exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    yield tmp_path
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == 0
    assert not (tmp_path / "control").exists()


def client(state: Path, *words: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["sh", str(KMOD / "mdpy_load.sh"), *words],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "MDPY_LOAD_DIR": str(state)},
    )


def test_the_client_gets_the_server_s_answer(served: Path) -> None:
    assert client(served, UUID, "idle").returncode == 0
    bad = client(served, UUID, "busy")
    assert (bad.returncode, bad.stderr) == (1, "mdpy_load: not a demand: 'busy'\n")
    gone = client(served, UUID, "periodic", "100", "1000")
    assert (gone.returncode, gone.stderr) == (1, f"mdpy_load: no mdev {UUID}\n")
    assert sorted(p.name for p in served.iterdir()) == ["control"]


def test_without_a_server_the_client_says_so(tmp_path: Path) -> None:
    proc = client(tmp_path, UUID, "idle")
    assert proc.returncode == 2
    assert proc.stderr == (
        f"mdpy_load: no server at {tmp_path}/control; start python3 kmod/mdpy_load.py serve\n"
    )


def test_a_worker_that_dies_before_its_first_access_is_reported() -> None:
    read_end, write_end = os.pipe()
    os.close(write_end)
    try:
        assert mdpy_load.read_answer(read_end) == "the worker ended before its first access"
    finally:
        os.close(read_end)
