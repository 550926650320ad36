"""Locate the spec and feature files, in a source checkout or an installed wheel."""

from __future__ import annotations

from pathlib import Path

_PKG = Path(__file__).resolve().parent


def _find(name: str) -> Path:
    installed = _PKG / "data" / name
    if installed.is_dir():
        return installed
    checkout = _PKG.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"cannot find the {name!r} directory next to the package")


def spec_dir() -> Path:
    """Directory holding the reStructuredText spec and spec/schema/."""
    return _find("spec")


def features_dir() -> Path:
    """Directory holding the Gherkin feature files."""
    return _find("features")


def schema_path(name: str) -> Path:
    """Path of a JSON Schema in spec/schema/, e.g. ``schema_path("report")``."""
    return spec_dir() / "schema" / f"{name}.schema.json"
