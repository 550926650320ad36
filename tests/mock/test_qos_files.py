"""The reference driver's qos/ files: layout, modes, defaults, write grammar, errno."""

from __future__ import annotations

import errno

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mockbench import Bench

from conformance.mock.grammar import kstrtouint

ALL = ["cap", "cap_period_us", "domain", "nr_slices", "priority", "sharing", "throttled_us",
       "timeslice_us", "usage_us", "wait_us", "weight"]


def _errno(call, *args, **kwargs) -> int:
    with pytest.raises(OSError) as info:
        call(*args, **kwargs)
    return info.value.errno


def test_every_file_mode_and_default(bench: Bench) -> None:
    u = bench.create()
    assert bench.k.vfs_listdir(f"/sys/bus/mdev/devices/{u}/qos") == ALL
    expected = {"cap": b"100\n", "weight": b"100\n", "priority": b"background [standard] urgent\n",
                "timeslice_us": b"1000\n", "usage_us": b"0\n", "throttled_us": b"0\n",
                "wait_us": b"0\n", "nr_slices": b"0\n", "domain": b"mqos0\n",
                "sharing": b"work-conserving\n", "cap_period_us": b"1000\n"}
    for name, content in expected.items():
        assert bench.read(u, name) == content
        mode = 0o644 if name in ("cap", "weight", "priority") else 0o444
        assert bench.k.vfs_stat(bench.qos(u, name)) == ("file", mode, 0)


@pytest.mark.parametrize("data, canonical", [
    (b"1", b"1\n"), (b"100\n", b"100\n"), (b"+060\n", b"60\n"), (b"0050", b"50\n")])
def test_cap_accepts_the_grammar_and_reads_canonical(bench: Bench, data, canonical) -> None:
    u = bench.create()
    assert bench.write(u, "cap", data) == len(data)
    assert bench.read(u, "cap") == canonical


BAD_NUMBERS = [b"\n", b" 5", b"5 ", b"-5", b"0x10", b"abc", b"5\n\n", b"5\x00", b"\x005",
               b"5 0", b"\xd9\xa3", b"++5", b"+", b"5\r\n", b"1e2", b"5.0"]


@pytest.mark.parametrize("data", BAD_NUMBERS)
@pytest.mark.parametrize("knob", ["cap", "weight"])
def test_malformed_numbers_are_einval_and_change_nothing(bench: Bench, knob, data) -> None:
    u = bench.create()
    bench.write(u, knob, b"42")
    assert _errno(bench.write, u, knob, data) == errno.EINVAL
    assert bench.read(u, knob) == b"42\n"


@pytest.mark.parametrize("knob, data, code", [
    ("cap", b"0", errno.EINVAL), ("cap", b"101", errno.EINVAL),
    ("cap", b"4294967295", errno.EINVAL), ("cap", b"4294967296", errno.ERANGE),
    ("weight", b"0", errno.EINVAL), ("weight", b"10001\n", errno.EINVAL),
    ("weight", b"99999999999999999999999", errno.ERANGE)])
def test_out_of_range(bench: Bench, knob, data, code) -> None:
    u = bench.create()
    assert _errno(bench.write, u, knob, data) == code
    assert bench.read(u, knob) == b"100\n"


def test_weight_bounds(bench: Bench) -> None:
    u = bench.create()
    for value in (b"1", b"10000"):
        assert bench.write(u, "weight", value) == len(value)
        assert bench.read(u, "weight") == value + b"\n"


@pytest.mark.parametrize("level", ["background", "standard", "urgent"])
@pytest.mark.parametrize("newline", [b"", b"\n"])
def test_priority_accepts_level_names(bench: Bench, level, newline) -> None:
    u = bench.create()
    data = level.encode() + newline
    assert bench.write(u, "priority", data) == len(data)
    words = [f"[{w}]" if w == level else w for w in ("background", "standard", "urgent")]
    assert bench.read(u, "priority") == (" ".join(words) + "\n").encode()


@pytest.mark.parametrize("data", [b"URGENT", b"Urgent", b" urgent", b"urgent ", b"[urgent]",
                                  b"urgent\n\n", b"\n", b"high", b"normal", b"urg", b"urgent\x00",
                                  b"background standard"])
