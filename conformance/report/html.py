"""report.html: the report for people. Summary first, then what failed, then the rest."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from typing import Any

from conformance.report.charts import check_chart, failed_checks, share_chart, share_rows
from conformance.report.document import context_properties

STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:2em auto;max-width:68em;color:#222;padding:0 1em}
h1{margin-bottom:.2em} .verdict{font-size:1.6em;font-weight:bold;padding:.3em .6em;
border-radius:.3em;display:inline-block} .conformant{background:#d9f2d9}
.non-conformant{background:#f8d4d4} .error{background:#fbe8c0}
table{border-collapse:collapse;width:100%;margin:.6em 0}
th,td{border-bottom:1px solid #ddd;padding:.25em .5em;text-align:left;vertical-align:top}
.st{font-weight:bold;text-transform:uppercase;font-size:.85em}
.st-pass,.c-holds{color:#1a7f1a} .st-fail,.c-fails{color:#b00020}
.st-error,.c-error{color:#a05a00} .st-skip,.c-incomplete,.c-not-offered{color:#666}
code{font-size:.9em} .muted{color:#666} details{margin:.3em 0}
svg.chart .grid{stroke:#eee} svg.chart .tick{font-size:10px;fill:#888;text-anchor:middle}
svg.chart .label{font-size:12px;text-anchor:end} svg.chart .value{font-size:11px;fill:#444}
svg.chart .band{fill:#cfe3ff} svg.chart .bar.good{fill:#3a7d44} svg.chart .bar.bad{fill:#c0392b}
svg.chart .expected{stroke:#000;stroke-width:2} figure{margin:.4em 0}
figcaption{font-size:.85em}
"""


def _status(status: str) -> str:
    return f'<span class="st st-{escape(status)}">{escape(status)}</span>'


def _value(value: Any) -> str:
    return escape(json.dumps(value, default=str))


def _evidence_table(evidence: list[dict[str, Any]]) -> str:
    if not evidence:
        return ""
    rows = "".join(
        f"<tr><td>{escape(str(e['name']))}</td><td><code>{_value(e['expected'])}</code></td>"
        f"<td><code>{_value(e['actual'])}</code></td>"
        f"<td><code>{_value(e.get('tolerance'))}</code></td>"
        f"<td class=muted>{escape(str(e.get('scenario', '')))}</td></tr>"
        for e in evidence
    )
    return (
        "<table><tr><th>observed</th><th>expected</th><th>actual</th><th>tolerance</th>"
        f"<th>scenario</th></tr>{rows}</table>"
    )


def _charts(evidence: list[dict[str, Any]]) -> str:
    """One share chart per scenario, captioned with the scenario."""
    by_scenario: dict[str, list[dict[str, Any]]] = {}
    for item in share_rows(evidence):
        by_scenario.setdefault(str(item.get("scenario", "")), []).append(item)
    return "".join(
        f"<figure>{share_chart(rows, scenario)}<figcaption class=muted>{escape(scenario)}"
        "</figcaption></figure>"
        for scenario, rows in by_scenario.items()
    )


def _failed_check_charts(evidence: list[dict[str, Any]]) -> str:
    """Each failed share or ratio check on its own axis: band, ideal (line), measured (dot)."""
    return "".join(
        f"<figure>{check_chart(item)}<figcaption class=muted>{escape(str(item['name']))}: "
        f"measured {item['actual']:.6g}, ideal {item['expected']:.6g}, band "
        f"{escape(str(item.get('accepted') or item.get('tolerance')))}</figcaption></figure>"
        for item in failed_checks(evidence)
    )


def _requirement_block(req: dict[str, Any]) -> str:
    link = f'<a href="{escape(req["url"])}">{escape(req["id"])}</a>'
    scenarios = "".join(f"<li>{escape(s)}</li>" for s in req["scenarios"])
    why = f"<p><b>Why:</b> {escape(req['reason'])}</p>" if req["status"] != "pass" else ""
    return (
        f'<section id="{escape(req["id"])}"><h3>{link} {_status(req["status"])} '
        f'<span class="muted">{escape(req["level"])} · {escape(req["feature"])}</span></h3>'
        f"<p>{escape(req['text'])}</p>{why}"
        f"{_charts(req['evidence'])}{_failed_check_charts(req['evidence'])}"
        f"{_evidence_table(req['evidence'])}"
        f"<details><summary>scenarios</summary><ul>{scenarios}</ul></details></section>"
    )


