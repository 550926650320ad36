"""The qos/ group policy the steps ask the oracle about."""

from __future__ import annotations

import pytest

from conformance.oracle.formats import FormatError
from conformance.oracle.layout import (
    absent_reason,
    another_value,
    another_write,
    cap_of,
    enough_levels,
    member,
    one_value,
    spec_files,
)


def test_another_value_differs_and_is_valid() -> None:
    assert another_value("cap", "90", ()) == "80"
    assert another_value("cap", "100", ()) == "90"
    assert another_value("weight", "200", ()) == "300"
    assert another_value("priority", "urgent", ("background", "standard", "urgent")) == "standard"


@pytest.mark.parametrize(
    ("knob", "raw", "write"),
    [("cap", b"50\n", b"51"), ("cap", b"100\n", b"1"), ("cap", b"garbage", b"1"),
     ("priority", b"background [standard] urgent\n", b"urgent"),
     ("priority", b"[urgent] x", b"urgent")],
)
def test_another_write(knob: str, raw: bytes, write: bytes) -> None:
    assert another_write(knob, raw) == write


def test_member_takes_defaults_for_absent_knobs() -> None:
    one = member("A", {"weight": 300})
    assert (one.weight, one.cap, one.level) == (300, 100, "standard")
    assert cap_of({}) == 100 and cap_of({"cap": 40}) == 40


def test_levels_rule() -> None:
    assert enough_levels(["background", "standard"])
    assert not enough_levels(["standard"])
    assert not enough_levels(["background", "urgent"])


def test_one_value() -> None:
    one_value("priority", b"background [standard] urgent\n")
    one_value("cap", b"5\n")
    with pytest.raises(FormatError):
        one_value("cap", b"5 6\n")


def test_spec_files_and_reasons() -> None:
    assert spec_files(["x", "usage_us", "cap"]) == ["cap", "usage_us"]
    assert "only together with cap" in absent_reason("throttled_us")
    assert absent_reason("odd") == "this mdev has no qos/odd"
