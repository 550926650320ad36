"""The ``.. requirement::`` reStructuredText directive.

Usage in the spec::

    .. requirement:: QOS-CAP-004
       :level: MUST
       :feature: cap
       :condition: cap present and writable

       An out-of-range cap fails with ``EINVAL``.

The directive renders as a ``container`` node with the class ``requirement`` whose
HTML id is the requirement ID itself (not docutils' lower-cased form), so that
``index.html#QOS-CAP-004`` works. The node carries the requirement's fields as
attributes (``reqid``, ``level``, ``feature``, ``condition``) for the loader and
the HTML build.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from docutils import nodes
from docutils.parsers.rst import Directive, directives, roles
from docutils.parsers.rst.states import Inliner

from conformance.results import FEATURES
from conformance.specbuild.keywords import level_problem

ID_PATTERN = re.compile(r"^QOS-[A-Z]+-[0-9]{3}$")
LEVELS = ("MUST", "SHOULD", "MAY")
REQUIREMENT_CLASS = "requirement"

_SEEN_KEY = "mqos_requirement_ids"


def _exact(value: str | None) -> str:
    """Option converter that keeps the value as written (no lower-casing)."""
    if value is None or not value.strip():
        raise ValueError("a value is required")
    return " ".join(value.split())


class RequirementDirective(Directive):
    """One normative statement with a stable ID, an RFC 2119 level and a feature."""

    required_arguments = 1
    optional_arguments = 0
    final_argument_whitespace = False
    has_content = True
    option_spec = {
        "level": _exact,
        "feature": _exact,
        "condition": _exact,
    }

    def run(self) -> list[nodes.Node]:
        reqid = self.arguments[0]
        if not ID_PATTERN.match(reqid):
            raise self.error(f"requirement ID {reqid!r} does not match QOS-<GROUP>-<NNN>")
        level = self.options.get("level")
        if level not in LEVELS:
            raise self.error(
                f"{reqid}: level {level!r} is not one of {', '.join(LEVELS)} (upper case)"
            )
        feature = self.options.get("feature")
        if feature not in FEATURES:
            raise self.error(f"{reqid}: feature {feature!r} is not one of {', '.join(FEATURES)}")
        if not self.content:
            raise self.error(f"{reqid}: the requirement has no text")
        document = self.state.document
        seen: set[str] = document.__dict__.setdefault(_SEEN_KEY, set())
        if reqid in seen:
            raise self.error(f"duplicate requirement ID {reqid}")
        seen.add(reqid)

        condition = self.options.get("condition", "")
        node = nodes.container(
            classes=[REQUIREMENT_CLASS, f"level-{level.lower()}"],
            reqid=reqid,
            level=level,
            feature=feature,
            condition=condition,
        )
        node["ids"].append(reqid)
        node += _head(reqid, level, feature, condition)
        body = nodes.container(classes=["requirement-text"])
        self.state.nested_parse(self.content, self.content_offset, body)
        problem = level_problem(reqid, level, body)
        if problem:
            raise self.error(problem)
        node += body
        return [node]


def _head(reqid: str, level: str, feature: str, condition: str) -> nodes.paragraph:
    """The first line of a rendered requirement: ID (self-link), level, feature, condition."""
    head = nodes.paragraph(classes=["requirement-head"])
    head += nodes.reference(reqid, reqid, refid=reqid, classes=["requirement-id"])
    head += nodes.Text(" ")
    head += nodes.strong(level, level, classes=["requirement-level"])
    head += nodes.Text(" ")
    head += nodes.inline(feature, f"feature: {feature}", classes=["requirement-feature"])
    if condition:
        head += nodes.Text(" ")
        head += nodes.inline(
            condition, f"applies when: {condition}", classes=["requirement-condition"]
        )
    return head


def is_requirement(node: nodes.Node) -> bool:
    """True for the container node a ``.. requirement::`` directive produced."""
    return isinstance(node, nodes.container) and REQUIREMENT_CLASS in node["classes"]


def requirement_nodes(tree: nodes.Node) -> Iterator[nodes.container]:
    """Every requirement node of ``tree`` (itself included), in document order."""
    return (node for node in tree.findall(nodes.container) if is_requirement(node))


def requirement_text(node: nodes.container) -> str:
    """The plain text of a requirement node's body, whitespace collapsed."""
    for child in node.children:
        if isinstance(child, nodes.container) and "requirement-text" in child["classes"]:
            return " ".join(child.astext().split())
    return ""


