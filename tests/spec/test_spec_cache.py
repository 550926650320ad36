"""The built spec is reused while its sources stay the same, and rebuilt otherwise."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conformance.resources import features_dir, spec_dir
from conformance.specbuild import cache
from conformance.specbuild.requirements import load_requirements


@pytest.fixture
def cache_home(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("MDEV_QOS_NO_CACHE", raising=False)
    return tmp_path / "cache" / "mdev-qos" / "spec"


def test_second_build_copies_the_first(cache_home, tmp_path, monkeypatch) -> None:
    first = cache.build_cached(tmp_path / "one")
    assert [p.name for p in cache_home.iterdir()] == [cache.source_key()]

    def no_build(*args, **kwargs):
        raise AssertionError("built again although the sources did not change")

    monkeypatch.setattr("conformance.specbuild.html.build", no_build)
    second = cache.build_cached(tmp_path / "two")
    assert second == first == list(load_requirements())
    for name in ("index.html", "requirements.json"):
        assert (tmp_path / "two" / name).read_bytes() == (tmp_path / "one" / name).read_bytes()


def test_a_changed_source_changes_the_key(tmp_path) -> None:
    spec = tmp_path / "spec"
    shutil.copytree(spec_dir(), spec)
    before = cache.source_key(spec, features_dir())
    with (spec / "measurement.rst").open("a", encoding="utf-8") as handle:
        handle.write("\nOne more sentence.\n")
    assert cache.source_key(spec, features_dir()) != before


def test_a_damaged_entry_is_rebuilt(cache_home, tmp_path) -> None:
    entry = cache_home / cache.source_key()
    entry.mkdir(parents=True)
    (entry / "requirements.cache.json").write_text("{not json", encoding="utf-8")
    built = cache.build_cached(tmp_path / "out")
    assert built == list(load_requirements())
    assert (tmp_path / "out" / "index.html").stat().st_size > 0


def test_no_cache_writes_nothing(cache_home, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("MDEV_QOS_NO_CACHE", "1")
    cache.build_cached(tmp_path / "out")
    assert not cache_home.exists()


def _plant(entry: Path, source: Path) -> None:
    entry.mkdir(parents=True)
    for name in ("index.html", "requirements.json"):
        (entry / name).write_bytes((source / name).read_bytes())
    (entry / "requirements.cache.json").write_text("[]", encoding="utf-8")  # no requirement


@pytest.mark.parametrize("where", ["mdev-qos", "spec", "entry"])
def test_an_entry_others_can_write_is_ignored(cache_home, tmp_path, where) -> None:
    """A planted entry in a directory open to others must not decide the report's requirements."""
    cache.build_cached(tmp_path / "real")
    entry = cache_home / cache.source_key()
    shutil.rmtree(cache_home)
    _plant(entry, tmp_path / "real")
    opened = {"mdev-qos": cache_home.parent, "spec": cache_home, "entry": entry}[where]
    opened.chmod(0o777)
    built = cache.build_cached(tmp_path / "out")
    assert built == list(load_requirements())
    assert entry.joinpath("requirements.cache.json").read_text(encoding="utf-8") == "[]"


def test_a_linked_entry_is_ignored(cache_home, tmp_path) -> None:
    cache.build_cached(tmp_path / "real")
    entry = cache_home / cache.source_key()
    shutil.rmtree(entry)
    elsewhere = tmp_path / "elsewhere"
    _plant(elsewhere, tmp_path / "real")
    entry.symlink_to(elsewhere)
    assert cache.build_cached(tmp_path / "out") == list(load_requirements())


def test_a_trusted_entry_is_used(cache_home, tmp_path) -> None:
    """The control for the two tests above: the same planted entry, private, is believed."""
    cache.build_cached(tmp_path / "real")
    entry = cache_home / cache.source_key()
    shutil.rmtree(entry)
    _plant(entry, tmp_path / "real")
    assert cache.build_cached(tmp_path / "out") == []
