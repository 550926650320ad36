"""The spec for a report's links is built in a child process while the scenarios run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conformance.specbuild import background
from conformance.specbuild.background import BuildFailed, SpecBuild
from conformance.specbuild.requirements import load_requirements


@pytest.fixture
def cold_cache(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("MDEV_QOS_NO_CACHE", raising=False)
    return tmp_path / "cache"


def test_an_empty_cache_builds_in_a_child_and_yields_the_requirements(cold_cache,
                                                                     tmp_path) -> None:
    build = SpecBuild.start(tmp_path / "spec")
    assert build._pid is not None and build._pid != os.getpid()  # a child builds
    assert build.requirements() == list(load_requirements())
    assert (tmp_path / "spec" / "index.html").is_file()
    # the child stored its build: the next start copies it without forking
    again = SpecBuild.start(tmp_path / "again")
    assert again._pid is None
    assert again.requirements() == build.requirements()


def test_a_failed_build_says_why_and_leaves_no_half_built_spec(cold_cache, tmp_path,
                                                               monkeypatch) -> None:
    def broken(out: Path) -> list:
        out.mkdir(parents=True)
        (out / "index.html").write_text("half")
        raise ValueError("spec/measurement.rst:12: unknown directive")

    monkeypatch.setattr(background, "build_cached", broken)
    build = SpecBuild.start(tmp_path / "spec")
    with pytest.raises(BuildFailed, match="unknown directive"):
        build.requirements()
    assert not (tmp_path / "spec").exists()


def test_a_cancelled_build_is_reaped(cold_cache, tmp_path) -> None:
    build = SpecBuild.start(tmp_path / "spec")
    pid = build._pid
    build.cancel()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # already reaped: no zombie left
    with pytest.raises(BuildFailed):
        build.requirements()
