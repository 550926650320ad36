"""Find the step definitions that match a step once, not once per fixture per step.

pytest-bdd finds the definitions of a step by walking every fixture name the run
knows and asking pytest which of that name's definitions the scenario can see
(``pytest_bdd.scenario.find_fixturedefs_for_step``), then trying each step
definition's parser. With the suite's 200-odd scenarios, 1000-odd steps and
150-odd fixtures, those visibility questions (about 140 000 per run) were the
largest single cost of a default run's CPU.

Which step definitions a scenario can see depends only on the module it lives
in: the suite's step definitions are registered while the scenarios are
collected, and none is added while they run (the fixtures a step adds with
``target_fixture`` are values, not step definitions). So this asks pytest once
per module, keeps the visible step definitions in pytest-bdd's order, and then
matches each distinct step text against them, as pytest-bdd does.

Each step it runs, pytest-bdd also reads the step function's signature twice
(``inspect.signature``, about 5% of a run's CPU); a function's signature does not
change, so it is read once per function.

If pytest-bdd no longer has the names this relies on, nothing is patched and the
run pays the walk again: this module changes cost, never results.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

_LOOKUP = "find_fixturedefs_for_step"
_NEEDED = (_LOOKUP, "get_fixture_names", "getfixturedefs", "step_function_context_registry")
_SIGNATURES = ("signature", "get_required_args")  # what pytest-bdd reads per step

Lookup = Callable[..., list[Any]]


def memoised(bdd: ModuleType) -> Lookup:
    """A lookup equivalent to ``bdd.find_fixturedefs_for_step`` that remembers its work."""
    visible: dict[str, list[tuple[Any, Any]]] = {}
    answers: dict[tuple[object, str, str], list[Any]] = {}

    def step_definitions(fixturemanager: Any, node: Any) -> list[tuple[Any, Any]]:
        found = []
        for name in bdd.get_fixture_names(fixturemanager=fixturemanager):
            for fixturedef in bdd.getfixturedefs(fixturemanager, name, node) or []:
                context = bdd.step_function_context_registry.get(fixturedef.func)
                if context is not None:
                    found.append((fixturedef, context))
        return found

    def find(step: Any, fixturemanager: Any, node: Any) -> list[Any]:
        module = node.nodeid.split("::", 1)[0]
        key = (step.type, step.name, module)
        found = answers.get(key)
        if found is None:
            if module not in visible:
                visible[module] = step_definitions(fixturemanager, node)
            found = answers[key] = [
                fixturedef
                for fixturedef, context in visible[module]
                if context.type in (None, step.type) and context.parser.is_matching(step.name)
            ]
        return list(found)  # the caller sorts its copy

    return find


def memoised_signatures(required_args: Callable[[Any], list[str]]) -> dict[str, Any]:
    """``signature`` and ``get_required_args`` for pytest-bdd, each computed once per function."""
    signatures: dict[Any, inspect.Signature] = {}
    required: dict[Any, list[str]] = {}

    def signature(func: Any) -> inspect.Signature:
        found = signatures.get(func)
        if found is None:
            found = signatures[func] = inspect.signature(func)
        return found

    def get_required_args(func: Any) -> list[str]:
        found = required.get(func)
        if found is None:
            found = required[func] = required_args(func)
        return list(found)

    return {"signature": signature, "get_required_args": get_required_args}


@contextmanager
def memoised_step_lookup() -> Iterator[bool]:
    """Install the lookup for the ``with`` block; yields whether it could be installed."""
    # the module, not the ``scenario`` decorator that ``pytest_bdd`` exports
    try:
        bdd = importlib.import_module("pytest_bdd.scenario")
    except ImportError:  # pragma: no cover - pytest-bdd is a core dependency
        yield False
        return
    if not all(hasattr(bdd, name) for name in _NEEDED):
        yield False
        return
    patches: dict[str, Any] = {_LOOKUP: memoised(bdd)}
    if all(hasattr(bdd, name) for name in _SIGNATURES):
        patches.update(memoised_signatures(bdd.get_required_args))
    originals = {name: getattr(bdd, name) for name in patches}
    for name, patch in patches.items():
        setattr(bdd, name, patch)
    try:
        yield True
    finally:
        for name, original in originals.items():
            setattr(bdd, name, original)
