"""Each vendor mutant really breaks its requirement, in virtual time on the mock.

The meta-test asks whether the suite catches a mutant; this asks whether the
mutant is broken at all: for each one, the situation it is written for, driven
through the mock's own files, shows the violation with the mutant and none with
the reference driver. So a survivor of the meta-test is a gap of the suite, not a
mutant that does nothing.
"""

from __future__ import annotations

import errno
from collections.abc import Callable

import pytest
from mqos_mutants import MutantInfo, catalogue

from conformance.mock import MockKernel, QosDriver
from conformance.mock.loader import load_driver_class

Q = 1000  # timeslice_us of the default topology
W = 80_040  # the suite's window for q = 1000
DELTA = (4 * Q + 2) / W  # the share tolerance of spec/measurement.rst


class Rig:
    """Create mdevs, set loads, write knobs and measure, in virtual time."""

    def __init__(self, driver: type[QosDriver]) -> None:
        self.k = MockKernel(driver_cls=driver)
        self.serial = 0

    def create(self, parent: str = "mqos0", type_id: str = "mqos-full",
               uuid: str | None = None) -> str:
        if uuid is None:
            self.serial += 1
            uuid = f"6d0e3a52-0000-4000-8000-{self.serial:012x}"
        path = f"/sys/class/mdev_bus/{parent}/mdev_supported_types/{type_id}/create"
        self.k.vfs_write(path, uuid.encode() + b"\n")
        return uuid

    def remove(self, uuid: str) -> None:
        self.k.vfs_write(f"/sys/bus/mdev/devices/{uuid}/remove", b"1\n")

    def write(self, uuid: str, name: str, data: str | bytes) -> int:
        raw = data.encode() if isinstance(data, str) else data
        return self.k.vfs_write(f"/sys/bus/mdev/devices/{uuid}/qos/{name}", raw)

    def value(self, uuid: str, name: str) -> int:
        return int(self.k.vfs_read(f"/sys/bus/mdev/devices/{uuid}/qos/{name}"))

    def load(self, uuid: str, load: str) -> None:
        self.k.vfs_write(f"/sys/kernel/debug/mqos/{uuid}/load", load.encode())

    def busy(self, n: int, parent: str = "mqos0", **knobs: str) -> list[str]:
        uuids = [self.create(parent) for _ in range(n)]
        for uuid in uuids:
            for name, value in knobs.items():
                self.write(uuid, name, value)
            self.load(uuid, "backlog")
        return uuids

    def until(self, t_us: int) -> None:
        """Advance to engine time ``t_us``."""
        self.k.engine.advance(max(0, t_us - self.k.engine.now()))

    def delta(self, uuids: list[str], name: str, length: int = W) -> list[int]:
        before = [self.value(u, name) for u in uuids]
        self.k.engine.advance(length)
        return [self.value(u, name) - b for u, b in zip(uuids, before, strict=True)]

    def shares(self, uuids: list[str], length: int = W) -> list[float]:
        return [d / length for d in self.delta(uuids, "usage_us", length)]


def off(shares: list[float], expected: list[float], tolerance: float = DELTA) -> bool:
    """Some share misses its expected value by more than the tolerance."""
    return any(abs(s - e) > tolerance for s, e in zip(shares, expected, strict=True))


# -- timers ----------------------------------------------------------------------
def weight_at_rebalance_tick(r: Rig) -> bool:
    a, b = r.busy(2)
    r.until(105_000)
    r.write(a, "weight", "300")
    return off(r.shares([a, b]), [0.75, 0.25])


def cap_at_next_period(r: Rig) -> bool:
    (a,) = r.busy(1)
    r.until(52_000)
    r.write(a, "cap", "20")
    return off(r.shares([a]), [0.2])


def priority_three_periods_late(r: Rig) -> bool:
    a, b = r.busy(2)
    r.until(34_000)
    r.write(a, "priority", "urgent")
    return off(r.shares([a, b]), [1.0, 0.0])


