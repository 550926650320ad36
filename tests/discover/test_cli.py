"""``mdev-qos discover`` as a user runs it: targets, no mdev, bad input, read-only."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conformance.cli import main
from conformance.mock import MockKernel

from .conftest import run_cli, validate


def test_the_embedded_mock_is_listed_and_validates() -> None:
    proc = run_cli("--mock", "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    validate(doc)
    assert doc["source"].startswith("embedded reference mock")
    assert [p["name"] for p in doc["parents"]] == ["mqos0", "mqos1"]


def test_a_host_without_mdev_says_so_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "sys/class").mkdir(parents=True)
    proc = run_cli("--sysfs-root", str(tmp_path))
    assert proc.returncode == 0
    assert proc.stdout.splitlines() == [
        f"no mdev on tree at {tmp_path}: /sys/class/mdev_bus does not exist "
        "(no mdev parent driver loaded)"]
    proc = run_cli("--sysfs-root", str(tmp_path), "--json")
    assert proc.returncode == 0 and len(proc.stderr.splitlines()) == 1
    doc = json.loads(proc.stdout)
    validate(doc)
    assert doc["mdev_bus"] is False and doc["parents"] == []


@pytest.mark.parametrize(("args", "message"), [
    (["--sysfs-root", "/nonexistent/x"], "--sysfs-root /nonexistent/x: no such directory"),
    (["--mock", "--parent", "a/b"], "--parent 'a/b': not a device or type name"),
    (["--mock", "--type", ".."], "--type '..': not a device or type name"),
    (["--mock", "--parent", "mqos9"], "no parent 'mqos9' in embedded reference mock"),
    (["--mock", "--parent", "mqos0", "--type", "nope"], "parent 'mqos0' has no mdev type"),
    (["--op-timeout", "-1"], "--op-timeout must be a positive number"),
    (["--mock-topology", "t.json"], "--mock-topology and --mock-driver apply to --mock only"),
    (["--mock", "--mock-topology", "/nonexistent.json"], "/nonexistent.json"),
])
def test_bad_input_is_one_line_and_exit_2(args: list[str], message: str) -> None:
    proc = run_cli(*args)
    assert proc.returncode == 2
    assert len(proc.stderr.splitlines()) == 1 and message in proc.stderr, proc.stderr
    assert proc.stdout == ""


def test_the_mock_and_a_tree_are_exclusive() -> None:
    proc = run_cli("--mock", "--sysfs-root", "/")
    assert proc.returncode == 2 and "not allowed with" in proc.stderr


def test_help_states_the_exit_status() -> None:
    proc = run_cli("--help")
    assert "exit status: 0" in proc.stdout and "2 bad input" in proc.stdout


def test_it_never_writes_to_the_mock(monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str],
                                     tmp_path: Path) -> None:
    """Every write the mock gets fails the test; no state directory appears either."""
    writes: list[str] = []

    def refuse(self: MockKernel, path: str, data: bytes, uid: int = 0) -> int:
        writes.append(path)
        raise AssertionError(f"discover wrote {path}")

    monkeypatch.setattr(MockKernel, "vfs_write", refuse)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert main(["discover", "--mock", "--json"]) == 0
    validate(json.loads(capsys.readouterr().out))
    assert main(["discover", "--mock", "--parent", "mqos0", "--type", "mqos-full",
                 "--propose", "--set", "cap=60"]) == 0
    assert "<attr name='qos/cap' value='60'/>" in capsys.readouterr().out
    assert writes == [] and not (tmp_path / "state").exists()


def test_it_reads_a_tree_read_only(tmp_path: Path) -> None:
    """Nothing in a tree on disk changes, not even an access time we could see as a write."""
    from .conftest import SHARE_CAP_MDEV, SHARE_CAP_OFFER, build_tree

    root = build_tree(tmp_path / "tree", SHARE_CAP_OFFER, SHARE_CAP_MDEV)
    before = _state(root)
    proc = run_cli("--sysfs-root", str(root), "--json")
    assert proc.returncode == 0, proc.stderr
    assert _state(root) == before


def _state(root: Path) -> dict[str, tuple[int, int, bytes]]:
    found = {}
    for directory, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(directory, name)
            st = path.lstat()
            content = path.read_bytes() if path.is_file() and not path.is_symlink() else b""
            found[str(path)] = (st.st_mode, st.st_mtime_ns, content)
    return found
