"""Each mutant of the second blind catalogue (``mqos_mutants.vendor.blind2``) really
breaks its requirement, in virtual time on the mock, where the reference keeps it.

Same method as ``test_blind_mechanisms.py``: the situation a mutant is written
for, driven through the mock's own files, with the tolerances of
spec/measurement.rst (quick window, q = 1 ms; the certifying window where a
mistake shows only in a longer window). A few seconds of virtual time each.
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
    decreases,
    off,
)

T = 4 * Q + 2  # the absolute tolerance of one usage delta (s = 0)
W_CERTIFY = 100 * T  # the certifying window (δ = 0.01)
S = 2 * Q  # settling after a change of load


def grows_while_idle(r: Rig, uuid: str, counter: str) -> bool:
    """After settling, an idle mdev's ``counter`` grows over a window (ACC-003)."""
    r.until(r.k.engine.now() + S)
    (grown,) = r.delta([uuid], counter)
    return grown > 0


def went_idle(r: Rig, counter: str, **knobs: str) -> bool:
    """One mdev (with ``knobs``) runs alone for 40 ms, then idles."""
    (a,) = r.busy(1, **knobs)
    r.until(40_000)
    r.load(a, "idle")
    return grows_while_idle(r, a, counter)


def capped_and_idle(r: Rig) -> bool:
    a = r.create()
    r.write(a, "cap", "50")
    return grows_while_idle(r, a, "throttled_us")


def jiffies_three(r: Rig) -> bool:
    uuids = r.busy(3)
    r.until(S)
    return any(off(r.shares(uuids), [1 / 3] * 3) for _ in range(3))


def counters_after_slot_reuse(r: Rig) -> bool:
    (a,) = r.busy(1)
    r.until(40_000)
    r.remove(a)
    b = r.create()
    return any(r.value(b, name) for name in ("usage_us", "wait_us", "nr_slices"))


def wait_across_promotion(r: Rig) -> bool:
    a, _ = r.busy(2)
    r.until(40_000)
    before = r.value(a, "wait_us")
    r.write(a, "priority", "urgent")
    return r.value(a, "wait_us") < before


def capped_usage_plus_wait(r: Rig) -> bool:
    (a,) = r.busy(1, cap="20")
    r.until(S)
    usage = r.value(a, "usage_us") + r.value(a, "wait_us")
    r.k.engine.advance(W)
    grown = r.value(a, "usage_us") + r.value(a, "wait_us") - usage
    return abs(grown - W) > T


def slices_in_certify_window(r: Rig) -> bool:
    (a,) = r.busy(1)
    r.until(S)
    before = r.value(a, "usage_us"), r.value(a, "nr_slices")
    r.k.engine.advance(W_CERTIFY)
    usage = r.value(a, "usage_us") - before[0]
    slices = r.value(a, "nr_slices") - before[1]
    return usage > slices * Q * 1.1 + T


def throttled_for_five_seconds(r: Rig) -> bool:
    (a,) = r.busy(1, cap="10")
    return decreases(r, a, "throttled_us", 5_500_000)


def short_jobs_under_urgent(r: Rig) -> bool:
    r.busy(1, priority="urgent")
    b = r.create()
    r.load(b, "periodic 3000 20000")
    r.until(S)
    return r.shares([b])[0] > DELTA


def capped_urgent_over_background(r: Rig) -> bool:
    (a,) = r.busy(1, priority="urgent", cap="30")
    (b,) = r.busy(1, priority="background")
    r.until(S)
    return off(r.shares([a, b]), [0.3, 0.7])