def forty_ms_frame(r: Rig) -> bool:
    a, b = r.busy(2)
    r.until(2_000)
    length = 20_000  # half a frame: one mdev's whole burst
    tolerance = (4 * Q + 2) / length
    return any(off(r.shares([a, b], length), [0.5, 0.5], tolerance) for _ in range(4))


def idle_keeps_slot_until_rebuild(r: Rig) -> bool:
    a, b = r.busy(2)
    r.until(102_000)
    r.load(b, "idle")
    r.until(104_000)
    return off(r.shares([a]), [1.0])


def newcomer_waits_for_rebuild(r: Rig) -> bool:
    (a,) = r.busy(1)
    r.until(102_000)
    (b,) = r.busy(1)
    r.until(104_000)
    return off(r.shares([a, b]), [0.5, 0.5])


def idle_weight_counts_until_timeout(r: Rig) -> bool:
    a, b = r.busy(2)
    r.write(b, "weight", "300")
    r.until(50_000)
    r.load(b, "idle")
    r.until(52_000)
    return off(r.shares([a]), [1.0])


# -- counters --------------------------------------------------------------------
def decreases(r: Rig, uuid: str, name: str, until_us: int, step_us: int = 200_000) -> bool:
    last = r.value(uuid, name)
    while r.k.engine.now() < until_us:
        r.k.engine.advance(step_us)
        value = r.value(uuid, name)
        if value < last:
            return True
        last = value
    return False


def usage_ns_in_32_bits(r: Rig) -> bool:
    (a,) = r.busy(1)
    return decreases(r, a, "usage_us", 4_500_000)


def wait_ns_in_32_bits(r: Rig) -> bool:
    a, _ = r.busy(2)
    return decreases(r, a, "wait_us", 9_000_000)


def usage_charged_per_quantum(r: Rig) -> bool:
    uuids = [r.create() for _ in range(2)]
    for uuid in uuids:
        r.load(uuid, f"periodic 200 {Q}")
    r.until(2_000)
    return sum(r.delta(uuids, "usage_us")) > W + 4 * Q + 2


def dispatch_too_long(r: Rig, uuids: list[str]) -> bool:
    before = {u: (r.value(u, "usage_us"), r.value(u, "nr_slices")) for u in uuids}
    r.k.engine.advance(W)
    for u in uuids:
        usage = r.value(u, "usage_us") - before[u][0]
        slices = r.value(u, "nr_slices") - before[u][1]
        if usage > slices * Q * 1.1 + 4 * Q + 2:
            return True
    return False


def slices_count_world_switches(r: Rig) -> bool:
    a, b = r.busy(2)
    r.write(a, "weight", "300")
    r.until(2_000)
    return dispatch_too_long(r, [a, b])


def counters_copied(r: Rig) -> bool:
    """usage + wait of a lone busy mdev, read every q for 60 ms, errs by more than T
    over some span between two reads (whatever the copy timer's period and phase)."""
    (a,) = r.busy(1)
    r.until(3_000)
    sums = []
    for _ in range(61):
        sums.append(r.value(a, "usage_us") + r.value(a, "wait_us"))
        r.k.engine.advance(Q)
    return any(abs(later - sums[i] - (j - i) * Q) > 4 * Q + 2
               for i in range(len(sums)) for j, later in enumerate(sums) if j > i)


def slices_copied(r: Rig) -> bool:
    """A lone busy mdev read every q for 30 ms runs more than its nr_slices delta allows
    (1.1q each, plus T) over some span between two reads."""
    (a,) = r.busy(1)
    r.until(3_000)
    reads = []
    for _ in range(31):
        reads.append((r.value(a, "usage_us"), r.value(a, "nr_slices")))
        r.k.engine.advance(Q)
    return any(u1 - u0 > (n1 - n0) * Q * 1.1 + 4 * Q + 2
               for i, (u0, n0) in enumerate(reads) for u1, n1 in reads[i + 1:])


