"""A reader that goes away (``mdev-qos run | head``) neither aborts a run nor fakes a verdict."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

RUN = [sys.executable, "-m", "conformance", "run", "--profile", "static"]


def _run_into_closed_pipes(
    tmp_path: Path, *, stderr_too: bool
) -> subprocess.CompletedProcess[bytes]:
    """Run with stdout (and maybe stderr) a pipe whose reader is already gone."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run(
            [*RUN, "--report-dir", str(tmp_path / "report")],
            stdout=write_end,
            stderr=write_end if stderr_too else subprocess.PIPE,
            cwd=tmp_path,
            timeout=120,
            check=False,
        )
    finally:
        os.close(write_end)


@pytest.mark.parametrize("stderr_too", [False, True], ids=["stdout", "stdout-and-stderr"])
def test_the_verdict_survives_a_closed_pipe(tmp_path: Path, stderr_too: bool) -> None:
    expected = subprocess.run(
        [*RUN, "--report-dir", str(tmp_path / "reference")],
        capture_output=True, cwd=tmp_path, timeout=120, check=False,
    )
    done = _run_into_closed_pipes(tmp_path, stderr_too=stderr_too)
    assert done.returncode == expected.returncode, done.stderr
    if not stderr_too:
        assert b"Traceback" not in done.stderr, done.stderr.decode()
    report = json.loads((tmp_path / "report" / "report.json").read_text())
    reference = json.loads((tmp_path / "reference" / "report.json").read_text())
    assert report["verdict"] == reference["verdict"]
    assert len(report["scenarios"]) == len(reference["scenarios"])


def test_a_closed_pipe_outside_run_is_not_a_verdict(tmp_path: Path) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "conformance", "spec", "abi"],
            stdout=write_end, stderr=subprocess.PIPE, cwd=tmp_path, timeout=120, check=False,
        )
    finally:
        os.close(write_end)
    assert done.returncode == 2
    assert b"Traceback" not in done.stderr, done.stderr.decode()


@pytest.mark.parametrize("unless_flushed", [False, True])
def test_a_stream_whose_reader_went_away_is_silenced_for_good(unless_flushed: bool) -> None:
    """``streams.gone``: what is still buffered, and all later output, goes nowhere."""
    from conformance.streams import gone

    read_end, write_end = os.pipe()
    os.close(read_end)
    stream = os.fdopen(write_end, "w", buffering=1 << 16)
    try:
        stream.write("unread\n")
        gone(stream, unless_flushed=unless_flushed)  # the flush fails: silenced either way
        stream.write("more\n")
        stream.flush()
    finally:
        stream.close()


def test_a_stream_whose_reader_is_there_is_kept_unless_asked(tmp_path: Path) -> None:
    from conformance.streams import gone

    with open(tmp_path / "out", "w", encoding="utf-8") as stream:
        stream.write("kept\n")
        gone(stream, unless_flushed=True)
        stream.write("still kept\n")
    assert (tmp_path / "out").read_text() == "kept\nstill kept\n"
