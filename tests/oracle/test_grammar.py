"""The oracle's write grammar: numeric knobs (kstrtouint + range) and priority names."""

from __future__ import annotations

import errno
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conformance.oracle.grammar import (
    U32_MAX,
    decode_written,
    errno_names,
    knob_write,
    numeric_write,
    priority_write,
)

EINVAL, ERANGE = frozenset({errno.EINVAL}), frozenset({errno.EINVAL, errno.ERANGE})
LEVELS = ("background", "standard", "urgent")


@pytest.mark.parametrize(
    ("data", "reads"),
    [(b"1", "1"), (b"100", "100"), (b"60\n", "60"), (b"+60", "60"), (b"+060\n", "60"),
     (b"007", "7"), (b"0100", "100")],
)
def test_cap_accepts_the_numeric_grammar(data: bytes, reads: str) -> None:
    outcome = knob_write("cap", data)
    assert outcome.accepted and outcome.reads == reads


@pytest.mark.parametrize(
    "data",
    [b"", b" 60", b"60 ", b"6 0", b"-1", b"-0", b"++60", b"+", b"0x3c", b"3c", b"sixty",
     b"60.0", b"1e2", b"60\n\n", b"\n", b"60\r", b"\t60", b"\0", b"60\0",
     "٦٠".encode(), "２００".encode()],
)
def test_malformed_numbers_are_einval(data: bytes) -> None:
    assert knob_write("cap", data).errnos == EINVAL
    assert knob_write("weight", data).errnos == EINVAL


@pytest.mark.parametrize(
    ("knob", "data", "errnos"),
    [("cap", b"0", EINVAL), ("cap", b"101", EINVAL), ("cap", b"4294967295", EINVAL),
     ("cap", b"4294967296", ERANGE), ("cap", b"18446744073709551616", ERANGE),
     ("weight", b"0", EINVAL), ("weight", b"10001", EINVAL), ("weight", b"4294967396", ERANGE)],
)
def test_out_of_range(knob: str, data: bytes, errnos: frozenset[int]) -> None:
    assert knob_write(knob, data).errnos == errnos


_NUMERIC = re.compile(rb"\+?([0-9]+)\n?")


@settings(deadline=None)  # a busy machine is not a slow function
@given(st.binary(max_size=12) | st.from_regex(rb"\A\+?[0-9]{1,12}\n?\Z"))
def test_numeric_grammar_matches_its_definition(data: bytes) -> None:
    """Accepted exactly when the bytes are [+]DIGITS[LF] with a value in range."""
    outcome = numeric_write(data, 1, 100)
    match = _NUMERIC.fullmatch(data)
    in_range = bool(match) and 1 <= int(match[1]) <= 100
    assert outcome.accepted == in_range
    if outcome.accepted:
        assert outcome.reads == str(int(match[1]))
    elif match and int(match[1]) > U32_MAX:
        assert outcome.errnos == ERANGE
    else:
        assert outcome.errnos == EINVAL


@settings(deadline=None)  # a busy machine is not a slow function
@given(st.integers(1, 10000), st.booleans(), st.booleans(), st.integers(0, 3))
def test_every_weight_in_range_reads_back_canonical(
    value: int, plus: bool, newline: bool, zeros: int
) -> None:
    sign, end = (b"+" if plus else b""), (b"\n" if newline else b"")
    data = sign + b"0" * zeros + str(value).encode() + end
    outcome = knob_write("weight", data)
    assert outcome.accepted and outcome.reads == str(value)


@pytest.mark.parametrize("data", [b"background", b"standard\n", b"urgent"])
def test_priority_accepts_a_supported_level(data: bytes) -> None:
    assert priority_write(data, LEVELS).accepted


@pytest.mark.parametrize(
    "data",
    [b"", b"Standard", b"STANDARD", b" standard", b"standard ", b"[standard]", b"standard\n\n",
     b"\n", b"standard\r", b"urg", b"stand", b"urgentest", b"low", b"normal", b"high", b"medium",
     b"background standard", b"1", b"\0",
     b"\xff"],
)
def test_priority_refuses_anything_else(data: bytes) -> None:
    assert priority_write(data, LEVELS).errnos == EINVAL


def test_priority_refuses_an_unsupported_level() -> None:
    outcome = priority_write(b"background", ("standard", "urgent"))
    assert not outcome.accepted and "not supported" in outcome.why


def test_knob_write_refuses_unknown_knobs() -> None:
    with pytest.raises(ValueError):
        knob_write("timeslice_us", b"5")


@pytest.mark.parametrize(
    ("notation", "data"),
    [("60\\n", b"60\n"), ("60\n", b"60\n"), ("\\0", b"\0"), ("␠60", b" 60"), ("\\r", b"\r"),
     ("\\x41", b"A"), ("\\xZZ", b"\\xZZ"), ("a\\\\n", b"a\\n"), ("٦", "٦".encode()), ("", b"")],
)
def test_feature_notation_decodes_to_bytes(notation: str, data: bytes) -> None:
    assert decode_written(notation) == data


def test_errno_names() -> None:
    assert errno_names("EINVAL or ERANGE") == ERANGE
    assert errno_names("EACCES, EIO or EPERM") == {errno.EACCES, errno.EIO, errno.EPERM}
    for bad in ("", "or", "EBOGUS", "path"):
        with pytest.raises(ValueError):
            errno_names(bad)