def test_priority_rejects_everything_else(bench: Bench, data) -> None:
    u = bench.create()
    bench.write(u, "priority", b"background")
    assert _errno(bench.write, u, "priority", data) == errno.EINVAL
    assert bench.read(u, "priority") == b"[background] standard urgent\n"


def test_empty_write_succeeds_and_changes_nothing(bench: Bench) -> None:
    u = bench.create()
    assert bench.write(u, "cap", b"") == 0
    assert bench.read(u, "cap") == b"100\n"


@pytest.mark.parametrize("name", ["timeslice_us", "usage_us", "throttled_us", "wait_us",
                                  "nr_slices"])
def test_read_only_files_refuse_root(bench: Bench, name) -> None:
    u = bench.create()
    before = bench.read(u, name)
    assert _errno(bench.write, u, name, b"5") == errno.EACCES
    assert bench.read(u, name) == before


def test_type_fixed_cap(bench: Bench) -> None:
    u = bench.create(type_id="mqos-fixed")
    assert bench.read(u, "cap") == b"50\n"
    assert bench.k.vfs_stat(bench.qos(u, "cap")) == ("file", 0o444, 0)
    assert _errno(bench.write, u, "cap", b"60") == errno.EACCES
    assert bench.read(u, "cap") == b"50\n"
    assert bench.write(u, "weight", b"7") == 1


def test_unprivileged_write_refused(bench: Bench) -> None:
    u = bench.create()
    assert _errno(bench.k.vfs_write, bench.qos(u, "cap"), b"60", uid=65534) == errno.EACCES
    assert bench.read(u, "cap") == b"100\n"
    assert bench.k.vfs_read(bench.qos(u, "cap")) == b"100\n"


def test_knobs_are_per_mdev_and_do_not_persist(bench: Bench) -> None:
    a, b = bench.create(), bench.create()
    bench.write(a, "cap", b"30")
    assert bench.read(b, "cap") == b"100\n"
    bench.load(a, "backlog")
    bench.k.advance(5000)
    bench.k.vfs_write(f"/sys/bus/mdev/devices/{a}/remove", b"1")
    bench.k.vfs_write("/sys/class/mdev_bus/mqos0/mdev_supported_types/mqos-full/create",
                      a.encode())
    assert bench.read(a, "cap") == b"100\n"
    assert bench.value(a, "usage_us") == 0
    assert bench.k.vfs_read(f"/sys/kernel/debug/mqos/{a}/load") == b"idle\n"


@settings(deadline=None)  # a busy machine is not a slow function
@given(st.binary(max_size=12))
def test_kstrtouint_matches_its_definition(data: bytes) -> None:
    body = data[:-1] if data.endswith(b"\n") else data
    digits = body[1:] if body.startswith(b"+") else body
    valid = bool(digits) and all(48 <= c <= 57 for c in digits)
    try:
        value = kstrtouint(data)
    except OSError as exc:
        assert not valid or exc.errno == errno.ERANGE
        assert exc.errno in (errno.EINVAL, errno.ERANGE)
    else:
        assert valid and value == int(digits) <= 0xFFFFFFFF


def test_load_control_grammar(bench: Bench) -> None:
    u = bench.create()
    path = f"/sys/kernel/debug/mqos/{u}/load"
    for good in (b"backlog", b"idle\n", b"periodic 300 1000\n"):
        bench.k.vfs_write(path, good)
        assert bench.k.vfs_read(path) == good.rstrip(b"\n") + b"\n"
    for bad in (b"busy", b"periodic 3000 1000", b"periodic 0 10", b"periodic  1 2",
                b"periodic 1", b"Backlog", b"idle\n\n"):
        assert _errno(bench.k.vfs_write, path, bad) == errno.EINVAL
    assert bench.k.vfs_read(path) == b"periodic 300 1000\n"


def test_clock_control(bench: Bench) -> None:
    clock = "/sys/kernel/debug/mqos/clock_us"
    assert bench.k.vfs_read(clock) == b"0\n"
    assert bench.k.vfs_write(clock, b"1500\n") == 5
    assert bench.k.vfs_read(clock) == b"1500\n"
    assert _errno(bench.k.vfs_write, clock, b"-1") == errno.EINVAL
