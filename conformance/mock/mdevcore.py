"""The mdev core: parents, types and instances, laid out as the kernel does.

Layout (driver ``mqos``, parent ``mqos0``)::

    /sys/devices/virtual/mqos/mqos0/                       the parent device
        mdev_supported_types/mqos-full/{name,description,device_api,
                                        available_instances,create,devices/,qos/}
        <uuid>/{mdev_type,driver,subsystem -> links, remove, qos/}
    /sys/class/mqos/mqos0, /sys/class/mdev_bus/mqos0        -> the parent device
    /sys/bus/mdev/devices/<uuid>                            -> the mdev device
    /sys/bus/mdev/drivers/mqos/<uuid>                       -> the mdev device
"""

from __future__ import annotations

import errno
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from conformance.mock.grammar import kstrtoul_auto
from conformance.mock.kernfs import Attribute, Directory, KernfsTree, kernel_error
from conformance.mock.topology import ParentSpec, Topology, TypeSpec

if TYPE_CHECKING:
    from conformance.mock.driver import QosDriver

UUID_STRING_LEN = 36
_UUID = re.compile(rb"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")

BUS = "/sys/bus/mdev"
CLASS_MDEV_BUS = "/sys/class/mdev_bus"


def parse_uuid(buf: bytes) -> str:
    """``create_store``: 36 characters (a 37th is allowed), a valid UUID, else EINVAL."""
    if not UUID_STRING_LEN <= len(buf) <= UUID_STRING_LEN + 1:
        raise kernel_error(errno.EINVAL)
    text = buf[:UUID_STRING_LEN]
    if not _UUID.fullmatch(text):
        raise kernel_error(errno.EINVAL)
    return text.decode("ascii").lower()


@dataclass(eq=False)
class ParentDevice:
    """A physical parent device registered with the mdev core."""

    spec: ParentSpec
    path: str
    types: dict[str, MdevType] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.spec.name


@dataclass(eq=False)
class MdevType:
    """One supported type of one parent."""

    spec: TypeSpec
    type_id: str
    parent: ParentDevice
    path: str
    instances: dict[str, Mdev] = field(default_factory=dict)

    def available(self) -> int:
        return max(0, self.spec.instances - len(self.instances))


@dataclass(eq=False)
class Mdev:
    """One mediated device instance."""

    uuid: str
    mtype: MdevType
    path: str
    knobs: dict[str, Any] = field(default_factory=dict)

    @property
    def parent(self) -> ParentDevice:
        return self.mtype.parent


