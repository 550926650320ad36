"""The oracle's read formats: one value and one newline, canonical numbers, priority lists."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conformance.oracle import formats
from conformance.oracle.formats import FormatError


@pytest.mark.parametrize("raw", [b"0\n", b"100\n", b"18446744073709551615\n"])
def test_canonical_counters(raw: bytes) -> None:
    assert formats.unsigned(raw) == int(raw)


@pytest.mark.parametrize(
    "raw",
    [b"100", b"100\n\n", b" 100\n", b"100 \n", b"060\n", b"-5\n", b"+5\n", b"5\n6\n", b"\n",
     b"18446744073709551616\n", b"1 2\n", b"0x10\n"],
)
def test_malformed_numeric_reads(raw: bytes) -> None:
    with pytest.raises(FormatError):
        formats.unsigned(raw)


def test_form_and_width_are_separate_rules() -> None:
    assert formats.canonical_form(b"18446744073709551616\n") == 2**64
    assert formats.canonical_form(b"100") == 100  # the missing newline is another rule
    with pytest.raises(FormatError):
        formats.canonical_form(b"060\n")
    assert formats.loose_integers(b"  -5 7\nx\n") == [-5, 7]


@settings(deadline=None)  # a busy machine is not a slow function
@given(st.integers(0, 2**64 - 1))
def test_every_u64_reads_back(value: int) -> None:
    assert formats.unsigned(f"{value}\n".encode()) == value


@pytest.mark.parametrize(
    ("raw", "levels", "active"),
    [(b"background [standard] urgent\n", ("background", "standard", "urgent"), "standard"),
     (b"[standard] urgent\n", ("standard", "urgent"), "standard"),
     (b"background standard [urgent]\n", ("background", "standard", "urgent"), "urgent")],
)
def test_priority_reads(raw: bytes, levels: tuple[str, ...], active: str) -> None:
    parsed = formats.priority(raw)
    assert (parsed.levels, parsed.active) == (levels, active)
    assert parsed.render() + "\n" == raw.decode()


@pytest.mark.parametrize(
    "raw",
    [b"background standard urgent\n", b"[standard]\n", b"urgent [standard] background\n",
     b"background [standard]  urgent\n", b"[background] [standard]\n", b"background [high]\n",
     b"[background] urgent\n", b"background [standard] urgent",
     b"background [Standard] urgent\n", b"standard [standard]\n"],
)
def test_malformed_priority_reads(raw: bytes) -> None:
    with pytest.raises(FormatError):
        formats.priority(raw)


def test_knob_and_file_dispatch() -> None:
    assert formats.knob_value("priority", b"standard [urgent]\n") == "urgent"
    assert formats.knob_value("cap", b"60\n") == "60"
    assert formats.qos_file("usage_us", b"5\n") == "5"
    with pytest.raises(ValueError):
        formats.knob_value("usage_us", b"5\n")
    with pytest.raises(ValueError):
        formats.qos_file("stats", b"5\n")
