"""Inline SVG bar charts of expected against measured shares (no script needed)."""

from __future__ import annotations

from html import escape
from typing import Any

ROW_H = 26
LABEL_W = 190
BAR_W = 360
PAD = 8


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _band(expected: float, tolerance: Any, accepted: Any = None) -> tuple[float, float] | None:
    """The accepted interval, or None.

    ``accepted`` (open ends run to the chart's edge), else ``tolerance`` as
    ``[lo, hi]`` or as expected ± a number.
    """
    if isinstance(accepted, (list, tuple)) and len(accepted) == 2:
        low, high = _number(accepted[0]), _number(accepted[1])
        return (low if low is not None else -1e9, high if high is not None else 1e9)
    if isinstance(tolerance, (list, tuple)) and len(tolerance) == 2:
        low, high = _number(tolerance[0]), _number(tolerance[1])
        if low is not None and high is not None:
            return low, high
    width = _number(tolerance)
    if width is not None:
        return expected - width, expected + width
    return None


def share_rows(evidence: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Evidence items that can be charted: unit ``share`` with numeric values."""
    rows = []
    for item in evidence:
        expected, actual = _number(item.get("expected")), _number(item.get("actual"))
        if item.get("unit") == "share" and expected is not None and actual is not None:
            rows.append({**item, "expected": expected, "actual": actual})
    return rows


def share_chart(evidence: list[dict[str, Any]], title: str = "") -> str:
    """An SVG with one row per share: measured bar, expected mark, tolerance band."""
    rows = share_rows(evidence)
    if not rows:
        return ""
    scale: float = max(1.0, *(r["actual"] for r in rows), *(r["expected"] for r in rows))
    height = PAD * 2 + ROW_H * len(rows) + 18
    width = LABEL_W + BAR_W + 90

    def x(value: float) -> float:
        return LABEL_W + max(0.0, min(value, scale)) / scale * BAR_W

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(title or "shares")}">',
        f"<title>{escape(title or 'expected and measured shares')}</title>",
    ]
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        tx = x(tick * scale)
        parts.append(
            f'<line x1="{tx:.1f}" y1="{PAD}" x2="{tx:.1f}" y2="{height - 18}" class="grid"/>'
            f'<text x="{tx:.1f}" y="{height - 4}" class="tick">{tick * scale:.2f}</text>'
        )
    for index, row in enumerate(rows):
        top = PAD + index * ROW_H
        ok = row.get("ok")
        kind = "bad" if ok is False else "good"
        band = _band(row["expected"], row.get("tolerance"), row.get("accepted"))
        label = escape(str(row["name"]))[:40]
        parts.append(f'<text x="{LABEL_W - 6}" y="{top + 17}" class="label">{label}</text>')
        if band is not None:
            lo, hi = x(band[0]), x(band[1])
            parts.append(
                f'<rect x="{lo:.1f}" y="{top + 2}" width="{max(hi - lo, 1):.1f}" '
                f'height="{ROW_H - 4}" class="band"/>'
            )
        parts.append(
            f'<rect x="{LABEL_W}" y="{top + 7}" width="{x(row["actual"]) - LABEL_W:.1f}" '
            f'height="{ROW_H - 14}" class="bar {kind}"/>'
        )
        ex = x(row["expected"])
        parts.append(
            f'<line x1="{ex:.1f}" y1="{top + 2}" x2="{ex:.1f}" y2="{top + ROW_H - 2}" '
            'class="expected"/>'
        )
        parts.append(
            f'<text x="{LABEL_W + BAR_W + 6}" y="{top + 17}" class="value">'
            f"{row['actual']:.3f} / {row['expected']:.3f}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


CHECK_W = 420
CHECK_H = 46
CHARTED_UNITS = ("share", "ratio")


def failed_checks(evidence: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Failed share and ratio checks with numbers to draw."""
    rows = []
    for item in evidence:
        expected, actual = _number(item.get("expected")), _number(item.get("actual"))
        if (item.get("unit") in CHARTED_UNITS and item.get("ok") is False
                and expected is not None and actual is not None):
            rows.append({**item, "expected": expected, "actual": actual})
    return rows


def check_chart(item: dict[str, Any]) -> str:
    """One failed check, zoomed to its band: the band, the ideal and the measured value.

    A share of 0.0001 with a band 0.001 wide is invisible on a 0..1 axis; here the
    axis spans the band, the ideal and the measurement with a margin either side.
    """
    expected, actual = float(item["expected"]), float(item["actual"])
    band = _band(expected, item.get("tolerance"), item.get("accepted"))
    points = [expected, actual]
    if band is not None:
        points += [v for v in band if abs(v) < 1e8]
    low, high = min(points), max(points)
    margin = max((high - low) * 0.15, abs(expected) * 0.01, 1e-9)
    low, high = low - margin, high + margin

    def x(value: float) -> float:
        value = max(low, min(value, high))
        return PAD + (value - low) / (high - low) * (CHECK_W - 2 * PAD)

    name = escape(str(item.get("name", "")))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{CHECK_W}" '
        f'height="{CHECK_H}" role="img" aria-label="{name}: measured, band and ideal">',
        f"<title>{name}: measured {actual:.6g}, ideal {expected:.6g}</title>",
    ]
    if band is not None:
        lo, hi = x(band[0]), x(band[1])
        parts.append(f'<rect x="{lo:.1f}" y="4" width="{max(hi - lo, 1):.1f}" height="22" '
                     'class="band"/>')
        for edge, anchor in ((band[0], lo), (band[1], hi)):
            if abs(edge) < 1e8:
                parts.append(f'<text x="{anchor:.1f}" y="40" class="tick">{edge:.4g}</text>')
    ex, ax = x(expected), x(actual)
    parts.append(f'<line x1="{ex:.1f}" y1="2" x2="{ex:.1f}" y2="28" class="expected"/>')
    parts.append(f'<circle cx="{ax:.1f}" cy="15" r="5" class="bar bad"/>')
    parts.append(f'<text x="{ax:.1f}" y="40" class="tick">{actual:.4g}</text>')
    parts.append("</svg>")
    return "".join(parts)
