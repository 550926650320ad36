"""Scheduling domains in the mock: parents that share an engine, a parent with two."""

from __future__ import annotations

from pathlib import Path

import pytest
from mockbench import Bench

from conformance.mock import MockKernel, Topology, TopologyError

TOPOLOGIES = Path(__file__).resolve().parents[1] / "mutants" / "topologies"


def bench_on(name: str) -> Bench:
    return Bench(MockKernel(topology=TOPOLOGIES / f"{name}.json"))


def test_default_domain_is_the_parent() -> None:
    bench = Bench(MockKernel())
    uuid = bench.create("mqos1")
    assert bench.read(uuid, "domain") == b"mqos1\n"
    assert Topology.default().domains() == {
        "mqos0": [("mqos0", "full"), ("mqos0", "fixed"), ("mqos0", "plain")],
        "mqos1": [("mqos1", "full"), ("mqos1", "fixed"), ("mqos1", "plain")],
    }


def test_parents_that_share_a_domain_share_its_engine() -> None:
    bench = bench_on("shared-engine")
    a, b, c = bench.create("mqos0"), bench.create("mqos1"), bench.create("mqos2")
    assert [bench.read(u, "domain") for u in (a, b, c)] == [b"mqos-pf0\n"] * 2 + [b"mqos2\n"]
    for uuid in (a, b, c):
        bench.load(uuid, "backlog")
    bench.k.advance(2000)
    shares = bench.shares([a, b, c])
    assert shares[0] == pytest.approx(0.5, abs=0.02)
    assert shares[1] == pytest.approx(0.5, abs=0.02)
    assert shares[2] == pytest.approx(1.0, abs=0.001)


def test_a_parent_with_two_engines_has_two_domains() -> None:
    bench = bench_on("two-engines")
    render, video = bench.create("mqos0", "mqos-full"), bench.create("mqos0", "mqos-video")
    fixed = bench.create("mqos0", "mqos-fixed")
    assert bench.read(render, "domain") == b"mqos0.render\n"
    assert bench.read(video, "domain") == b"mqos0.video\n"
    for uuid in (render, video):
        bench.load(uuid, "backlog")
    bench.k.advance(2000)
    assert bench.shares([render, video]) == [pytest.approx(1.0, abs=0.001)] * 2
    bench.load(fixed, "backlog")  # the fixed type (cap 50) shares the render engine
    bench.k.advance(2000)
    shares = bench.shares([render, video, fixed])
    assert shares == [pytest.approx(0.5, abs=0.02), pytest.approx(1.0, abs=0.001),
                      pytest.approx(0.5, abs=0.02)]


def test_parents_sharing_a_domain_share_one_timeslice() -> None:
    data = {
        "types": [{"name": "t", "qos": {}}],
        "parents": [{"name": "p", "types": ["t"], "domain": "d", "timeslice_us": 1000},
                    {"name": "q", "types": ["t"], "domain": "d", "timeslice_us": 2000}],
    }
    with pytest.raises(TopologyError, match="share domain d but not their timeslice_us"):
        Topology.from_dict(data)


def test_type_domains_name_only_the_parents_types() -> None:
    data = {"types": [{"name": "t"}],
            "parents": [{"name": "p", "types": ["t"], "type_domains": {"u": "d"}}]}
    with pytest.raises(TopologyError, match="unknown types"):
        Topology.from_dict(data)
