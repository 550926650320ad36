"""Driver subclasses through the public ``module:Class`` path."""

from __future__ import annotations

import pytest
from mockbench import Bench

from conformance.mock import DriverLoadError, MockKernel, QosDriver, load_driver_class


def _bench(spec: str) -> Bench:
    return Bench(MockKernel(driver_cls=load_driver_class(spec)))


def _two_backlogged(bench: Bench) -> tuple[str, str]:
    a, b = bench.create(), bench.create()
    bench.load(a, "backlog")
    bench.load(b, "backlog")
    return a, b


def test_load_the_reference_driver() -> None:
    assert load_driver_class("conformance.mock:QosDriver") is QosDriver


@pytest.mark.parametrize("spec, message", [
    ("sample_drivers", "module:Class"), ("no_such_module_x:Y", "cannot import"),
    ("sample_drivers:Missing", "has no"), ("sample_drivers:NotADriver", "not a subclass"),
    (":QosDriver", "module:Class")])
def test_bad_driver_specs_say_why(spec: str, message: str) -> None:
    with pytest.raises(DriverLoadError, match=message):
        load_driver_class(spec)


def test_weight_hook() -> None:
    bench = _bench("sample_drivers:EqualWeights")
    a, b = _two_backlogged(bench)
    bench.write(a, "weight", "900")
    assert bench.read(a, "weight") == b"900\n"
    assert bench.shares([a, b]) == pytest.approx([0.5, 0.5], abs=0.02)


def test_cap_hook() -> None:
    bench = _bench("sample_drivers:WorkConservingCap")
    a = bench.create()
    bench.load(a, "backlog")
    bench.write(a, "cap", "10")
    assert bench.shares([a])[0] > 0.95


def test_file_hook() -> None:
    bench = _bench("sample_drivers:NoWaitFile")
    a = bench.create()
    assert "wait_us" not in bench.k.vfs_listdir(f"/sys/bus/mdev/devices/{a}/qos")


def test_pick_hook_ignores_priority() -> None:
    bench = _bench("sample_drivers:RoundRobin")
    a, b = _two_backlogged(bench)
    bench.write(a, "priority", "urgent")
    assert bench.shares([a, b]) == pytest.approx([0.5, 0.5], abs=0.02)


def test_timer_hook_wakes_an_idle_device() -> None:
    # Idle in odd milliseconds: without next_timer_us the engine would wait for new
    # work forever after the first odd millisecond; with it, it runs half the time.
    bench = _bench("sample_drivers:EveryOtherMillisecond")
    a = bench.create()
    bench.load(a, "backlog")
    assert bench.shares([a], 80_000)[0] == pytest.approx(0.5, abs=0.01)


def test_without_a_timer_an_idle_decision_waits_for_work() -> None:
    class NoTimer(load_driver_class("sample_drivers:EveryOtherMillisecond")):  # type: ignore[misc]
        def next_timer_us(self, parent):  # noqa: ANN001
            return None

    bench = Bench(MockKernel(driver_cls=NoTimer))
    a = bench.create()
    bench.load(a, "backlog")
    bench.k.advance(1500)  # past the first idle decision, at 1000 µs
    assert bench.shares([a], 80_000)[0] == 0.0
