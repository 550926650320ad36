"""Where the mdev ABI lives in sysfs: the one place the suite spells these paths.

Paths are absolute in the target's own view (see :mod:`conformance.sysfs.target`).
The mock and the C module spell them on their own side, as a kernel would.
"""

from __future__ import annotations

import re

DEVICES = "/sys/bus/mdev/devices"
CLASS = "/sys/class/mdev_bus"
SUPPORTED_TYPES = "mdev_supported_types"

_UUID = r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}"
UUID = re.compile(_UUID)
_UNDER_DEVICE = re.compile(
    r"/sys/(?:bus/mdev/devices|class/mdev_bus/[^/]+)/([0-9a-fA-F-]{36})(/.*)?"
)


def mdev_dir(uuid: str) -> str:
    """The mdev's device directory under the bus."""
    return f"{DEVICES}/{uuid}"


def qos(uuid: str, name: str = "") -> str:
    """Path of ``qos/<name>`` of an mdev, or of ``qos/`` itself without a name."""
    base = f"{DEVICES}/{uuid}/qos"
    return f"{base}/{name}" if name else base


def remove_file(uuid: str) -> str:
    """The file whose write removes the mdev."""
    return f"{DEVICES}/{uuid}/remove"


def mdev_via_parent(parent: str, uuid: str) -> str:
    """The mdev's device directory reached through its parent (the class view)."""
    return f"{CLASS}/{parent}/{uuid}"


def parent_dir(parent: str) -> str:
    """A parent device, reached through the mdev_bus class."""
    return f"{CLASS}/{parent}"


def types_dir(parent: str) -> str:
    """The directory listing a parent's mdev types."""
    return f"{CLASS}/{parent}/{SUPPORTED_TYPES}"


def type_dir(parent: str, type_id: str) -> str:
    """One mdev type of a parent."""
    return f"{types_dir(parent)}/{type_id}"


def type_qos(parent: str, type_id: str, name: str = "") -> str:
    """The offer of a type: ``qos/<name>`` of its type directory, or ``qos/`` itself."""
    base = f"{type_dir(parent, type_id)}/qos"
    return f"{base}/{name}" if name else base


def type_devices(parent: str, type_id: str) -> str:
    """The directory of links to the mdevs of a type on its parent."""
    return f"{type_dir(parent, type_id)}/devices"


def parent_subsystem(parent: str) -> str:
    """The link naming the bus (or class) of a parent device, e.g. ``.../bus/pci``."""
    return f"{parent_dir(parent)}/subsystem"


def create_file(parent: str, type_id: str) -> str:
    """The file whose write of a UUID creates an mdev of that type."""
    return f"{type_dir(parent, type_id)}/create"


def device_of(path: str) -> str | None:
    """The UUID of the mdev a path lies in (through the bus or its parent), else None."""
    match = _UNDER_DEVICE.fullmatch(path)
    return match[1] if match else None
