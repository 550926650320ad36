"""The runner reports a run that breaks as an error, never as a verdict."""

from __future__ import annotations

from conformance.cli.models_runner import run_models, table, validate
from conformance.models.registry import ModelEntry


def test_a_run_that_cannot_start_is_an_error_with_its_reason() -> None:
    broken = ModelEntry("broken", "conformance.models.no_such_module:Nothing")
    document = run_models([broken])
    validate(document)
    (model,) = document["models"]
    assert model["verdict"] == "error"
    assert "no_such_module" in model["reason"]
    assert all(c["status"] == "error" for c in model["claims"].values())
    assert "error: " in table(document).splitlines()[1]
