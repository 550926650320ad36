"""Choose and build a workload adapter by name."""

from __future__ import annotations

from conformance import defaults
from conformance.sysfs.target import Target
from conformance.workload.base import Workload
from conformance.workload.execcmd import ExecWorkload
from conformance.workload.loadfile import LoadFileWorkload, MockClockWorkload

WORKLOADS = ("auto", "mock", "sample", "exec", "none")


def make_workload(
    name: str,
    target: Target,
    *,
    load_dir: str = defaults.LOAD_DIR,
    exec_load: str = "",
    exec_timeout_s: float = defaults.EXEC_TIMEOUT_S,
) -> Workload | None:
    """Build the adapter ``name``; ``auto`` picks mock, then sample, else none.

    Returns None for ``none`` (scheduling scenarios then skip and say why).
    """
    if name == "auto":
        mock = MockClockWorkload(target, load_dir)
        if mock.unavailable() is None:
            return mock
        sample = LoadFileWorkload(target, load_dir)
        if sample.unavailable() is None:
            return sample
        return ExecWorkload(exec_load, timeout_s=exec_timeout_s) if exec_load else None
    if name == "mock":
        return MockClockWorkload(target, load_dir)
    if name == "sample":
        return LoadFileWorkload(target, load_dir)
    if name == "exec":
        return ExecWorkload(exec_load, timeout_s=exec_timeout_s)
    if name == "none":
        return None
    raise ValueError(f"unknown workload {name!r}: choose one of {', '.join(WORKLOADS)}")
