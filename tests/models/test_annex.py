"""The spec's annex on real schedulers: generated from the committed run, honest."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conformance.models import MODELS, find_model
from conformance.resources import spec_dir
from conformance.specbuild.html import build
from conformance.specbuild.source import SpecError


def committed() -> dict:
    return json.loads((spec_dir() / "models-run.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", [m.name for m in MODELS])
def test_every_failure_is_explained_and_no_explanation_is_stale(name: str) -> None:
    (model,) = [m for m in committed()["models"] if m["name"] == name]
    entry = find_model(name)
    assert entry is not None
    cls = entry.load()
    explained = {reqid for ids, _ in cls.findings for reqid in ids}
    assert explained == set(model["failing"])
    assert cls.remedy, f"{name}: no smallest change stated"
    assert cls.sources, f"{name}: no upstream source cited"


def test_the_built_spec_holds_one_paragraph_per_model(tmp_path: Path) -> None:
    build(tmp_path)
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert 'id="annex-models"' in page
    for model in committed()["models"]:
        start = page.index(f'id="model-{model["name"]}"')
        paragraph = page[start:page.index("</p>", start)]
        assert model["verdict"] in paragraph
        for reqid in model["failing"]:
            assert f'href="#{reqid}"' in paragraph


def _spec_copy(tmp_path: Path, run: dict) -> Path:
    spec = tmp_path / "spec"
    shutil.copytree(spec_dir(), spec)
    (spec / "models-run.json").write_text(json.dumps(run), encoding="utf-8")
    return spec


def test_an_unexplained_failure_fails_the_build(tmp_path: Path) -> None:
    run = committed()
    run["models"][0]["failing"].append("QOS-FMT-001")
    with pytest.raises(SpecError, match="does not say why"):
        build(tmp_path / "out", _spec_copy(tmp_path, run))


def test_an_unknown_model_fails_the_build(tmp_path: Path) -> None:
    run = committed()
    run["models"][0]["name"] = "no-such-model"
    with pytest.raises(SpecError, match="unknown model"):
        build(tmp_path / "out", _spec_copy(tmp_path, run))


def test_the_rationale_describes_gvtg_as_its_code_does() -> None:
    # gvt_balance_timeslice() divides among every vGPU on lru_runq_head, busy or idle
    # (test_traces.py::test_gvtg_counts_a_started_idle_vgpu); the spec used to say
    # GVT-g counted only vGPUs whose guest had started submitting work.
    rationale = " ".join((spec_dir() / "rationale.rst").read_text(encoding="utf-8").split())
    assert "counts only vGPUs whose guest has started submitting work" not in rationale
    assert "gvt_balance_timeslice()" in rationale and "busy or idle" in rationale
