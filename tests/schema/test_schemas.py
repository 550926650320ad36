"""Every JSON Schema in spec/schema/ is valid draft 2020-12 and judges its examples.

For ``spec/schema/NAME.schema.json`` the documents in
``tests/schema/examples/NAME/good/*.json`` must validate and those in
``.../bad/*.json`` must not. New schemas and examples are picked up automatically.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from conformance.resources import spec_dir

SCHEMA_DIR = spec_dir() / "schema"
EXAMPLES = Path(__file__).parent / "examples"
DRAFT = "https://json-schema.org/draft/2020-12/schema"
SUFFIX = ".schema.json"


def schema_names() -> list[str]:
    return sorted(p.name[: -len(SUFFIX)] for p in SCHEMA_DIR.glob(f"*{SUFFIX}"))


def load(path: Path) -> object:
    with path.open(encoding="utf-8") as f:
        return json.load(f)


def registry() -> Registry:
    """All schemas by their $id, so that one schema may refer to another."""
    resources = []
    for name in schema_names():
        schema = load(SCHEMA_DIR / f"{name}{SUFFIX}")
        if isinstance(schema, dict) and "$id" in schema:
            resources.append((schema["$id"], Resource.from_contents(schema)))
    return Registry().with_resources(resources)


def validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(
        load(SCHEMA_DIR / f"{name}{SUFFIX}"),
        registry=registry(),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def examples(kind: str) -> list[tuple[str, Path]]:
    return [
        (name, path)
        for name in schema_names()
        for path in sorted((EXAMPLES / name / kind).glob("*.json"))
    ]


def ident(item: object) -> str:
    return f"{item[0]}/{item[1].name}" if isinstance(item, tuple) else str(item)


def test_there_are_schemas() -> None:
    assert "qos-snapshot" in schema_names()


@pytest.mark.parametrize("name", schema_names())
def test_schema_is_valid_draft_2020_12(name: str) -> None:
    schema = load(SCHEMA_DIR / f"{name}{SUFFIX}")
    assert isinstance(schema, dict)
    assert schema.get("$schema") == DRAFT, f"{name}: $schema must be {DRAFT}"
    Draft202012Validator.check_schema(schema)
    assert schema.get("title") and schema.get("description"), f"{name}: title and description"


@pytest.mark.parametrize("name", schema_names())
def test_schema_has_good_and_bad_examples(name: str) -> None:
    for kind in ("good", "bad"):
        found = list((EXAMPLES / name / kind).glob("*.json"))
        assert found, f"no examples in tests/schema/examples/{name}/{kind}/"


def test_no_examples_without_a_schema() -> None:
    orphans = sorted(
        p.name for p in EXAMPLES.iterdir() if p.is_dir() and p.name not in schema_names()
    )
    assert not orphans, f"example directories without a schema: {orphans}"


@pytest.mark.parametrize("item", examples("good"), ids=ident)
def test_good_example_validates(item: tuple[str, Path]) -> None:
    name, path = item
    errors = sorted(validator(name).iter_errors(load(path)), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


@pytest.mark.parametrize("item", examples("bad"), ids=ident)
def test_bad_example_fails(item: tuple[str, Path]) -> None:
    name, path = item
    assert not validator(name).is_valid(load(path)), f"{path} should not validate"
