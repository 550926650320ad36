"""Measurement time the spec's tolerance costs in real time, at q = 1 ms and 10 ms.

Three figures per timeslice q:

1. From the formulas of the measurement method (conformance.oracle.tolerance,
   the spec's "Measurement" section): usage tolerance T = 4q + 2s + 2, window
   W = ceil(T / 0.05) for a share tolerance of 5 points, settling S = 2q; so one
   share check costs S + W of real time. s is the snapshot skew.
2. Checked on the reference mock with a real clock: two backlogged mdevs with
   weights 100 and 300 (expected shares 0.25 and 0.75), settle S, then a window
   of W wall-clock time between two snapshots; the largest share error over the
   repeats must stay within δ = T/W (with s as measured).
3. The whole scheduling profile: the virtual time the suite lets pass on the mock
   (read from a probe driver loaded with ``--mock-driver``) is the least real time
   the same scenarios need on a device with that timeslice.

    .venv/bin/python benchmarks/power_window.py            # --repeats 5
"""

from __future__ import annotations

import argparse
import atexit
import copy
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from conformance.mock import MockKernel, QosDriver, Topology
from conformance.mock.topology import DEFAULT_TOPOLOGY
from conformance.oracle.tolerance import DELTA_TARGET, Tolerance

HERE = Path(__file__).resolve().parent
TIMESLICES_US = (1000, 10000)
WEIGHTS = (100, 300)
PROBE_ENV = "MDEV_QOS_CLOCK_PROBE"
MDEV_UUIDS = ("b0e1c2d3-0000-4000-8000-00000000000a", "b0e1c2d3-0000-4000-8000-00000000000b")


class ClockProbe(QosDriver):
    """The reference driver, writing how much virtual time passed to $MDEV_QOS_CLOCK_PROBE."""

    advanced_us = 0

    def __init__(self, topology: object, engine: object) -> None:
        super().__init__(topology, engine)
        advance = engine.advance

        def counted(us: int) -> None:
            ClockProbe.advanced_us += int(us)
            advance(us)

        engine.advance = counted
        path = os.environ.get(PROBE_ENV)
        if path:
            atexit.register(lambda: Path(path).write_text(f"{ClockProbe.advanced_us}\n"))


@dataclass
class WindowCheck:
    """One real-clock share measurement."""

    window_us: int
    skew_us: int
    shares: tuple[float, ...]

    def error(self) -> float:
        total = sum(WEIGHTS)
        return max(abs(s - w / total) for s, w in zip(self.shares, WEIGHTS, strict=True))

    def delta(self, q: int) -> float:
        return Tolerance(q, self.skew_us).share(self.window_us)


def topology_with(q: int) -> dict:
    """The default topology with every parent's timeslice set to ``q``."""
    topology = copy.deepcopy(DEFAULT_TOPOLOGY)
    topology["timeslice_us"] = q
    return topology


def real_clock_check(q: int, skew_estimate_us: int) -> WindowCheck:
    """Measure two weighted backlogged mdevs over one window of wall-clock time."""
    kernel = MockKernel(topology=Topology.from_dict(topology_with(q)), clock="real")
    for uuid, weight in zip(MDEV_UUIDS, WEIGHTS, strict=True):
        kernel.create_mdev("mqos0", "mqos-full", uuid)
        kernel.vfs_write(f"/sys/bus/mdev/devices/{uuid}/qos/weight", str(weight).encode())
    for uuid in MDEV_UUIDS:
        kernel.vfs_write(f"/sys/kernel/debug/mqos/{uuid}/load", b"backlog")
    tolerance = Tolerance(q, skew_estimate_us)
    time.sleep(tolerance.settle / 1e6)

    def snapshot() -> tuple[list[int], float, float]:
        started = time.monotonic()
        values = [int(kernel.vfs_read(f"/sys/bus/mdev/devices/{u}/qos/usage_us"))
                  for u in MDEV_UUIDS]
        return values, started, time.monotonic() - started

    first, t0, skew0 = snapshot()
    time.sleep(tolerance.window() / 1e6)
    last, t1, skew1 = snapshot()
    window = round((t1 - t0) * 1e6)
    shares = tuple((b - a) / window for a, b in zip(first, last, strict=True))
    return WindowCheck(window, round(max(skew0, skew1) * 1e6), shares)


