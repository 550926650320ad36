"""The informative annex on real schedulers, from the committed models run.

``spec/models-run.json`` is what ``mdev-qos models --run --json`` wrote (a test
checks that a fresh run still gives it); each model's class says why it fails
what it fails and the smallest change that would make it conform. The build
reads both and never runs the suite, so it stays fast and deterministic.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from docutils import nodes

from conformance.results import FEATURES
from conformance.specbuild.source import SpecError

RUN_FILE = "models-run.json"


def load_run(spec_root: Path) -> dict[str, Any]:
    """The committed run; SpecError when it is missing or not JSON."""
    path = spec_root / RUN_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]
    except (OSError, json.JSONDecodeError) as exc:
        raise SpecError(f"{path}: {exc}") from exc


def _text(text: str) -> nodes.Text:
    return nodes.Text(text)


def _req(reqid: str) -> nodes.reference:
    return nodes.reference(reqid, reqid, refid=reqid, classes=["requirement-ref"])


KNOB_FEATURES = ("cap", "weight", "priority")
"""The features a knob offers (the others are stated by the sharing semantic)."""


def _reqs(ids: list[str] | tuple[str, ...]) -> list[nodes.Node]:
    out: list[nodes.Node] = []
    for i, reqid in enumerate(ids):
        if i:
            out.append(_text(", "))
        out.append(_req(reqid))
    return out


def summary_table(run: dict[str, Any]) -> nodes.table:
    """Model × claim, as ``mdev-qos models --run`` prints it."""
    headers = ["model", *FEATURES, "failing MUST requirements"]
    table = nodes.table(classes=["traceability", "models-run"])
    group = nodes.tgroup(cols=len(headers))
    table += group
    for width in (18, *[8] * len(FEATURES), 42):
        group += nodes.colspec(colwidth=width)
    head = nodes.thead()
    head += nodes.row("", *[nodes.entry("", nodes.paragraph("", h)) for h in headers])
    group += head
    body = nodes.tbody()
    for model in run["models"]:
        row = nodes.row()
        row += nodes.entry("", nodes.paragraph("", model["name"]))
        for feature in FEATURES:
            status = model["claims"][feature]["status"].replace("-", " ")
            row += nodes.entry("", nodes.paragraph("", status))
        failing = nodes.paragraph()
        failing.extend(_reqs(model["failing"]) or [_text("none")])
        row += nodes.entry("", failing)
        body += row
    group += body
    return table


def _no_kernel() -> tuple[Any, Any]:
    """What a model's constructor needs to answer ``type_offer`` (no kernel, no engine)."""
    from conformance.mock.topology import Topology

    return Topology.default(), None


def model_paragraph(model: dict[str, Any]) -> nodes.paragraph:
    """One model: what it is, its verdict, why it fails what it fails, the remedy."""
    from conformance.models import find_model

    entry = find_model(model["name"])
    if entry is None:
        raise SpecError(f"{RUN_FILE}: unknown model {model['name']!r}")
    cls = entry.load()
    para = nodes.paragraph(classes=["model-finding"])
    para["ids"].append(f"model-{model['name']}")
    para += nodes.strong("", cls.title)
    sources = "; ".join(f"{s.where} ({s.version})" for s in cls.sources)
    para += _text(f" [{model['name']}, after {sources}]: {model['verdict']}. ")
    explained: set[str] = set()
    for ids, why in cls.findings:
        failing = [i for i in ids if i in model["failing"]]
        if not failing:
            continue
        explained.update(failing)
        para += _text("Fails ")
        para.extend(_reqs(failing))
        para += _text(f": {why} ")
    missing = sorted(set(model["failing"]) - explained)
    if missing:
        raise SpecError(f"model {model['name']} fails {', '.join(missing)} and its class "
                        "does not say why (findings)")
    offer = cls(*_no_kernel()).type_offer("full", 8)
    writable = [] if offer is None else [k for k in offer.knobs if k not in offer.fixed]
    if not model["failing"]:
        para += _text("It fails no MUST requirement. ")
    para += _text(f"Writable knobs: {', '.join(writable) or 'none'}. ")
    sharing = None if offer is None else offer.sharing
    para += _text(f"Sharing: {sharing or 'none stated'}. ")
    phantom = [f for f in KNOB_FEATURES
               if f not in writable and model["claims"][f]["status"] == "holds"]
    if phantom:
        para += _text(f"(The run reports the {' and '.join(phantom)} claim as holds although "
                      "the knob is not writable: a scenario shared with a base requirement "
                      "passed with default values.) ")
    if model["warnings"]:
        para += _text("SHOULD requirements it fails (warnings): ")
        para.extend(_reqs(model["warnings"]))
        para += _text(". ")
    para += nodes.emphasis("", "Smallest change: ")
    para += _text(cls.remedy)
    return para


def models_annex(spec_root: Path) -> nodes.Element:
    """The generated part of the annex: the table, then one paragraph per model."""
    run = load_run(spec_root)
    box = nodes.container(classes=["models-annex"])
    box += nodes.paragraph(
        "", f"Profile {run['profile']}, embedded mock, {run['clock']} time, specification "
        f"{run['spec_version']}; {len(run['models'])} models.")
    box += summary_table(run)
    for model in run["models"]:
        box += model_paragraph(model)
    return box
