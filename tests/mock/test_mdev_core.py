"""The mdev core: layout, create and remove as the kernel does them."""

from __future__ import annotations

import errno

import pytest

from conformance.mock import MockKernel

TYPES = "/sys/class/mdev_bus/mqos0/mdev_supported_types"
UUID = "8a1c3f20-5b7e-4c1d-9e2f-0123456789ab"


def _errno(call, *args, **kwargs) -> int:
    with pytest.raises(OSError) as info:
        call(*args, **kwargs)
    return info.value.errno


def test_default_topology_layout(kernel: MockKernel) -> None:
    assert kernel.vfs_listdir("/sys/class/mdev_bus") == ["mqos0", "mqos1"]
    assert kernel.vfs_listdir(TYPES) == ["mqos-fixed", "mqos-full", "mqos-plain"]
    full = f"{TYPES}/mqos-full"
    assert set(kernel.vfs_listdir(full)) == {
        "name", "description", "device_api", "available_instances", "create", "devices", "qos"}
    assert kernel.vfs_listdir(f"{full}/qos") == [
        "cap_period_us", "domain", "files", "levels", "sharing", "timeslice_us"]
    assert kernel.vfs_read(f"{full}/qos/sharing") == b"work-conserving\n"  # as its mdevs read
    assert kernel.vfs_read(f"{full}/qos/cap_period_us") == b"1000\n"  # 0 in the topology: q
    assert kernel.vfs_read(f"{full}/qos/files") == (
        b"cap cap_period_us weight priority timeslice_us sharing usage_us throttled_us "
        b"wait_us nr_slices domain\n")
    assert kernel.vfs_read(f"{TYPES}/mqos-fixed/qos/cap") == b"50\n"
    assert "qos" not in kernel.vfs_listdir(f"{TYPES}/mqos-plain")  # no QoS: no offer
    assert kernel.vfs_read(f"{full}/device_api") == b"vfio-pci\n"
    assert kernel.vfs_read(f"{full}/name") == b"full\n"
    assert kernel.vfs_stat(f"{full}/create") == ("file", 0o200, 0)
    assert _errno(kernel.vfs_read, f"{full}/create") == errno.EACCES


def test_create_builds_the_device_and_its_views(kernel: MockKernel) -> None:
    full = f"{TYPES}/mqos-full"
    assert kernel.vfs_write(f"{full}/create", UUID.upper().encode() + b"\n") == 37
    dev = f"/sys/bus/mdev/devices/{UUID}"
    assert kernel.vfs_stat(dev)[0] == "link"
    assert kernel.vfs_readlink(f"{dev}/mdev_type") == "../mdev_supported_types/mqos-full"
    assert kernel.vfs_read(f"{dev}/mdev_type/name") == b"full\n"
    assert kernel.vfs_listdir(f"{full}/devices") == [UUID]
    assert kernel.vfs_listdir(f"/sys/class/mdev_bus/mqos0/{UUID}/qos") == kernel.vfs_listdir(
        f"{dev}/qos")
    assert kernel.vfs_read(f"{full}/available_instances") == b"7\n"
    assert "driver" in kernel.vfs_listdir(dev)
    assert kernel.vfs_listdir("/sys/bus/mdev/drivers/mqos") == [UUID]


@pytest.mark.parametrize("bad", [b"", b"xyz", UUID[:-1].encode(), (UUID + "\n\n").encode(),
                                 UUID.replace("-", "_").encode(), b"g" + UUID[1:].encode()])
def test_malformed_uuid_is_einval(kernel: MockKernel, bad: bytes) -> None:
    if not bad:
        assert kernel.vfs_write(f"{TYPES}/mqos-full/create", bad) == 0
    else:
        assert _errno(kernel.vfs_write, f"{TYPES}/mqos-full/create", bad) == errno.EINVAL
    assert kernel.vfs_listdir("/sys/bus/mdev/devices") == []


def test_duplicate_uuid_is_eexist_across_parents(kernel: MockKernel) -> None:
    kernel.vfs_write(f"{TYPES}/mqos-full/create", UUID.encode())
    other = "/sys/class/mdev_bus/mqos1/mdev_supported_types/mqos-full/create"
    assert _errno(kernel.vfs_write, other, UUID.encode()) == errno.EEXIST


def test_no_instance_left_is_enospc(kernel: MockKernel) -> None:
    plain = f"{TYPES}/mqos-plain"
    for i in range(4):
        kernel.vfs_write(f"{plain}/create", f"00000000-0000-0000-0000-00000000000{i}".encode())
    assert kernel.vfs_read(f"{plain}/available_instances") == b"0\n"
    last = b"00000000-0000-0000-0000-000000000009"
    assert _errno(kernel.vfs_write, f"{plain}/create", last) == errno.ENOSPC


def test_remove_takes_one_and_tears_everything_down(kernel: MockKernel) -> None:
    kernel.vfs_write(f"{TYPES}/mqos-full/create", UUID.encode())
    dev = f"/sys/bus/mdev/devices/{UUID}"
    assert _errno(kernel.vfs_write, f"{dev}/remove", b"yes") == errno.EINVAL
    assert kernel.vfs_write(f"{dev}/remove", b"0\n") == 2
    assert kernel.vfs_listdir("/sys/bus/mdev/devices") == [UUID]
    assert kernel.vfs_write(f"{dev}/remove", b"1\n") == 2
    assert kernel.vfs_listdir("/sys/bus/mdev/devices") == []
    assert kernel.vfs_listdir(f"{TYPES}/mqos-full/devices") == []
    assert kernel.vfs_listdir("/sys/kernel/debug/mqos") == ["clock_us"]
    assert _errno(kernel.vfs_stat, f"{dev}/qos") == errno.ENOENT


def test_plain_type_has_no_qos_directory(kernel: MockKernel) -> None:
    kernel.vfs_write(f"{TYPES}/mqos-plain/create", UUID.encode())
    assert "qos" not in kernel.vfs_listdir(f"/sys/bus/mdev/devices/{UUID}")
    assert kernel.vfs_read(f"/sys/kernel/debug/mqos/{UUID}/load") == b"idle\n"
