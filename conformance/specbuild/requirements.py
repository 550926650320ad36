"""The requirement catalogue, read from the spec's ``.. requirement::`` directives.

Other parts of the suite (the run engine, the traceability check, reports) call
:func:`load_requirements`; the spec text is the only source of the catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from docutils import nodes

from conformance.specbuild.directive import requirement_nodes, requirement_text
from conformance.specbuild.source import parse_spec


@dataclass(frozen=True)
class Requirement:
    """One normative statement of the spec."""

    id: str
    level: str  # MUST, SHOULD or MAY
    feature: str  # base, cap, weight or priority
    condition: str  # "" when the requirement always applies
    text: str
    section: str  # HTML anchor of the section that states it
    section_title: str = ""

    @property
    def group(self) -> str:
        """The middle part of the ID, e.g. ``CAP`` for ``QOS-CAP-004``."""
        return self.id.split("-")[1]


def _section_of(node: nodes.Node) -> nodes.section | None:
    parent = node.parent
    while parent is not None and not isinstance(parent, nodes.section):
        parent = parent.parent
    return parent


def section_anchor(section: nodes.section | None) -> str:
    """The most readable id of a section: its explicit label if it has one."""
    if section is None:
        return ""
    ids: list[str] = list(section["ids"])
    if not ids:
        return ""
    names = {nodes.make_id(name) for name in section["names"]}
    explicit = [i for i in ids if i in names]
    return (explicit or ids)[-1]


def requirements_of(document: nodes.document) -> list[Requirement]:
    """Every requirement of a parsed spec document, in document order."""
    found: list[Requirement] = []
    for node in requirement_nodes(document):
        section = _section_of(node)
        heading = section.next_node(nodes.title) if section is not None else None
        title = heading.astext() if heading is not None else ""
        title = " ".join(title.replace("\xa0", " ").split())
        found.append(
            Requirement(
                id=node["reqid"],
                level=node["level"],
                feature=node["feature"],
                condition=node["condition"],
                text=requirement_text(node),
                section=section_anchor(section),
                section_title=title,
            )
        )
    return found


@lru_cache(maxsize=4)
def _load(directory: str | None) -> tuple[Requirement, ...]:
    return tuple(requirements_of(parse_spec(Path(directory) if directory else None)))


def load_requirements(directory: Path | None = None) -> list[Requirement]:
    """Parse the spec (default: the packaged one) and return its requirements in order.

    Raises :class:`conformance.specbuild.source.SpecError` when the spec has errors.
    """
    return list(_load(str(directory) if directory is not None else None))


def requirements_by_id(directory: Path | None = None) -> dict[str, Requirement]:
    """The catalogue as a mapping from ID to requirement."""
    return {req.id: req for req in load_requirements(directory)}
