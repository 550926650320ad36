"""Generate the ``Documentation/ABI/testing/`` entry from the spec's file sections.

One block for the directory ``qos/`` and one per file of it, then the same for the
``qos/`` of a type directory (the offer of a type), in the layout
``Documentation/ABI/README`` asks for: ``What:`` (the path under the mdev bus and
the same path through the parent's ``mdev_bus`` class link), ``Date:``,
``KernelVersion:``, ``Contact:``, ``Description:``, ``Users:``. Field values are
separated from the tag by tabs, description lines are indented by two tabs, and
the description is ReStructuredText, as ``scripts/get_abi.py`` expects.

The entry is self-contained, like upstream entries: each description opens with
the file's access and type (``(RW/RO) unsigned integer``), then the prose and the
property table of the section of the spec that defines it, then the errors a write
returns. A file section that links to another section of the spec is an error (the
link would point out of the kernel tree). The entry's metadata comes from the field
list of the spec's "Kernel ABI documentation" section.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

from docutils import nodes

from conformance.specbuild.directive import (
    SECTION_REF_CLASS,
    is_requirement_reference,
    requirement_nodes,
)
from conformance.specbuild.source import parse_spec
from conformance.sysfs import paths

WHAT_PREFIXES = (
    f"{paths.qos('<uuid>')}/",
    f"{paths.mdev_via_parent('<parent>', '<uuid>')}/qos/",
)
TYPE_WHAT_PREFIXES = (f"{paths.type_qos('<parent>', '<type-id>')}/",)
ERRORS_KEY = "bad write"
TYPE_KEY = "type"
MODE_KEY = "mode"
FILES_SECTION = "files"
TYPE_SECTION = "type-offer"  # the offer of a type: qos/ of a type directory (spec 1.1)
METADATA_SECTION = "kernel-abi"
INDENT = "\t\t"
WIDTH = 64  # two tabs (16 columns) + 64 = 80 columns
MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December",
)
DATE_PATTERN = re.compile(rf"^({'|'.join(MONTHS)}) [0-9]{{4}}$")
KERNEL_VERSION_PATTERN = re.compile(r"^[0-9]+\.[0-9]+$")


class AbiError(Exception):
    """The spec or the options do not give a valid ABI entry."""


@dataclass(frozen=True)
class AbiFile:
    """What the spec says about one file of ``qos/``."""

    name: str
    section_title: str
    properties: list[tuple[str, str]]
    paragraphs: list[str]
    requirements: list[str]
    errors: list[str]

    @property
    def access(self) -> str:
        """``(RW)``, ``(RO)`` or ``(RW/RO)`` (writable unless the type fixes it)."""
        mode = dict(self.properties).get(MODE_KEY, "")
        if mode.startswith("0644"):
            return "(RW/RO)" if "0444" in mode else "(RW)"
        return "(RO)"

    @property
    def kind(self) -> str:
        return dict(self.properties).get(TYPE_KEY, "")


def _text(node: nodes.Node) -> str:
    """ReST text of inline markup; a link to the spec cannot go into the entry."""
    if isinstance(node, nodes.Text):
        return str(node)
    if isinstance(node, nodes.literal):
        return f"``{node.astext()}``"
    if isinstance(node, nodes.reference) and (
        SECTION_REF_CLASS in node["classes"] or is_requirement_reference(node)
    ):
        raise AbiError(
            f"{_where(node)}: the ABI entry must be self-contained, but this text "
            f"links to {_clean(node.astext())!r} of the spec"
        )
    return "".join(_text(child) for child in node.children)


def _where(node: nodes.Node) -> str:
    """``file:line`` of the nearest enclosing node that knows its place."""
    while node is not None and not (node.source and node.line):
        node = node.parent
    return f"{node.source}:{node.line}" if node is not None else "the spec"


def _clean(text: str) -> str:
    return " ".join(text.replace("\xa0", " ").split())


def _section(document: nodes.document, anchor: str) -> nodes.section:
    node = document.ids.get(anchor)
    if not isinstance(node, nodes.section):
        raise AbiError(f"the spec has no section labelled {anchor!r}")
    return node


def _properties(section: nodes.section) -> list[tuple[str, str | list[str]]]:
    table = section.next_node(nodes.table)
    if table is None or _section_of(table) is not section:
        raise AbiError(f"section {section['ids'][0]!r} has no property table")
    rows: list[tuple[str, str | list[str]]] = []
    for row in table.findall(nodes.row):
        if len(row.children) != 2:
            raise AbiError(f"property table of {section['ids'][0]!r} must have two columns")
        key, value = row.children
        items = list(value.findall(nodes.list_item))
        if items:
            rows.append((_clean(_text(key)), [_clean(_text(i)) for i in items]))
        else:
            rows.append((_clean(_text(key)), _clean(_text(value))))
    return rows


def _section_of(node: nodes.Node) -> nodes.Node | None:
    parent = node.parent
    while parent is not None and not isinstance(parent, nodes.section):
        parent = parent.parent
    return parent


def files_of(document: nodes.document, anchor: str = FILES_SECTION) -> list[AbiFile]:
    """The file sections of one chapter of the spec (default: an mdev's), in order."""
    found = []
    for section in _section(document, anchor).children:
        if not isinstance(section, nodes.section):
            continue
        title = section.next_node(nodes.title)
        if title is None:
            raise AbiError("a file section has no title")
        literal = title.next_node(nodes.literal)
        if literal is None:
            raise AbiError(f"section {title.astext()!r} does not name a file in its title")
        name = literal.astext()
        rows = _properties(section)
        errors = dict(rows).get(ERRORS_KEY, [])
        properties = [(k, v) for k, v in rows if isinstance(v, str)]
        if isinstance(errors, str) or not dict(properties).get(TYPE_KEY):
            raise AbiError(
                f"section {name!r}: its property table needs a {TYPE_KEY!r} row and, "
                f"for a file, a {ERRORS_KEY!r} row listing one errno per item"
            )
        found.append(
            AbiFile(
                name=name,
                section_title=_clean(title.astext()),
                properties=properties,
                paragraphs=[
                    _clean(_text(p)) for p in section.children if isinstance(p, nodes.paragraph)
                ],
                requirements=[r["reqid"] for r in requirement_nodes(section)],
                errors=list(errors),
            )
        )
    if not found:
        raise AbiError("the spec's file section defines no files")
    return found


def metadata(document: nodes.document) -> dict[str, str]:
    """The ``Date``/``KernelVersion``/``Contact``/``Users`` field list of the spec."""
    section = _section(document, METADATA_SECTION)
    fields = section.next_node(nodes.field_list)
    if fields is None:
        raise AbiError(f"section {METADATA_SECTION!r} has no field list")
    return {
        _clean(field[0].astext()): _clean(_text(field[1]))
        for field in fields.children
        if isinstance(field, nodes.field)
    }


def _wrap(text: str, first: str = "", rest: str = "") -> list[str]:
    return textwrap.wrap(
        text, width=WIDTH, initial_indent=first, subsequent_indent=rest,
        break_long_words=False, break_on_hyphens=False,
    )


def description(item: AbiFile) -> list[str]:
    """The description lines (without indentation); empty strings separate paragraphs."""
    directory = item.kind == "directory"
    lines = [] if directory else _wrap(f"{item.name}: {item.access} {item.kind}")
    for paragraph in item.paragraphs:
        lines += ([""] if lines else []) + _wrap(paragraph)
    lines.append("")
    for key, value in item.properties:
        if key != TYPE_KEY:
            lines += _wrap(f"{key}: {value}", first="- ", rest="  ")
    if item.errors:
        lines += ["", "Writes fail with:", ""]
        for error in item.errors:
            lines += _wrap(error, first="- ", rest="  ")
    return lines


def _field(tag: str, value: str) -> str:
    pad = "\t" * (2 if len(tag) < 7 else 1)
    return f"{tag}{pad}{value}"


def abi_entry(
    spec: Path | None = None,
    *,
    date: str | None = None,
    kernel_version: str | None = None,
    contact: str | None = None,
) -> str:
    """The complete ABI entry text, ending with a newline."""
    document = parse_spec(spec)
    meta = metadata(document)
    date = date or meta.get("Date", "")
    kernel_version = kernel_version or meta.get("KernelVersion", "")
    contact = contact or meta.get("Contact", "")
    users = meta.get("Users", "")
    if not DATE_PATTERN.match(date):
        raise AbiError(f"Date {date!r} is not of the form 'Month YYYY' (e.g. 'November 2026')")
    if not KERNEL_VERSION_PATTERN.match(kernel_version):
        raise AbiError(f"KernelVersion {kernel_version!r} is not of the form 'X.Y'")
    if not contact or not users:
        raise AbiError("the spec's ABI field list needs Contact and Users")
    blocks = []
    chapters: list[tuple[str, tuple[str, ...]]] = [(FILES_SECTION, WHAT_PREFIXES)]
    if TYPE_SECTION in document.ids:
        chapters.append((TYPE_SECTION, TYPE_WHAT_PREFIXES))
    items = [(item, prefixes) for anchor, prefixes in chapters
             for item in files_of(document, anchor)]
    for item, prefixes in items:
        name = "" if item.kind == "directory" else item.name
        lines = [_field("What:", prefix + name) for prefix in prefixes]
        lines += [
            _field("Date:", date),
            _field("KernelVersion:", kernel_version),
            _field("Contact:", contact),
            "Description:",
        ]
        lines += [INDENT + line if line else "" for line in description(item)]
        users_lines = _wrap(users)
        lines.append(_field("Users:", users_lines[0]))
        lines += [INDENT + line for line in users_lines[1:]]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"
