"""Races: concurrent writers and readers, counters under load, create/remove vs writes.

Against the in-process mock and a FUSE mount of it. Each race is bounded by
rounds; a race finds nothing on a correct driver and finds the bug in a driver
that tears values, lets counters go backwards or leaks devices.
"""

from __future__ import annotations

import os
import threading
import uuid as uuidlib
from collections import Counter
from dataclasses import replace

import pytest
from conftest import DEVICES, TYPE_DIR

from conformance.fuzz.races import (
    ACCESSES_PER_STATE,
    race_counters,
    race_knob,
    race_lifecycle,
)
from conformance.mock import MockKernel, QosDriver
from conformance.sysfs.mock_target import MockTarget

KNOB_VALUES = {
    "cap": [b"10", b"20\n", b"55", b"100"],
    "weight": [b"1", b"777\n", b"5000", b"10000"],
    "priority": [b"background", b"standard\n", b"urgent"],
}
LOAD = "/sys/kernel/debug/mqos"


def _tick(target) -> None:
    target.write(f"{LOAD}/clock_us", b"997")


@pytest.mark.parametrize("knob", sorted(KNOB_VALUES))
def test_writers_and_readers_on_the_mock(mock_target, mock_mdev, knob) -> None:
    report = race_knob(
        mock_target, f"{DEVICES}/{mock_mdev}/qos/{knob}", knob, KNOB_VALUES[knob], rounds=300
    )
    assert report.problems == []
    assert report.succeeded == report.operations == 300 * 6


def test_counters_never_go_backwards_on_the_mock(mock_target, mock_mdev) -> None:
    other = str(uuidlib.uuid4())
    mock_target.write(f"{TYPE_DIR}/create", other.encode())
    for uuid in (mock_mdev, other):
        mock_target.write(f"{LOAD}/{uuid}/load", b"backlog\n")
    mock_target.write(f"{DEVICES}/{other}/qos/cap", b"30")
    report = race_counters(mock_target, mock_mdev, lambda: _tick(mock_target), rounds=300)
    assert report.problems == []
    assert int(mock_target.read(f"{DEVICES}/{mock_mdev}/qos/usage_us")) > 0


def test_create_remove_racing_with_writes_on_the_mock(mock_target) -> None:
    before = mock_target.listdir(DEVICES)
    report = race_lifecycle(mock_target, TYPE_DIR, knob_values=KNOB_VALUES, cycles=60)
    assert report.problems == []
    assert report.succeeded > 120  # every create and remove, and some knob operations
    assert report.errnos  # and some that found the device gone: the race did happen
    assert mock_target.listdir(DEVICES) == before


class StateRecorder(MockTarget):
    """Counts each thread's uses of the mdev in each state a create or remove left it in."""

    def __init__(self) -> None:
        super().__init__(MockKernel())
        self.state = 0
        self.lifecycle_thread: int | None = None
        self.uses: dict[int, Counter[int]] = {}

    def _use(self, path: str) -> None:
        if "/qos/" in path:
            self.uses.setdefault(threading.get_ident(), Counter())[self.state] += 1

    def read(self, path: str) -> bytes:
        self._use(path)
        return super().read(path)

    def write(self, path: str, data: bytes, *, uid: int | None = None) -> int:
        if path.endswith(("/create", "/remove")):
            self.lifecycle_thread = threading.get_ident()
            try:
                return super().write(path, data, uid=uid)
            finally:
                self.state += 1
        self._use(path)
        return super().write(path, data, uid=uid)


def test_the_lifecycle_race_uses_every_state_of_the_mdev_a_few_times() -> None:
    """Every writer and reader uses the mdev after each create and each remove, and
    none spins through thousands of accesses meanwhile (it made 58 000 in 40 states)."""
    target = StateRecorder()
    cycles = 20
    report = race_lifecycle(target, TYPE_DIR, knob_values=KNOB_VALUES, cycles=cycles,
                            writers=2, readers=2, rounds=25, switch_interval_s=None)
    assert report.problems == []
    workers = {t: seen for t, seen in target.uses.items() if t != target.lifecycle_thread}
    assert len(workers) == 4
    for seen in workers.values():
        assert set(range(1, 2 * cycles + 1)) <= set(seen)  # present, then gone, 20 times
        # a reader reads the three knobs per turn; the last state has no next to wait for
        assert max(n for state, n in seen.items() if state < 2 * cycles) <= 3 * ACCESSES_PER_STATE


