"""The step definitions themselves: documented, typed, one definition per phrasing."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import conformance.steps

STEPS = Path(conformance.steps.__file__).resolve().parent
MODULES = sorted(STEPS.glob("*.py"))
DECORATORS = {"given", "when", "then"}


def _step_definitions(path: Path) -> list[ast.FunctionDef]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef):
            continue
        for decorator in node.decorator_list:
            call = decorator.func if isinstance(decorator, ast.Call) else decorator
            if isinstance(call, ast.Name) and call.id in DECORATORS:
                found.append(node)
    return found


def test_there_are_step_definitions() -> None:
    assert sum(len(_step_definitions(p)) for p in MODULES) > 50


@pytest.mark.parametrize("path", MODULES, ids=[p.stem for p in MODULES])
def test_every_step_definition_has_a_docstring(path: Path) -> None:
    bare = [f.name for f in _step_definitions(path) if not ast.get_docstring(f)]
    assert not bare, f"{path.name}: step definitions without a docstring: {bare}"


@pytest.mark.parametrize("path", MODULES, ids=[p.stem for p in MODULES])
def test_no_step_takes_an_untyped_or_any_parameter(path: Path) -> None:
    loose = []
    for function in _step_definitions(path):
        for arg in function.args.args:
            text = ast.unparse(arg.annotation) if arg.annotation else ""
            if not text or "Any" in text:
                loose.append(f"{function.name}({arg.arg}: {text or 'untyped'})")
    assert not loose, f"{path.name}: {loose}"


def test_no_step_module_keeps_state_in_the_session() -> None:
    for path in [*MODULES]:
        text = path.read_text(encoding="utf-8")
        assert "vars(" not in text and "ctx" not in text, path.name
