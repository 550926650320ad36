"""The reference mock: a Python QoS driver behind a kernfs-like tree.

It is the executable reference of the spec and the suite's embedded default
target. It never imports the suite or the oracle: two independent
implementations of the spec check each other.

Modules, one job each:

- :mod:`.kernfs`    directories, attributes (show/store), symlinks; VFS semantics
- :mod:`.grammar`   ``kstrtouint`` and ``kstrtoul(…, 0)`` as stores apply them
- :mod:`.mdevcore`  parents, types, ``create``/``remove``, the sysfs views
- :mod:`.driver`    :class:`QosDriver`, every ``qos/`` file, overridable hooks
- :mod:`.engine`    per-parent time-sliced scheduling in virtual time, accounting
- :mod:`.wf2q`      one priority level's WF2Q+ queue (O(log N) decisions)
- :mod:`.demand`    synthetic load (``idle``, ``backlog``, ``periodic RUN PERIOD``)
- :mod:`.noise`     optional, seeded noise within what the spec permits
- :mod:`.topology`  parents and types from JSON (``spec/schema/topology.schema.json``)
- :mod:`.kernel`    :class:`MockKernel`: the VFS entry points and debugfs controls
- :mod:`.fusefs`    the same kernel mounted with FUSE (``mdev-qos mock mount``)
- :mod:`.loader`    ``load_driver_class("module:Class")`` for ``--mock-driver``
- :mod:`.config`    :class:`MockConfig`: driver, topology, clock and noise, composed

In-process use::

    kernel = MockKernel()                      # default topology, virtual clock
    kernel.vfs_write("/sys/class/mdev_bus/mqos0/mdev_supported_types/mqos-full/create",
                     b"8a1c3f20-5b7e-4c1d-9e2f-0123456789ab")
    kernel.vfs_write("/sys/kernel/debug/mqos/8a1c3f20-5b7e-4c1d-9e2f-0123456789ab/load",
                     b"backlog")
    kernel.vfs_write("/sys/kernel/debug/mqos/clock_us", b"80000")   # advance 80 ms
    kernel.vfs_read("/sys/bus/mdev/devices/8a1c3f20-5b7e-4c1d-9e2f-0123456789ab/qos/usage_us")

From a shell: ``mdev-qos mock mount DIR`` (then ``DIR/sys/...``); a driver of
your own: subclass :class:`QosDriver` and pass ``--mock-driver module:Class``;
every noise the spec permits, on any driver: ``--mock-noise SEED`` (in Python,
``MockConfig(driver="module:Class", noise_seed=SEED).build()``).
"""

from conformance.mock.config import MockConfig
from conformance.mock.demand import Demand
from conformance.mock.driver import QosDriver
from conformance.mock.kernel import MockKernel
from conformance.mock.loader import DriverLoadError, load_driver_class
from conformance.mock.topology import Topology, TopologyError

__all__ = [
    "Demand",
    "DriverLoadError",
    "MockConfig",
    "MockKernel",
    "QosDriver",
    "Topology",
    "TopologyError",
    "load_driver_class",
]