def urgent_arrivals(r: Rig) -> bool:
    r.busy(2, priority="background")
    u = r.create()
    r.write(u, "priority", "urgent")
    for arrival in (10_500, 20_700, 31_200, 42_900):
        r.until(arrival)
        r.load(u, "backlog")
        slices = r.value(u, "nr_slices")
        r.k.engine.advance(Q + Q // 4)  # the bound: q + λ, λ = q/4 in virtual time
        if r.value(u, "nr_slices") == slices:
            return True
        r.load(u, "idle")
    return False


def capped_beside_peer_and_background(r: Rig) -> bool:
    (a,) = r.busy(1, cap="20")
    (b,) = r.busy(1)
    (c,) = r.busy(1, priority="background")
    r.until(S)
    return off(r.shares([a, b, c]), [0.2, 0.8, 0.0])


def two_types(r: Rig) -> bool:
    a, b = r.busy(2)
    c = r.create(type_id="mqos-fixed")  # cap fixed at 50: it does not bind at 1/3
    r.load(c, "backlog")
    r.until(S)
    return off(r.shares([a, b, c]), [1 / 3] * 3)


def weight_written_beside_other_parent(r: Rig) -> bool:
    a, b = r.busy(2)
    r.busy(1, parent="mqos1")
    r.until(40_000)
    r.write(a, "weight", "300")
    r.until(40_000 + S)
    return off(r.shares([a, b]), [0.75, 0.25])


def joins_after_a_run(r: Rig) -> bool:
    (a,) = r.busy(1)
    r.until(40_000)
    (b,) = r.busy(1)
    r.until(40_000 + S)
    return off(r.shares([a, b]), [0.5, 0.5])


def weight_raised_live(r: Rig) -> bool:
    a, b = r.busy(2)
    r.until(40_000)
    r.write(a, "weight", "300")
    tolerance = (T + Q) / W  # the live-change tolerance
    return off(r.shares([a, b]), [0.75, 0.25], tolerance)


def weight_after_earlier_removed(r: Rig) -> bool:
    a, b, c = r.busy(3)
    r.until(20_000)
    r.remove(a)
    r.write(b, "weight", "300")
    r.until(20_000 + S)
    return off(r.shares([b, c]), [0.75, 0.25])


def returns_after_idling(r: Rig) -> bool:
    a, b, c = r.busy(3)
    r.load(c, "idle")
    r.until(500_000)
    r.load(c, "backlog")
    r.until(500_000 + S)
    return off(r.shares([a, b, c]), [1 / 3] * 3)


def cap_1_raised(r: Rig) -> bool:
    (a,) = r.busy(1, cap="1")
    r.until(40_000)
    r.write(a, "cap", "100")
    return r.shares([a])[0] < 1 - (T + Q) / W


CHECKS: dict[str, Callable[[Rig], bool]] = {
    "ChargedUntilSwitchedOut": lambda r: went_idle(r, "usage_us"),
    "IdleByWatchdogChargesWait": lambda r: went_idle(r, "wait_us"),
    "ThrottledFromElapsedWhileCapped": capped_and_idle,
    "UsageInJiffies": jiffies_three,
    "StatsSlotNotClearedOnReuse": counters_after_slot_reuse,
    "StatsResetOnLevelMove": wait_across_promotion,
    "WaitExcludesThrottled": capped_usage_plus_wait,
    "SlicesFoldedFromEightBitRegister": slices_in_certify_window,
    "ThrottledNsIn32Bits": throttled_for_five_seconds,
    "WakeupBoost": short_jobs_under_urgent,
    "LeftoverStopsOneLevelDown": capped_urgent_over_background,
    "DoorbellPolledEvery4ms": urgent_arrivals,
    "CapLeftoverToLevelBelow": capped_beside_peer_and_background,
    "RunListPerType": two_types,
    "GlobalWeightTotalOnWrite": weight_written_beside_other_parent,
    "FractionFixedAtActivation": joins_after_a_run,
    "WeightWriteNotRenormalised": weight_raised_live,
    "WeightIndexStaleAfterCompaction": weight_after_earlier_removed,
    "IdleVgpuBanksAllocation": returns_after_idling,
    "CapReprogrammedAtDispatch": cap_1_raised,
}

BLIND2 = [e for e in catalogue() if e.area == "vendor.blind2"]


def test_every_blind2_mutant_has_a_check() -> None:
    assert sorted(CHECKS) == sorted(e.name for e in BLIND2)
    assert len(BLIND2) >= 15


@pytest.mark.parametrize("entry", BLIND2, ids=[e.name for e in BLIND2])
def test_blind2_mutant_breaks_what_the_reference_keeps(entry: MutantInfo) -> None:
    assert_breaks_what_the_reference_keeps(entry, CHECKS[entry.name])
