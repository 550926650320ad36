"""Each model's verdict and failing MUST requirements, pinned.

A change of the suite (a tolerance, a new scenario) that flips one of these is
noticed here: re-run ``mdev-qos models --run --json spec/models-run.json``, check
the new result against the model's upstream behaviour, update the pins and the
annex's explanations (each model's ``findings``), and say why in the commit.
"""

from __future__ import annotations

import json

import pytest

from conformance.cli.models_runner import run_models, validate
from conformance.models import MODELS
from conformance.resources import spec_dir

PINNED: dict[str, tuple[str, set[str]]] = {
    "gvt-g": ("non-conformant", {"QOS-SCH-005"}),
    "xe-sriov": ("non-conformant",
                 {"QOS-LIFE-002", "QOS-LIFE-004", "QOS-PRI-002", "QOS-PRI-006", "QOS-SCH-003"}),
    "amd-gim": ("conformant", set()),
    "xen-credit2": ("non-conformant", {"QOS-LIFE-002", "QOS-LIFE-004", "QOS-WGT-001"}),
    "cfs-bandwidth": ("conformant", set()),
    "nvidia-best-effort": ("conformant", set()),
    "nvidia-equal-share": ("conformant", set()),
    "nvidia-fixed-share": ("conformant", set()),
}


def committed() -> dict:
    return json.loads((spec_dir() / "models-run.json").read_text(encoding="utf-8"))


def pins_of(document: dict) -> dict[str, tuple[str, set[str]]]:
    return {m["name"]: (m["verdict"], set(m["failing"])) for m in document["models"]}


def test_every_model_is_pinned() -> None:
    assert sorted(PINNED) == sorted(m.name for m in MODELS)


def test_the_committed_run_is_the_pinned_one() -> None:
    document = committed()
    validate(document)
    assert pins_of(document) == PINNED
    assert [m["name"] for m in document["models"]] == [m.name for m in MODELS]


@pytest.mark.slow
def test_a_fresh_run_is_the_committed_one() -> None:
    fresh = run_models(list(MODELS), jobs=2)
    assert pins_of(fresh) == PINNED
    assert fresh == committed()
