"""Which feature files the next run collects (set by the runner, read by scenarios.py)."""

from __future__ import annotations

from pathlib import Path

from conformance.resources import features_dir

_override: Path | None = None


def use(directory: Path | None) -> None:
    """Collect the feature files under ``directory`` (None: the packaged features)."""
    global _override
    _override = Path(directory).resolve() if directory is not None else None


def features() -> Path:
    """The directory of feature files the scenario module binds."""
    return _override or features_dir()
