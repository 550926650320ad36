"""report.json is validated against the report schema with its definitions in place."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from conformance.report.document import inline_definitions, report_validator, validate_report
from conformance.resources import schema_path

EXAMPLES = Path(__file__).resolve().parents[1] / "schema" / "examples" / "report"


def _plain() -> jsonschema.Draft202012Validator:
    schema = json.loads(schema_path("report").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*/*.json")), ids=lambda p: p.stem)
def test_it_judges_every_example_as_the_schema_does(path: Path) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    expected = sorted(e.message for e in _plain().iter_errors(document))
    assert sorted(e.message for e in report_validator().iter_errors(document)) == expected
    assert bool(expected) == (path.parent.name == "bad")
    if expected:
        with pytest.raises(jsonschema.ValidationError):
            validate_report(document)


def test_no_reference_is_left_to_resolve_and_the_validator_is_built_once() -> None:
    """jsonschema resolved every $ref through its registry: a third of the validation."""
    assert "$ref" not in json.dumps(report_validator().schema)
    assert report_validator() is report_validator()


def test_a_definition_that_refers_to_itself_keeps_its_reference() -> None:
    schema = {
        "type": "object",
        "properties": {"tree": {"$ref": "#/$defs/node"}, "id": {"$ref": "#/$defs/id"}},
        "$defs": {
            "id": {"type": "string"},
            "node": {"type": "array", "items": {"$ref": "#/$defs/node"}},
        },
    }
    inlined = inline_definitions(schema)
    assert inlined["properties"]["id"] == {"type": "string"}
    assert inlined["properties"]["tree"] == {"type": "array", "items": {"$ref": "#/$defs/node"}}
    validator = jsonschema.Draft202012Validator(inlined)
    assert validator.is_valid({"tree": [[], [[]]], "id": "x"})
    assert not validator.is_valid({"tree": [[1]]})
