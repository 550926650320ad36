"""Drivers with every noise the spec permits, seeded, for the noisy-seed tests.

Any driver of the catalogue (or the reference) can be loaded with noise through
the public ``--mock-driver`` path by naming it here with a seed::

    mdev-qos run --mock-driver mqos_mutants.noisy:Reference_seed7
    mdev-qos run --mock-driver mqos_mutants.noisy:CapExceeded_seed7

The class is built on first access (PEP 562 module ``__getattr__``): it derives
from the named driver and installs ``Noise.within_spec(seed)`` in the engine
before any mdev exists.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

from conformance.mock import QosDriver
from conformance.mock.noise import Noise

_NAME = re.compile(r"(?P<driver>[A-Za-z][A-Za-z0-9]*)_seed(?P<seed>[0-9]+)")


def driver_class(name: str) -> type[QosDriver]:
    """The reference (``Reference``) or a catalogue mutant, by class name."""
    if name == "Reference":
        return QosDriver
    from mqos_mutants import catalogue

    for entry in catalogue():
        if entry.name == name:
            module = importlib.import_module(f"mqos_mutants.{entry.area}")
            return getattr(module, name)
    raise AttributeError(f"no driver named {name!r} in the mutant catalogue")


def with_noise(base: type[QosDriver], seed: int) -> type[QosDriver]:
    """A subclass of ``base`` whose engine adds the largest permitted noise."""

    def __init__(self: Any, topology: Any, engine: Any) -> None:
        engine.noise = Noise.within_spec(seed)
        base.__init__(self, topology, engine)

    name = f"{base.__name__}_seed{seed}"
    return type(name, (base,), {"__init__": __init__, "__module__": __name__})


def __getattr__(attr: str) -> type[QosDriver]:
    match = _NAME.fullmatch(attr)
    if match is None:
        raise AttributeError(attr)
    cls = with_noise(driver_class(match["driver"]), int(match["seed"]))
    globals()[attr] = cls
    return cls
