"""What the mock presents: parents, mdev types and their QoS offer.

A topology comes from a JSON file validated by ``spec/schema/topology.schema.json``
or from :data:`DEFAULT_TOPOLOGY` (two parents, three types, see
docs/architecture.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

KNOBS = ("cap", "weight", "priority")
OPTIONAL_COUNTERS = ("throttled_us", "wait_us", "nr_slices")
LEVELS = ("background", "standard", "urgent")
SHARING = ("work-conserving", "reserved")

DEFAULT_TOPOLOGY: dict[str, Any] = {
    "driver": "mqos",
    "timeslice_us": 1000,
    "types": [
        {
            "name": "full",
            "description": "time-shared device with every QoS knob",
            "instances": 8,
            "qos": {"knobs": ["cap", "weight", "priority"],
                    "levels": ["background", "standard", "urgent"], "cap_period_us": 0},
        },
        {
            "name": "fixed",
            "description": "time-shared device whose type fixes cap at 50",
            "instances": 8,
            "qos": {
                "knobs": ["cap", "weight", "priority"],
                "levels": ["background", "standard", "urgent"],
                "fixed": {"cap": 50},
                "cap_period_us": 0,
            },
        },
        {
            "name": "plain",
            "description": "time-shared device without QoS",
            "instances": 4,
            "qos": None,
        },
    ],
    "parents": [
        {"name": "mqos0", "types": ["full", "fixed", "plain"]},
        {"name": "mqos1", "types": ["full", "fixed", "plain"]},
    ],
}


class TopologyError(ValueError):
    """A topology file that does not validate or does not make sense."""


@dataclass(frozen=True)
class QosOffer:
    """The QoS files a type offers and how."""

    knobs: tuple[str, ...] = KNOBS
    levels: tuple[str, ...] = LEVELS
    fixed: dict[str, int | str] = field(default_factory=dict)
    counters: tuple[str, ...] = OPTIONAL_COUNTERS
    sharing: str | None = "work-conserving"  # what qos/sharing reads; None: no such file
    cap_period_us: int | None = None  # qos/cap_period_us; 0: the timeslice; None: no file

    def files(self) -> tuple[str, ...]:
        """Every file of the ``qos/`` group, in the spec's order."""
        order = (
            "cap", "cap_period_us", "weight", "priority", "timeslice_us", "sharing", "usage_us",
            *OPTIONAL_COUNTERS, "domain",
        )
        present = set(self.knobs) | {"timeslice_us", "usage_us", "domain"} | set(self.counters)
        if self.sharing is not None:
            present.add("sharing")
        if self.cap_period_us is not None and "cap" in self.knobs:
            present.add("cap_period_us")
        return tuple(name for name in order if name in present)


@dataclass(frozen=True)
class TypeSpec:
    """One mdev type as the driver registers it."""

    name: str
    description: str = ""
    device_api: str = "vfio-pci"
    instances: int = 8
    qos: QosOffer | None = None


@dataclass(frozen=True)
class ParentSpec:
    """One parent device, the types it offers and the scheduling domain of each.

    ``domain``: the domain of its types (default: the parent's own name);
    ``type_domains``: type name -> domain, for a parent with several engines.
    """

    name: str
    types: tuple[TypeSpec, ...]
    timeslice_us: int = 1000
    domain: str | None = None
    type_domains: dict[str, str] = field(default_factory=dict)

    def domain_of(self, type_name: str) -> str:
        """The scheduling domain the mdevs of ``type_name`` on this parent join."""
        return self.type_domains.get(type_name, self.domain or self.name)


