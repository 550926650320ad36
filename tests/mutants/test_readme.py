"""tests/mutants/README.md states what the tests do: its unique-kill table is ``ONLY_KILLER``."""

from __future__ import annotations

import re
from pathlib import Path

from test_unique_kills import ONLY_KILLER

README = Path(__file__).resolve().parent / "README.md"
ROW = re.compile(r"^\| `(\w+)` \| `(\w+)` \| `([\w.]+:\w+)` \|$")


def readme_unique_kills() -> dict[str, str]:
    """Fragment -> ``mqos_mutants.area:Class`` from the README's unique-kill table."""
    text = README.read_text(encoding="utf-8")
    table = text.split("<!-- unique kills: begin -->")[1].split("<!-- unique kills: end -->")[0]
    rows = [ROW.match(line) for line in table.splitlines() if line.startswith("| `")]
    assert all(rows), "a row of the unique-kill table is not | `file` | `fragment` | `mutant` |"
    return {m.group(2): f"mqos_mutants.{m.group(3)}" for m in rows if m}


def test_the_readme_lists_every_unique_kill_and_no_other() -> None:
    assert readme_unique_kills() == ONLY_KILLER


def test_each_fragment_names_a_scenario_of_the_file_the_readme_gives() -> None:
    features = Path(__file__).resolve().parents[2] / "features"
    text = README.read_text(encoding="utf-8")
    for file, fragment in re.findall(r"^\| `(\w+)` \| `(\w+)` \|", text, re.MULTILINE):
        titles = re.findall(r"^\s*Scenario(?: Outline)?:\s*(.+)$",
                            (features / f"{file}.feature").read_text(encoding="utf-8"),
                            re.MULTILINE)
        slugs = [re.sub(r"_+", "_", re.sub(r"[^a-z0-9 ]", "", t.lower()).replace(" ", "_"))
                 for t in titles]
        assert any(fragment in s for s in slugs), f"{fragment} is no scenario of {file}.feature"
