"""Mutants of the scheduling domain (QOS-DOM-*, and isolation in its terms)."""

from __future__ import annotations

from typing import Any

from conformance.mock import QosDriver

SHARED_ENGINE = ("--mock-topology", "topologies/shared-engine.json")


class SharedEngineClaimsIsolation(QosDriver):
    """Every parent runs on one engine, but each mdev names its parent as its domain."""

    breaks = "QOS-SCH-002"

    def sched_domain(self, mdev: Any) -> str:
        return "one-engine"


class SharedDomainIsolated(QosDriver):
    """Two parents name one domain, but each is scheduled on an engine of its own."""

    breaks = "QOS-DOM-003"
    run_options = SHARED_ENGINE

    def sched_domain(self, mdev: Any) -> str:
        return str(mdev.parent.name)


class DomainByCreationOrder(QosDriver):
    """Each new mdev joins the next of two engines, whatever its type (load balancing)."""

    breaks = "QOS-DOM-002"

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.placed: dict[str, str] = {}

    def domain(self, mdev: Any) -> str:
        if mdev.uuid not in self.placed:
            self.placed[mdev.uuid] = f"{mdev.parent.name}.{len(self.placed) % 2}"
        return self.placed[mdev.uuid]


class DomainWithSpace(QosDriver):
    """domain reads two words, the device and the engine."""

    breaks = "QOS-DOM-001"

    def format_domain(self, mdev: Any, domain: str) -> str:
        return f"{domain} engine0\n"
