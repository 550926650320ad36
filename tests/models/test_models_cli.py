"""``mdev-qos models``: the listing, bad input, and one model run end to end."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conformance.cli.models_runner import validate
from conformance.models import MODELS


def models(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "conformance", "models", *args],
                          capture_output=True, text=True, cwd=cwd, check=False)


def test_lists_every_model_with_its_sources() -> None:
    done = models()
    assert done.returncode == 0, done.stderr
    assert len(MODELS) >= 6
    for entry in MODELS:
        block = done.stdout.split(f"{entry.name}: ", 1)[1]
        assert f"--mock-driver {entry.driver}" in block
        assert "source: " in block.split("\n\n")[0]


def test_unknown_model_is_one_line_and_exit_2(tmp_path: Path) -> None:
    done = models("--run", "gvt-g", "no-such-model", "--json", str(tmp_path / "x.json"))
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and "no-such-model" in done.stderr
    assert not (tmp_path / "x.json").exists()


def test_zero_jobs_is_one_line_and_exit_2() -> None:
    done = models("--run", "-j", "0")
    assert done.returncode == 2
    assert done.stdout == "" and done.stderr.count("\n") == 1 and "-j" in done.stderr


def test_json_without_run_and_a_missing_directory_are_refused(tmp_path: Path) -> None:
    assert models("--json", str(tmp_path / "x.json")).returncode == 2
    done = models("--run", "--json", str(tmp_path / "no" / "x.json"))
    assert done.returncode == 2 and done.stderr.count("\n") == 1


def test_one_model_run_prints_the_table_and_valid_json(tmp_path: Path) -> None:
    out = tmp_path / "run.json"
    done = models("--run", "nvidia-equal-share", "--json", str(out), "-q")
    assert done.returncode == 0, done.stderr
    header, row = done.stdout.splitlines()[:2]
    assert header.split()[:7] == ["model", "base", "share", "reserve", "cap", "weight",
                                  "priority"]
    assert row.split()[:5] == ["nvidia-equal-share", "holds", "not", "offered", "holds"]
    document = json.loads(out.read_text())
    validate(document)
    assert [m["name"] for m in document["models"]] == ["nvidia-equal-share"]
