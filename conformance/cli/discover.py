"""``mdev-qos discover``: what QoS each mdev parent and type offers, read-only."""

from __future__ import annotations

import argparse
import json
import math
import os
import shlex
import sys
import uuid as uuidlib
from contextlib import suppress
from typing import TYPE_CHECKING

from conformance import defaults
from conformance.cli.common import SubParsers, add_command
from conformance.discover.propose import START
from conformance.sysfs import paths
from conformance.sysfs.target import Target

if TYPE_CHECKING:
    from conformance.discover.model import Parent

DESCRIPTION = """\
List every mdev parent and type of a host with the QoS the type offers (the
qos/ directory of its type directory, spec 1.1: files, fixed values, priority
levels, domain, timeslice) and the live mdevs of each type with their knobs and
counters: a table, or JSON (--json, spec/schema/discover.schema.json).

With --propose, check a chosen mdev configuration against its type's offer and
print what would create it: libvirt node device XML (virsh nodedev-define) and
mdevctl JSON (mdevctl define --jsonfile).

It only reads: nothing is written, created or started, no state is kept.
"""

EPILOG = """\
examples:
  mdev-qos discover                               # this host's /sys
  mdev-qos discover --json --sysfs-root /mnt/mockfs
  mdev-qos discover --mock                        # the embedded reference mock
  mdev-qos discover --propose xml --parent 0000:00:03.0 --type mqos-full \\
      --set cap=60 --set weight=300 > mdev.xml && virsh nodedev-define mdev.xml

exit status: 0 done (also when the host has no mdev support: one line says so,
and --json prints a document with "mdev_bus": false); 2 bad input, a value the
type does not offer, or a tree that cannot be read. Never 1 (1 is the suite's
non-conformant).
"""


def register(sub: SubParsers) -> None:
    """Add ``mdev-qos discover`` to the subcommands."""
    p = add_command(sub, "discover", "list the QoS each mdev parent and type offers (read-only)",
                    DESCRIPTION, EPILOG)
    t = p.add_argument_group("tree")
    where = t.add_mutually_exclusive_group()
    where.add_argument("--sysfs-root", metavar="DIR",
                       help="read the tree at DIR: / (default), a FUSE mount, a recording")
    where.add_argument("--mock", action="store_true",
                       help="read the embedded reference mock (what `mdev-qos run` tests "
                            "without --sysfs-root)")
    t.add_argument("--mock-topology", metavar="FILE", help="topology JSON for --mock")
    t.add_argument("--mock-driver", metavar="MODULE:CLASS", help="a QosDriver for --mock")
    t.add_argument("--op-timeout", type=float, metavar="S",
                   help="longest one read may take before it is reported as not answering "
                   f"(default {defaults.OP_TIMEOUT_S:g})")
    p.add_argument("--parent", metavar="P", help="only this parent (needed by --propose)")
    p.add_argument("--type", dest="type_id", metavar="T",
                   help="only this type (needed by --propose)")
    p.add_argument("--json", action="store_true", help="print JSON instead of tables")
    m = p.add_argument_group("propose an mdev (checked against the type's offer)")
    m.add_argument("--propose", nargs="?", const="all", choices=("xml", "mdevctl", "all"),
                   help="print what creates an mdev of --parent/--type with the --set knobs: "
                   "xml (libvirt node device), mdevctl (JSON) or all (both, with the "
                   "commands; the default)")
    m.add_argument("--set", dest="settings", action="append", default=[],
                   metavar="KNOB=VALUE", help="a knob of the new mdev, e.g. cap=60; repeatable")
    m.add_argument("--uuid", metavar="UUID", help="the new mdev's UUID (default: a new one)")
    m.add_argument("--start", choices=START, default="manual",
                   help="mdevctl's start policy for the definition (default: %(default)s)")
    p.set_defaults(func=main)


class UsageError(ValueError):
    """Bad input: one line, exit 2."""


def _target(args: argparse.Namespace) -> Target:
    """The tree the options name, opened to read only."""
    if args.mock:
        from conformance.mock import DriverLoadError, MockConfig, TopologyError
        from conformance.sysfs.mock_target import MockTarget

        try:
            config = MockConfig(driver=args.mock_driver, topology=args.mock_topology)
            target = MockTarget(config.build())
        except (DriverLoadError, TopologyError) as exc:
            raise UsageError(str(exc)) from exc
        if config.describe():
            target.description = f"embedded reference mock with {config.describe()}"
        return target
    if args.mock_topology or args.mock_driver:
        raise UsageError("--mock-topology and --mock-driver apply to --mock only")
    from conformance.sysfs.guarded import GuardedTarget
    from conformance.sysfs.target import FsTarget

    root = os.path.abspath(args.sysfs_root or "/")
    if not os.path.isdir(root):
        raise UsageError(f"--sysfs-root {root}: no such directory")
    timeout = defaults.OP_TIMEOUT_S if args.op_timeout is None else args.op_timeout
    if not math.isfinite(timeout) or timeout <= 0:
        raise UsageError(f"--op-timeout must be a positive number, not {timeout}")
    return GuardedTarget(FsTarget(root, writable=False), deadline_s=timeout)


