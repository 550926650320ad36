"""Each mutant of the blind catalogue (``mqos_mutants.vendor.blind``) really breaks
its requirement, in virtual time on the mock, where the reference keeps it.

Same method as ``test_vendor_mechanisms.py``: the situation a mutant is written
for, driven through the mock's own files, with the tolerances of
spec/measurement.rst (quick window, q = 1 ms). A few seconds of virtual time each.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from mqos_mutants import MutantInfo, catalogue
from test_vendor_mechanisms import (
    DELTA,
    Q,
    Rig,
    W,
    assert_breaks_what_the_reference_keeps,
    dispatch_too_long,
    off,
)

T = 4 * Q + 2  # the absolute tolerance of one usage delta (s = 0)


def renormalise_on_create_only(r: Rig) -> bool:
    a, b = r.busy(2)
    r.until(40_000)
    r.remove(b)
    r.until(42_000)
    return off(r.shares([a]), [1.0])


def weight_write_recounts_idle(r: Rig) -> bool:
    a, b = r.busy(2)
    r.create()  # an idle peer that never runs
    r.until(40_000)
    r.write(a, "weight", "300")
    r.until(42_000)
    return off(r.shares([a, b]), [0.75, 0.25])


def weight_ratio_beyond_four(r: Rig) -> bool:
    a, b = r.busy(2)
    r.write(a, "weight", "1000")
    r.until(2_000)
    return off(r.shares([a, b]), [10 / 11, 1 / 11])


def cap_that_does_not_bind(r: Rig) -> bool:
    (a,) = r.busy(1, cap="60")
    b, c = r.busy(2)
    r.until(2_000)
    return off(r.shares([a, b, c]), [1 / 3] * 3)


def weight_above_1023(r: Rig) -> bool:
    a, b = r.busy(2)
    r.write(a, "weight", "1100")
    r.until(2_000)
    return off(r.shares([a, b]), [11 / 12, 1 / 12])


def weight_300_to_100(r: Rig) -> bool:
    a, b = r.busy(2)
    r.write(a, "weight", "300")
    r.until(2_000)
    return off(r.shares([a, b]), [0.75, 0.25])


def equal_after_long_run(r: Rig) -> bool:  # the wrap, about 0.42 s of device time each
    a, b = r.busy(2)
    r.until(1_000_000)  # each has run about 0.5 s
    return any(off(r.shares([a, b]), [0.5, 0.5]) for _ in range(5))


def two_caps_on_one_parent(r: Rig) -> bool:
    (a,) = r.busy(1, cap="20")
    (b,) = r.busy(1, cap="60")
    r.until(2_000)
    return off(r.shares([a, b]), [0.2, 0.6])


def cap_31(r: Rig) -> bool:
    (a,) = r.busy(1, cap="31")
    r.until(2_000)
    return r.shares([a])[0] > 0.31 + DELTA


def cap_written_while_idle_after_run(r: Rig) -> bool:
    (a,) = r.busy(1)
    r.until(40_000)
    r.load(a, "idle")
    r.write(a, "cap", "20")
    r.until(50_000)
    r.load(a, "backlog")
    return r.shares([a])[0] > 0.2 + DELTA


def low_cap_read_back(r: Rig) -> bool:
    a = r.create()
    r.write(a, "cap", "5")
    shown = r.value(a, "cap")  # what a tool reads right after its write
    r.load(a, "backlog")
    r.until(2_000)
    return r.shares([a])[0] > shown / 100 + DELTA


def weight_then_cap(r: Rig) -> bool:
    a, b = r.busy(2)
    r.write(a, "weight", "300")
    r.write(a, "cap", "20")
    r.until(2_000)
    return off(r.shares([a, b]), [0.2, 0.8])


def urgent_over_standard_for_a_second(r: Rig) -> bool:
    (a,) = r.busy(1, priority="urgent")
    (b,) = r.busy(1)
    r.until(940_000)
    return any(off(r.shares([a, b]), [1.0, 0.0]) for _ in range(3))


def urgent_goes_idle(r: Rig) -> bool:
    (a,) = r.busy(1, priority="urgent")
    (b,) = r.busy(1)
    r.until(40_000)
    r.load(a, "idle")
    r.until(42_000)
    return off(r.shares([b]), [1.0])


def urgent_arrival_among_four(r: Rig) -> bool:
    r.busy(4, priority="background")
    u = r.create()
    r.write(u, "priority", "urgent")
    for arrival in (10_500, 20_500, 31_200, 42_700):
        r.until(arrival)
        r.load(u, "backlog")
        started = r.k.engine.now()
        slices = r.value(u, "nr_slices")
        r.k.engine.advance(Q + Q // 4)  # the bound: q + λ, λ = q/4 in virtual time
        if r.value(u, "nr_slices") == slices:
            return True
        r.load(u, "idle")
        assert r.k.engine.now() >= started
    return False


def promoted_while_idle(r: Rig) -> bool:
    (a,) = r.busy(1, priority="background")
    r.until(10_000)
    r.load(a, "idle")
    r.write(a, "priority", "urgent")
    (b,) = r.busy(1)
    r.load(a, "backlog")
    r.until(12_000)
    return off(r.shares([a, b]), [1.0, 0.0])


def standard_over_background(r: Rig) -> bool:
    (a,) = r.busy(1)
    (b,) = r.busy(1, priority="background")
    r.until(2_000)
    return off(r.shares([a, b]), [1.0, 0.0])


def throttled_after_uncap(r: Rig) -> bool:
    (a,) = r.busy(1, cap="20")
    r.busy(1)
    r.until(40_000)
    r.write(a, "cap", "100")
    r.until(42_000)
    (throttled,) = r.delta([a], "throttled_us")
    return throttled > T


def throttled_cap_not_binding(r: Rig) -> bool:
    """QOS-ACC-008: Δthrottled ≤ (100/cap − 1)(Δusage + T) + T, a share of 1/3 under 80."""
    (a,) = r.busy(1, cap="80")
    r.busy(2)
    r.until(2_000)
    before = [r.value(a, name) for name in ("throttled_us", "usage_us")]
    r.until(2_000 + W)
    throttled, usage = (r.value(a, name) - b
                        for name, b in zip(("throttled_us", "usage_us"), before, strict=True))
    return throttled > (100 - 80) * (usage + T) // 80 + T


def throttled_across_cap_write(r: Rig) -> bool:
    (a,) = r.busy(1, cap="20")
    r.until(W)
    before = r.value(a, "throttled_us")
    r.write(a, "cap", "30")
    return r.value(a, "throttled_us") < before


def six_busy(r: Rig) -> bool:
    uuids = r.busy(6)
    r.until(2_000)
    return dispatch_too_long(r, uuids)


CHECKS: dict[str, Callable[[Rig], bool]] = {
    "RenormaliseOnCreateOnly": renormalise_on_create_only,
    "WeightWriteRecountsIdle": weight_write_recounts_idle,
    "WeightRatioClampedAt4": weight_ratio_beyond_four,
    "CapEmulatedByWeight": cap_that_does_not_bind,
    "WeightInTenBits": weight_above_1023,
    "WeightPowerOfTwo": weight_300_to_100,
    "VruntimeIn32Bits": equal_after_long_run,
    "OneCapRegisterPerParent": two_caps_on_one_parent,
    "CapInTenthsRoundedUp": cap_31,
    "CapPushedOnlyToActiveEntry": cap_written_while_idle_after_run,
    "CapShownBeforeFirmwareAck": low_cap_read_back,
    "MailboxDropsSecondKnob": weight_then_cap,
    "UrgentRtThrottled": urgent_over_standard_for_a_second,
    "UrgentHoldsDeviceUntilTimeout": urgent_goes_idle,
    "PriorityResortedPerRound": urgent_arrival_among_four,
    "PriorityInDescriptorAtDispatch": promoted_while_idle,
    "BackgroundMergedWithStandard": standard_over_background,
    "StaleThrottleFlagAfterUncap": throttled_after_uncap,
    "ThrottledWhileCapNotBinding": throttled_cap_not_binding,
    "ThrottledStatsFreedOnCapChange": throttled_across_cap_write,
    "SliceDoublesBeyondFour": six_busy,
}

BLIND = [e for e in catalogue() if e.area == "vendor.blind"]


def test_every_blind_mutant_has_a_check() -> None:
    assert sorted(CHECKS) == sorted(e.name for e in BLIND)
    assert len(BLIND) >= 20


@pytest.mark.parametrize("entry", BLIND, ids=[e.name for e in BLIND])
def test_blind_mutant_breaks_what_the_reference_keeps(entry: MutantInfo) -> None:
    assert_breaks_what_the_reference_keeps(entry, CHECKS[entry.name])
