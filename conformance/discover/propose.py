"""A chosen mdev configuration, checked against its type's offer, as libvirt and mdevctl take it.

The knobs become mdev attributes named by their path below the mdev
(``qos/cap``), which is how both tools carry them today: libvirt's node device
``<attr name='qos/cap' value='60'/>`` (spec/integration.rst) and mdevctl's
``attrs`` list, written in order after the device is created. They are written
``priority``, ``weight``, ``cap``: every order reaches the same state, and this
one never caps an mdev before its weight and priority are in place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from conformance.discover.model import Offer, Parent
from conformance.oracle.formats import KNOBS
from conformance.oracle.grammar import knob_write

WRITE_ORDER = ("priority", "weight", "cap")
START = ("manual", "auto")


class ProposalError(ValueError):
    """The configuration cannot be made: the message is one line for the user."""


@dataclass(frozen=True)
class Proposal:
    """An mdev to create: where, of which type, with which attributes in which order."""

    parent: Parent
    type_id: str
    uuid: str
    attrs: tuple[tuple[str, str], ...]  # ("qos/cap", "60"), in write order
    start: str = "manual"

    @property
    def node_name(self) -> str:
        """The name libvirt gives a defined mdev: ``mdev_<uuid>_<parent address>``."""
        address = self.parent.name.replace(":", "_").replace(".", "_")
        return f"mdev_{self.uuid.replace('-', '_')}_{address}"


def parse_setting(text: str) -> tuple[str, str]:
    """``cap=60`` → ``("cap", "60")``."""
    knob, sep, value = text.partition("=")
    if not sep or not knob or not value:
        raise ProposalError(f"--set {text!r}: write KNOB=VALUE, e.g. cap=60")
    return knob, value


def checked_attrs(offer: Offer | None, where: str,
                  settings: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """The settings as ``qos/`` attributes, in write order.

    ProposalError for any the offer does not allow: not offered, fixed, not a knob,
    outside its range or levels.
    """
    if offer is None:
        raise ProposalError(f"{where} offers no QoS (no qos/ in its type directory): "
                            "nothing can be set")
    chosen: dict[str, str] = {}
    for knob, value in settings:
        if knob in chosen:
            raise ProposalError(f"{knob} is set twice")
        if knob not in offer.files:
            raise ProposalError(f"{knob} is not offered by {where} (its qos/files: "
                                f"{' '.join(offer.files) or 'none'})")
        if knob in offer.fixed:
            raise ProposalError(f"{knob} is fixed at {offer.fixed[knob]} by {where}")
        if knob not in KNOBS:
            raise ProposalError(f"{knob} is not a knob (only {', '.join(KNOBS)} can be set)")
        outcome = knob_write(knob, value.encode(), offer.levels or ())
        if not outcome.accepted:
            allowed = (f"one of {' '.join(offer.levels or ())}" if knob == "priority"
                       else outcome.why)
            raise ProposalError(f"{knob}={value} is not offered by {where}: {allowed}")
        chosen[knob] = outcome.reads
    return tuple((f"qos/{knob}", chosen[knob]) for knob in WRITE_ORDER if knob in chosen)


def _attr(text: str) -> str:
    return escape(text, {"'": "&apos;", '"': "&quot;"})


def libvirt_xml(proposal: Proposal) -> str:
    """The node device XML for ``virsh nodedev-define``."""
    parent = proposal.parent.libvirt_name or proposal.parent.name
    lines = [
        "<device>",
        f"  <name>{escape(proposal.node_name)}</name>",
        f"  <parent>{escape(parent)}</parent>",
        "  <capability type='mdev'>",
        f"    <type id='{_attr(proposal.type_id)}'/>",
        f"    <uuid>{proposal.uuid}</uuid>",
        *(f"    <attr name='{_attr(name)}' value='{_attr(value)}'/>"
          for name, value in proposal.attrs),
        "  </capability>",
        "</device>",
    ]
    return "\n".join(lines) + "\n"


def mdevctl_config(proposal: Proposal) -> dict[str, Any]:
    """The JSON for ``mdevctl define -p PARENT -u UUID --jsonfile FILE``."""
    return {
        "mdev_type": proposal.type_id,
        "start": proposal.start,
        "attrs": [{name: value} for name, value in proposal.attrs],
    }


def mdevctl_command(proposal: Proposal, jsonfile: str = "FILE") -> list[str]:
    """The mdevctl command line that defines the device from the JSON."""
    return ["mdevctl", "define", "-p", proposal.parent.name, "-u", proposal.uuid,
            "--jsonfile", jsonfile]
