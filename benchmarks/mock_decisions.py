"""Engine scheduling decisions per second at 10, 100 and 1000 active mdevs.

Every mdev is backlogged with a random weight; one in ten is capped (so the
token-bucket events are exercised too) and a third run at urgent priority. The
cost of a decision should grow about like log N (heaps), not like N.

    .venv/bin/python benchmarks/mock_decisions.py [--runs 5] [--sizes 10 100 1000]
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mock_common import create, load, one_parent, qos  # noqa: E402

from conformance.mock import MockKernel  # noqa: E402


def decisions_per_second(active: int, seed: int, slices: int = 20_000) -> float:
    """Decisions per CPU second while ``active`` mdevs compete for ``slices`` slices."""
    rng = random.Random(seed)
    kernel = MockKernel(topology=one_parent(active))
    for i, uuid in enumerate(create(kernel, active)):
        kernel.vfs_write(qos(uuid, "weight"), str(rng.randint(1, 10_000)).encode())
        if i % 10 == 0:
            kernel.vfs_write(qos(uuid, "cap"), str(rng.randint(5, 90)).encode())
        if i % 3 == 0:
            kernel.vfs_write(qos(uuid, "priority"), b"urgent")
        load(kernel, uuid, "backlog")
    kernel.advance(100_000)  # warm up
    parent = kernel.engine.parents["bench0"]
    before = parent.decisions
    start = time.process_time()
    kernel.advance(slices * 1000)
    elapsed = time.process_time() - start
    return (parent.decisions - before) / elapsed


def main(argv: list[str] | None = None) -> int:
    """Print the figures; the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    args = parser.parse_args(argv)
    print(f"{'active':>7} {'decisions/s':>12} {'us/decision':>12} {'/ log2 N':>9}")
    for n in args.sizes:
        rate = statistics.median(decisions_per_second(n, seed) for seed in range(args.runs))
        cost = 1e6 / rate
        print(f"{n:>7} {rate:>12,.0f} {cost:>12.2f} {cost / math.log2(n):>9.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
