"""The reference mock: a Python QoS driver behind a kernfs-like tree.

It is the executable reference of the spec and the suite's embedded default
target. It never imports the suite or the oracle: two independent
implementations of the spec check each other.
"""

from conformance.mock.demand import Demand
from conformance.mock.driver import QosDriver
from conformance.mock.kernel import MockKernel
from conformance.mock.loader import DriverLoadError, load_driver_class
from conformance.mock.topology import Topology, TopologyError

__all__ = [
    "Demand",
    "DriverLoadError",
    "MockKernel",
    "QosDriver",
    "Topology",
    "TopologyError",
    "load_driver_class",
]
