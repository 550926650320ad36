"""Report views: the SVG share chart, KTAP lines, and escaping."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from conformance.report.charts import check_chart, failed_checks, share_chart, share_rows
from conformance.report.document import precision_section
from conformance.report.html import render_html
from conformance.report.ktap import ktap_lines

SVG = "{http://www.w3.org/2000/svg}"


def shares() -> list[dict]:
    return [
        {
            "name": "share of A",
            "expected": 0.25,
            "actual": 0.24,
            "unit": "share",
            "accepted": [0.175, 0.3],
            "ok": True,
        },
        {
            "name": "share of <B>",
            "expected": 0.75,
            "actual": 0.5,
            "unit": "share",
            "tolerance": 0.05,
            "ok": False,
        },
        {"name": "usage", "expected": 10, "actual": 12, "unit": "us"},
        {"name": "label", "expected": "x", "actual": "y", "unit": "share"},
    ]


def test_only_numeric_shares_are_charted() -> None:
    assert [r["name"] for r in share_rows(shares())] == ["share of A", "share of <B>"]
    assert share_chart([{"name": "u", "expected": 1, "actual": 1, "unit": "us"}]) == ""


def test_the_chart_is_well_formed_svg_with_bars_marks_and_bands() -> None:
    svg = ET.fromstring(share_chart(shares(), "QOS-WGT-006"))
    rects = svg.findall(f"{SVG}rect")
    bars = [r for r in rects if "bar" in r.get("class", "")]
    bands = [r for r in rects if r.get("class") == "band"]
    assert [b.get("class") for b in bars] == ["bar good", "bar bad"]
    assert len(bands) == 2
    widths = [float(b.get("width")) for b in bars]
    assert widths[1] > widths[0]  # 0.5 measured against 0.24
    band_a = float(bands[0].get("width"))
    band_b = float(bands[1].get("width"))
    assert band_a > band_b  # accepted 0.125 wide against ±0.05
    labels = [t.text for t in svg.findall(f"{SVG}text") if t.get("class") == "label"]
    assert labels == ["share of A", "share of <B>"]  # escaped in the source, intact once parsed


def minimal_report(status: str, reason: str) -> dict:
    return {
        "verdict": "non-conformant" if status == "fail" else "conformant",
        "reason": reason,
        "suite": {"version": "0.1.0"},
        "spec": {"version": "1.0", "url": "spec/index.html"},
        "target": {"description": "tree at /x", "parent": "p", "type": "t", "workload": "mock"},
        "profile": "full",
        "precision": precision_section("quick"),
        "timing": {"started": "2026-11-25T14:00:00+00:00", "duration_s": 1.0,
                   "device_time_limit_s": 0.5},
        "summary": {
            "requirements": {"pass": 0, "fail": 1, "skip": 0, "error": 0},
            "scenarios": {"pass": 0, "fail": 1, "skip": 0, "error": 0},
        },
        "claims": {"base": {"status": "fails", "blocking": ["QOS-CAP-004"], "checked": 1}},
        "requirements": [
            {
                "id": "QOS-CAP-004",
                "level": "MUST",
                "feature": "cap",
                "condition": "",
                "text": "out of range <cap>",
                "status": status,
                "reason": reason,
                "scenarios": ["Cap: # one"],
                "evidence": shares()[:2],
                "url": "spec/index.html#QOS-CAP-004",
            },
        ],
        "warnings": [],
        "errors": [],
        "cleanup": {"repaired_before": [], "left_behind": []},
    }


def test_ktap_keeps_directives_unambiguous() -> None:
    lines = ktap_lines(minimal_report("fail", "wrote 101 # got 0\nthen"))
    assert lines[:4][0] == "KTAP version 1" and "1..1" in lines
    assert "not ok 1 QOS-CAP-004" in lines
    assert all(line.startswith(("#", "ok", "not ok", "KTAP", "1..")) for line in lines)
    assert not any("# got" in line for line in lines if line.startswith("not ok"))


def test_html_puts_the_verdict_first_escapes_and_needs_no_script() -> None:
    html = render_html(minimal_report("fail", "a <script> in a reason"))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert html.index("non-conformant") < html.index("QOS-CAP-004")
    assert 'href="spec/index.html#QOS-CAP-004"' in html
    # both shares come from one scenario: one chart, and the failed one zoomed on its own
    assert html.count("<svg") == 2


def test_every_format_states_the_precision() -> None:
    """A quick run says in every report that it is not a certification."""
    report = minimal_report("fail", "x")
    assert "not a certification" in render_html(report)
    assert any("precision quick" in line and "not a certification" in line
               for line in ktap_lines(report))
    certify = dict(report, precision=precision_section("certify"))
    assert "not a certification" not in render_html(certify)


def test_a_failed_tiny_share_is_drawn_on_its_own_axis() -> None:
    """1:10000 run as 1:500: on a 0..1 axis the band would be under a pixel wide."""
    item = {"name": "share of A", "expected": 0.0001, "actual": 0.002, "unit": "share",
            "accepted": [-0.0008, 0.001], "ok": False}
    assert failed_checks([item, {**item, "ok": True}]) == [item]
    root = ET.fromstring(check_chart(item))
    band = root.find(f"{SVG}rect")
    assert band is not None and float(band.get("width")) > 100
    dot = root.find(f"{SVG}circle")
    assert float(dot.get("cx")) > float(band.get("x")) + float(band.get("width"))
