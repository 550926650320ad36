"""Snapshots, windows and shares of conformance.suite.measure over a scripted device."""

from __future__ import annotations

import pytest

from conformance.suite.measure import (
    Meter,
    Snapshot,
    Window,
    counter_path,
    monotonic_violations,
    read_counter,
)


class Device:
    """A fake device: two mdevs sharing time 1:3, a clock that reads take time on."""

    def __init__(self, read_cost_us: int = 0) -> None:
        self.now = 0
        self.read_cost_us = read_cost_us
        self.shares = {"a": 0.25, "b": 0.75}
        self.files = {counter_path(u, c) for u in self.shares for c in ("usage_us", "wait_us")}

    def exists(self, path: str) -> bool:
        return path in self.files

    def read(self, path: str) -> bytes:
        self.now += self.read_cost_us
        uuid, counter = path.split("/")[-3], path.split("/")[-1]
        share = self.shares[uuid] if counter == "usage_us" else 1 - self.shares[uuid]
        return f"{int(self.now * share)}\n".encode()

    def now_us(self) -> int:
        return self.now

    def elapse(self, us: int) -> None:
        self.now += us


def test_window_measures_shares_in_virtual_time() -> None:
    device = Device()
    meter = Meter(device, device, ["a", "b"], q=1000)
    assert meter.present == {"a": ("usage_us", "wait_us"), "b": ("usage_us", "wait_us")}
    window = meter.measure()
    assert window.start.at_us == 2000  # settled for 2q first
    assert window.length == 80040 and window.skew == 0
    assert window.share("a") == pytest.approx(0.25, abs=1e-4)
    assert window.share("b") == pytest.approx(0.75, abs=1e-4)
    assert window.share_tolerance == pytest.approx(0.05)
    assert window.delta("a", "nr_slices") is None


def test_skew_is_measured_and_widens_the_tolerance() -> None:
    device = Device(read_cost_us=5)
    meter = Meter(device, device, ["a", "b"], q=1000)
    window = meter.measure()
    assert window.skew == 20  # four reads of 5 µs
    assert window.tolerance.usage == 4002 + 40
    assert window.length >= meter.window_length() - 20


def test_live_window_starts_at_the_given_snapshot() -> None:
    device = Device()
    meter = Meter(device, device, ["a"], q=1000)
    start = meter.snapshot()
    window = meter.measure(start)
    assert window.live and window.start is start
    assert window.share_tolerance == pytest.approx(5002 / 80040)


def test_a_counter_must_be_one_non_negative_integer() -> None:
    class Odd(Device):
        def read(self, path: str) -> bytes:
            return b"-4\n" if path.endswith("usage_us") else b"1 2\n"

    device = Odd()
    with pytest.raises(AssertionError):
        read_counter(device, "a", "usage_us")
    with pytest.raises(AssertionError):
        read_counter(device, "a", "wait_us")
    assert read_counter(Device(), "a", "usage_us") == 0


def test_a_window_without_usage_is_the_drivers_fault() -> None:
    empty = Snapshot(0, 0, {})
    with pytest.raises(AssertionError):
        Window(empty, Snapshot(10, 0, {}), q=1000).share("a")


def test_monotonic_violations() -> None:
    snaps = [Snapshot(0, 0, {("a", "usage_us"): 5}), Snapshot(1, 0, {("a", "usage_us"): 9}),
             Snapshot(2, 0, {("a", "usage_us"): 7, ("b", "usage_us"): 1})]
    assert monotonic_violations(snaps) == ["usage_us of a went from 9 to 7"]
    assert monotonic_violations(snaps[:2]) == []
