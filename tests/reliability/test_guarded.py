"""The operation watchdog: hung and lost targets become TargetFault, never a hang."""

from __future__ import annotations

import errno
import os
import select
import signal
import threading
import time

import pytest

from conformance.sysfs.guarded import GuardedTarget, TargetFault, TargetHung, TargetLost
from conformance.sysfs.target import FsTarget, Stat


class StuckTarget:
    """A target whose reads of ``/stuck`` block until released; ``/gone`` says ENOTCONN."""

    description = "stuck test target"
    writable = True

    def __init__(self) -> None:
        self.release = threading.Event()
        self.values: dict[str, bytes] = {"/ok": b"1\n"}

    def read(self, path: str) -> bytes:
        if path == "/stuck":
            self.release.wait()
        if path == "/gone":
            raise OSError(errno.ENOTCONN, "Transport endpoint is not connected", path)
        if path not in self.values:
            raise FileNotFoundError(errno.ENOENT, "No such file or directory", path)
        return self.values[path]

    def write(self, path: str, data: bytes, *, uid: int | None = None) -> int:
        if data == b"bad":
            raise OSError(errno.EINVAL, "Invalid argument", path)
        self.values[path] = data
        return len(data)

    def stat(self, path: str) -> Stat:
        return Stat("file", 0o644)

    def listdir(self, path: str) -> list[str]:
        return sorted(self.values)

    def readlink(self, path: str) -> str:
        raise OSError(errno.EINVAL, "Invalid argument", path)

    def exists(self, path: str) -> bool:
        return path in self.values


@pytest.fixture
def stuck() -> StuckTarget:
    target = StuckTarget()
    yield target
    target.release.set()  # let abandoned workers finish


def test_a_hung_read_becomes_target_hung_within_the_deadline(stuck: StuckTarget) -> None:
    guarded = GuardedTarget(stuck, deadline_s=0.2)
    started = time.monotonic()
    with pytest.raises(TargetHung, match="did not return within 0.2 s"):
        guarded.read("/stuck")
    assert time.monotonic() - started < 2.0
    assert guarded.read("/ok") == b"1\n"  # a fresh worker serves the next operation


def test_after_max_hangs_every_operation_fails_at_once(stuck: StuckTarget) -> None:
    guarded = GuardedTarget(stuck, deadline_s=0.05, max_hangs=2)
    for _ in range(2):
        with pytest.raises(TargetHung):
            guarded.read("/stuck")
    started = time.monotonic()
    with pytest.raises(TargetLost, match="the target is gone"):
        guarded.read("/ok")
    assert time.monotonic() - started < 0.05


def test_driver_errnos_pass_through_unchanged(stuck: StuckTarget) -> None:
    guarded = GuardedTarget(stuck, deadline_s=1.0)
    with pytest.raises(OSError) as excinfo:
        guarded.write("/ok", b"bad")
    assert excinfo.value.errno == errno.EINVAL
    assert not isinstance(excinfo.value, TargetFault)
    with pytest.raises(FileNotFoundError):
        guarded.read("/missing")
    assert guarded.write("/ok", b"7\n") == 2
    assert guarded.read("/ok") == b"7\n"


def test_enotconn_is_an_environment_fault_not_an_oserror(stuck: StuckTarget) -> None:
    guarded = GuardedTarget(stuck, deadline_s=1.0)
    with pytest.raises(TargetLost, match="FUSE") as excinfo:
        guarded.read("/gone")
    assert not isinstance(excinfo.value, OSError)
    with pytest.raises(TargetLost):
        guarded.read("/ok")  # lost for good: no second guess


def test_a_vanished_mount_turns_enoent_into_target_lost(tmp_path, monkeypatch) -> None:
    (tmp_path / "sys").mkdir()
    guarded = GuardedTarget(FsTarget(str(tmp_path)), deadline_s=1.0)
    with pytest.raises(FileNotFoundError):
        guarded.read("/sys/missing")  # same tree: a plain ENOENT
    monkeypatch.setattr(guarded, "_device_of_root", lambda: -1)
    with pytest.raises(TargetLost, match="no longer"):
        guarded.read("/sys/missing")


