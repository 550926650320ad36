"""``mdev-qos spec abi`` against the rules of the kernel's Documentation/ABI/README.

Every entry has the fields What, Date, KernelVersion, Contact, Description, Users;
values follow the tag after tabs, continuation lines are tab-indented, and the
description is ReStructuredText (``scripts/get_abi.py`` renders it as such).
"""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
from docutils.core import publish_doctree

from conformance.cli import main
from conformance.resources import spec_dir
from conformance.specbuild.abi import abi_entry

FILES = (
    "cap", "cap_period_us", "weight", "priority", "timeslice_us", "sharing",
    "usage_us", "throttled_us", "wait_us", "nr_slices", "domain",
)
TYPE_FILES = ("files", "levels", "domain", "timeslice_us", "sharing", "cap_period_us", "cap",
              "weight", "priority")
ORDER = ("What", "Date", "KernelVersion", "Contact", "Description", "Users")
TAG = re.compile(r"^(What|Date|KernelVersion|Contact|Description|Users):(.*)$")
MONTH_YEAR = re.compile(
    r"^(January|February|March|April|May|June|July|August|September|October|November"
    r"|December) (19|20)[0-9]{2}$"
)


def parse(text: str) -> list[list[tuple[str, str, list[str]]]]:
    """Blocks of (tag, value, continuation lines); asserts the line-level rules."""
    blocks: list[list[tuple[str, str, list[str]]]] = []
    current: list[tuple[str, str, list[str]]] = []
    for number, line in enumerate(text.split("\n")[:-1], 1):
        assert line == line.rstrip(), f"line {number}: trailing whitespace"
        # a path is never wrapped (upstream What: lines are as long as their paths)
        assert len(line.expandtabs(8)) <= 80 or line.startswith("What:"), (
            f"line {number}: longer than 80 columns"
        )
        match = TAG.match(line)
        if match:
            tag, rest = match.groups()
            if tag == "What" and current and current[-1][0] != "What":
                blocks.append(current)
                current = []
            if rest:
                assert re.match(r"^\t+\S", rest), f"line {number}: value must follow tabs"
            else:
                assert tag == "Description", f"line {number}: {tag}: without a value"
            current.append((tag, rest.strip(), []))
        elif line == "":
            if current:
                current[-1][2].append("")
        else:
            assert line.startswith("\t"), f"line {number}: continuation not tab-indented"
            assert current, f"line {number}: text before the first What:"
            current[-1][2].append(line)
    if current:
        blocks.append(current)
    return blocks


@pytest.fixture(scope="module")
def entry() -> str:
    return abi_entry()


def test_one_block_per_file_with_fields_in_order(entry: str) -> None:
    blocks = parse(entry)
    whats = []
    for block in blocks:
        tags = [tag for tag, _, _ in block]
        first_other = next(i for i, t in enumerate(tags) if t != "What")
        assert first_other >= 1, "What: comes first"
        assert tags[first_other:] == list(ORDER[1:]), tags
        whats += [value for tag, value, _ in block if tag == "What"]
    expected = []
    for name in ("", *FILES):
        expected += [
            f"/sys/bus/mdev/devices/<uuid>/qos/{name}",
            f"/sys/class/mdev_bus/<parent>/<uuid>/qos/{name}",
        ]
    for name in ("", *TYPE_FILES):
        expected.append(f"/sys/class/mdev_bus/<parent>/mdev_supported_types/<type-id>/qos/{name}")
    assert whats == expected


def test_field_values(entry: str) -> None:
    for block in parse(entry):
        fields = {tag: (value, more) for tag, value, more in block}
        assert MONTH_YEAR.match(fields["Date"][0]), fields["Date"]
        assert re.match(r"^[0-9]+\.[0-9]+$", fields["KernelVersion"][0])
        assert re.search(r"[\w.+-]+@[\w-]+(\.[\w-]+)+", fields["Contact"][0])
        assert fields["Users"][0]
        assert not fields["Description"][0]
        description = [line for line in fields["Description"][1] if line]
        assert description and all(line.startswith("\t\t") for line in description)