# -- run lists -------------------------------------------------------------------
def run_list_of_four(r: Rig) -> bool:
    uuids = r.busy(6)
    r.until(2_000)
    return off(r.shares(uuids), [1 / 6] * 6)


def cap_table_of_four(r: Rig) -> bool:
    *_, e = [r.create() for _ in range(5)]
    r.write(e, "cap", "10")
    r.load(e, "backlog")
    r.until(2_000)
    return off(r.shares([e]), [0.1])


def weight_in_eight_bits(r: Rig) -> bool:
    a, b = r.busy(2)
    r.write(a, "weight", "300")
    r.until(2_000)
    return off(r.shares([a, b]), [0.75, 0.25])


def burst_run_list(r: Rig) -> bool:
    a, b = r.busy(2)
    r.until(20_000)  # both became active at 0: a round starts every 20 ms
    length = 10_000
    tolerance = (4 * Q + 2) / length
    return any(off(r.shares([a, b], length), [0.5, 0.5], tolerance) for _ in range(4))


def consecutive_turns_merged(r: Rig) -> bool:
    (a,) = r.busy(1)
    r.until(2_000)
    return dispatch_too_long(r, [a])


# -- history ---------------------------------------------------------------------
def newcomer_starts_at_zero(r: Rig) -> bool:
    (a,) = r.busy(1)
    r.until(500_000)
    (b,) = r.busy(1)
    r.until(502_000)
    return off(r.shares([a, b]), [0.5, 0.5])


def returning_mdev(r: Rig) -> bool:
    a, b = r.busy(2)
    r.until(100_000)
    r.load(b, "idle")
    r.until(300_000)
    r.load(b, "backlog")
    r.until(302_000)
    return off(r.shares([a, b]), [0.5, 0.5])


def cap_budget_banked_while_idle(r: Rig) -> bool:
    (a,) = r.busy(1, cap="20")
    r.until(100_000)
    r.load(a, "idle")
    r.until(400_000)
    r.load(a, "backlog")
    return off(r.shares([a]), [0.2])


def high_decays_after_long_run(r: Rig) -> bool:
    (a,) = r.busy(1, priority="urgent")
    (b,) = r.busy(1)
    r.until(150_000)
    return off(r.shares([a, b]), [1.0, 0.0])


def starvation_boost(r: Rig) -> bool:
    (a,) = r.busy(1, priority="urgent")
    (b,) = r.busy(1, priority="background")
    r.until(2_000)
    return off(r.shares([a, b]), [1.0, 0.0])


# -- one direction ---------------------------------------------------------------
def after_change(r: Rig, uuids: list[str], writes: list[tuple[str, str, str]],
                 expected: list[float]) -> bool:
    r.until(r.k.engine.now() + 40_000)
    for uuid, name, value in writes:
        r.write(uuid, name, value)
    return off(r.shares(uuids), expected)


def cap_raise_deferred(r: Rig) -> bool:
    (a,) = r.busy(1, cap="20")
    return after_change(r, [a], [(a, "cap", "80")], [0.8])


def uncap_ignored(r: Rig) -> bool:
    (a,) = r.busy(1, cap="20")
    return after_change(r, [a], [(a, "cap", "100")], [1.0])


def weight_back_to_100(r: Rig) -> bool:
    a, b = r.busy(2)
    r.write(a, "weight", "300")
    return after_change(r, [a, b], [(a, "weight", "100")], [0.5, 0.5])


def demotion_deferred(r: Rig) -> bool:
    (a,) = r.busy(1, priority="urgent")
    (b,) = r.busy(1)
    return after_change(r, [a, b], [(a, "priority", "background")], [0.0, 1.0])


def normal_write_ignored(r: Rig) -> bool:
    (a,) = r.busy(1, priority="urgent")
    (b,) = r.busy(1)
    return after_change(r, [a, b], [(a, "priority", "standard")], [0.5, 0.5])


