"""Parse the reStructuredText spec into a docutils document, strictly.

Any docutils message of level WARNING (2) or above is an error of the spec: the
parse collects them all and raises :class:`SpecError` listing each one.
"""

from __future__ import annotations

import io
from pathlib import Path

from docutils import nodes
from docutils.core import publish_doctree

from conformance.resources import spec_dir
from conformance.specbuild.directive import (
    is_requirement,
    is_requirement_reference,
    register,
    title_section_refs,
)

INDEX = "index.rst"


class SpecError(Exception):
    """The spec source is invalid (docutils warnings, bad requirement directives)."""


def settings(warnings: io.StringIO) -> dict[str, object]:
    """docutils settings for a strict, reproducible build that ignores local config files."""
    return {
        "_disable_config": True,
        "input_encoding": "utf-8",
        "output_encoding": "utf-8",
        "report_level": 2,
        "halt_level": 5,
        "warning_stream": warnings,
        "file_insertion_enabled": True,
        "raw_enabled": False,
        "embed_stylesheet": True,
        "syntax_highlight": "none",
    }


def raise_on_warnings(warnings: io.StringIO, what: str) -> None:
    """Raise :class:`SpecError` when docutils reported anything while doing ``what``."""
    text = warnings.getvalue().strip()
    if text:
        raise SpecError(f"{what} failed: docutils reported warnings (the build is strict):\n{text}")


def parse_spec(directory: Path | None = None) -> nodes.document:
    """Parse ``index.rst`` (and the files it includes) of the spec directory."""
    register()
    root = Path(directory) if directory is not None else spec_dir()
    index = root / INDEX
    if not index.is_file():
        raise SpecError(f"no {INDEX} in {root}")
    warnings = io.StringIO()
    document = publish_doctree(
        source=index.read_text(encoding="utf-8"),
        source_path=str(index),
        settings_overrides=settings(warnings),
    )
    raise_on_warnings(warnings, f"parsing {index}")
    check_references(document)
    title_section_refs(document)
    return document


def check_references(document: nodes.document) -> None:
    """Every ``:req:`` link must name a requirement the spec defines."""
    known = {node["reqid"] for node in document.findall(is_requirement)}
    unknown = sorted(
        {ref["refid"] for ref in document.findall(is_requirement_reference)} - known
    )
    if unknown:
        raise SpecError(f"the spec links to unknown requirements: {', '.join(unknown)}")