class MdevCore:
    """Registers parents and types, creates and removes instances in the tree."""

    def __init__(self, tree: KernfsTree, topology: Topology, driver: QosDriver) -> None:
        self.tree = tree
        self.topology = topology
        self.driver = driver
        self.parents: dict[str, ParentDevice] = {}
        self.mdevs: dict[str, Mdev] = {}
        self.observers: list[Any] = []  # objects with mdev_created/mdev_removed
        tree.makedirs(f"{BUS}/devices")
        tree.makedirs(f"{BUS}/drivers/{driver.name}")
        tree.makedirs(CLASS_MDEV_BUS)
        for spec in topology.parents:
            self.register_parent(spec)

    # -- registration ------------------------------------------------------------
    def register_parent(self, spec: ParentSpec) -> ParentDevice:
        """``mdev_register_parent``: the parent device, its class links and types."""
        drv = self.driver.name
        path = f"/sys/devices/virtual/{drv}/{spec.name}"
        parent = ParentDevice(spec=spec, path=path)
        directory = self.tree.makedirs(path)
        self.tree.symlink(f"{path}/subsystem", f"/sys/class/{drv}")
        self.tree.symlink(f"/sys/class/{drv}/{spec.name}", path)
        self.tree.symlink(f"{CLASS_MDEV_BUS}/{spec.name}", path)
        types_dir = directory.mkdir("mdev_supported_types")
        for type_spec in spec.types:
            type_id = f"{drv}-{type_spec.name}"
            mtype = MdevType(type_spec, type_id, parent, f"{path}/mdev_supported_types/{type_id}")
            parent.types[type_id] = mtype
            self._add_type_files(types_dir.mkdir(type_id), mtype)
        self.parents[spec.name] = parent
        return parent

    def _add_type_files(self, directory: Directory, mtype: MdevType) -> None:
        spec = mtype.spec

        def text(value: str) -> Any:
            return lambda: value.encode()

        directory.add(Attribute("name", 0o444, show=text(f"{spec.name}\n")))
        directory.add(Attribute("device_api", 0o444, show=text(f"{spec.device_api}\n")))
        if spec.description:
            directory.add(Attribute("description", 0o444, show=text(f"{spec.description}\n")))
        directory.add(Attribute("available_instances", 0o444,
                                show=lambda: f"{mtype.available()}\n".encode()))
        def create(buf: bytes) -> None:
            self.create(mtype, buf)

        directory.add(Attribute("create", 0o200, store=create))
        directory.mkdir("devices")
        offer = self.driver.offer_files(mtype)
        if offer:
            qos = directory.mkdir("qos")
            for name in offer:
                qos.add(Attribute(name, 0o444, show=self._offer_show(mtype, name)))

    def _offer_show(self, mtype: MdevType, name: str) -> Any:
        """The show method of one file of a type's ``qos/`` (asked of the driver each read)."""
        return lambda: self.driver.offer_files(mtype)[name].encode()

    # -- instances ---------------------------------------------------------------
    def create(self, mtype: MdevType, buf: bytes) -> Mdev:
        """The ``create`` store: parse the UUID, refuse duplicates, probe, build."""
        uuid = parse_uuid(buf)
        if uuid in self.mdevs:
            raise kernel_error(errno.EEXIST)
        mdev = Mdev(uuid=uuid, mtype=mtype, path=f"{mtype.parent.path}/{uuid}")
        self.driver.probe(mdev)
        mdev.knobs = self.driver.initial_knobs(mdev)
        self.mdevs[uuid] = mdev
        mtype.instances[uuid] = mdev
        self._build_device(mdev)
        self.driver.engine.attach(mdev)
        for observer in self.observers:
            observer.mdev_created(mdev)
        self.driver.on_create(mdev)
        return mdev

    def _build_device(self, mdev: Mdev) -> None:
        tree, drv = self.tree, self.driver.name
        directory = tree.makedirs(mdev.path)
        tree.symlink(f"{mdev.path}/mdev_type", mdev.mtype.path)
        tree.symlink(f"{mdev.path}/subsystem", BUS)
        tree.symlink(f"{mdev.path}/driver", f"{BUS}/drivers/{drv}")
        directory.add(Attribute("remove", 0o200, store=lambda buf: self.remove_store(mdev, buf)))
        files = self.driver.qos_files(mdev)
        if files:
            qos = directory.mkdir("qos")
            for name in files:
                qos.add(self._qos_attribute(mdev, name))
        tree.symlink(f"{mdev.mtype.path}/devices/{mdev.uuid}", mdev.path)
        tree.symlink(f"{BUS}/devices/{mdev.uuid}", mdev.path)
        tree.symlink(f"{BUS}/drivers/{drv}/{mdev.uuid}", mdev.path)

    def _qos_attribute(self, mdev: Mdev, name: str) -> Attribute:
        driver = self.driver
        mode = driver.file_mode(mdev, name)
        store = None
        if mode & 0o222:
            def store(buf: bytes) -> None:
                driver.store_knob(mdev, name, buf)
        return Attribute(name, mode, show=lambda: driver.show_file(mdev, name).encode(),
                         store=store)

    def remove_store(self, mdev: Mdev, buf: bytes) -> None:
        """The ``remove`` store: ``kstrtoul(buf, 0)``; non-zero removes the device."""
        if kstrtoul_auto(buf):
            self.remove(mdev)

    def remove(self, mdev: Mdev) -> None:
        """Tear the device down: files, links, engine state."""
        if self.mdevs.get(mdev.uuid) is not mdev:
            raise kernel_error(errno.ENODEV)
        self.driver.on_remove(mdev)
        for observer in self.observers:
            observer.mdev_removed(mdev)
        self.driver.engine.detach(mdev)
        tree = self.tree
        tree.unlink(f"{BUS}/drivers/{self.driver.name}/{mdev.uuid}")
        tree.unlink(f"{BUS}/devices/{mdev.uuid}")
        tree.unlink(f"{mdev.mtype.path}/devices/{mdev.uuid}")
        tree.unlink(mdev.path)
        del self.mdevs[mdev.uuid]
        del mdev.mtype.instances[mdev.uuid]