def test_concurrent_callers_are_not_serialised(stuck: StuckTarget) -> None:
    guarded = GuardedTarget(stuck, deadline_s=5.0)
    results: list[bytes] = []
    blocker = threading.Thread(target=lambda: results.append(guarded.read("/stuck")))
    stuck.values["/stuck"] = b"2\n"
    blocker.start()
    time.sleep(0.05)
    assert guarded.read("/ok") == b"1\n"  # not queued behind the blocked reader
    stuck.release.set()
    blocker.join(5)
    assert results == [b"2\n"]


def test_forwards_description_and_other_attributes(tmp_path) -> None:
    inner = FsTarget(str(tmp_path))
    guarded = GuardedTarget(inner, deadline_s=1.0)
    assert guarded.description == inner.description
    assert guarded.host_path("/sys") == inner.host_path("/sys")
    with pytest.raises(ValueError):
        GuardedTarget(inner, deadline_s=0)


# -- real trees: file I/O in helper processes --------------------------------------------
def test_a_tree_target_does_its_io_in_a_helper_process(tmp_path) -> None:
    (tmp_path / "sys").mkdir()
    (tmp_path / "sys" / "cap").write_bytes(b"100\n")
    guarded = GuardedTarget(FsTarget(str(tmp_path)), deadline_s=5.0)
    try:
        assert guarded.isolated
        assert guarded.read("/sys/cap") == b"100\n"
        assert guarded.write("/sys/cap", b"60\n") == 3
        assert guarded.listdir("/sys") == ["cap"]
        assert guarded.stat("/sys").kind == "dir"
        assert guarded.exists("/sys/cap") and not guarded.exists("/sys/weight")
        with pytest.raises(FileNotFoundError):
            guarded.read("/sys/weight")
        with pytest.raises(IsADirectoryError):
            guarded.write("/sys", b"1")
    finally:
        guarded.close()


@pytest.mark.fuse
def test_a_read_stuck_in_the_kernel_is_abandoned(fuse_mount) -> None:
    """A read from a FUSE mount whose daemon is stopped blocks in the kernel.

    (A FIFO used to stand in for this; the suite now refuses FIFOs before opening them.)
    """
    uuid = fuse_mount.create()
    guarded = GuardedTarget(FsTarget(str(fuse_mount.root)), deadline_s=0.5)
    cap = f"/sys/bus/mdev/devices/{uuid}/qos/cap"
    try:
        assert guarded.read(cap)  # lookups cached, helper started
        os.kill(fuse_mount.proc.pid, signal.SIGSTOP)
        try:
            started = time.monotonic()
            with pytest.raises(TargetHung):
                guarded.read(f"/sys/bus/mdev/devices/{uuid}/qos/weight")
            assert time.monotonic() - started < 5
        finally:
            os.kill(fuse_mount.proc.pid, signal.SIGCONT)
        assert guarded.read(cap)  # a new helper serves the next operation
    finally:
        guarded.close()


def test_an_interrupted_operation_does_not_desynchronise_the_helper(tmp_path) -> None:
    """^C between request and answer: the next operation must get its own answer."""
    (tmp_path / "sys").mkdir()
    (tmp_path / "sys" / "a").write_bytes(b"A\n")
    (tmp_path / "sys" / "b").write_bytes(b"B\n")
    guarded = GuardedTarget(FsTarget(str(tmp_path)), deadline_s=5.0)
    real_poll = select.poll

    class Interrupted:
        def __init__(self) -> None:
            self.poller = real_poll()

        def register(self, *args):
            self.poller.register(*args)

        def poll(self, *args):
            self.poller.poll(*args)  # the answer is on its way
            raise KeyboardInterrupt

    try:
        assert guarded.read("/sys/a") == b"A\n"
        select.poll = Interrupted
        try:
            with pytest.raises(KeyboardInterrupt):
                guarded.read("/sys/a")
        finally:
            select.poll = real_poll
        assert guarded.read("/sys/b") == b"B\n"
    finally:
        guarded.close()
