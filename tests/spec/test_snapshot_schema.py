"""The content patterns of qos-snapshot.schema.json agree with the spec's read formats."""

from __future__ import annotations

import itertools
import json
import random
import re

import pytest

from conformance.resources import schema_path

LEVELS = ("background", "standard", "urgent")


@pytest.fixture(scope="module")
def defs() -> dict:
    return json.loads(schema_path("qos-snapshot").read_text(encoding="utf-8"))["$defs"]


def accepts(defs: dict, name: str, text: str) -> bool:
    return re.search(defs[name]["properties"]["content"]["pattern"], text) is not None


def test_counter_pattern_is_exactly_u64(defs: dict) -> None:
    top = 2**64 - 1
    rng = random.Random(4)
    samples = [0, 1, 9, 10, 99, 10**18, 10**19, top - 1, top, top + 1, 10**20, 2**65]
    samples += [rng.randrange(0, 2**66) for _ in range(3000)]
    samples += [rng.randrange(top - 10**6, top + 10**6) for _ in range(2000)]
    for value in samples:
        assert accepts(defs, "counter", f"{value}\n") == (value <= top), value
    for text in ("", "\n", "00\n", "01\n", "-1\n", "+1\n", "1", "1\n\n", " 1\n", "1 \n"):
        assert not accepts(defs, "counter", text), repr(text)


@pytest.mark.parametrize(
    ("name", "low", "high"), [("cap", 1, 100), ("weight", 1, 10000), ("timeslice_us", 1, 10**6)]
)
def test_numeric_ranges(defs: dict, name: str, low: int, high: int) -> None:
    for value in itertools.chain(range(0, 1200), range(high - 50, high + 50), [10**7]):
        assert accepts(defs, name, f"{value}\n") == (low <= value <= high), (name, value)
    assert not accepts(defs, name, f"0{low}\n")
    assert not accepts(defs, name, f"{low}\n\n")


def test_priority_pattern_matches_the_rule(defs: dict) -> None:
    """Supported levels in vocabulary order, standard among them, >= 2, one bracketed."""
    accepted = set()
    for size in range(1, 4):
        for combo in itertools.permutations(LEVELS, size):
            for marks in itertools.product((False, True), repeat=size):
                words = [f"[{w}]" if m else w for w, m in zip(combo, marks, strict=True)]
                text = " ".join(words) + "\n"
                expected = (
                    list(combo) == [w for w in LEVELS if w in combo]
                    and "standard" in combo
                    and size >= 2
                    and sum(marks) == 1
                )
                assert accepts(defs, "priority", text) == expected, text
                if expected:
                    accepted.add(text)
    assert len(accepted) == 7
