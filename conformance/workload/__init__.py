"""Workload adapters: make an mdev busy or idle, and let time pass.

``mock`` drives the reference mock's debugfs load control and its virtual clock;
``sample`` drives the same load control in real time (FUSE mock, C module);
``exec`` runs vendor-supplied commands for real hardware.
"""

from conformance.workload.base import Load, Workload, WorkloadError, parse_load
from conformance.workload.factory import WORKLOADS, make_workload

__all__ = ["Load", "Workload", "WorkloadError", "WORKLOADS", "make_workload", "parse_load"]