def test_descriptions_are_restructuredtext(entry: str) -> None:
    for block in parse(entry):
        (more,) = [more for tag, _, more in block if tag == "Description"]
        text = "\n".join(line[2:] if line.startswith("\t\t") else line for line in more)
        warnings = io.StringIO()
        publish_doctree(
            text,
            settings_overrides={
                "report_level": 2, "halt_level": 5, "warning_stream": warnings,
                "_disable_config": True,
            },
        )
        assert warnings.getvalue() == "", f"{block[0][1]}:\n{warnings.getvalue()}"


def test_descriptions_come_from_the_spec(entry: str) -> None:
    assert "\t\tThe cap is the largest share" in entry
    assert "- range: 1..10000" in entry
    assert "\t\tDevice time consumed by the mdev" in entry


def test_every_file_is_typed_with_its_errors(entry: str) -> None:
    """Like upstream entries (e.g. Xe's ``(RW) unsigned integer``), finding 11."""
    kinds = {
        "cap": "(RW/RO) unsigned integer", "cap_period_us": "(RO) unsigned integer",
        "weight": "(RW/RO) unsigned integer",
        "priority": "(RW/RO) string", "timeslice_us": "(RO) unsigned integer",
        "sharing": "(RO) string",
        "usage_us": "(RO) unsigned 64-bit integer",
        "throttled_us": "(RO) unsigned 64-bit integer",
        "wait_us": "(RO) unsigned 64-bit integer",
        "nr_slices": "(RO) unsigned 64-bit integer",
        "domain": "(RO) string",
    }
    blocks = parse(entry)[1:len(kinds) + 1]
    assert len(blocks) == len(kinds)
    for block, (name, kind) in zip(blocks, kinds.items(), strict=True):
        (more,) = [more for tag, _, more in block if tag == "Description"]
        assert more[0] == f"\t\t{name}: {kind}"
        errors = more[more.index("\t\tWrites fail with:") + 2:]
        assert errors and all(line.startswith("\t\t- ``E") for line in errors
                              if not line.startswith("\t\t  "))


def test_the_entry_points_nowhere_out_of_tree(entry: str) -> None:
    for pointer in ("section", "specification", "QOS-", "Defined in"):
        assert pointer not in entry, pointer


def test_a_file_section_that_links_into_the_spec_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "spec"
    shutil.copytree(spec_dir(), spec)
    files = spec / "files.rst"
    text = files.read_text()
    linked = "``100`` means no cap (:ref:`measurement`)."
    files.write_text(text.replace("``100`` means no cap.", linked, 1))
    assert main(["spec", "abi", "--spec-dir", str(spec)]) == 1
    err = capsys.readouterr().err
    assert "the ABI entry must be self-contained" in err and "files.rst:" in err


def test_entry_ends_cleanly(entry: str) -> None:
    assert entry.endswith("\n") and not entry.endswith("\n\n")
    assert "\n\n\n" not in entry
    assert " \t" not in entry, "a space before a tab"


def test_cli_prints_the_entry(capsys: pytest.CaptureFixture[str], entry: str) -> None:
    assert main(["spec", "abi"]) == 0
    assert capsys.readouterr().out == entry


def test_cli_overrides_and_validates_fields(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["spec", "abi", "--date", "March 2027", "--kernel-version", "7.6"]) == 0
    out = capsys.readouterr().out
    assert "Date:\t\tMarch 2027\n" in out and "KernelVersion:\t7.6\n" in out
    assert main(["spec", "abi", "--date", "2027-03"]) == 1
    assert "Month YYYY" in capsys.readouterr().err
    assert main(["spec", "abi", "--kernel-version", "seven"]) == 1
    assert "KernelVersion" in capsys.readouterr().err
