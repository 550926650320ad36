"""The report as one JSON document (report.json); the other formats are views of it."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema

from conformance import SPEC_VERSION, __version__, defaults
from conformance.resources import schema_path
from conformance.results import RequirementResult, ScenarioResult, Verdict

FORMAT = "mdev-qos-report/1"
DEFAULT_SPEC_URL = defaults.SPEC_URL
STATUSES = ("pass", "fail", "skip", "error")
QUOTE_LIMIT = 1000  # characters of any one string the reports quote (a value, a reason)


def bounded(value: Any, limit: int = QUOTE_LIMIT) -> Any:
    """``value`` with every string in it cut to ``limit`` characters, saying how much was cut.

    A driver (or a recorded tree) controls what the suite reads and then quotes;
    this keeps each report small whatever it returns.
    """
    if isinstance(value, str):
        if len(value) <= limit:
            return value
        return f"{value[:limit]}… [{len(value) - limit} more characters not shown]"
    if isinstance(value, dict):
        return {key: bounded(item, limit) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [bounded(item, limit) for item in value]
    return value


@dataclass
class RunFacts:
    """What the report needs besides the verdict."""

    target: dict[str, Any]
    profile: str
    started: float
    finished: float
    scenarios: list[ScenarioResult]
    spec_url: str = DEFAULT_SPEC_URL
    repaired_before: list[str] = field(default_factory=list)
    left_behind: list[str] = field(default_factory=list)
    precision: str = defaults.PRECISION
    device_time_us: int = 0  # settling and windows the scenarios asked for
    context: dict[str, Any] = field(default_factory=dict)  # conformance.suite.claim
    random: dict[str, Any] | None = None  # the random campaigns (conformance.stateful)


NOT_CERTIFIED = ("quick precision: this is not a certification; "
                 "run with --precision certify for a conformance claim")


def precision_section(name: str) -> dict[str, Any]:
    """What the run's precision claims, as the report states it."""
    from conformance.oracle.tolerance import PRECISIONS

    precision = PRECISIONS[name]
    statement = precision.summary if precision.certifies else NOT_CERTIFIED
    return {"name": name, "certification": precision.certifies,
            "share_tolerance_target": precision.delta_target, "statement": statement}


def context_properties(report: dict[str, Any]) -> list[tuple[str, str]]:
    """The report's ``context`` as (name, value) pairs for the HTML and JUnit views."""
    context = report.get("context", {})
    driver = context.get("driver", {})
    windows = context.get("window_us")
    slices = context.get("timeslice_us", [])
    sharing = context.get("sharing", [])
    return [
        ("driver", driver.get("name") or "unknown"),
        ("driver_version", driver.get("version") or "unknown"),
        ("kernel", context.get("kernel") or "unknown"),
        ("sharing", ", ".join(sharing) if sharing else "not read"),
        ("timeslice_us", ", ".join(str(q) for q in slices) if slices else "not read"),
        ("cap_period_us", ", ".join(str(p) for p in context.get("cap_period_us", []))
         or "none stated"),
        ("window_us", (f"{windows['min']}..{windows['max']} ({windows['count']} windows)"
                       if windows else "no window measured")),
    ]


def requirement_url(spec_url: str, reqid: str) -> str:
    """Link to a requirement in the HTML spec, whose anchors are requirement IDs."""
    return f"{spec_url.split('#', 1)[0]}#{reqid}"


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).isoformat(timespec="seconds")


def _counts(statuses: list[str]) -> dict[str, int]:
    counted = Counter(statuses)
    return {status: counted.get(status, 0) for status in STATUSES}


def _requirement(result: RequirementResult, spec_url: str) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": result.id,
        "level": result.level,
        "feature": result.feature,
        "condition": result.condition,
        "text": result.text,
        "status": result.status,
        "reason": result.reason or ("" if result.status == "pass" else result.status),
        "scenarios": [s.title for s in result.scenarios],
        "evidence": result.evidence(),
        "url": requirement_url(spec_url, result.id),
    }
    if result.status == "skip":
        doc["skip_kind"] = result.skip_kind or "unsupported"
    return doc


def build_report(verdict: Verdict, facts: RunFacts) -> dict[str, Any]:
    """The report document; it validates against spec/schema/report.schema.json."""
    precision = precision_section(facts.precision)
    document = {
        "format": FORMAT,
        "verdict": verdict.verdict,
        "exit_status": verdict.exit_status,
        "reason": verdict.reason,
        "suite": {"name": "mdev-qos", "version": __version__},
        "spec": {"version": SPEC_VERSION, "url": facts.spec_url},
        "target": facts.target,
        "profile": facts.profile,
        "precision": precision,
        "context": {
            "driver": {"name": None, "version": None}, "kernel": None,
            "sharing": [], "timeslice_us": [], "window_us": None, **facts.context,
        },
        "timing": {
            "started": _iso(facts.started),
            "finished": _iso(facts.finished),
            "duration_s": round(max(0.0, facts.finished - facts.started), 3),
            "device_time_limit_s": round(facts.device_time_us / 1e6, 6),
        },
        "summary": {
            "requirements": _counts([r.status for r in verdict.requirements]),
            "scenarios": _counts([s.status for s in facts.scenarios]),
        },
        "claims": {
            c.feature: {"status": c.status, "blocking": c.blocking, "checked": c.checked,
                        "certification": precision["certification"]}
            for c in verdict.claims
        },
        "requirements": [_requirement(r, facts.spec_url) for r in verdict.requirements],
        "scenarios": [s.to_json() for s in facts.scenarios],
        "warnings": [
            {"id": r.id, "level": r.level, "reason": r.reason or "failed"} for r in verdict.warnings
        ],
        "errors": verdict.errors,
        "cleanup": {"repaired_before": facts.repaired_before, "left_behind": facts.left_behind},
        "random": facts.random,
    }
    quoted: dict[str, Any] = bounded(document)  # the same document, strings cut
    return quoted


def validate_report(document: dict[str, Any]) -> None:
    """Raise jsonschema.ValidationError when the document breaks the report schema."""
    report_validator().validate(document)


@lru_cache(maxsize=1)
def report_validator() -> jsonschema.Draft202012Validator:
    """A validator of the report schema with its ``$defs`` written in place.

    jsonschema resolves each ``$ref`` it meets through its registry, for every
    scenario, requirement and piece of evidence: a third of the validation's CPU.
    A reference that is the whole subschema means the definition itself, so each
    is replaced by its definition (a definition that refers to itself keeps its
    reference); the schema accepts and rejects exactly what it did.
    """
    schema = json.loads(schema_path("report").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(
        inline_definitions(schema),
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )


def inline_definitions(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with every ``{"$ref": "#/$defs/NAME"}`` replaced by that definition."""
    definitions = schema.get("$defs", {})
    prefix = "#/$defs/"

    def inline(node: Any, within: tuple[str, ...]) -> Any:
        if isinstance(node, list):
            return [inline(item, within) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if len(node) == 1 and isinstance(ref, str) and ref.startswith(prefix):
            name = ref[len(prefix):]
            if name in definitions and name not in within:
                return inline(definitions[name], (*within, name))
        return {key: inline(value, within) for key, value in node.items()}

    inlined: dict[str, Any] = inline(schema, ())
    return inlined


def write_json(document: dict[str, Any], path: Path) -> None:
    """Write ``report.json``."""
    path.write_text(json.dumps(document, indent=2, default=str) + "\n", encoding="utf-8")
