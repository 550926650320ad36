"""The requirement directive and the catalogue loader."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from conformance.results import FEATURES
from conformance.specbuild.requirements import load_requirements
from conformance.specbuild.source import SpecError

GROUPS = {"LAY", "MODE", "FMT", "ACC", "SCH", "LIFE", "CONC", "CAP", "WGT", "PRI", "DOM", "DISC"}


def write_spec(directory: Path, body: str) -> Path:
    """A one-file spec with a title, one section and ``body``."""
    text = "Title\n=====\n\nSection\n-------\n\n" + textwrap.dedent(body)
    text += "\n\nOther\n-----\n\nText.\n"
    (directory / "index.rst").write_text(text, encoding="utf-8")
    return directory


def test_catalogue_is_complete_and_well_formed() -> None:
    reqs = load_requirements()
    ids = [r.id for r in reqs]
    assert len(ids) == len(set(ids)), "duplicate IDs"
    assert len(ids) >= 67
    assert {r.group for r in reqs} == GROUPS
    for req in reqs:
        assert req.level in {"MUST", "SHOULD", "MAY"}
        assert req.feature in FEATURES
        assert req.level in req.text or req.level == "MAY", req.id
        assert req.section, req.id
    by_id = {r.id: r for r in reqs}
    assert by_id["QOS-LAY-008"].level == "SHOULD"
    assert by_id["QOS-ACC-007"].feature == "cap"
    assert by_id["QOS-ACC-008"].feature == "cap"
    assert by_id["QOS-LAY-004"].condition == "cap present"
    assert by_id["QOS-MODE-003"].condition == "a knob is fixed by the type"
    assert by_id["QOS-CAP-004"].section == "file-cap"


def test_numbers_are_dense_within_each_group() -> None:
    numbers: dict[str, list[int]] = {}
    for req in load_requirements():
        numbers.setdefault(req.group, []).append(int(req.id.rsplit("-", 1)[1]))
    for group, found in numbers.items():
        assert sorted(found) == list(range(1, len(found) + 1)), group


def test_loader_reads_fields(tmp_path: Path) -> None:
    write_spec(
        tmp_path,
        """
        .. requirement:: QOS-CAP-001
           :level: SHOULD
           :feature: cap
           :condition: cap present

           The cap *SHOULD* be kept.
        """,
    )
    (req,) = load_requirements(tmp_path)
    assert (req.id, req.level, req.feature, req.condition) == (
        "QOS-CAP-001", "SHOULD", "cap", "cap present",
    )
    assert req.text == "The cap SHOULD be kept."
    assert req.section == "section"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (".. requirement:: QOS-CAP-001\n   :level: must\n   :feature: cap\n\n   x\n", "level"),
        (".. requirement:: QOS-CAP-001\n   :feature: cap\n\n   x\n", "level"),
        (".. requirement:: QOS-CAP-001\n   :level: MUST\n   :feature: gpu\n\n   x\n", "feature"),
        (".. requirement:: qos-cap-001\n   :level: MUST\n   :feature: cap\n\n   x\n", "QOS-"),
        (".. requirement:: QOS-CAP-001\n   :level: MUST\n   :feature: cap\n", "no text"),
        (
            ".. requirement:: QOS-CAP-001\n   :level: MUST\n   :feature: cap\n\n   x\n\n"
            ".. requirement:: QOS-CAP-001\n   :level: MUST\n   :feature: cap\n\n   y\n",
            "duplicate",
        ),
        ("See :req:`QOS-CAP-009`.\n", "unknown requirements: QOS-CAP-009"),
        ("See :ref:`nowhere`.\n", "nowhere"),
        ("Bad *markup.\n", "WARNING"),
    ],
)
def test_bad_spec_is_rejected(tmp_path: Path, body: str, message: str) -> None:
    write_spec(tmp_path, body)
    with pytest.raises(SpecError, match=message):
        load_requirements(tmp_path)


def test_spec_version_and_change_log_agree_with_the_package() -> None:
    from conformance import SPEC_VERSION
    from conformance.resources import spec_dir

    index = (spec_dir() / "index.rst").read_text(encoding="utf-8")
    assert f":Version: {SPEC_VERSION}\n" in index
    changelog = (spec_dir() / "changelog.rst").read_text(encoding="utf-8")
    assert f"version **{SPEC_VERSION}**" in changelog
    assert f"({len(load_requirements())} requirements)" in changelog
