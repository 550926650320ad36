"""Load a user's driver class from ``module:Class``."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

from conformance.mock.driver import QosDriver


class DriverLoadError(ValueError):
    """The ``--mock-driver`` argument names no usable driver class."""


def load_driver_class(spec: str) -> type[QosDriver]:
    """Import ``module:Class`` (the current directory is searched first).

    The class must be :class:`QosDriver` or a subclass of it.
    """
    module_name, sep, class_name = spec.partition(":")
    if not sep or not module_name or not class_name:
        raise DriverLoadError(f"--mock-driver wants module:Class, got {spec!r}")
    cwd = str(Path.cwd())
    if cwd not in sys.path:
        sys.path.insert(0, cwd)
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise DriverLoadError(f"cannot import module {module_name!r}: {exc}") from exc
    obj = module
    for attr in class_name.split("."):
        try:
            obj = getattr(obj, attr)
        except AttributeError:
            raise DriverLoadError(f"module {module_name!r} has no {class_name!r}") from None
    if not isinstance(obj, type) or not issubclass(obj, QosDriver):
        raise DriverLoadError(
            f"{spec} is not a subclass of conformance.mock.QosDriver"
        )
    return obj
