"""A discovery as tables for people: the types and their offers, then the live mdevs."""

from __future__ import annotations

from collections.abc import Sequence

from conformance.discover.model import Discovery, FileRead, MdevType, Offer
from conformance.oracle.grammar import NUMERIC_RANGES
from conformance.sysfs import paths

NONE = "-"


def shown(text: str | None) -> str:
    """A name or value as one printable word (odd ones quoted, as Python would)."""
    if text is None or text == "":
        return NONE
    if text.isprintable() and " " not in text:
        return text
    return ascii(text)


def columns(header: Sequence[str], rows: list[list[str]]) -> list[str]:
    """Rows aligned under the header; the last column is not padded."""
    widths = [max(len(row[i]) for row in [list(header), *rows]) for i in range(len(header))]
    lines = []
    for row in [list(header), *rows]:
        cells = [cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=False)]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    return lines


def _attribute(kind: MdevType, name: str) -> str:
    read: FileRead | None = kind.attributes.get(name)
    return shown(read.value if read is not None else None)


def settable(offer: Offer) -> str:
    """``cap 1..100, priority background|standard|urgent``: what an mdev may set."""
    parts = []
    for knob in offer.settable:
        if knob in NUMERIC_RANGES:
            low, high = NUMERIC_RANGES[knob]
            parts.append(f"{knob} {low}..{high}")
        elif knob == "priority":
            parts.append(f"priority {'|'.join(map(shown, offer.levels or ()))}")
        else:
            parts.append(knob)
    return ", ".join(parts) or NONE


def fixed(offer: Offer) -> str:
    """``cap=50``: the values the type fixes."""
    return " ".join(f"{shown(k)}={shown(v)}" for k, v in offer.fixed.items()) or NONE


def types_table(found: Discovery) -> list[str]:
    """One row per parent and type: its offer."""
    rows = []
    for parent in found.parents:
        for kind in parent.types:
            row = [shown(parent.name), shown(kind.type_id), _attribute(kind, "available_instances")]
            offer = kind.offer
            if offer is None:
                why = ("no offer in the type directory; its mdevs have qos/ (a spec 1.0 "
                       "driver?)" if any(m.qos is not None for m in kind.mdevs)
                       else "no QoS offer (no qos/ in the type directory)")
                rows.append([*row, NONE, NONE, why, NONE, NONE])
                continue
            slice_us = str(offer.timeslice_us) if offer.timeslice_us is not None else NONE
            rows.append([*row, shown(offer.domain), slice_us, settable(offer), fixed(offer),
                         " ".join(map(shown, offer.files)) or NONE])
        if not parent.types:
            rows.append([shown(parent.name), "(no types)", NONE, NONE, NONE, NONE, NONE, NONE])
    header = ("PARENT", "TYPE", "AVAIL", "DOMAIN", "SLICE_US", "SETTABLE", "FIXED", "FILES")
    return columns(header, rows)


def mdevs_table(found: Discovery) -> list[str]:
    """One row per live mdev: its knobs and counters."""
    rows = []
    for parent in found.parents:
        for kind in parent.types:
            for mdev in kind.mdevs:
                if mdev.qos is None:
                    knobs, counters = "no qos/", NONE
                else:
                    knobs = " ".join(f"{k}={shown(v)}" for k, v in mdev.knobs().items()) or NONE
                    counters = " ".join(f"{k}={shown(v)}"
                                        for k, v in mdev.counters().items()) or NONE
                rows.append([mdev.uuid, shown(parent.name), shown(kind.type_id), knobs, counters])
    if not rows:
        return ["no mdevs"]
    return columns(("MDEV", "PARENT", "TYPE", "KNOBS", "COUNTERS"), rows)


def no_mdev_line(found: Discovery) -> str:
    """The one line for a tree without mdev support."""
    return f"no mdev on {found.source}: {paths.CLASS} does not exist (no mdev parent driver loaded)"


def render(found: Discovery) -> str:
    """The whole discovery as text."""
    if not found.mdev_bus:
        return no_mdev_line(found) + "\n"
    if not found.parents:
        return f"no mdev parents in {paths.CLASS} ({found.source})\n"
    return "\n".join([*types_table(found), "", *mdevs_table(found)]) + "\n"
