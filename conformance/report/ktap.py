"""results.ktap: KTAP version 1, one test per requirement (kernel CI reads this).

``ok N QOS-CAP-004`` for pass, ``not ok N QOS-CAP-004`` for fail,
``ok N QOS-... # SKIP reason`` for skip, ``not ok N QOS-... # ERROR reason`` for an
error. Expected/actual evidence precedes the result as diagnostic lines.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def _clean(text: str) -> str:
    """One line, without the ``#`` that would start a directive."""
    return " ".join(text.replace("#", "no.").split())


def ktap_lines(report: dict[str, Any]) -> list[str]:
    """The report as KTAP lines: one test per requirement."""
    requirements = report["requirements"]
    lines = [
        "KTAP version 1",
        f"# mdev-qos {report['suite']['version']} spec {report['spec']['version']}",
        f"# target: {_clean(report['target']['description'])}; profile {report['profile']}",
        f"# precision {report['precision']['name']}: {_clean(report['precision']['statement'])}",
        f"1..{len(requirements)}",
    ]
    for number, req in enumerate(requirements, start=1):
        status, reason = req["status"], _clean(req["reason"])
        if status in ("fail", "error"):
            lines.append(f"# {req['id']} ({req['level']}): {reason}")
            for item in req["evidence"]:
                expected = json.dumps(item["expected"], default=str)
                actual = json.dumps(item["actual"], default=str)
                lines.append(f"# {_clean(item['name'])}: expected {expected}, actual {actual}")
        if status == "pass":
            lines.append(f"ok {number} {req['id']}")
        elif status == "skip":
            lines.append(f"ok {number} {req['id']} # SKIP {reason}")
        elif status == "fail":
            lines.append(f"not ok {number} {req['id']}")
        else:
            lines.append(f"not ok {number} {req['id']} # ERROR {reason}")
    lines.append(f"# verdict: {report['verdict']} ({_clean(report['reason'])})")
    return lines


def write_ktap(report: dict[str, Any], path: Path) -> None:
    """Write ``results.ktap``."""
    path.write_text("\n".join(ktap_lines(report)) + "\n", encoding="utf-8")
