"""Discovery of the embedded mock: offers, fixed values, live mdevs, the JSON document."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.discover.collect import discover
from conformance.discover.document import document
from conformance.discover.table import render
from conformance.oracle.formats import KNOBS
from conformance.sysfs.mock_target import MockTarget
from conformance.sysfs.target import FsTarget

from .conftest import FIXED, FULL, SHARE_CAP_MDEV, SHARE_CAP_OFFER, build_tree, validate

KNOB_SET = set(KNOBS)


def _type(found, parent: str, type_id: str):
    return next(t for p in found.parents if p.name == parent for t in p.types
                if t.type_id == type_id)


def test_every_parent_and_type_is_listed_with_its_offer(mock_target: MockTarget) -> None:
    found = discover(mock_target)
    assert found.mdev_bus and not found.problems
    assert [p.name for p in found.parents] == ["mqos0", "mqos1"]
    full = _type(found, "mqos0", "mqos-full").offer
    fixed = _type(found, "mqos1", "mqos-fixed").offer
    assert full is not None and fixed is not None
    # the knobs a type fixes (other files a later spec adds to an offer may show too)
    assert full.settable == ("cap", "weight", "priority") and not set(full.fixed) & KNOB_SET
    assert fixed.settable == ("weight", "priority")
    assert {k: v for k, v in fixed.fixed.items() if k in KNOB_SET} == {"cap": "50"}
    assert full.levels == ("background", "standard", "urgent")
    assert (full.domain, full.timeslice_us) == ("mqos0", 1000)
    assert _type(found, "mqos1", "mqos-plain").offer is None


def test_live_mdevs_show_their_knobs_and_counters(mock_target: MockTarget) -> None:
    found = discover(mock_target)
    (mdev,) = _type(found, "mqos0", "mqos-full").mdevs
    assert mdev.uuid == FULL
    assert mdev.knobs() == {"cap": "60", "weight": "300", "priority": "urgent"}
    assert set(mdev.counters()) == {"usage_us", "throttled_us", "wait_us", "nr_slices"}
    (fixed,) = _type(found, "mqos0", "mqos-fixed").mdevs
    assert fixed.uuid == FIXED and fixed.knobs()["cap"] == "50"
    assert fixed.qos is not None and not fixed.qos["cap"].writable
    assert fixed.qos["weight"].writable
    assert _type(found, "mqos1", "mqos-full").mdevs == []


def test_the_offer_lists_whatever_files_the_type_has(tmp_path: Path) -> None:
    """Files a later spec adds (sharing, cap_period_us) show, in the offer and the mdev."""
    build_tree(tmp_path, SHARE_CAP_OFFER, SHARE_CAP_MDEV)
    found = discover(FsTarget(str(tmp_path), writable=False))
    (parent,) = found.parents
    assert (parent.bus, parent.libvirt_name) == ("pci", "pci_0000_00_03_0")
    (kind,) = parent.types
    assert kind.offer is not None
    assert kind.offer.fixed == {"cap_period_us": "1000", "sharing": "work-conserving"}
    assert kind.offer.settable == ("cap", "weight")
    assert "cap_period_us" in kind.offer.files
    (mdev,) = kind.mdevs
    assert mdev.qos is not None and mdev.qos["sharing"].value == "work-conserving"
    assert mdev.knobs() == {"cap": "60", "weight": "100"}
    doc = document(found)
    validate(doc)
    assert doc["parents"][0]["types"][0]["offer"]["fixed"]["sharing"] == "work-conserving"
    assert "sharing=work-conserving" in render(found)


def test_the_document_validates_and_says_what_is_settable(mock_target: MockTarget) -> None:
    doc = document(discover(mock_target))
    validate(doc)
    types = {(p["name"], t["id"]): t for p in doc["parents"] for t in p["types"]}
    assert types[("mqos0", "mqos-full")]["offer"]["settable"] == {
        "cap": {"min": 1, "max": 100},
        "weight": {"min": 1, "max": 10000},
        "priority": {"levels": ["background", "standard", "urgent"]},
    }
    assert types[("mqos0", "mqos-fixed")]["offer"]["fixed"]["cap"] == "50"
    assert types[("mqos0", "mqos-plain")]["offer"] is None
    (mdev,) = types[("mqos0", "mqos-full")]["mdevs"]
    assert mdev["qos"]["cap"] == {"kind": "file", "mode": "0644", "value": "60"}


def test_filters_keep_only_the_named_parent_and_type(mock_target: MockTarget) -> None:
    found = discover(mock_target, "mqos1", "mqos-fixed")
    assert [(p.name, [t.type_id for t in p.types]) for p in found.parents] == [
        ("mqos1", ["mqos-fixed"])]


def test_the_table_shows_offers_and_mdevs(mock_target: MockTarget) -> None:
    text = render(discover(mock_target))
    assert "cap 1..100, weight 1..10000, priority background|standard|urgent" in text
    assert "cap=50" in text
    assert "no QoS offer" in text
    assert f"{FULL}  mqos0   mqos-full   cap=60 weight=300 priority=urgent" in text


@pytest.mark.parametrize("schema_breaker", ["mode", "uuid", "settable"])
def test_the_schema_rejects_a_broken_document(mock_target: MockTarget,
                                             schema_breaker: str) -> None:
    doc = document(discover(mock_target))
    full = doc["parents"][0]["types"][1]
    if schema_breaker == "mode":
        full["mdevs"][0]["qos"]["cap"]["mode"] = "644"
    elif schema_breaker == "uuid":
        full["mdevs"][0]["uuid"] = "not-a-uuid"
    else:
        full["offer"]["settable"]["usage_us"] = {"min": 0, "max": 1}
    with pytest.raises(AssertionError):
        validate(doc)


def test_a_type_without_an_offer_whose_mdevs_have_qos_is_told_apart(tmp_path: Path) -> None:
    root = build_tree(tmp_path, {}, SHARE_CAP_MDEV)
    qos = root / "sys/devices/pci0000:00/0000:00:03.0/mdev_supported_types/vnd-a/qos"
    qos.rmdir()
    text = render(discover(FsTarget(str(root), writable=False)))
    assert "no offer in the type directory; its mdevs have qos/" in text
