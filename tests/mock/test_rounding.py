"""The reference drivers of a rounding device and of a refusing firmware."""

from __future__ import annotations

import errno

import pytest

from conformance.mock import MockConfig, MockKernel
from conformance.mock.rounding import FirmwareRefusalDriver, RoundingDriver, round_to_step

PARENT_TYPE = "/sys/class/mdev_bus/mqos0/mdev_supported_types/mqos-full"
UUID = "6c2e1b0a-3f4d-4e5a-9b6c-7d8e9f0a1b2c"
QOS = f"/sys/bus/mdev/devices/{UUID}/qos"


def kernel_with(driver: type) -> MockKernel:
    kernel = MockConfig(driver=f"{driver.__module__}:{driver.__name__}").build()
    kernel.vfs_write(f"{PARENT_TYPE}/create", UUID.encode())
    return kernel


@pytest.mark.parametrize(("value", "step", "rounded"),
                         [(62, 5, 60), (63, 5, 65), (1, 5, 5), (100, 5, 100), (45, 10, 50)])
def test_round_to_step_takes_the_nearest_multiple_in_range(
    value: int, step: int, rounded: int
) -> None:
    assert round_to_step(value, step, (1, 100)) == rounded


def test_a_rounding_device_reads_what_it_applies() -> None:
    kernel = kernel_with(RoundingDriver)
    assert kernel.vfs_write(f"{QOS}/cap", b"62\n") == 3
    assert kernel.vfs_read(f"{QOS}/cap") == b"60\n"
    kernel.vfs_write(f"{QOS}/weight", b"104")
    assert kernel.vfs_read(f"{QOS}/weight") == b"100\n"
    assert kernel.vfs_read(f"{QOS}/priority") == b"background [standard] urgent\n"


def test_a_refusing_firmware_answers_eio_and_keeps_the_cap() -> None:
    kernel = kernel_with(FirmwareRefusalDriver)
    kernel.vfs_write(f"{QOS}/cap", b"70")
    with pytest.raises(OSError) as refused:
        kernel.vfs_write(f"{QOS}/cap", b"37")
    assert refused.value.errno == errno.EIO
    assert kernel.vfs_read(f"{QOS}/cap") == b"70\n"
