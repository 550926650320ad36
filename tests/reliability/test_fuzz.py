"""The fuzz profile: kernfs-aware expectations, campaigns that find broken stores.

A campaign on the reference mock (in-process and over FUSE) finds nothing; each
broken driver below is caught on the requirement it breaks. Runs of
``mdev-qos run --profile fuzz`` are in test_fuzz_runs.py.
"""

from __future__ import annotations

import errno
import uuid as uuidlib

import pytest
from conftest import DEVICES, TYPE_DIR

from conformance.fuzz.campaign import explicit_inputs, fuzz_knob, show
from conformance.fuzz.expect import PAGE_SIZE, Answer, expect
from conformance.mock import MockKernel, QosDriver
from conformance.mock.kernfs import kernel_error
from conformance.mock.rounding import FirmwareRefusalDriver, RoundingDriver
from conformance.oracle.shares import LEVELS
from conformance.sysfs.mock_target import MockTarget

EXAMPLES = 60


# -- expectations: the grammar as kernfs delivers it -----------------------------------
def test_an_empty_write_never_reaches_store() -> None:
    expected = expect("cap", b"", LEVELS)
    assert expected.category == "empty" and expected.requirement == "QOS-CAP-005"
    assert expected.answer_ok(Answer(count=0))
    assert not expected.answer_ok(Answer(errno=errno.EINVAL))
    assert not expected.answer_ok(Answer(count=1))


def test_only_the_first_page_reaches_store() -> None:
    one_page = expect("cap", b"0" * (PAGE_SIZE - 2) + b"60", LEVELS)
    assert (one_page.count, one_page.reads) == (PAGE_SIZE, "60")
    past = expect("cap", b"0" * (PAGE_SIZE - 1) + b"60", LEVELS)
    assert (past.count, past.reads) == (PAGE_SIZE, "6")  # store sees ...06
    assert past.requirement == "QOS-CAP-002"
    nul_tail = expect("weight", b"60\n" + b"\0" * PAGE_SIZE, LEVELS)
    assert not nul_tail.accepted and nul_tail.requirement == "QOS-WGT-003"
    padded_zero = expect("cap", b"0" * (PAGE_SIZE + 5), LEVELS)
    assert padded_zero.category == "out-of-range"


@pytest.mark.parametrize(
    ("knob", "data", "category", "errnos"),
    [
        ("cap", b"+060\n", "accepted", set()),
        ("cap", b"60\0", "malformed", {errno.EINVAL}),
        ("cap", "٦٠".encode(), "malformed", {errno.EINVAL}),
        ("cap", b"60\n\n", "malformed", {errno.EINVAL}),
        ("cap", b"101", "out-of-range", {errno.EINVAL}),
        ("weight", b"4294967296", "out-of-range", {errno.EINVAL, errno.ERANGE}),
        ("weight", b"10000\n", "accepted", set()),
        ("priority", b"urgent\n", "accepted", set()),
        ("priority", b"Urgent", "malformed", {errno.EINVAL}),
        ("priority", b"[urgent]", "malformed", {errno.EINVAL}),
    ],
)
def test_the_spec_table_rows(knob, data, category, errnos) -> None:
    expected = expect(knob, data, LEVELS)
    assert expected.category == category
    assert set(expected.errnos) == errnos


def test_long_inputs_are_shown_short() -> None:
    assert show(b"60") == "b'60'"
    assert "(5000 bytes)" in show(b"0" * 5000)


def test_explicit_inputs_cover_every_family() -> None:
    inputs = explicit_inputs("cap", 1, 100, LEVELS)
    assert b"" in inputs and b"60\0" in inputs and b"60\n\n" in inputs
    assert any(len(i) > PAGE_SIZE for i in inputs)
    assert any(not i.isascii() for i in inputs)


# -- campaigns on the reference mock --------------------------------------------------
@pytest.mark.parametrize("knob", ["cap", "weight", "priority"])
def test_the_reference_mock_has_no_mismatch(mock_target, mock_mdev, knob) -> None:
    path = f"{DEVICES}/{mock_mdev}/qos/{knob}"
    original = mock_target.read(path)
    result = fuzz_knob(mock_target, path, knob, max_examples=EXAMPLES)
    assert [m.describe() for m in result.mismatches] == []
    assert result.tried >= EXAMPLES and result.longest > PAGE_SIZE
    assert result.restored and mock_target.read(path) == original


def test_a_campaign_restores_a_changed_value(mock_target, mock_mdev) -> None:
    path = f"{DEVICES}/{mock_mdev}/qos/weight"
    mock_target.write(path, b"4321")
    fuzz_knob(mock_target, path, "weight", max_examples=20)
    assert mock_target.read(path) == b"4321\n"


