"""Topology files: schema, cross-field rules, what the mock builds from them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance.mock import MockKernel, Topology, TopologyError
from conformance.mock.topology import DEFAULT_TOPOLOGY

EXAMPLES = Path(__file__).resolve().parents[1] / "schema" / "examples" / "topology"


def test_default_topology_matches_its_example() -> None:
    example = json.loads((EXAMPLES / "good" / "default.json").read_text())
    assert Topology.from_dict(example) == Topology.default()
    assert Topology.from_dict(DEFAULT_TOPOLOGY) == Topology.default()


@pytest.mark.parametrize("path", sorted((EXAMPLES / "good").glob("*.json")), ids=lambda p: p.stem)
def test_good_examples_load(path: Path) -> None:
    kernel = MockKernel(topology=path)
    assert kernel.vfs_listdir("/sys/class/mdev_bus")


@pytest.mark.parametrize("path", sorted((EXAMPLES / "bad").glob("*.json")), ids=lambda p: p.stem)
def test_bad_examples_are_refused(path: Path) -> None:
    with pytest.raises(TopologyError, match=path.name):
        Topology.from_file(path)


@pytest.mark.parametrize("data, message", [
    ({"types": [{"name": "t"}], "parents": [{"name": "p", "types": ["u"]}]}, "unknown types"),
    ({"types": [{"name": "t", "qos": {"knobs": ["weight"], "fixed": {"cap": 5}}}],
      "parents": [{"name": "p", "types": ["t"]}]}, "not offered"),
    ({"types": [{"name": "t", "qos": {"levels": ["standard", "urgent"],
                                      "fixed": {"priority": "background"}}}],
      "parents": [{"name": "p", "types": ["t"]}]}, "not a level"),
    ({"types": [{"name": "t"}, {"name": "t"}], "parents": [{"name": "p", "types": ["t"]}]},
     "duplicate type"),
    ({"types": [{"name": "t"}], "parents": [{"name": "p", "types": ["t"]},
                                            {"name": "p", "types": ["t"]}]}, "duplicate parent"),
])
def test_cross_field_rules(data: dict, message: str) -> None:
    with pytest.raises(TopologyError, match=message):
        Topology.from_dict(data)


def test_unreadable_file(tmp_path: Path) -> None:
    broken = tmp_path / "t.json"
    broken.write_text("{")
    with pytest.raises(TopologyError, match="t.json"):
        Topology.from_file(broken)
    with pytest.raises(TopologyError):
        Topology.from_file(tmp_path / "missing.json")


def test_vendor_topology_is_presented() -> None:
    kernel = MockKernel(topology=EXAMPLES / "good" / "vendor-weight-only.json")
    types = "/sys/class/mdev_bus/gpu0/mdev_supported_types"
    assert kernel.vfs_listdir(types) == ["vgpu-small"]
    uuid = "11111111-2222-3333-4444-555555555555"
    kernel.vfs_write(f"{types}/vgpu-small/create", uuid.encode())
    qos = f"/sys/bus/mdev/devices/{uuid}/qos"
    assert kernel.vfs_listdir(qos) == ["domain", "nr_slices", "priority", "sharing",
                                       "timeslice_us", "usage_us", "wait_us", "weight"]
    assert kernel.vfs_read(f"{qos}/priority") == b"[standard] urgent\n"
    assert kernel.vfs_stat(f"{qos}/priority")[1] == 0o444
    assert kernel.vfs_read(f"{qos}/timeslice_us") == b"2000\n"
    assert kernel.vfs_read(f"/sys/kernel/debug/vgpu/{uuid}/load") == b"idle\n"
