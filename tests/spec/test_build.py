"""``mdev-qos spec build``: strict HTML, anchors, traceability, requirements.json."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from conformance import SPEC_VERSION
from conformance.cli import main
from conformance.specbuild.requirements import load_requirements

FIXTURES = Path(__file__).parent / "fixtures"
SPEC = FIXTURES / "spec"


def build(out: Path, features: str, spec: Path = SPEC) -> int:
    return main(
        [
            "spec", "build", "-o", str(out),
            "--spec-dir", str(spec), "--features-dir", str(FIXTURES / features),
        ]
    )


def test_requirements_link_to_their_scenarios(tmp_path: Path) -> None:
    assert build(tmp_path, "good") == 0
    html = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert 'id="QOS-CAP-001"' in html
    assert 'id="scenario-cap-feature-8"' in html
    box = html[html.index('id="QOS-CAP-001"'):]
    box = box[: box.index('id="QOS-CAP-002"')]
    assert 'href="#scenario-cap-feature-8"' in box
    assert "cap.feature: a new mdev is uncapped" in box
    assert "uncovered" not in html.split("<body", 1)[1].replace("tr.uncovered", "")
    assert "2 of 2 requirements are checked" in html


def test_uncovered_rows_are_highlighted(tmp_path: Path) -> None:
    assert build(tmp_path, "uncovered") == 0
    html = (tmp_path / "index.html").read_text(encoding="utf-8")
    rows = re.findall(r'<tr class="([^"]*)">\s*<td><p><a [^>]*href="#(QOS-[^"]+)"', html)
    assert ("uncovered", "QOS-CAP-002") in rows
    assert not any(rid == "QOS-CAP-001" for _, rid in rows)
    assert "1 of 2 requirements are checked" in html


def test_requirements_json(tmp_path: Path) -> None:
    assert build(tmp_path, "good") == 0
    data = json.loads((tmp_path / "requirements.json").read_text(encoding="utf-8"))
    assert data["spec_version"] == SPEC_VERSION
    first, second = data["requirements"]
    assert first == {
        "id": "QOS-CAP-001",
        "level": "MUST",
        "feature": "cap",
        "condition": "cap present and writable",
        "text": "A new mdev's cap MUST read 100.",
        "section": "knobs",
        "scenarios": [["cap.feature", "a new mdev is uncapped"]],
    }
    assert second["condition"] is None
    assert second["scenarios"] == [
        ["cap.feature", "a backlogged mdev stays under its cap <cap>"]
    ]


def test_docutils_warning_fails_the_build(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "spec"
    spec.mkdir()
    text = (SPEC / "index.rst").read_text(encoding="utf-8")
    (spec / "index.rst").write_text(text + "\nA *dangling emphasis.\n", encoding="utf-8")
    assert build(tmp_path / "out", "good", spec) == 1
    err = capsys.readouterr().err
    assert "docutils reported warnings" in err
    assert "WARNING" in err
    assert not (tmp_path / "out" / "index.html").exists()


def test_real_spec_builds(tmp_path: Path) -> None:
    assert build(tmp_path, "good", spec=Path(__file__).parents[2] / "spec") == 0
    html = (tmp_path / "index.html").read_text(encoding="utf-8")
    for req in load_requirements():
        assert f'id="{req.id}"' in html
    assert "<math" in html
    assert "Rationale" in html


def test_unwritable_output_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory\n", encoding="utf-8")
    assert build(blocker, "good") == 1
    assert f"{blocker}: not a directory" in capsys.readouterr().err
    assert blocker.read_text(encoding="utf-8") == "not a directory\n"


def test_a_foreign_file_is_never_overwritten(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text("<p>someone's page</p>\n", encoding="utf-8")
    assert build(out, "good") == 1
    assert "was not written by 'mdev-qos spec build'" in capsys.readouterr().err
    assert (out / "index.html").read_text(encoding="utf-8") == "<p>someone's page</p>\n"
    assert sorted(os.listdir(out)) == ["index.html"]


def test_a_link_in_the_output_is_refused_and_not_followed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "site"
    assert build(out, "good") == 0
    victim = tmp_path / "victim"
    victim.write_text("precious\n", encoding="utf-8")
    (out / "requirements.json").unlink()
    (out / "requirements.json").symlink_to(victim)
    assert build(out, "good") == 1
    assert "not a regular file" in capsys.readouterr().err
    assert victim.read_text(encoding="utf-8") == "precious\n"


def test_a_second_build_replaces_its_own_files_and_keeps_others(tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert build(out, "good") == 0
    (out / "notes.txt").write_text("mine\n", encoding="utf-8")
    (out / "index.html").write_text("stale\n", encoding="utf-8")
    assert build(out, "good") == 0
    assert (out / "index.html").read_text(encoding="utf-8") != "stale\n"
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine\n"
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == [".mdev-qos-spec"]