class TearingDriver(QosDriver):
    """Shows a knob in two pieces: a reader can see half of an old and half of a new value."""

    def show_file(self, mdev, name):
        text = super().show_file(mdev, name)
        if name == "weight" and len(text) > 2:
            mdev.knobs["_half"] = text[: len(text) // 2]
            return mdev.knobs.get("_old_half", text[: len(text) // 2]) + text[len(text) // 2 :]
        return text

    def apply_knob(self, mdev, name, value):
        if name == "weight":
            mdev.knobs["_old_half"] = mdev.knobs.get("_half", "")
        return super().apply_knob(mdev, name, value)


class LeakyDriver(QosDriver):
    """Forgets to give an instance back when removal races with a knob write."""

    def on_remove(self, mdev):
        super().on_remove(mdev)
        mdev.mtype.spec = replace(mdev.mtype.spec, instances=mdev.mtype.spec.instances - 1)


def test_a_torn_read_is_found() -> None:
    target = MockTarget(MockKernel(driver_cls=TearingDriver))
    uuid = str(uuidlib.uuid4())
    target.write(f"{TYPE_DIR}/create", uuid.encode())
    report = race_knob(
        target, f"{DEVICES}/{uuid}/qos/weight", "weight", [b"1234", b"9876"], rounds=100
    )
    assert any("torn or foreign read" in p for p in report.problems)


def test_counters_going_backwards_are_found(mock_target, mock_mdev) -> None:
    class Backwards(QosDriver):
        calls = 0

        def counter_value(self, mdev, name, counters):
            Backwards.calls += 1
            value = super().counter_value(mdev, name, counters)
            return value - 500 if Backwards.calls % 7 == 0 and value > 500 else value

    target = MockTarget(MockKernel(driver_cls=Backwards))
    uuid = str(uuidlib.uuid4())
    target.write(f"{TYPE_DIR}/create", uuid.encode())
    target.write(f"{LOAD}/{uuid}/load", b"backlog\n")
    report = race_counters(target, uuid, lambda: _tick(target), rounds=200)
    assert any("went backwards" in p for p in report.problems)


def test_a_leaked_instance_is_found() -> None:
    target = MockTarget(MockKernel(driver_cls=LeakyDriver))
    report = race_lifecycle(target, TYPE_DIR, knob_values=KNOB_VALUES, cycles=3)
    assert any("available_instances" in p for p in report.problems)


@pytest.mark.fuse
@pytest.mark.parametrize("knob", sorted(KNOB_VALUES))
def test_writers_and_readers_on_a_fuse_mount(shared_mount, knob) -> None:
    uuid = shared_mount.create()
    target = shared_mount.target
    report = race_knob(target, f"{DEVICES}/{uuid}/qos/{knob}", knob, KNOB_VALUES[knob])
    assert report.problems == []
    assert report.succeeded == report.operations


@pytest.mark.fuse
def test_counters_on_a_fuse_mount(shared_mount) -> None:
    target = shared_mount.target
    uuid = shared_mount.create()
    target.write(f"{LOAD}/{uuid}/load", b"backlog\n")
    report = race_counters(target, uuid, lambda: _tick(target), rounds=200)
    target.write(f"{LOAD}/{uuid}/load", b"idle\n")
    assert report.problems == []


@pytest.mark.fuse
def test_create_remove_racing_with_writes_on_a_fuse_mount(shared_mount) -> None:
    target = shared_mount.target
    before = target.listdir(DEVICES)
    report = race_lifecycle(target, TYPE_DIR, knob_values=KNOB_VALUES, cycles=40)
    assert report.problems == []
    assert target.listdir(DEVICES) == before
    assert shared_mount.proc.poll() is None  # the daemon survived


def test_the_race_on_a_fuse_mount_leaks_no_descriptor(shared_mount) -> None:
    """A walk that meets an mdev removed meanwhile closes what it opened (it leaked 1500 fds)."""
    before = len(os.listdir("/proc/self/fd"))
    race_lifecycle(shared_mount.target, TYPE_DIR, knob_values=KNOB_VALUES, cycles=20)
    assert len(os.listdir("/proc/self/fd")) <= before + 10  # it was +700


def test_readers_can_follow_the_writers(mock_target, mock_mdev) -> None:
    report = race_knob(
        mock_target, f"{DEVICES}/{mock_mdev}/qos/weight", "weight", KNOB_VALUES["weight"],
        writers=2, readers=2, rounds=10, read_rounds=100_000, readers_follow_writers=True,
        switch_interval_s=None,
    )
    assert report.problems == []
    assert 2 <= report.reads < 200_000  # each reader read, and stopped with the writers
