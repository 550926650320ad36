"""Attribute operations per second: in-process, through FUSE, and a real sysfs file.

Each figure is open-read-close (or open-write-close) of one small file, repeated;
the median of several runs is reported. The real sysfs file is a read-only
attribute every Linux host has.

    .venv/bin/python benchmarks/mock_attr_ops.py [--ops 5000] [--runs 5] [--no-fuse]
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from conformance.mock import MockKernel  # noqa: E402

UUID = "a77a0000-0000-4000-8000-000000000001"
CAP = f"/sys/bus/mdev/devices/{UUID}/qos/cap"
USAGE = f"/sys/bus/mdev/devices/{UUID}/qos/usage_us"
REAL_SYSFS = "/sys/kernel/mm/transparent_hugepage/enabled"
CREATE = "/sys/class/mdev_bus/mqos0/mdev_supported_types/mqos-full/create"


def rate(ops: int, runs: int, op: Callable[[], object]) -> float:
    """Median operations per wall second over ``runs`` runs of ``ops`` calls."""
    results = []
    for _ in range(runs):
        start = time.perf_counter()
        for _ in range(ops):
            op()
        results.append(ops / (time.perf_counter() - start))
    return statistics.median(results)


def file_read(path: str) -> Callable[[], bytes]:
    """One read of ``path`` through the file system, as an operation to time."""
    def op() -> bytes:
        fd = os.open(path, os.O_RDONLY)
        try:
            return os.read(fd, 4096)
        finally:
            os.close(fd)
    return op


def file_write(path: str, data: bytes) -> Callable[[], int]:
    """One write of ``data`` to ``path`` through the file system, as an operation to time."""
    def op() -> int:
        fd = os.open(path, os.O_WRONLY)
        try:
            return os.write(fd, data)
        finally:
            os.close(fd)
    return op


def in_process(ops: int, runs: int) -> dict[str, float]:
    """Operations per second on the in-process mock, median of ``runs``."""
    kernel = MockKernel()
    kernel.vfs_write(CREATE, UUID.encode())
    return {
        "in-process read cap": rate(ops, runs, lambda: kernel.vfs_read(CAP)),
        "in-process read usage_us": rate(ops, runs, lambda: kernel.vfs_read(USAGE)),
        "in-process write cap": rate(ops, runs, lambda: kernel.vfs_write(CAP, b"60\n")),
    }


def through_fuse(ops: int, runs: int) -> dict[str, float]:
    """Operations per second through a FUSE mount of the mock, median of ``runs``."""
    mnt = Path(tempfile.mkdtemp(prefix="mdevqos-bench-"))
    proc = subprocess.Popen([sys.executable, "-m", "conformance", "mock", "mount", str(mnt)],
                            env=dict(os.environ, PYTHONPATH=str(ROOT)),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 15
        while not (mnt / "sys" / "class").is_dir():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the FUSE mount did not come up")
            time.sleep(0.05)
        (mnt / CREATE.lstrip("/")).write_text(UUID)
        cap, usage = str(mnt / CAP.lstrip("/")), str(mnt / USAGE.lstrip("/"))
        return {
            "FUSE read cap": rate(ops, runs, file_read(cap)),
            "FUSE read usage_us": rate(ops, runs, file_read(usage)),
            "FUSE write cap": rate(ops, runs, file_write(cap, b"60\n")),
        }
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(15)
        mnt.rmdir()


def main(argv: list[str] | None = None) -> int:
    """Print the figures; the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-fuse", action="store_true")
    args = parser.parse_args(argv)
    figures = in_process(args.ops, args.runs)
    if not args.no_fuse:
        figures.update(through_fuse(args.ops, args.runs))
    if os.path.exists(REAL_SYSFS):
        figures[f"real sysfs read {REAL_SYSFS}"] = rate(args.ops, args.runs,
                                                        file_read(REAL_SYSFS))
    for name, value in figures.items():
        print(f"{name:<62} {value:>10,.0f} ops/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
