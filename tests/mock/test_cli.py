"""``mdev-qos mock mount`` refuses bad arguments with a clear message."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.cli import main


def test_missing_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["mock", "mount", str(tmp_path / "nope")]) == 2
    assert "not a directory" in capsys.readouterr().err


def test_bad_topology(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    topo = tmp_path / "t.json"
    topo.write_text('{"types": [], "parents": []}')
    assert main(["mock", "mount", str(tmp_path), "--topology", str(topo)]) == 2
    assert "t.json" in capsys.readouterr().err


def test_bad_driver(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["mock", "mount", str(tmp_path), "--mock-driver", "nosuchmod:X"]) == 2
    assert "cannot import" in capsys.readouterr().err
