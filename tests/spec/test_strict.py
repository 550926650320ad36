"""Strictness of the spec build: each bad fixture under ``fixtures/strict`` fails
``mdev-qos spec check`` with one message naming its file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conformance.cli import main
from conformance.resources import spec_dir
from conformance.specbuild.source import fatal_messages

FIXTURES = Path(__file__).parent / "fixtures"
STRICT = FIXTURES / "strict"

STRONGEST = "but the strongest keyword of its text is"
CASES = {
    "must-says-should": (8, f"QOS-CAP-001: level MUST {STRONGEST} SHOULD"),
    "must-no-keyword": (8, "QOS-CAP-001: level MUST but its text has no BCP 14 keyword"),
    "must-lowercase": (8, "QOS-CAP-001: level MUST but its text has no BCP 14 keyword"),
    "should-says-must": (15, f"QOS-CAP-002: level SHOULD {STRONGEST} MUST"),
    "swallowed-keyword": (8, "QOS-CAP-001: level MUST but its text has no BCP 14 keyword"),
    "short-underline": (6, "Possible title underline, too short for the title"),
    "short-underline-warning": (6, "Title underline too short"),
}


def check(spec: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    status = main(
        ["spec", "check", "--spec-dir", str(spec), "--features-dir", str(FIXTURES / "good")]
    )
    captured = capsys.readouterr()
    return status, captured.out + captured.err


def test_every_fixture_is_listed() -> None:
    assert sorted(p.name for p in STRICT.iterdir()) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_spec_fails_check_naming_file_and_line(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    line, message = CASES[name]
    status, out = check(STRICT / name, capsys)
    assert status == 1, out
    assert f"{STRICT / name / 'index.rst'}:{line}: " in out
    assert message in out


def test_the_clean_fixture_passes(capsys: pytest.CaptureFixture[str]) -> None:
    status, out = check(FIXTURES / "spec", capsys)
    assert status == 0, out


def test_a_weaker_keyword_may_qualify_a_stronger_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (FIXTURES / "spec" / "index.rst").read_text()
    text = text.replace("MUST read ``100``.", "MUST read ``100``; it MAY read ``100\\n``.")
    (tmp_path / "index.rst").write_text(text)
    status, out = check(tmp_path, capsys)
    assert status == 0, out


def test_a_vanished_file_section_fails_abi(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before: the ``cap`` section became a paragraph and the entry lost ``cap``.

    Run from inside the temporary tree, where docutils would name the file
    relatively: the message names it absolutely from any working directory.
    """
    monkeypatch.chdir(tmp_path)
    spec = tmp_path / "spec"
    shutil.copytree(spec_dir(), spec)
    files = spec / "files.rst"
    lines = files.read_text().splitlines()
    title = lines.index("``cap``")
    lines[title + 1] = "---"
    files.write_text("\n".join(lines) + "\n")
    status = main(["spec", "abi", "--spec-dir", str(spec)])
    captured = capsys.readouterr()
    assert status == 1
    assert captured.out == ""
    assert f"{files}:{title + 2}: (INFO/1) Possible title underline" in captured.err


def test_only_info_messages_that_lose_text_are_fatal() -> None:
    stream = (
        'a.rst:3: (INFO/1) Duplicate implicit target name: "cap".\n'
        "a.rst:9: (INFO/1) Possible title underline, too short for the title.\n"
        "Treating it as ordinary text because it's so short.\n"
        "a.rst:12: (WARNING/2) Inline literal start-string without end-string.\n"
    )
    assert fatal_messages(stream) == [
        "a.rst:9: (INFO/1) Possible title underline, too short for the title.\n"
        "Treating it as ordinary text because it's so short.",
        "a.rst:12: (WARNING/2) Inline literal start-string without end-string.",
    ]
