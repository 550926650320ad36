"""A catalogue of mutant drivers: each breaks exactly one requirement of the spec.

Every mutant is a small subclass of the reference driver
:class:`conformance.mock.QosDriver` and names what it breaks in ``breaks``. The
meta-test loads each one only through the public path a vendor uses::

    cd tests/mutants && mdev-qos run --mock-driver mqos_mutants.cap:CapExceeded

and expects the suite to fail that requirement. A mutant whose ``expect`` is
``"warning"`` breaks a SHOULD: the verdict stays ``conformant`` and the
requirement must be reported as a warning. One whose ``expect`` is ``"conform"``
stays just inside the bound of the requirement it names: the verdict must be
``conformant`` (the bound is no tighter than the spec says).
"""

from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass

from conformance.mock import QosDriver

AREAS = (
    "layout",
    "modes",
    "formats",
    "grammar",
    "ranges",
    "accounting",
    "scheduling",
    "domains",
    "offer",
    "cap",
    "weight",
    "priority",
    "lifecycle",
    "concurrency",
    "margins",
    "precision",
    "topology",
    "combinations",
    "refusals",
    # the vendor catalogue of issue 12, written from real schedulers' designs
    "vendor.timers",
    "vendor.counters",
    "vendor.runlists",
    "vendor.history",
    "vendor.oneway",
    "vendor.combos",
    "vendor.knobfiles",
    "vendor.descriptors",
    # the blind catalogue (issue 12, second round), written before reading features/
    "vendor.blind",
    # the second blind catalogue (issue 12, third round)
    "vendor.blind2",
)


@dataclass(frozen=True)
class MutantInfo:
    """One catalogue entry: where the class lives and what it must make fail."""

    area: str
    name: str
    breaks: str
    expect: str  # "fail" (MUST), "warning" (SHOULD) or "conform" (just inside a bound)
    summary: str
    run_options: tuple[str, ...] = ()  # extra ``mdev-qos run`` options it needs
    known_gap: str = ""  # a reported suite gap that lets it survive for now

    @property
    def spec(self) -> str:
        """The ``--mock-driver`` argument that loads it."""
        return f"mqos_mutants.{self.area}:{self.name}"


def catalogue() -> list[MutantInfo]:
    """Every mutant of every area module, in definition order."""
    entries = []
    for area in AREAS:
        module = importlib.import_module(f"mqos_mutants.{area}")
        classes = [
            obj
            for _, obj in inspect.getmembers(module, inspect.isclass)
            if issubclass(obj, QosDriver) and obj.__module__ == module.__name__
            and "breaks" in vars(obj)
        ]
        classes.sort(key=lambda cls: inspect.getsourcelines(cls)[1])
        for cls in classes:
            doc = inspect.getdoc(cls) or ""
            entries.append(
                MutantInfo(
                    area=area,
                    name=cls.__name__,
                    breaks=cls.breaks,
                    expect=getattr(cls, "expect", "fail"),
                    summary=doc.splitlines()[0] if doc else "",
                    run_options=tuple(getattr(cls, "run_options", ())),
                    known_gap=getattr(cls, "known_gap", ""),
                )
            )
    return entries
