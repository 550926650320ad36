"""Random operation sequences keep the accounting invariants of the spec."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mockbench import COUNTERS, Bench

from conformance.mock import MockKernel
from conformance.mock.noise import Noise

LOADS = ["idle", "backlog", "periodic 300 1000", "periodic 50 7000", "periodic 2500 3000"]
KNOBS = {"cap": ["5", "30", "77", "100"], "weight": ["1", "100", "2500", "10000"],
         "priority": ["background", "standard", "urgent"]}

operation = st.one_of(
    st.tuples(st.just("load"), st.integers(0, 5), st.sampled_from(LOADS)),
    st.tuples(st.just("knob"), st.integers(0, 5),
              st.sampled_from([(k, v) for k, vs in KNOBS.items() for v in vs])),
    st.tuples(st.just("advance"), st.integers(1, 7000), st.none()),
    st.tuples(st.just("recreate"), st.integers(0, 5), st.none()),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=st.lists(operation, min_size=5, max_size=40), noisy=st.booleans())
def test_accounting_invariants(ops, noisy: bool) -> None:
    noise = Noise.within_spec(seed=len(ops)) if noisy else None
    bench = Bench(MockKernel(noise=noise))
    uuids = [bench.create("mqos0") for _ in range(4)] + [bench.create("mqos1") for _ in range(2)]
    previous = bench.counters(uuids)
    loads = dict.fromkeys(uuids, "idle")
    for kind, index, arg in ops:
        u = uuids[index] if kind != "advance" else ""
        if kind == "load":
            bench.load(u, arg)
            loads[u] = arg
        elif kind == "knob":
            bench.write(u, arg[0], arg[1])
        elif kind == "recreate":
            bench.k.vfs_write(f"/sys/bus/mdev/devices/{u}/remove", b"1")
            parent = "mqos0" if index < 4 else "mqos1"
            bench.k.vfs_write(
                f"/sys/class/mdev_bus/{parent}/mdev_supported_types/mqos-full/create", u.encode())
            assert all(bench.value(u, c) == 0 for c in COUNTERS)
            previous[u] = dict.fromkeys(COUNTERS, 0)
            loads[u] = "idle"
            continue
        else:
            bench.k.advance(index)
        now = bench.counters(uuids)
        for uuid in uuids:
            before, after = previous[uuid], now[uuid]
            assert all(after[c] >= before[c] for c in COUNTERS), (uuid, before, after)
            assert after["throttled_us"] <= after["wait_us"]
            assert after["usage_us"] <= after["nr_slices"] * 1100 + 1000
            busy = sum(after[c] - before[c] for c in ("usage_us", "wait_us"))
            if kind == "advance" and loads[uuid] == "backlog" and not noisy:
                assert busy == index
            if loads[uuid] == "idle" and kind != "load" and not noisy:
                assert after == before
        for parent in (uuids[:4], uuids[4:]):
            spent = sum(now[u]["usage_us"] - previous[u]["usage_us"] for u in parent)
            assert spent <= (index if kind == "advance" else 0) + 1100
        previous = now
