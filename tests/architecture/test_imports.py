"""No import cycle anywhere in conformance/, between modules or between its packages.

The graph holds every import a module runs (at the top or inside a function);
imports under ``if TYPE_CHECKING:`` are annotations only and never run.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "conformance"


def module_names(package: Path) -> dict[str, Path]:
    """Dotted module name → file, for every module of the package."""
    names = {}
    for path in package.rglob("*.py"):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def _type_checking_only(tree: ast.Module) -> set[int]:
    hidden: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for stmt in node.body:
                hidden.update(id(n) for n in ast.walk(stmt))
    return hidden


def imported(name: str, path: Path) -> Iterator[str]:
    """Every dotted name the module at ``path`` imports at run time."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    hidden = _type_checking_only(tree)
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    for node in ast.walk(tree):
        if id(node) in hidden:
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package[: len(package) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def import_graph(package: Path, depth: int | None = None) -> dict[str, set[str]]:
    """Edges between modules, or between packages cut to ``depth`` dotted parts."""
    names = module_names(package)

    def owner(dotted: str) -> str | None:
        while dotted and dotted not in names:
            dotted = dotted.rpartition(".")[0]
        return dotted or None

    def cut(dotted: str) -> str:
        return ".".join(dotted.split(".")[:depth]) if depth else dotted

    graph: dict[str, set[str]] = {}
    for name, path in names.items():
        for target in imported(name, path):
            found = owner(target) if target.startswith(package.name) else None
            if found is not None and cut(found) != cut(name):
                graph.setdefault(cut(name), set()).add(cut(found))
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one member (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


@pytest.mark.parametrize("depth", [None, 2, 3], ids=["modules", "packages", "subpackages"])
def test_no_import_cycle(depth: int | None) -> None:
    assert cycles(import_graph(PACKAGE, depth)) == []


def test_a_cycle_is_found(tmp_path: Path) -> None:
    package = tmp_path / "conformance"
    (package / "suite").mkdir(parents=True)
    (package / "report").mkdir()
    (package / "__init__.py").write_text("")
    (package / "suite" / "__init__.py").write_text("")
    (package / "report" / "__init__.py").write_text("")
    (package / "suite" / "engine.py").write_text("from conformance.report import write\n")
    (package / "report" / "doc.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from conformance.suite import engine\n"
        "def f():\n    from ..suite.engine import x\n"
    )
    assert cycles(import_graph(package, 2)) == [["conformance.report", "conformance.suite"]]
    (package / "report" / "doc.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from conformance.suite import e\n"
    )
    assert cycles(import_graph(package, 2)) == []