# -- combinations ----------------------------------------------------------------
def cap_ignored_off_normal(r: Rig) -> bool:
    (a,) = r.busy(1, priority="urgent", cap="30")
    r.until(2_000)
    return off(r.shares([a]), [0.3])


def cap_ignored_with_weight(r: Rig) -> bool:
    (a,) = r.busy(1, weight="200", cap="30")
    r.until(2_000)
    return off(r.shares([a]), [0.3])


def weights_ignored_beside_cap(r: Rig) -> bool:
    (a,) = r.busy(1, cap="20")
    (b,) = r.busy(1, weight="300")
    (c,) = r.busy(1)
    r.until(2_000)
    return off(r.shares([a, b, c]), [0.2, 0.6, 0.2])


def level_lost_with_weight(r: Rig) -> bool:
    (a,) = r.busy(1, priority="urgent", weight="200")
    (b,) = r.busy(1)
    r.until(2_000)
    return off(r.shares([a, b]), [1.0, 0.0])


def priority_across_parents(r: Rig) -> bool:
    (a,) = r.busy(1)
    r.busy(1, parent="mqos1", priority="urgent")
    r.until(2_000)
    return off(r.shares([a]), [1.0])


def normal_arrival_not_preempting(r: Rig) -> bool:
    (a,) = r.busy(1, priority="background")
    b = r.create()
    r.until(10_500)
    r.load(b, "backlog")
    started = r.k.engine.now()
    while r.value(b, "usage_us") == 0:
        r.k.engine.advance(100)
    return r.k.engine.now() - started > 2 * Q  # the bound is one timeslice


# -- knob files ------------------------------------------------------------------
def accepts(r: Rig, name: str, data: bytes) -> bool:
    uuid = r.create()
    try:
        r.write(uuid, name, data)
    except OSError as exc:
        assert exc.errno == errno.EINVAL
        return False
    return True


def fixed_cap_lost_on_knob_write(r: Rig) -> bool:
    a = r.create(type_id="mqos-fixed")
    r.write(a, "weight", "200")
    r.load(a, "backlog")
    r.until(2_000)
    return off(r.shares([a]), [0.5])


def recreated_after_busy(r: Rig) -> str:
    (a,) = r.busy(1, cap="20")
    r.until(50_000)
    r.remove(a)
    return r.create(uuid=a)


def sched_state_outlives_busy_mdev(r: Rig) -> bool:
    a = recreated_after_busy(r)
    r.load(a, "backlog")
    r.until(r.k.engine.now() + 2_000)
    return off(r.shares([a]), [1.0])


def counters_outlive_busy_mdev(r: Rig) -> bool:
    a = recreated_after_busy(r)
    return any(r.value(a, name) for name in ("usage_us", "wait_us", "throttled_us",
                                             "nr_slices"))


def weight_shown_from_rebalanced_share(r: Rig) -> bool:
    a, _ = r.busy(2)
    r.write(a, "weight", "200")
    shown = r.value(a, "weight")
    r.k.engine.advance(W)  # no write between the two reads
    return r.value(a, "weight") != shown


# -- descriptors -----------------------------------------------------------------
def cap_lost_on_rebuild(r: Rig) -> bool:
    (a,) = r.busy(1, cap="30", weight="300", priority="urgent")
    r.k.engine.advance(W)
    (b,) = r.busy(1)  # a later joiner: the run list is rebuilt
    r.k.engine.advance(W)
    return off(r.shares([a, b]), [0.3, 0.7])


