"""Generate the ``Documentation/ABI/testing/`` entry from the spec's file sections.

One block per file of ``qos/``, in the layout ``Documentation/ABI/README`` asks for:
``What:``, ``Date:``, ``KernelVersion:``, ``Contact:``, ``Description:``, ``Users:``.
Field values are separated from the tag by tabs, description lines are indented by
two tabs, and the description is ReStructuredText, as ``scripts/get_abi.py``
expects. The text comes from the section of the spec that defines each file (its
prose and its property table) and the entry's metadata from the field list of the
spec's "Kernel ABI documentation" section.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

from docutils import nodes

from conformance import SPEC_VERSION
from conformance.specbuild.directive import SECTION_REF_CLASS, requirement_nodes
from conformance.specbuild.source import parse_spec
from conformance.sysfs import paths

WHAT_PREFIX = f"{paths.qos('<uuid>')}/"
FILES_SECTION = "files"
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

    @property
    def writable(self) -> bool:
        return dict(self.properties).get("mode", "").startswith("0644")


def _text(node: nodes.Node) -> str:
    """ReST text of inline markup; a section link names the section of the spec."""
    if isinstance(node, nodes.Text):
        return str(node)
    if isinstance(node, nodes.literal):
        return f"``{node.astext()}``"
    if isinstance(node, nodes.reference) and SECTION_REF_CLASS in node["classes"]:
        return f'section "{node.astext()}" of the specification'
    return "".join(_text(child) for child in node.children)


def _clean(text: str) -> str:
    return " ".join(text.replace("\xa0", " ").split())


def _section(document: nodes.document, anchor: str) -> nodes.section:
    node = document.ids.get(anchor)
    if not isinstance(node, nodes.section):
        raise AbiError(f"the spec has no section labelled {anchor!r}")
    return node


def _properties(section: nodes.section) -> list[tuple[str, str]]:
    table = section.next_node(nodes.table)
    if table is None or _section_of(table) is not section:
        raise AbiError(f"section {section['ids'][0]!r} has no property table")
    rows = []
    for row in table.findall(nodes.row):
        cells = [_clean(_text(entry)) for entry in row.children]
        if len(cells) != 2:
            raise AbiError(f"property table of {section['ids'][0]!r} must have two columns")
        rows.append((cells[0], cells[1]))
    return rows


def _section_of(node: nodes.Node) -> nodes.Node | None:
    parent = node.parent
    while parent is not None and not isinstance(parent, nodes.section):
        parent = parent.parent
    return parent


def files_of(document: nodes.document) -> list[AbiFile]:
    """The file sections of the spec, in order."""
    found = []
    for section in _section(document, FILES_SECTION).children:
        if not isinstance(section, nodes.section):
            continue
        title = section.next_node(nodes.title)
        if title is None:
            raise AbiError("a file section has no title")
        literal = title.next_node(nodes.literal)
        if literal is None:
            raise AbiError(f"section {title.astext()!r} does not name a file in its title")
        found.append(
            AbiFile(
                name=literal.astext(),
                section_title=_clean(title.astext()),
                properties=_properties(section),
                paragraphs=[
                    _clean(_text(p)) for p in section.children if isinstance(p, nodes.paragraph)
                ],
                requirements=[r["reqid"] for r in requirement_nodes(section)],
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


def _ranges(ids: list[str]) -> str:
    if not ids:
        return ""
    return ids[0] if len(ids) == 1 else f"{', '.join(ids[:-1])} and {ids[-1]}"


def description(item: AbiFile) -> list[str]:
    """The description lines (without indentation); empty strings separate paragraphs."""
    access = "(RW)" if item.writable else "(RO)"
    lines: list[str] = []
    for i, paragraph in enumerate(item.paragraphs):
        if i:
            lines.append("")
        lines += _wrap(f"{access} {paragraph}" if i == 0 else paragraph)
    if not item.paragraphs:
        lines.append(access)
    lines.append("")
    for key, value in item.properties:
        lines += _wrap(f"{key}: {value}", first="- ", rest="  ")
    lines.append("")
    reference = (
        f'Defined in section "{item.section_title}" of the mdev QoS specification, '
        f"version {SPEC_VERSION}"
    )
    if item.requirements:
        reference += f", requirements {_ranges(item.requirements)}"
    lines += _wrap(reference + ".")
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
    for item in files_of(document):
        lines = [
            _field("What:", WHAT_PREFIX + item.name),
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
