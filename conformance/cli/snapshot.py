"""``mdev-qos snapshot``: record a device's QoS files for the static profile."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from conformance import defaults
from conformance.cli.common import SubParsers, add_command

DESCRIPTION = """\
Record the QoS files of one or more mdevs (contents, modes, owners) together
with the links and type directory around them, keeping the kernel's layout.
The recording can be tested later, anywhere, with the read-only profile:

  mdev-qos snapshot --sysfs-root / --mdev UUID -o rec
  mdev-qos run --sysfs-root rec --profile static --mdev UUID

Nothing is written to the source tree.
"""


def register(sub: SubParsers) -> None:
    """Add ``mdev-qos snapshot`` to the subcommands."""
    p = add_command(
        sub, "snapshot", "record a device's QoS files for the static profile", DESCRIPTION
    )
    p.add_argument("--sysfs-root", default="/", metavar="DIR", help="tree to read (default /)")
    p.add_argument(
        "--mdev",
        dest="mdevs",
        action="append",
        required=True,
        metavar="UUID",
        help="mdev to record; repeatable",
    )
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="new directory to write")
    p.add_argument(
        "--op-timeout",
        type=float,
        metavar="S",
        help="longest one read of the source may take before the recording stops "
        f"(default {defaults.OP_TIMEOUT_S:g})",
    )
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    """Record the named mdevs; the exit status."""
    from conformance.suite.snapshot import Limits, SnapshotError, snapshot

    timeout = defaults.OP_TIMEOUT_S if args.op_timeout is None else args.op_timeout
    if not math.isfinite(timeout) or timeout <= 0:
        print(f"mdev-qos snapshot: --op-timeout must be a positive number, not {timeout}",
              file=sys.stderr)
        return 2
    try:
        manifest = snapshot(
            args.sysfs_root, list(args.mdevs), Path(args.output), Limits(op_timeout_s=timeout)
        )
    except (SnapshotError, OSError) as exc:
        print(f"mdev-qos snapshot: {exc}", file=sys.stderr)
        return 2
    for device in manifest["mdevs"]:
        print(f"recorded {device['uuid']} (parent {device['parent']}, type {device['type']})")
    for skipped in manifest.get("skipped", []):
        print(f"warning: {skipped['path']}: {skipped['reason']}", file=sys.stderr)
    print(f"{len(manifest['files'])} nodes in {args.output}")
    return 0