CHECKS: dict[str, Callable[[Rig], bool]] = {
    "CapLostOnRebuild": cap_lost_on_rebuild,
    "WeightAtRebalanceTick": weight_at_rebalance_tick,
    "CapAtNextPeriod": cap_at_next_period,
    "PriorityThreePeriodsLate": priority_three_periods_late,
    "IdleKeepsSlotUntilRebuild": idle_keeps_slot_until_rebuild,
    "NewcomerWaitsForRebuild": newcomer_waits_for_rebuild,
    "FortyMsFrame": forty_ms_frame,
    "WeightShownFromRebalancedShare": weight_shown_from_rebalanced_share,
    "IdleWeightCountsUntilTimeout": idle_weight_counts_until_timeout,
    "UsageNsIn32Bits": usage_ns_in_32_bits,
    "WaitNsIn32Bits": wait_ns_in_32_bits,
    "UsageChargedPerQuantum": usage_charged_per_quantum,
    "SlicesCountWorldSwitches": slices_count_world_switches,
    "CountersCopiedEvery10ms": counters_copied,
    "CountersCopiedEvery7ms": counters_copied,
    "CountersCopiedEvery25ms": counters_copied,
    "SlicesCopiedEvery10ms": slices_copied,
    "RunListOfFour": run_list_of_four,
    "CapTableOfFour": cap_table_of_four,
    "WeightInEightBits": weight_in_eight_bits,
    "BurstRunList": burst_run_list,
    "ConsecutiveTurnsMerged": consecutive_turns_merged,
    "NewcomerStartsAtZero": newcomer_starts_at_zero,
    "ReturnKeepsOldCredit": returning_mdev,
    "IdleChargedAsService": returning_mdev,
    "CapBudgetBankedWhileIdle": cap_budget_banked_while_idle,
    "HighDecaysAfterLongRun": high_decays_after_long_run,
    "StarvationBoost": starvation_boost,
    "CapRaiseDeferred": cap_raise_deferred,
    "WeightLoweringDeferred": weight_back_to_100,
    "DemotionDeferred": demotion_deferred,
    "UncapIgnored": uncap_ignored,
    "WeightDefaultIgnored": weight_back_to_100,
    "NormalWriteIgnored": normal_write_ignored,
    "CapIgnoredOffNormal": cap_ignored_off_normal,
    "CapIgnoredWithWeight": cap_ignored_with_weight,
    "WeightsIgnoredBesideCap": weights_ignored_beside_cap,
    "LevelLostWithWeight": level_lost_with_weight,
    "PriorityAcrossParents": priority_across_parents,
    "NormalArrivalNotPreempting": normal_arrival_not_preempting,
    "CapStopsAtNul": lambda r: accepts(r, "cap", b"60\0x"),
    "WeightStopsAtNul": lambda r: accepts(r, "weight", b"200\0x"),
    "PriorityStopsAtNul": lambda r: accepts(r, "priority", b"urgent\0x"),
    "FixedCapLostOnKnobWrite": fixed_cap_lost_on_knob_write,
    "SchedStateOutlivesBusyMdev": sched_state_outlives_busy_mdev,
    "CountersOutliveBusyMdev": counters_outlive_busy_mdev,
}

def assert_breaks_what_the_reference_keeps(entry: MutantInfo, check: Callable[[Rig], bool]) -> None:
    """The check holds on the reference and fails on the mutant (each catalogue's test)."""
    assert not check(Rig(QosDriver)), "the reference fails the check: it proves nothing"
    assert check(Rig(load_driver_class(entry.spec))), f"{entry.name} does not break {entry.breaks}"


# the blind catalogues have their own mechanism tests (test_blind*_mechanisms.py)
BLIND_AREAS = ("vendor.blind", "vendor.blind2")
# a mutant that must conform (expect = "conform") breaks nothing: the meta-test shows it
VENDOR = [e for e in catalogue() if e.area.startswith("vendor.") and e.area not in BLIND_AREAS
          and e.expect != "conform"]


def test_every_vendor_mutant_has_a_check() -> None:
    assert sorted(CHECKS) == sorted(e.name for e in VENDOR)
    assert len(VENDOR) >= 30


@pytest.mark.parametrize("entry", VENDOR, ids=[e.name for e in VENDOR])
def test_mutant_breaks_what_the_reference_keeps(entry: MutantInfo) -> None:
    assert_breaks_what_the_reference_keeps(entry, CHECKS[entry.name])
