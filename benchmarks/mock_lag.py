"""Worst lag against the ideal fluid share: the reference WF2Q+ beside plain WRR.

Random workloads on one parent: 2..16 backlogged mdevs with random weights
(log-uniform in 1..10000), all active from the same instant, knobs fixed. The
ideal fluid (GPS) service of mdev i after t µs is t * w_i / sum(w). The lag is
|usage_us - ideal|, sampled at every slice boundary (where its extremes lie),
reported in units of the timeslice q. The spec permits L = 2q; WF2Q+ should
stay within one q. The same workloads are run by a plain weighted round robin
(each mdev runs w_i / min(w) consecutive slices per round) for comparison.

A second family adds random caps (10..100) and priorities; the ideal is then
the water-filled share (strict levels, weighted max-min under caps) and the
bound is the spec's permitted lag L = 2q. The command fails if either bound is
exceeded.

    .venv/bin/python benchmarks/mock_lag.py [--workloads 100] [--slices 1000] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mock_common import create, load, one_parent, qos  # noqa: E402

from conformance.mock import MockKernel, QosDriver  # noqa: E402

Q = 1000
LEVELS = ("background", "standard", "urgent")


class WeightedRoundRobin(QosDriver):
    """Plain WRR: levels and caps ignored; each mdev runs w/min(w) slices per turn."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.turn: list = []
        self.left = 0

    def pick_next(self, parent):
        ready = sorted(parent.schedulable(), key=lambda m: m.mdev.uuid)
        if not ready:
            return None
        current = self.turn[0] if self.turn else None
        if current in ready and self.left > 0:
            self.left -= 1
            return current
        order = [m for m in ready if current is None or m.mdev.uuid > current.mdev.uuid]
        chosen = (order or ready)[0]
        self.turn = [chosen]
        self.left = round(chosen.weight / min(m.weight for m in ready)) - 1
        return chosen


def water_fill(knobs: list[dict]) -> list[float]:
    """Ideal long-run shares: strict levels, weighted water-filling under caps."""
    shares = [0.0] * len(knobs)
    capacity = 1.0
    for level in reversed(LEVELS):
        members = [i for i, k in enumerate(knobs) if k["priority"] == level]
        free = list(members)
        while free and capacity > 1e-12:
            total = sum(knobs[i]["weight"] for i in free)
            offer = {i: capacity * knobs[i]["weight"] / total for i in free}
            frozen = [i for i in free if offer[i] >= knobs[i]["cap"] / 100]
            if not frozen:
                for i in free:
                    shares[i] = offer[i]
                capacity = 0.0
                break
            for i in frozen:
                shares[i] = knobs[i]["cap"] / 100
                capacity -= shares[i]
                free.remove(i)
    return shares


def random_knobs(rng: random.Random, with_caps: bool) -> list[dict]:
    """Knobs for 2 to 16 mdevs, drawn from ``rng`` (caps only ``with_caps``)."""
    n = rng.randint(2, 16)
    knobs = []
    for _ in range(n):
        knobs.append({
            "weight": max(1, min(10_000, round(10 ** rng.uniform(0, 4)))),
            "cap": rng.choice([100, rng.randint(10, 100)]) if with_caps else 100,
            "priority": rng.choice(LEVELS) if with_caps else "standard",
        })
    return knobs


def worst_lag(knobs: list[dict], driver: type[QosDriver], slices: int) -> float:
    """Largest |usage - ideal| over the run, in timeslices."""
    kernel = MockKernel(topology=one_parent(len(knobs), Q), driver_cls=driver)
    uuids = create(kernel, len(knobs))
    for uuid, k in zip(uuids, knobs, strict=True):
        for name in ("weight", "cap", "priority"):
            kernel.vfs_write(qos(uuid, name), str(k[name]).encode())
    for uuid in uuids:
        load(kernel, uuid, "backlog")
    ideal = water_fill(knobs)
    paths = [qos(u, "usage_us") for u in uuids]
    worst = 0.0
    for step in range(1, slices + 1):
        kernel.advance(Q)
        t = step * Q
        for path, share in zip(paths, ideal, strict=True):
            worst = max(worst, abs(int(kernel.vfs_read(path)) - share * t))
    return worst / Q


def main(argv: list[str] | None = None) -> int:
    """Print the figures; the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workloads", type=int, default=100)
    parser.add_argument("--slices", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    print(f"{'workloads':<24} {'scheduler':<6} {'median':>7} {'p99':>7} {'worst':>7} "
          f"{'>1q':>5} {'>2q':>5}   (lag in q; >Nq: share of workloads)")
    failed = False
    for family, with_caps in (("weights", False), ("weights+caps+priorities", True)):
        cases = [random_knobs(rng, with_caps) for _ in range(args.workloads)]
        for name, driver in (("WF2Q+", QosDriver), ("WRR", WeightedRoundRobin)):
            if name == "WRR" and with_caps:
                continue  # plain WRR has neither levels nor caps
            lags = sorted(worst_lag(k, driver, args.slices) for k in cases)
            p99 = lags[min(len(lags) - 1, int(0.99 * len(lags)))]
            over1 = sum(lag > 1.0 + 1e-9 for lag in lags) / len(lags)
            over2 = sum(lag > 2.0 + 1e-9 for lag in lags) / len(lags)
            print(f"{family:<24} {name:<6} {statistics.median(lags):>7.2f} {p99:>7.2f} "
                  f"{lags[-1]:>7.2f} {over1:>5.0%} {over2:>5.0%}")
            bound = 2.0 if with_caps else 1.0
            if name == "WF2Q+" and lags[-1] > bound + 1e-9:
                print(f"  the bound of {bound:g} q does not hold", file=sys.stderr)
                failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
