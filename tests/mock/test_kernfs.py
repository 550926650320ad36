"""The kernfs-like core: errno, modes, links, page limits."""

from __future__ import annotations

import errno

import pytest

from conformance.mock.kernfs import PAGE_SIZE, Attribute, KernfsTree


@pytest.fixture
def tree() -> KernfsTree:
    tree = KernfsTree()
    stored: list[bytes] = []
    d = tree.makedirs("/sys/devices/x")
    d.add(Attribute("rw", 0o644, show=lambda: b"v\n", store=stored.append))
    d.add(Attribute("ro", 0o444, show=lambda: b"r\n"))
    d.add(Attribute("wo", 0o200, store=stored.append))
    d.add(Attribute("big", 0o444, show=lambda: b"x" * 10_000))
    tree.symlink("/sys/bus/x", "/sys/devices/x")
    tree.symlink("/sys/loop", "/sys/loop")
    tree.stored = stored  # type: ignore[attr-defined]
    return tree


def _errno(call, *args, **kwargs) -> int:
    with pytest.raises(OSError) as info:
        call(*args, **kwargs)
    return info.value.errno


def test_read_write_through_a_symlink(tree: KernfsTree) -> None:
    assert tree.read("/sys/bus/x/rw") == b"v\n"
    assert tree.write("/sys/bus/x/rw", b"abc\n") == 4
    assert tree.stored == [b"abc\n"]


def test_stat_does_not_follow_a_final_link(tree: KernfsTree) -> None:
    assert tree.stat("/sys/bus/x") == ("link", 0o777, 0)
    assert tree.stat("/sys/bus/x/") == ("link", 0o777, 0)
    assert tree.stat("/sys/bus/x/ro") == ("file", 0o444, 0)
    assert tree.readlink("/sys/bus/x") == "../devices/x"


def test_errors_are_real_errno(tree: KernfsTree) -> None:
    assert _errno(tree.read, "/sys/nothing") == errno.ENOENT
    assert _errno(tree.read, "/sys/devices") == errno.EISDIR
    assert _errno(tree.listdir, "/sys/devices/x/rw") == errno.ENOTDIR
    assert _errno(tree.read, "/sys/devices/x/rw/deeper") == errno.ENOTDIR
    assert _errno(tree.read, "/sys/loop") == errno.ELOOP
    assert _errno(tree.readlink, "/sys/devices/x/rw") == errno.EINVAL
    assert isinstance(_raise(tree.read, "/sys/nothing"), FileNotFoundError)


def _raise(call, *args):
    try:
        call(*args)
    except OSError as exc:
        return exc
    raise AssertionError("no error")


def test_open_checks_mode_and_ops_even_for_root(tree: KernfsTree) -> None:
    assert _errno(tree.write, "/sys/devices/x/ro", b"1") == errno.EACCES
    assert _errno(tree.write, "/sys/devices/x/ro", b"") == errno.EACCES
    assert _errno(tree.read, "/sys/devices/x/wo") == errno.EACCES
    assert tree.stored == []


def test_unprivileged_writer_is_refused(tree: KernfsTree) -> None:
    assert _errno(tree.write, "/sys/devices/x/rw", b"1", uid=65534) == errno.EACCES
    assert tree.stored == []


def test_zero_length_write_succeeds_without_store(tree: KernfsTree) -> None:
    assert tree.write("/sys/devices/x/rw", b"") == 0
    assert tree.stored == []


def test_page_limits(tree: KernfsTree) -> None:
    assert len(tree.read("/sys/devices/x/big")) == PAGE_SIZE - 1
    assert tree.write("/sys/devices/x/wo", b"1" * PAGE_SIZE) == PAGE_SIZE
    assert tree.write("/sys/devices/x/wo", b"2" * (PAGE_SIZE + 10)) == PAGE_SIZE
    assert tree.stored[-1] == b"2" * PAGE_SIZE
