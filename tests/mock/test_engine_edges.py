"""Engine edge cases: noise limits, real clock, changes in the middle of a slice."""

from __future__ import annotations

import errno
import time

import pytest
from mockbench import Bench

from conformance.mock import MockKernel
from conformance.mock.noise import Noise

Q = 1000


def test_overrun_stays_within_ten_percent() -> None:
    bench = Bench(MockKernel(noise=Noise(overrun_fraction=0.10, seed=7)))
    u = bench.create()
    bench.load(u, "backlog")
    d = bench.window([u], 200_000)[u]
    assert d["usage_us"] <= d["nr_slices"] * Q * 1.1 + Q
    assert d["usage_us"] > d["nr_slices"] * Q  # it did overrun


def test_interference_loses_at_most_two_percent() -> None:
    bench = Bench(MockKernel(noise=Noise(interference_fraction=0.02, seed=3)))
    u = bench.create()
    bench.load(u, "backlog")
    share = bench.shares([u], 500_000)[0]
    assert 0.98 <= share < 1.0


def test_noise_beyond_the_spec_is_refused() -> None:
    with pytest.raises(ValueError):
        Noise(overrun_fraction=0.2)
    with pytest.raises(ValueError):
        Noise(interference_fraction=0.05)


def test_granular_and_delayed_counters_lag_by_less_than_a_slice() -> None:
    bench = Bench(MockKernel(noise=Noise(granular=True, delay=True, seed=5)))
    u = bench.create()
    bench.load(u, "backlog")
    for _ in range(100):
        bench.k.advance(130)
        exact = bench.k.engine.state(bench.k.core.mdevs[u]).counters_at(bench.k.engine.now())
        shown = bench.value(u, "usage_us")
        assert exact["usage_us"] - Q <= shown <= exact["usage_us"]


def test_real_clock_follows_wall_time() -> None:
    kernel = MockKernel(clock="real")
    bench = Bench(kernel)
    u = bench.create()
    bench.load(u, "backlog")
    time.sleep(0.05)
    assert bench.value(u, "usage_us") >= 40_000
    with pytest.raises(OSError) as info:
        kernel.vfs_write("/sys/kernel/debug/mqos/clock_us", b"10")
    assert info.value.errno == errno.EPERM
    before = kernel.engine.now()
    time.sleep(0.35)  # the ticker (every 0.1 s) advances the engine without any read
    assert kernel.engine.now() >= before + 150_000
    kernel.close()


def test_unknown_clock_is_refused() -> None:
    with pytest.raises(ValueError, match="clock"):
        MockKernel(clock="wall")


def test_removing_the_running_mdev_frees_the_device(bench: Bench) -> None:
    a, b = bench.create(), bench.create()
    bench.load(a, "backlog")
    bench.load(b, "backlog")
    bench.k.advance(10_500)
    bench.k.vfs_write(f"/sys/bus/mdev/devices/{a}/remove", b"1")
    assert bench.shares([b])[0] == pytest.approx(1.0, abs=0.001)


def test_uncapping_a_throttled_mdev_takes_effect_at_once(bench: Bench) -> None:
    (u,) = [bench.create()]
    bench.load(u, "backlog")
    bench.write(u, "cap", "1")
    bench.k.advance(5_000)
    before = bench.value(u, "usage_us")
    bench.k.advance(5_000)
    assert bench.value(u, "usage_us") == before  # held back by the cap
    bench.write(u, "cap", "100")
    bench.k.advance(5_000)
    assert bench.value(u, "usage_us") == before + 5_000


def test_priority_change_of_a_waiting_mdev_applies_at_the_next_decision(bench: Bench) -> None:
    a, b = bench.create(), bench.create()
    bench.load(a, "backlog")
    bench.load(b, "backlog")
    bench.k.advance(3_500)
    bench.write(b, "priority", "urgent")
    bench.k.advance(1_500)  # a's or b's slice ends within one q
    before = bench.value(a, "usage_us")
    bench.k.advance(20_000)
    assert bench.value(a, "usage_us") == before


def test_idle_mdev_accumulates_nothing(bench: Bench) -> None:
    u = bench.create()
    bench.load(u, "periodic 100 1000")
    bench.k.advance(50_000)
    bench.load(u, "idle")
    before = bench.counters([u])
    bench.k.advance(50_000)
    assert bench.counters([u]) == before


def test_a_capped_mdev_throttled_under_periodic_load_runs_again_when_backlogged() -> None:
    """Switching a throttled mdev from periodic to backlog kept it throttled for good:
    the new demand cancelled its pending refill (found by the random tester, seed 0)."""
    bench = Bench(MockKernel())
    u = bench.create()
    bench.write(u, "cap", "90")
    bench.load(u, f"periodic {Q} {2 * Q}")
    bench.window([u], 80_040)
    bench.load(u, "backlog")
    bench.window([u], 2 * Q)
    share = bench.shares([u], 80_040)[0]
    assert 0.85 <= share <= 0.95