def profile_virtual_time(q: int, profile: str = "scheduling") -> tuple[int, float]:
    """Virtual µs the suite lets pass in one run of ``profile`` at timeslice ``q``.

    Also returns the run's wall time.
    """
    with tempfile.TemporaryDirectory(prefix="mdev-qos-window-") as tmp:
        topo = Path(tmp) / "topology.json"
        topo.write_text(json.dumps(topology_with(q)))
        probe = Path(tmp) / "advanced_us"
        env = dict(os.environ, **{PROBE_ENV: str(probe)})
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE), env.get("PYTHONPATH")]))
        command = [sys.executable, "-m", "conformance", "run", "--profile", profile,
                   "--mock-driver", "power_window:ClockProbe", "--mock-topology", str(topo),
                   "--report-dir", str(Path(tmp) / "report"), "--spec-url", "x", "-q"]
        started = time.monotonic()
        subprocess.run(command, cwd=HERE, env=env, check=False, stdout=subprocess.DEVNULL)
        wall = time.monotonic() - started
        verdict = json.loads((Path(tmp) / "report" / "report.json").read_text())["verdict"]
        if verdict != "conformant":
            raise RuntimeError(f"the reference was {verdict} at q = {q} µs")
        return int(probe.read_text()), wall


def formula_rows(skews: tuple[int, ...]) -> list[str]:
    """The window formula's table rows for each timeslice and skew."""
    lines = ["| q | s | T = 4q+2s+2 | W = ceil(T/0.05) | S = 2q | one check S+W |",
             "|---:|---:|---:|---:|---:|---:|"]
    for q in TIMESLICES_US:
        for s in skews:
            tol = Tolerance(q, s)
            w = tol.window(DELTA_TARGET)
            lines.append(f"| {q / 1000:g} ms | {s} µs | {tol.usage} µs | {w / 1000:.2f} ms "
                         f"| {tol.settle / 1000:g} ms | {(tol.settle + w) / 1000:.2f} ms |")
    return lines


def main(argv: list[str] | None = None) -> int:
    """Print the figures; the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5, help="real-clock windows per q")
    parser.add_argument("--skews", type=int, nargs="+", default=[0, 200, 1000],
                        help="snapshot skews for the formula table (µs)")
    args = parser.parse_args(argv)
    print("\n".join(formula_rows(tuple(args.skews))))
    print("\n| q | windows | W measured (median) | s measured (max) | largest share error "
          "| δ = T/W | within δ |\n|---:|---:|---:|---:|---:|---:|---|")
    ok = True
    for q in TIMESLICES_US:
        checks = [real_clock_check(q, skew_estimate_us=200) for _ in range(args.repeats)]
        worst = max(checks, key=lambda c: c.error() - c.delta(q))
        within = all(c.error() <= c.delta(q) for c in checks)
        ok &= within
        print(f"| {q / 1000:g} ms | {len(checks)} "
              f"| {statistics.median(c.window_us for c in checks) / 1000:.2f} ms "
              f"| {max(c.skew_us for c in checks)} µs | {worst.error():.4f} "
              f"| {worst.delta(q):.4f} | {'yes' if within else 'NO'} |")
    print("\n| q | virtual time the scheduling profile measures | suite wall time on the mock |"
          "\n|---:|---:|---:|")
    for q in TIMESLICES_US:
        advanced, wall = profile_virtual_time(q)
        print(f"| {q / 1000:g} ms | {advanced / 1e6:.2f} s | {wall:.1f} s |")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