def _check_name(option: str, name: str | None) -> None:
    if name is not None and (not name or name in (".", "..") or "/" in name or "\0" in name):
        raise UsageError(f"{option} {name!r}: not a device or type name (one path component)")


def _check_propose(args: argparse.Namespace) -> None:
    """The --propose options make sense together (before anything is read)."""
    if args.propose is None:
        if args.settings or args.uuid or args.start != "manual":
            raise UsageError("--set, --uuid and --start need --propose")
        return
    if args.json:
        raise UsageError("--json lists; --propose mdevctl prints the mdevctl JSON")
    if args.parent is None or args.type_id is None:
        raise UsageError("--propose needs --parent P and --type T")
    if args.uuid is not None and not paths.UUID.fullmatch(args.uuid):
        raise UsageError(f"--uuid needs a UUID, not {args.uuid!r}")


def main(args: argparse.Namespace) -> int:
    """Discover and print; the exit status."""
    from conformance.discover.collect import discover
    from conformance.discover.document import document
    from conformance.discover.table import no_mdev_line, render
    from conformance.sysfs.guarded import TargetFault

    target: Target | None = None
    try:
        _check_name("--parent", args.parent)
        _check_name("--type", args.type_id)
        _check_propose(args)
        target = _target(args)
        found = discover(target, args.parent, args.type_id)
    except UsageError as exc:
        return _refuse(str(exc))
    except (TargetFault, OSError) as exc:
        return _refuse(f"cannot read the tree: {exc}")
    finally:
        if target is not None:
            with suppress(Exception):
                getattr(target, "close", lambda: None)()
    if args.propose is not None and not found.mdev_bus:
        return _refuse(f"{no_mdev_line(found)}: nothing to propose")
    if found.mdev_bus and args.parent is not None:
        if not found.parents:
            return _refuse(f"no parent {args.parent!r} in {found.source}")
        if args.type_id is not None and not found.parents[0].types:
            return _refuse(f"parent {args.parent!r} has no mdev type {args.type_id!r}")
    if args.propose is not None:
        return _propose(args, found.parents[0])
    if args.json:
        json.dump(document(found), sys.stdout, indent=2)
        sys.stdout.write("\n")
        if not found.mdev_bus:
            print(no_mdev_line(found), file=sys.stderr)
    else:
        sys.stdout.write(render(found))
    for problem in found.problems:
        print(f"mdev-qos discover: warning: {problem}", file=sys.stderr)
    return 0


def _propose(args: argparse.Namespace, parent: Parent) -> int:
    """Check the chosen knobs against the offer; print the XML and/or the JSON."""
    from conformance.discover import propose

    (kind,) = parent.types
    where = f"type {kind.type_id} of parent {parent.name}"
    try:
        settings = [propose.parse_setting(text) for text in args.settings]
        attrs = propose.checked_attrs(kind.offer, where, settings)
    except propose.ProposalError as exc:
        return _refuse(str(exc))
    proposal = propose.Proposal(parent=parent, type_id=kind.type_id,
                                uuid=args.uuid or str(uuidlib.uuid4()), attrs=attrs,
                                start=args.start)
    xml = propose.libvirt_xml(proposal)
    config = json.dumps(propose.mdevctl_config(proposal), indent=2) + "\n"
    if parent.libvirt_name is None and args.propose != "mdevctl":
        print(f"mdev-qos discover: note: libvirt lists mdev parents on PCI, CCW and AP "
              f"devices only; {parent.name} (bus {parent.bus or 'unknown'}) is not one, so "
              "<parent> holds its sysfs name", file=sys.stderr)
    if args.propose == "xml":
        sys.stdout.write(xml)
    elif args.propose == "mdevctl":
        sys.stdout.write(config)
    else:
        command = " ".join(shlex.quote(a) for a in propose.mdevctl_command(proposal))
        sys.stdout.write(
            f"# libvirt: save as FILE; virsh nodedev-define FILE; "
            f"virsh nodedev-start {proposal.node_name}\n{xml}\n"
            f"# mdevctl: save as FILE; {command}; mdevctl start -u {proposal.uuid}\n"
            f"{config}")
    return 0


def _refuse(message: str) -> int:
    print(f"mdev-qos discover: {message}", file=sys.stderr)
    return 2
