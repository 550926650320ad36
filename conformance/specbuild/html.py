"""Build the HTML spec: requirements linked to scenarios, the traceability annex, CSS.

The build is strict: a docutils warning while parsing or writing fails it.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from docutils import nodes
from docutils.core import publish_from_doctree
from docutils.writers import html5_polyglot

from conformance.resources import features_dir, spec_dir
from conformance.specbuild.directive import PLACEHOLDER_CLASS, requirement_nodes
from conformance.specbuild.models_annex import models_annex
from conformance.specbuild.output import check_output, write_build
from conformance.specbuild.requirements import Requirement, requirements_of
from conformance.specbuild.scenarios import Scenario, load_features
from conformance.specbuild.source import parse_spec, raise_on_warnings, settings
from conformance.specbuild.traceability import Traceability

STYLESHEET = Path(__file__).with_name("spec.css")
UNCOVERED_CLASS = "uncovered"


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote, and the traceability it rendered."""

    index: Path
    catalogue: Path
    trace: Traceability


def _para(*children: nodes.Node, classes: list[str] | None = None) -> nodes.paragraph:
    para = nodes.paragraph(classes=classes or [])
    para.extend(children)
    return para


def _scenario_link(scenario: Scenario) -> nodes.reference:
    label = f"{scenario.feature_file}: {scenario.name}"
    return nodes.reference(label, label, refid=scenario.anchor, classes=["scenario-ref"])


def _requirement_link(reqid: str) -> nodes.reference:
    return nodes.reference(reqid, reqid, refid=reqid, classes=["requirement-ref"])


def _joined(links: list[nodes.Node], separator: str = ", ") -> list[nodes.Node]:
    out: list[nodes.Node] = []
    for i, link in enumerate(links):
        if i:
            out.append(nodes.Text(separator))
        out.append(link)
    return out


def annotate_requirements(document: nodes.document, trace: Traceability) -> None:
    """Append "Checked by" links to every requirement box."""
    for node in requirement_nodes(document):
        scenarios = trace.scenarios_of(node["reqid"])
        if scenarios:
            links = _joined([_scenario_link(s) for s in scenarios], "; ")
            node += _para(nodes.Text("Checked by: "), *links, classes=["requirement-scenarios"])
        else:
            node["classes"].append(UNCOVERED_CLASS)
            node += _para(
                nodes.Text("Checked by: no scenario yet."),
                classes=["requirement-scenarios", UNCOVERED_CLASS],
            )


def _table(headers: list[str], widths: list[int], rows: list[nodes.row]) -> nodes.table:
    table = nodes.table(classes=["traceability"])
    group = nodes.tgroup(cols=len(headers))
    table += group
    for width in widths:
        group += nodes.colspec(colwidth=width)
    head = nodes.thead()
    head += nodes.row("", *[nodes.entry("", _para(nodes.Text(h))) for h in headers])
    group += head
    body = nodes.tbody()
    body.extend(rows)
    group += body
    return table


def matrix(trace: Traceability) -> nodes.Element:
    """The requirement → scenario table; uncovered rows carry the class ``uncovered``."""
    rows = []
    for req in trace.requirements:
        scenarios = trace.scenarios_of(req.id)
        cells: list[nodes.Node] = (
            [_para(*_joined([_scenario_link(s) for s in scenarios], "; "))]
            if scenarios
            else [_para(nodes.Text("none"))]
        )
        row = nodes.row(classes=[] if scenarios else [UNCOVERED_CLASS])
        row += nodes.entry("", _para(_requirement_link(req.id)))
        row += nodes.entry("", _para(nodes.Text(req.level)))
        row += nodes.entry("", _para(nodes.Text(req.feature)))
        row += nodes.entry("", *cells)
        rows.append(row)
    covered = len(trace.requirements) - len(trace.uncovered)
    summary = _para(
        nodes.Text(
            f"{covered} of {len(trace.requirements)} requirements are checked by at least "
            f"one of {len(trace.features.scenarios)} scenarios in "
            f"{len(trace.features.files)} feature files."
        ),
        classes=["traceability-summary"],
    )
    box = nodes.container(classes=["traceability-matrix"])
    box += summary
    box += _table(["requirement", "level", "feature", "scenarios"], [16, 9, 10, 65], rows)
    return box


def scenario_list(trace: Traceability) -> nodes.Element:
    """Every scenario with an anchor, its requirement tags (linked) and its steps."""
    box = nodes.container(classes=["scenario-list"])
    if not trace.features.scenarios:
        box += _para(nodes.Text("No feature files were found when this document was built."))
        return box
    current = None
    for scenario in trace.features.scenarios:
        if scenario.feature_file != current:
            current = scenario.feature_file
            box += nodes.rubric("", f"{scenario.feature_file} — {scenario.feature}")
        item = nodes.container(classes=["scenario"])
        item["ids"].append(scenario.anchor)
        item += _para(
            nodes.strong("", f"{scenario.keyword}: {scenario.name}"),
            nodes.Text(f" (line {scenario.line}) checks "),
            *_joined([_requirement_link(r) for r in scenario.requirements]),
            classes=["scenario-head"],
        )
        if scenario.steps:
            text = "\n".join(scenario.steps)
            item += nodes.literal_block(text, text, classes=["gherkin"])
        box += item
    return box


def fill_generated(document: nodes.document, trace: Traceability,
                   spec_root: Path | None = None) -> None:
    """Replace the ``.. generated::`` placeholders: matrix, scenario list, models annex."""
    root = spec_root or spec_dir()
    makers: dict[str, Callable[[Traceability], nodes.Element]] = {
        "traceability-matrix": matrix,
        "scenario-list": scenario_list,
        "models-annex": lambda _trace: models_annex(root),
    }
    for node in list(document.findall(nodes.container)):
        if PLACEHOLDER_CLASS in node["classes"]:
            node.replace_self(makers[node["generated"]](trace))


def render(document: nodes.document) -> bytes:
    """Write the document with the html5 writer; warnings fail the build."""
    warnings = io.StringIO()
    overrides = settings(warnings)
    overrides.update(
        {
            "stylesheet_path": ",".join(["minimal.css", str(STYLESHEET)]),
            "math_output": "MathML",
            "section_self_link": True,
            "table_style": "booktabs",
            "generator": False,
            "datestamp": False,
            "source_link": False,
        }
    )
    output: bytes = publish_from_doctree(
        document, writer=html5_polyglot.Writer(), settings_overrides=overrides
    )
    raise_on_warnings(warnings, "writing the HTML")
    return output


def build(out: Path, spec: Path | None = None, features: Path | None = None) -> BuildResult:
    """Build ``out/index.html`` and ``out/requirements.json`` from the spec and features."""
    document = parse_spec(spec)
    requirements: list[Requirement] = requirements_of(document)
    trace = Traceability(requirements, load_features(features or features_dir()))
    annotate_requirements(document, trace)
    fill_generated(document, trace, spec)
    html = render(document)
    check_output(out)
    catalogue = json.dumps(trace.as_json(), indent=2) + "\n"
    write_build(out, {"index.html": html, "requirements.json": catalogue.encode("utf-8")})
    return BuildResult(out / "index.html", out / "requirements.json", trace)
