"""Parse the reStructuredText spec into a docutils document, strictly.

Any docutils message of level WARNING (2) or above is an error of the spec: the
parse collects them all and raises :class:`SpecError` listing each one, with its
file and line. So are the few INFO (1) messages that mean the text did not become
what it says, e.g. a section title whose underline is so short that docutils keeps
it as a paragraph (the section, and with it a file of the ABI entry, would vanish).
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

from docutils import nodes
from docutils.core import publish_doctree

from conformance.resources import spec_dir
from conformance.specbuild.directive import (
    register,
    requirement_nodes,
    requirement_references,
    title_section_refs,
)

INDEX = "index.rst"
FATAL_INFO = (
    "Possible title underline, too short for the title.",
    "Possible incomplete section title.",
)
_MESSAGE = re.compile(r"^(?=\S.*?:[0-9]*: \((?:DEBUG|INFO|WARNING|ERROR|SEVERE)/[0-4]\) )", re.M)
_WHERE = re.compile(r"\A(\S.*?)(?=:[0-9]*: \()")
_LEVEL = re.compile(r"\((?:DEBUG|INFO|WARNING|ERROR|SEVERE)/([0-4])\) ")


class SpecError(Exception):
    """The spec source is invalid (docutils warnings, bad requirement directives)."""


def settings(warnings: io.StringIO, report_level: int = 2) -> dict[str, object]:
    """Docutils settings for a strict, reproducible build that ignores local config files.

    The parse reports from INFO (``report_level=1``) so that :func:`fatal_messages`
    sees the INFO messages that matter; writers keep 2 (INFO is not rendered).
    """
    return {
        "_disable_config": True,
        "input_encoding": "utf-8",
        "output_encoding": "utf-8",
        "report_level": report_level,
        "halt_level": 5,
        "warning_stream": warnings,
        "file_insertion_enabled": True,
        "raw_enabled": False,
        "embed_stylesheet": True,
        "syntax_highlight": "none",
    }


def fatal_messages(stream: str) -> list[str]:
    """The messages of a docutils warning stream that fail the build, as written."""
    fatal = []
    for message in _MESSAGE.split(stream):
        message = message.strip()
        level = _LEVEL.search(message)
        if not message or level is None:
            continue
        if int(level.group(1)) >= 2 or any(info in message for info in FATAL_INFO):
            fatal.append(message)
    return fatal


def _absolute(where: re.Match[str]) -> str:
    """The file a message names, absolute.

    Docutils names an included file relative to the working directory when the two
    share a prefix (``../../tmp/x/spec/files.rst``); messages name it the same way
    from anywhere.
    """
    path = where.group(1)
    return path if path.startswith("<") else os.path.abspath(path)


def raise_on_warnings(warnings: io.StringIO, what: str) -> None:
    """Raise :class:`SpecError` when docutils reported a warning while doing ``what``."""
    fatal = fatal_messages(warnings.getvalue())
    if fatal:
        text = "\n".join(_WHERE.sub(_absolute, message, count=1) for message in fatal)
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
        settings_overrides=settings(warnings, report_level=1),
    )
    raise_on_warnings(warnings, f"parsing {index}")
    check_references(document)
    title_section_refs(document)
    return document


def check_references(document: nodes.document) -> None:
    """Every ``:req:`` link must name a requirement the spec defines."""
    known = {node["reqid"] for node in requirement_nodes(document)}
    unknown = sorted({ref["refid"] for ref in requirement_references(document)} - known)
    if unknown:
        raise SpecError(f"the spec links to unknown requirements: {', '.join(unknown)}")