REFERENCE_CLASS = "requirement-ref"
# what docutils hands a role function, and what the function returns
RoleOptions = Mapping[str, Any] | None
RoleContent = Sequence[str] | None
RoleResult = tuple[list[nodes.Node], list[nodes.system_message]]


def requirement_role(name: str, rawtext: str, text: str, lineno: int, inliner: Inliner,
                     options: RoleOptions = None, content: RoleContent = None) -> RoleResult:
    """``:req:`QOS-CAP-004``` links to a requirement; unknown IDs fail the build later."""
    reqid = text.strip()
    if not ID_PATTERN.match(reqid):
        msg = inliner.reporter.error(f"{reqid!r} is not a requirement ID", line=lineno)
        return [inliner.problematic(rawtext, rawtext, msg)], [msg]
    ref = nodes.reference(rawtext, reqid, refid=reqid, classes=[REFERENCE_CLASS])
    return [ref], []


def is_requirement_reference(node: nodes.Node) -> bool:
    """True for a link a ``:req:`` role produced."""
    return isinstance(node, nodes.reference) and REFERENCE_CLASS in node["classes"]


def requirement_references(tree: nodes.Node) -> Iterator[nodes.reference]:
    """Every link a ``:req:`` role produced in ``tree``."""
    return (ref for ref in tree.findall(nodes.reference) if is_requirement_reference(ref))


SECTION_REF_CLASS = "section-ref"


def section_role(name: str, rawtext: str, text: str, lineno: int, inliner: Inliner,
                 options: RoleOptions = None, content: RoleContent = None) -> RoleResult:
    """``:ref:`label``` links to the section (or element) an explicit target labels.

    docutils resolves the name (an unknown label is an error); :func:`title_section_refs`
    then replaces the link text with the numbered section title.
    """
    label = text.strip()
    ref = nodes.reference(rawtext, label, refname=nodes.fully_normalize_name(label),
                          classes=[SECTION_REF_CLASS])
    inliner.document.note_refname(ref)
    return [ref], []


def title_section_refs(document: nodes.document) -> None:
    """Give every ``:ref:`` link the title of the section it points to."""
    for ref in list(document.findall(nodes.reference)):
        if SECTION_REF_CLASS not in ref["classes"] or "refid" not in ref:
            continue
        target = document.ids.get(ref["refid"])
        if isinstance(target, nodes.section):
            heading = target.next_node(nodes.title)
            if heading is None:
                continue  # a section always has a title; leave the label as it is
            title = heading.astext().replace("\xa0", " ")
            ref.children = [nodes.Text(title)]
        elif target is not None and is_requirement(target):
            ref.children = [nodes.Text(target["reqid"])]


PLACEHOLDER_CLASS = "generated"


class GeneratedDirective(Directive):
    """``.. generated:: traceability-matrix``: a place the HTML build fills in.

    The argument names what goes there (``traceability-matrix``, ``scenario-list`` or
    ``models-annex``);
    parsing the spec without building leaves an empty container.
    """

    required_arguments = 1
    has_content = False
    KINDS = ("traceability-matrix", "scenario-list", "models-annex")

    def run(self) -> list[nodes.Node]:
        kind = self.arguments[0]
        if kind not in self.KINDS:
            raise self.error(f"generated content {kind!r} is not one of {', '.join(self.KINDS)}")
        return [nodes.container(classes=[PLACEHOLDER_CLASS, kind], generated=kind)]


def register() -> None:
    """Make the spec's directives and roles known to docutils (idempotent)."""
    directives.register_directive("requirement", RequirementDirective)
    # types-docutils says a role returns only references; docutils also takes the
    # problematic node and system message a role returns for bad input
    roles.register_local_role("req", requirement_role)  # type: ignore[arg-type]
    roles.register_local_role("ref", section_role)  # type: ignore[arg-type]
    directives.register_directive("generated", GeneratedDirective)
