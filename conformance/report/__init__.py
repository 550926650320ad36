"""Report writers: report.json (the record), junit.xml, results.ktap, report.html."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conformance.report.directory import REPORT_FILES
from conformance.report.document import (
    DEFAULT_SPEC_URL,
    RunFacts,
    build_report,
    validate_report,
    write_json,
)
from conformance.report.html import write_html
from conformance.report.junit import write_junit
from conformance.report.ktap import write_ktap

FILES = REPORT_FILES


def write_reports(report: dict[str, Any], directory: Path) -> list[Path]:
    """Write every format into ``directory`` (created if needed); return the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = [directory / name for name in FILES]
    write_json(report, paths[0])
    write_junit(report, paths[1])
    write_ktap(report, paths[2])
    write_html(report, paths[3])
    return paths


__all__ = [
    "DEFAULT_SPEC_URL",
    "FILES",
    "RunFacts",
    "build_report",
    "validate_report",
    "write_reports",
]