def test_the_same_seed_tries_the_same_inputs(mock_target, mock_mdev) -> None:
    path = f"{DEVICES}/{mock_mdev}/qos/cap"
    seen: list[list[bytes]] = []
    for _ in range(2):
        writes: list[bytes] = []

        def record(p: str, data: bytes, log: list[bytes] = writes) -> int:
            log.append(data)
            return mock_target.write(p, data)

        fuzz_knob(mock_target, path, "cap", max_examples=30, seed=7, write=record)
        seen.append(writes)
    assert seen[0] == seen[1]


# -- campaigns find broken stores -----------------------------------------------------
class StopsAtNul(QosDriver):
    """Parses like a bare kstrtouint on the NUL-terminated buffer: ``60\\0junk`` is 60."""

    def parse_uint(self, buf: bytes) -> int:
        return super().parse_uint(buf.split(b"\0", 1)[0])


class ZeroIsUncapped(QosDriver):
    """Takes cap 0 to mean 'no cap' (Xen's convention), which the spec forbids."""

    cap_range = (0, 100)


class KeepsBadWrites(QosDriver):
    """Applies the value before checking the range, and then refuses."""

    def parse_ranged(self, buf: bytes, bounds: tuple[int, int]) -> int:
        value = self.parse_uint(buf)
        if not bounds[0] <= value <= bounds[1]:
            self._mdev_hint.knobs["weight"] = value
            raise kernel_error(errno.EINVAL)
        return value

    def store_knob(self, mdev, name, buf):
        self._mdev_hint = mdev
        super().store_knob(mdev, name, buf)


class CaseBlindPriority(QosDriver):
    """Accepts ``URGENT`` and ``Urgent``."""

    def parse_priority(self, mdev, buf: bytes) -> str:
        return super().parse_priority(mdev, buf.lower())


class PaddedRead(QosDriver):
    """Reads cap back with a leading zero after a '+0' write."""

    def format_cap(self, mdev, value: int) -> str:
        return f"{value:02d}\n"


def _campaign(driver: type[QosDriver], knob: str):
    target = MockTarget(MockKernel(driver_cls=driver))
    uuid = str(uuidlib.uuid4())
    target.write(f"{TYPE_DIR}/create", uuid.encode())
    return fuzz_knob(target, f"{DEVICES}/{uuid}/qos/{knob}", knob, max_examples=EXAMPLES)


@pytest.mark.parametrize(
    ("driver", "knob", "broken"),
    [
        (StopsAtNul, "cap", "QOS-CAP-003"),
        (ZeroIsUncapped, "cap", "QOS-CAP-004"),
        (KeepsBadWrites, "weight", "QOS-WGT-005"),
        (CaseBlindPriority, "priority", "QOS-PRI-004"),
        (PaddedRead, "cap", "QOS-CAP-002"),
    ],
)
def test_a_broken_store_is_found_on_its_requirement(driver, knob, broken) -> None:
    result = _campaign(driver, knob)
    found = {m.requirement for m in result.mismatches}
    assert broken in found, [m.describe() for m in result.mismatches[:5]]


# -- over FUSE ------------------------------------------------------------------------
@pytest.mark.fuse
@pytest.mark.parametrize("knob", ["cap", "weight", "priority"])
def test_a_fuse_mount_of_the_mock_has_no_mismatch(shared_mount, knob) -> None:
    uuid = shared_mount.create()
    path = f"{DEVICES}/{uuid}/qos/{knob}"
    result = fuzz_knob(shared_mount.target, path, knob, max_examples=EXAMPLES)
    assert [m.describe() for m in result.mismatches] == []
    assert result.restored


class _RoundsDown(QosDriver):
    """Caps applied in steps of 5, rounded down: 64 reads 60 although 65 is applied."""

    def parse_cap(self, mdev, buf: bytes) -> int:
        return max(5, super().parse_cap(mdev, buf) // 5 * 5)


class _RefusesSixty(FirmwareRefusalDriver):
    """The firmware refuses a cap of 60 (a value the explicit inputs write) with EIO."""

    refused_cap = 60


class _RefusalAsEinval(_RefusesSixty):
    """The firmware's refusal of a cap of 60 is answered with EINVAL, as if 60 were bad input."""

    def apply_knob(self, mdev, name: str, value) -> None:
        if name == "cap" and value == self.refused_cap:
            raise kernel_error(errno.EINVAL)
        super().apply_knob(mdev, name, value)


@pytest.mark.parametrize(
    ("driver", "failing"),
    [(RoundingDriver, []), (_RefusesSixty, []), (_RoundsDown, ["QOS-CAP-002"]),
     (_RefusalAsEinval, ["QOS-CAP-002"])],
)
def test_fuzz_judges_rounding_and_refusals(driver: type[QosDriver], failing: list[str]) -> None:
    """A rounding device and a refusing firmware conform; rounding down does not."""
    kernel = MockKernel(driver_cls=driver)
    uuid = str(uuidlib.uuid4())
    kernel.vfs_write(f"{TYPE_DIR}/create", uuid.encode())
    result = fuzz_knob(MockTarget(kernel), f"{DEVICES}/{uuid}/qos/cap", "cap", max_examples=60)
    assert sorted({m.requirement for m in result.mismatches}) == failing
