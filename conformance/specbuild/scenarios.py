"""Read the Gherkin feature files: scenarios, their requirement tags, and lint problems.

Parsing uses gherkin-official, the reference parser. Two traps it does not report
are checked here: a step line written where the grammar expects free text (before
the first scenario, after a ``Rule:`` line...) parses silently as description, so
the step never runs; and a scenario without a requirement tag checks nothing the
traceability matrix can see.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from gherkin.dialect import Dialect
from gherkin.errors import CompositeParserException, ParserError
from gherkin.parser import Parser
from gherkin.token_scanner import TokenScanner

REQUIREMENT_TAG = re.compile(r"^@(QOS-.*)$", re.IGNORECASE)

Node = dict[str, Any]  # a node of the Gherkin AST, as the parser builds it


@dataclass(frozen=True)
class Scenario:
    """One scenario or scenario outline of a feature file."""

    feature_file: str  # path relative to the features directory, e.g. "cap.feature"
    feature: str  # the feature's name
    name: str
    line: int
    keyword: str  # "Scenario", "Scenario Outline", "Example"...
    requirements: tuple[str, ...]  # requirement IDs tagged, own and inherited
    steps: tuple[str, ...] = ()  # "Given ..." lines, for display

    @property
    def anchor(self) -> str:
        """HTML id of this scenario in the built spec."""
        stem = re.sub(r"[^a-z0-9]+", "-", self.feature_file.lower()).strip("-")
        return f"scenario-{stem}-{self.line}"


@dataclass(frozen=True)
class Problem:
    """A lint problem in a feature file."""

    feature_file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.feature_file}:{self.line}: {self.message}"


@dataclass
class FeatureSet:
    """Everything read from a features directory."""

    scenarios: list[Scenario] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


def requirement_ids(tags: list[Node]) -> list[str]:
    """The requirement IDs among Gherkin tags (``@QOS-CAP-004`` gives ``QOS-CAP-004``)."""
    found = []
    for tag in tags:
        match = REQUIREMENT_TAG.match(tag["name"])
        if match:
            found.append(match.group(1))
    return found


def _step_keywords(language: str) -> tuple[str, ...]:
    dialect = Dialect.for_name(language) or Dialect.for_name("en")
    assert dialect is not None, "gherkin always knows English"
    words = (
        dialect.given_keywords
        + dialect.when_keywords
        + dialect.then_keywords
        + dialect.and_keywords
        + dialect.but_keywords
    )
    return tuple(sorted({w for w in words if w.strip() != "*"}, key=len, reverse=True))


def _stray_steps(
    node: Node, keywords: tuple[str, ...], rel: str, source: list[str]
) -> Iterator[Problem]:
    """Step lines hidden in the description of a feature, rule, scenario or examples."""
    description = node.get("description") or ""
    start = node["location"]["line"]  # 1-based line of the keyword
    for line in description.splitlines():
        text = line.strip()
        if any(text.startswith(k) for k in keywords):
            lineno = next(
                (i + 1 for i in range(start, len(source)) if source[i].strip() == text), start
            )
            yield Problem(
                rel,
                lineno,
                f"step line {text!r} is in the description of "
                f"{node['keyword']} {node.get('name', '')!r}; it would never run "
                "(move it into a scenario, or reword the description)",
            )


def _walk(children: list[Node], inherited: list[str]) -> Iterator[tuple[Node, list[str], str]]:
    """Yield (node, inherited requirement tags, kind) for rules, backgrounds, scenarios."""
    for child in children:
        if "rule" in child:
            rule = child["rule"]
            yield rule, inherited, "rule"
            tags = inherited + requirement_ids(rule.get("tags", []))
            yield from _walk(rule["children"], tags)
        elif "background" in child:
            yield child["background"], inherited, "background"
        elif "scenario" in child:
            yield child["scenario"], inherited, "scenario"


def parse_feature(text: str, rel: str) -> tuple[list[Scenario], list[Problem]]:
    """Scenarios and lint problems of one feature file's text."""
    try:
        # read as plain JSON-like mappings: which keys a child has tells its kind
        document: Node = cast(Node, Parser().parse(TokenScanner(text)))
    except CompositeParserException as exc:
        return [], [_parse_problem(rel, err) for err in exc.errors]
    except ParserError as exc:
        return [], [_parse_problem(rel, exc)]
    feature = document.get("feature")
    if not feature:
        return [], [Problem(rel, 1, "no Feature: in this file")]
    keywords = _step_keywords(feature.get("language", "en"))
    source = text.splitlines()
    problems = list(_stray_steps(feature, keywords, rel, source))
    scenarios = []
    top = requirement_ids(feature.get("tags", []))
    for node, inherited, kind in _walk(feature["children"], top):
        problems.extend(_stray_steps(node, keywords, rel, source))
        if kind != "scenario":
            continue
        own = requirement_ids(node.get("tags", []))
        for examples in node.get("examples", []):
            problems.extend(_stray_steps(examples, keywords, rel, source))
            own += requirement_ids(examples.get("tags", []))
        ids = tuple(dict.fromkeys(inherited + own))
        line = node["location"]["line"]
        if not ids:
            problems.append(
                Problem(rel, line, f"scenario {node['name']!r} has no requirement tag (@QOS-...)")
            )
        steps = tuple(f"{s['keyword'].strip()} {s['text']}" for s in node.get("steps", []))
        scenarios.append(
            Scenario(rel, feature["name"], node["name"], line, node["keyword"], ids, steps)
        )
    return scenarios, problems


def _parse_problem(rel: str, err: Exception) -> Problem:
    location = getattr(err, "location", None) or {}
    return Problem(rel, int(location.get("line") or 0), f"Gherkin parse error: {err}")


def load_features(directory: Path) -> FeatureSet:
    """Parse every ``*.feature`` file under ``directory`` (sorted, recursively)."""
    result = FeatureSet()
    if not directory.is_dir():
        raise FileNotFoundError(f"features directory {directory} does not exist")
    for path in sorted(directory.rglob("*.feature")):
        rel = path.relative_to(directory).as_posix()
        result.files.append(rel)
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            result.problems.append(Problem(rel, 0, f"not UTF-8: {exc}"))
            continue
        scenarios, problems = parse_feature(text, rel)
        result.scenarios.extend(scenarios)
        result.problems.extend(problems)
    return result
