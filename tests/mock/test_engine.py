"""The simulated engine: shares, caps, priority, accounting, cost."""

from __future__ import annotations

import time

import pytest
from mockbench import Bench

from conformance.mock import MockKernel
from conformance.mock.noise import Noise

W = 80_040  # the suite's window for q = 1000
DELTA = (4 * 1000 + 2) / W  # measurement.md share tolerance


def _backlogged(bench: Bench, n: int, parent: str = "mqos0") -> list[str]:
    uuids = [bench.create(parent) for _ in range(n)]
    for u in uuids:
        bench.load(u, "backlog")
    bench.k.advance(2000)
    return uuids


def test_lone_mdev_gets_the_whole_device(bench: Bench) -> None:
    (u,) = _backlogged(bench, 1)
    idle = [bench.create() for _ in range(3)]
    shares = bench.shares([u, *idle])
    assert shares[0] == pytest.approx(1.0, abs=0.001)
    assert shares[1:] == [0, 0, 0]
    assert all(v == 0 for d in bench.window(idle).values() for v in d.values())


def test_equal_weights_share_equally(bench: Bench) -> None:
    uuids = _backlogged(bench, 4)
    for share in bench.shares(uuids):
        assert share == pytest.approx(0.25, abs=0.015)


def test_weights_are_proportional_and_live(bench: Bench) -> None:
    a, b, c = _backlogged(bench, 3)
    bench.write(a, "weight", "300")
    bench.write(b, "weight", "100")
    bench.write(c, "weight", "50\n")
    expected = [300 / 450, 100 / 450, 50 / 450]
    for share, want in zip(bench.shares([a, b, c]), expected, strict=True):
        assert share == pytest.approx(want, abs=0.015)
    bench.write(a, "weight", "50")
    expected = [50 / 200, 100 / 200, 50 / 200]
    for share, want in zip(bench.shares([a, b, c]), expected, strict=True):
        assert share == pytest.approx(want, abs=DELTA)


def test_cap_is_a_ceiling_even_when_alone(bench: Bench) -> None:
    (u,) = _backlogged(bench, 1)
    bench.write(u, "cap", "10")
    bench.k.advance(2000)
    d = bench.window([u])[u]
    assert d["usage_us"] / W <= 0.10 + DELTA
    assert d["usage_us"] / W >= 0.10 - DELTA
    assert d["throttled_us"] / W == pytest.approx(0.9, abs=DELTA)
    assert d["throttled_us"] <= d["wait_us"]


def test_capped_excess_goes_to_the_others_by_weight(bench: Bench) -> None:
    a, b, c = _backlogged(bench, 3)
    bench.write(a, "cap", "20")
    bench.write(c, "weight", "300")
    bench.k.advance(2000)
    expected = [0.2, 0.8 * 100 / 400, 0.8 * 300 / 400]
    for share, want in zip(bench.shares([a, b, c]), expected, strict=True):
        assert share == pytest.approx(want, abs=0.02)


def test_uncapped_never_throttled(bench: Bench) -> None:
    uuids = _backlogged(bench, 3)
    assert all(d["throttled_us"] == 0 for d in bench.window(uuids).values())


def test_strict_priority_and_leftovers(bench: Bench) -> None:
    hi, mid, lo = _backlogged(bench, 3)
    bench.write(hi, "priority", "urgent")
    bench.write(lo, "priority", "background")
    assert bench.shares([hi, mid, lo]) == pytest.approx([1.0, 0, 0], abs=0.02)
    bench.write(hi, "cap", "30")
    bench.k.advance(2000)
    assert bench.shares([hi, mid, lo]) == pytest.approx([0.3, 0.7, 0], abs=0.02)
    bench.load(mid, "idle")
    bench.k.advance(2000)
    assert bench.shares([hi, mid, lo]) == pytest.approx([0.3, 0, 0.7], abs=0.02)
    starved = bench.window([lo, mid])
    assert starved[mid]["wait_us"] == 0


def test_starved_mdev_accumulates_wait(bench: Bench) -> None:
    hi, lo = _backlogged(bench, 2)
    bench.write(lo, "priority", "background")
    bench.k.advance(2000)
    d = bench.window([lo])[lo]
    assert d["usage_us"] == 0 and d["nr_slices"] == 0
    assert d["wait_us"] == W


def test_priority_dispatch_latency(bench: Bench) -> None:
    lo, hi = _backlogged(bench, 2)
    bench.load(hi, "idle")
    bench.write(hi, "priority", "urgent")
    bench.k.advance(10_300)
    bench.load(hi, "periodic 200 50000")
    waited = 0
    while bench.value(hi, "nr_slices") == 0:
        bench.k.advance(10)
        waited += 10
    assert waited <= 1000


def test_parents_are_isolated(bench: Bench) -> None:
    (a,) = _backlogged(bench, 1, "mqos0")
    others = _backlogged(bench, 5, "mqos1")
    assert bench.shares([a])[0] == pytest.approx(1.0, abs=0.001)
    for share in bench.shares(others):
        assert share == pytest.approx(0.2, abs=0.015)


def test_accounting_identities(bench: Bench) -> None:
    uuids = _backlogged(bench, 3)
    bench.write(uuids[0], "cap", "15")
    bench.write(uuids[1], "weight", "900")
    deltas = bench.window(uuids, 100_003)
    assert sum(d["usage_us"] for d in deltas.values()) <= 100_003
    for d in deltas.values():
        assert d["usage_us"] + d["wait_us"] == 100_003
        assert d["usage_us"] <= d["nr_slices"] * 1000 + 1000
        assert d["throttled_us"] <= d["wait_us"]


def test_periodic_job_gets_its_demand(bench: Bench) -> None:
    a, b = _backlogged(bench, 2)
    bench.load(b, "periodic 500 10000")
    bench.k.advance(2000)
    shares = bench.shares([a, b], 100_000)
    assert shares[1] == pytest.approx(0.05, abs=0.006)
    assert shares[0] == pytest.approx(0.95, abs=0.006)


def test_counters_include_the_running_slice(bench: Bench) -> None:
    (u,) = _backlogged(bench, 1)
    before = bench.value(u, "usage_us")
    bench.k.advance(137)
    assert bench.value(u, "usage_us") == before + 137


def test_eighty_ms_with_eight_mdevs_is_cheap(kernel: MockKernel) -> None:
    bench = Bench(kernel)
    uuids = _backlogged(bench, 8)
    for i, u in enumerate(uuids):
        bench.write(u, "weight", str(50 * (i + 1)))
    bench.write(uuids[0], "cap", "5")
    start = time.process_time()
    kernel.advance(80_000)
    assert time.process_time() - start < 0.010


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_noise_stays_within_the_spec(seed: int) -> None:
    bench = Bench(MockKernel(noise=Noise.within_spec(seed)))
    a, b, c = _backlogged(bench, 3)
    bench.write(a, "weight", "300")
    bench.write(c, "cap", "10")
    bench.k.advance(2000)
    previous = bench.counters([a, b, c])
    deltas = bench.window([a, b, c])
    share = {u: d["usage_us"] / W for u, d in deltas.items()}
    assert 0.9 * 0.75 - DELTA - 0.02 <= share[a] <= 0.9 * 0.75 + DELTA
    assert share[c] <= 0.10 + DELTA
    assert sum(share.values()) <= 1 + (1000 + 3) / W
    for _ in range(50):
        bench.k.advance(77)
        now = bench.counters([a, b, c])
        for u in now:
            assert all(now[u][k] >= previous[u][k] for k in now[u])
        previous = now