def _summary(report: dict[str, Any]) -> str:
    target = report["target"]
    claims = "".join(
        f"<tr><td>{escape(f)}</td><td class='c-{escape(c['status'])}'><b>"
        f"{escape(c['status'])}</b></td><td>{escape(', '.join(c['blocking'][:8]))}"
        f"{' …' if len(c['blocking']) > 8 else ''}</td></tr>"
        for f, c in report["claims"].items()
    )
    counts = report["summary"]["requirements"]
    count_text = ", ".join(f"{n} {s}" for s, n in counts.items())
    scen = report["summary"]["scenarios"]
    scen_text = ", ".join(f"{n} {s}" for s, n in scen.items())
    return (
        f'<p><span class="verdict {escape(report["verdict"])}">{escape(report["verdict"])}</span>'
        f" &nbsp;{escape(report['reason'])}</p>"
        f"<p>Target: <b>{escape(target['description'])}</b>, parent "
        f"<code>{escape(target['parent'])}</code>, type <code>{escape(target['type'])}</code>, "
        f"workload <code>{escape(target['workload'])}</code>; profile "
        f"<b>{escape(report['profile'])}</b>; precision "
        f"<b>{escape(report['precision']['name'])}</b>; {report['timing']['duration_s']} s "
        f"(device-time limit {report['timing']['device_time_limit_s']} s), "
        f"started {escape(report['timing']['started'])}.</p>"
        f"<p class='precision'><b>{escape(report['precision']['statement'])}</b></p>"
        "<p class='context'>Claim context: "
        + "; ".join(f"{escape(k)} <code>{escape(v)}</code>" for k, v in context_properties(report))
        + ".</p>"
        f"<p>Requirements: {count_text}. Scenarios: {scen_text}.</p>"
        "<h2>Claims per feature</h2><table><tr><th>feature</th><th>claim</th>"
        f"<th>decided by</th></tr>{claims}</table>"
    )


def render_html(report: dict[str, Any]) -> str:
    """The whole page as a string."""
    reqs = report["requirements"]
    failing = [r for r in reqs if r["status"] == "fail" and r["level"] == "MUST"]
    warnings = [r for r in reqs if r["status"] == "fail" and r["level"] != "MUST"]
    errored = [r for r in reqs if r["status"] == "error"]
    charted = [r for r in reqs if r["status"] == "pass" and share_rows(r["evidence"])]
    body = [f"<h1>mdev-qos conformance report</h1>{_summary(report)}"]
    for title, items in (
        ("Failing MUST requirements", failing),
        ("Warnings (SHOULD/MAY requirements not met)", warnings),
        ("Could not be checked (error)", errored),
    ):
        if items:
            body.append(f"<h2>{title} ({len(items)})</h2>")
            body.extend(_requirement_block(r) for r in items)
    if report["errors"]:
        listed = "".join(f"<li><pre>{escape(e)}</pre></li>" for e in report["errors"])
        body.append(f"<h2>Suite and environment errors</h2><ul>{listed}</ul>")
    cleanup = report["cleanup"]
    if cleanup["repaired_before"] or cleanup["left_behind"]:
        body.append(
            "<h2>Cleanup</h2><p>Repaired from an interrupted earlier run:</p><ul>"
            + "".join(f"<li>{escape(x)}</li>" for x in cleanup["repaired_before"])
            + "</ul><p>Left behind (see the journal):</p><ul>"
            + "".join(f"<li>{escape(x)}</li>" for x in cleanup["left_behind"])
            + "</ul>"
        )
    if charted:
        body.append("<h2>Measured shares (passing requirements)</h2>")
        body.extend(_requirement_block(r) for r in charted)
    rows = "".join(
        f"<tr><td><a href='{escape(r['url'])}'>{escape(r['id'])}</a></td>"
        f"<td>{escape(r['level'])}</td><td>{escape(r['feature'])}</td><td>{_status(r['status'])}"
        f"</td><td>{escape(r['reason'] if r['status'] != 'pass' else '')}</td></tr>"
        for r in reqs
    )
    body.append(
        "<h2>Every requirement</h2><table><tr><th>ID</th><th>level</th><th>feature</th>"
        f"<th>status</th><th>reason</th></tr>{rows}</table>"
    )
    body.append(
        f"<p class=muted>mdev-qos {escape(report['suite']['version'])}, spec "
        f"{escape(report['spec']['version'])} · machine-readable: report.json, junit.xml, "
        "results.ktap</p>"
    )
    return (
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
        f"<title>mdev-qos: {escape(report['verdict'])}</title><style>{STYLE}</style></head>"
        f"<body>{''.join(body)}</body></html>\n"
    )


def write_html(report: dict[str, Any], path: Path) -> None:
    """Write ``report.html``."""
    path.write_text(render_html(report), encoding="utf-8")
