"""Helpers of the state-directory, journal and lock tests: runs of the CLI, journal paths."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import PARENT, REPO, TYPE, suite_env

from conformance.suite.journal import target_key
from conformance.sysfs.target import FsTarget

FIXTURE = REPO / "fixtures" / "conforming"
FIXTURE_MDEV = "6c2e1b0a-3f4d-4e5a-9b6c-7d8e9f0a1b2c"
NOBODY = 65534
NO_SPEC = ("--spec-url", "https://example.invalid/spec")  # build no spec: faster runs


def run_suite(root: Path | str, state: Path, *extra: str, timeout: float = 120,
              report: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``mdev-qos run`` on ``root`` (mqos0/mqos-full) with ``--state-dir state``."""
    argv = [sys.executable, "-m", "conformance", "run", "--sysfs-root", str(root),
            "--parent", PARENT, "--type", TYPE, "--state-dir", str(state), "-q", *NO_SPEC,
            "--report-dir", str(report or state.parent / "report"), *extra]
    return subprocess.run(argv, env=suite_env(), capture_output=True, text=True,
                          timeout=timeout, check=False)


def static_run(state: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """A read-only run of the recorded fixture tree."""
    return run_suite(FIXTURE, state, "--profile", "static", "--mdev", FIXTURE_MDEV, *extra)


def journal_of(state: Path, root: Path | str) -> Path:
    """The journal file a run on the tree at ``root`` keeps in ``state``."""
    real = os.path.realpath(root)
    return state / f"journal-{target_key(FsTarget(real).description)}.jsonl"


def private_dir(path: Path) -> Path:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def entry_line(seq: int, op: str, path: str, uuid: str, value: str = "") -> str:
    """One journal line, as a run writes it (``value`` already base64)."""
    entry = {"seq": seq, "op": op, "path": path, "value": value, "uuid": uuid}
    return json.dumps({"entry": entry}, sort_keys=True) + "\n"


def refusal_line(result: subprocess.CompletedProcess[str]) -> str:
    """The one line a refused run printed; fails on tracebacks and on other output."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert result.stdout == "", result.stdout  # refused: no verdict, no report
    return lines[0]