@dataclass(frozen=True)
class Topology:
    """The whole tree the mock builds."""

    driver: str
    parents: tuple[ParentSpec, ...]

    @classmethod
    def default(cls) -> Topology:
        """The default topology of docs/architecture.md."""
        return cls.from_dict(DEFAULT_TOPOLOGY)

    @classmethod
    def from_file(cls, path: str | Path) -> Topology:
        """Load, validate against the schema and build a topology."""
        try:
            data = json.loads(Path(path).read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise TopologyError(f"{path}: {exc}") from exc
        return cls.from_dict(data, source=str(path))

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "topology") -> Topology:
        """Validate ``data`` against the schema and build a topology."""
        validate(data, source)
        driver = data.get("driver", "mqos")
        default_slice = data.get("timeslice_us", 1000)
        types = {t["name"]: _type_spec(t) for t in data["types"]}
        if len(types) != len(data["types"]):
            raise TopologyError(f"{source}: duplicate type names")
        parents = []
        for p in data["parents"]:
            missing = [name for name in p["types"] if name not in types]
            missing += [name for name in p.get("type_domains", {}) if name not in p["types"]]
            if missing:
                raise TopologyError(f"{source}: parent {p['name']} names unknown types {missing}")
            parents.append(
                ParentSpec(
                    name=p["name"],
                    types=tuple(types[name] for name in p["types"]),
                    timeslice_us=p.get("timeslice_us", default_slice),
                    domain=p.get("domain"),
                    type_domains=dict(p.get("type_domains", {})),
                )
            )
        if len({p.name for p in parents}) != len(parents):
            raise TopologyError(f"{source}: duplicate parent names")
        _check_domains(source, parents)
        return cls(driver=driver, parents=tuple(parents))

    def domains(self) -> dict[str, list[tuple[str, str]]]:
        """Each scheduling domain with the (parent, type name) pairs that join it."""
        found: dict[str, list[tuple[str, str]]] = {}
        for parent in self.parents:
            for spec in parent.types:
                found.setdefault(parent.domain_of(spec.name), []).append(
                    (parent.name, spec.name)
                )
        return found


def _check_domains(source: str, parents: list[ParentSpec]) -> None:
    """One domain is one engine: one quantum for every parent that shares it."""
    slices: dict[str, tuple[str, int]] = {}
    for parent in parents:
        for spec in parent.types:
            domain = parent.domain_of(spec.name)
            first = slices.setdefault(domain, (parent.name, parent.timeslice_us))
            if first[1] != parent.timeslice_us:
                raise TopologyError(
                    f"{source}: parents {first[0]} and {parent.name} share domain {domain} "
                    "but not their timeslice_us"
                )


def _type_spec(data: dict[str, Any]) -> TypeSpec:
    qos = data.get("qos")
    offer = None
    if qos is not None:
        offer = QosOffer(
            knobs=tuple(k for k in KNOBS if k in qos.get("knobs", KNOBS)),
            levels=tuple(lv for lv in LEVELS if lv in qos.get("levels", LEVELS)),
            fixed=dict(qos.get("fixed", {})),
            counters=tuple(
                c for c in OPTIONAL_COUNTERS if c in qos.get("counters", OPTIONAL_COUNTERS)
            ),
            sharing=qos.get("sharing", SHARING[0]),
            cap_period_us=qos.get("cap_period_us"),
        )
        _check_offer(data["name"], offer)
    return TypeSpec(
        name=data["name"],
        description=data.get("description", ""),
        device_api=data.get("device_api", "vfio-pci"),
        instances=data.get("instances", 8),
        qos=offer,
    )


def _check_offer(type_name: str, offer: QosOffer) -> None:
    """Cross-field rules the schema cannot say simply."""
    for knob, value in offer.fixed.items():
        if knob not in offer.knobs:
            raise TopologyError(f"type {type_name}: fixed knob {knob!r} is not offered")
        if knob == "priority" and value not in offer.levels:
            raise TopologyError(f"type {type_name}: fixed priority {value!r} is not a level")
        if knob in ("cap", "weight") and not isinstance(value, int):
            raise TopologyError(f"type {type_name}: fixed {knob} must be an integer")
    if offer.cap_period_us is not None and "cap" not in offer.knobs:
        raise TopologyError(f"type {type_name}: cap_period_us needs the cap knob")
    if "priority" in offer.knobs and "standard" not in offer.levels:
        raise TopologyError(f"type {type_name}: the levels must include 'standard'")


def validate(data: Any, source: str = "topology") -> None:
    """Validate against ``spec/schema/topology.schema.json``; raise TopologyError."""
    import jsonschema

    from conformance.resources import schema_path

    schema = json.loads(schema_path("topology").read_text())
    errors = sorted(
        jsonschema.Draft202012Validator(schema).iter_errors(data), key=lambda e: list(e.path)
    )
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.absolute_path) or "(top)"
        raise TopologyError(f"{source}: {where}: {first.message}")
