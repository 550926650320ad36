"""junit.xml: one testcase per scenario, the requirement IDs as properties.

CI systems read JUnit; pytest-bdd's cucumber JSON is not used because it reports
a skipped step as passed.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from conformance.report.document import context_properties


def junit_tree(report: dict[str, Any]) -> ET.ElementTree:
    """Build the JUnit document from a report document."""
    scenarios = report["scenarios"]
    counts = report["summary"]["scenarios"]
    suites = ET.Element("testsuites", name="mdev-qos")
    suite = ET.SubElement(
        suites,
        "testsuite",
        name=f"mdev-qos {report['profile']} ({report['target']['description']})",
        tests=str(len(scenarios)),
        failures=str(counts["fail"]),
        errors=str(counts["error"]),
        skipped=str(counts["skip"]),
        time=f"{report['timing']['duration_s']:.3f}",
        timestamp=report["timing"]["started"],
    )
    props = ET.SubElement(suite, "properties")
    for name, value in (
        ("verdict", report["verdict"]),
        ("suite_version", report["suite"]["version"]),
        ("spec_version", report["spec"]["version"]),
        ("precision", report["precision"]["name"]),
        ("certification", str(report["precision"]["certification"]).lower()),
        ("precision_statement", report["precision"]["statement"]),
        ("device_time_limit_s", report["timing"]["device_time_limit_s"]),
        *context_properties(report),
        *((f"claim.{f}", c["status"]) for f, c in report["claims"].items()),
    ):
        ET.SubElement(props, "property", name=name, value=str(value))
    for scenario in scenarios:
        _testcase(suite, scenario, report["spec"]["url"])
    ET.indent(suites)
    return ET.ElementTree(suites)


def _testcase(suite: ET.Element, scenario: dict[str, Any], spec_url: str) -> None:
    name = scenario["name"] + (f" [{scenario['example']}]" if scenario.get("example") else "")
    case = ET.SubElement(
        suite,
        "testcase",
        classname=scenario["feature"],
        name=name,
        file=scenario["location"].rsplit(":", 1)[0],
        time=f"{scenario['duration_s']:.3f}",
    )
    props = ET.SubElement(case, "properties")
    for reqid in scenario["requirements"]:
        ET.SubElement(props, "property", name="requirement", value=reqid)
        ET.SubElement(props, "property", name="spec", value=f"{spec_url.split('#')[0]}#{reqid}")
    status, reason = scenario["status"], scenario["reason"]
    if status == "fail":
        node = ET.SubElement(case, "failure", message=reason, type="driver")
        node.text = _evidence_text(scenario)
    elif status == "error":
        node = ET.SubElement(case, "error", message=reason, type="environment")
        node.text = _evidence_text(scenario)
    elif status == "skip":
        ET.SubElement(case, "skipped", message=f"{reason} ({scenario.get('skip_kind', '')})")
    if scenario["evidence"] and status == "pass":
        ET.SubElement(case, "system-out").text = _evidence_text(scenario)


def _evidence_text(scenario: dict[str, Any]) -> str:
    lines = [f"{scenario['location']}: {scenario['reason']}"]
    for item in scenario["evidence"]:
        extra = f" tolerance={json.dumps(item['tolerance'])}" if "tolerance" in item else ""
        lines.append(
            f"{item['name']}: expected={json.dumps(item['expected'], default=str)} "
            f"actual={json.dumps(item['actual'], default=str)}{extra}"
        )
    return "\n".join(lines)


def write_junit(report: dict[str, Any], path: Path) -> None:
    """Write ``junit.xml``."""
    junit_tree(report).write(path, encoding="utf-8", xml_declaration=True)
