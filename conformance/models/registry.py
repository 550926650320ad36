"""The list of models: name, ``module:Class`` for ``--mock-driver``, citation."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from conformance.models.base import ModelDriver


@dataclass(frozen=True)
class ModelEntry:
    """One model as ``mdev-qos models`` lists it."""

    name: str
    driver: str  # module:Class, what --mock-driver takes

    def load(self) -> type[ModelDriver]:
        module, _, cls = self.driver.partition(":")
        return getattr(importlib.import_module(module), cls)  # type: ignore[no-any-return]

    def describe(self) -> dict[str, Any]:
        cls = self.load()
        return {
            "name": self.name,
            "driver": self.driver,
            "title": cls.title,
            "timeslice_us": cls.quantum_us,
            "sources": [s.as_json() for s in cls.sources],
        }


MODELS: tuple[ModelEntry, ...] = (
    ModelEntry("gvt-g", "conformance.models.gvtg:GvtG"),
    ModelEntry("xe-sriov", "conformance.models.xe:XeSriov"),
    ModelEntry("amd-gim", "conformance.models.gim:AmdGim"),
    ModelEntry("xen-credit2", "conformance.models.credit2:XenCredit2"),
    ModelEntry("cfs-bandwidth", "conformance.models.cfs:CfsBandwidth"),
    ModelEntry("nvidia-best-effort", "conformance.models.nvidia:NvidiaBestEffort"),
    ModelEntry("nvidia-equal-share", "conformance.models.nvidia:NvidiaEqualShare"),
    ModelEntry("nvidia-fixed-share", "conformance.models.nvidia:NvidiaFixedShare"),
)


def find_model(name: str) -> ModelEntry | None:
    """The model called ``name``, or None."""
    return next((m for m in MODELS if m.name == name), None)
