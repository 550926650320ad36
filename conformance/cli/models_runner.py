"""Run the suite against models, the way a vendor runs it against a driver.

Each model is one ``mdev-qos run --mock-driver module:Class --profile full``
(the embedded mock, virtual time), called through ``conformance.cli.main`` in a
child forked from this process once the suite is imported (imports and the
requirement catalogue cost about a second per run, the same every time); its
``report.json`` gives the verdict, the claims and the failing requirements. The
result is a document validated by ``spec/schema/models-run.schema.json``; it
holds nothing that changes from one run to the next (no times, no UUIDs), so a
committed copy can be compared with a fresh run.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from conformance import SPEC_VERSION
from conformance.cli.forked import fork_each, preload, run_cli
from conformance.models.registry import ModelEntry
from conformance.resources import schema_path
from conformance.results import FEATURES

FORMAT = "mdev-qos-models/1"
SPEC_URL = "https://mdev-qos.example/spec/"  # the reports are thrown away: no spec build


def run_models(entries: list[ModelEntry], jobs: int = 1,
               progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Run the suite against each model, ``jobs`` at a time; the models document."""
    preload()
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="mdev-qos-models-") as tmp:

        def child(entry: ModelEntry) -> NoReturn:
            report_dir = Path(tmp) / entry.name
            run_cli(run_argv(entry, report_dir), log_path(report_dir), "mdev-qos models")

        def finished(entry: ModelEntry, status: int, seconds: float) -> None:
            result = read_result(entry, Path(tmp) / entry.name, status)
            results[entry.name] = result
            if progress is not None:
                progress(f"{entry.name}: {result['verdict']} ({seconds:.1f} s)")

        fork_each(entries, jobs, child, finished)
    return {"format": FORMAT, "spec_version": SPEC_VERSION, "profile": "full",
            "clock": "virtual", "models": [results[e.name] for e in entries]}


RANDOM_SEED = 1  # the fresh seed of the random sequences: the annex is reproducible


def run_argv(entry: ModelEntry, report_dir: Path) -> list[str]:
    """``mdev-qos run`` as a vendor would type it for this model."""
    return ["run", "--mock-driver", entry.driver, "--profile", "full",
            "--report-dir", str(report_dir), "--spec-url", SPEC_URL, "-q",
            "--seed", str(RANDOM_SEED)]


def log_path(report_dir: Path) -> Path:
    """Where a run's output goes: next to its report directory, which the run creates."""
    return report_dir.with_name(report_dir.name + ".log")


def read_result(entry: ModelEntry, report_dir: Path, status: int) -> dict[str, Any]:
    """The result entry of one finished run."""
    base = {"name": entry.name, "driver": entry.driver}
    report_file = report_dir / "report.json"
    if not report_file.is_file():
        log = log_path(report_dir)
        lines = log.read_text(errors="replace").strip().splitlines() if log.is_file() else []
        return {**base, **_broken(f"exit {status}, no report: {(lines or ['no output'])[-1]}")}
    report = json.loads(report_file.read_text(encoding="utf-8"))
    return {**base, **summarize(report)}


def _broken(reason: str) -> dict[str, Any]:
    return {"verdict": "error", "reason": reason,
            "claims": {f: {"status": "error", "failing": []} for f in FEATURES},
            "failing": [], "warnings": []}


def summarize(report: dict[str, Any]) -> dict[str, Any]:
    """Verdict, per-feature claim with its failing MUST requirements, SHOULD warnings."""
    failing_by_feature: dict[str, list[str]] = {f: [] for f in FEATURES}
    failing = []
    for req in report["requirements"]:
        if req["level"] == "MUST" and req["status"] == "fail":
            failing.append(req["id"])
            failing_by_feature.setdefault(req["feature"], []).append(req["id"])
    claims = {}
    for feature in FEATURES:
        claim = report["claims"].get(feature, {"status": "not-offered"})
        own = failing_by_feature.get(feature, [])
        blocking = own if feature == "base" else failing_by_feature["base"] + own
        claims[feature] = {"status": claim["status"], "failing": sorted(blocking)}
    return {
        "verdict": report["verdict"],
        "reason": report["reason"],
        "claims": claims,
        "failing": sorted(failing),
        "warnings": sorted({w["id"] for w in report.get("warnings", [])}),
    }


def validate(document: dict[str, Any]) -> None:
    """Raise ``jsonschema.ValidationError`` unless the document fits its schema."""
    import jsonschema

    schema = json.loads(schema_path("models-run").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(document)


def table(document: dict[str, Any]) -> str:
    """The model × claim table, with the failing MUST requirements of each model."""
    header = ["model", *FEATURES, "failing MUST requirements"]
    rows = [header]
    for model in document["models"]:
        claims = [model["claims"][f]["status"].replace("-", " ") for f in FEATURES]
        failing = " ".join(model["failing"]) or "none"
        if model["verdict"] == "error":
            failing = f"error: {model['reason']}"
        rows.append([model["name"], *claims, failing])
    widths = [max(len(row[i]) for row in rows) for i in range(len(header) - 1)]
    lines = []
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    return "\n".join(lines)
