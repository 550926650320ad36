"""``mdev-qos mock``: the reference mock outside the suite (a FUSE mount)."""

from __future__ import annotations

import argparse
import os
import sys

from conformance.cli.common import SubParsers


def register(sub: SubParsers) -> None:
    """Add ``mdev-qos mock`` and its verbs to the subcommands."""
    p = sub.add_parser("mock", help="the reference mock driver (FUSE mount)")
    verbs = p.add_subparsers(dest="mock_command", metavar="VERB")
    verbs.required = True
    m = verbs.add_parser(
        "mount",
        help="mount the mock as DIR/sys/... until SIGINT/SIGTERM",
        description="Present the reference mock as a sysfs-like tree under DIR/sys with "
        "kernel-like semantics (errno, permissions, whole-buffer writes). Runs in the "
        "foreground; unmounts cleanly on SIGINT or SIGTERM.",
    )
    m.add_argument("directory", metavar="DIR", help="an existing empty directory")
    m.add_argument(
        "--topology",
        metavar="FILE",
        help="topology JSON (spec/schema/topology.schema.json); default: built in",
    )
    m.add_argument(
        "--mock-driver",
        metavar="MODULE:CLASS",
        help="a conformance.mock.QosDriver subclass to use instead of the reference",
    )
    m.add_argument(
        "--clock",
        choices=("virtual", "real"),
        default="virtual",
        help="virtual: time moves by writing sys/kernel/debug/<driver>/clock_us; "
        "real: time follows the wall clock (default: %(default)s)",
    )
    m.add_argument(
        "--noise", metavar="SEED", type=int, help="add every noise the spec permits, seeded"
    )
    m.add_argument("--threads", action="store_true",
                   help="serve FUSE requests from several threads (default: one)")
    m.add_argument("--debug", action="store_true", help="libfuse debug output")
    m.set_defaults(func=_mount)


def _mount(args: argparse.Namespace) -> int:
    from conformance.mock import DriverLoadError, MockConfig, TopologyError

    if not os.path.isdir(args.directory):
        print(f"mdev-qos mock mount: {args.directory}: not a directory", file=sys.stderr)
        return 2
    try:
        config = MockConfig(
            driver=args.mock_driver, topology=args.topology, noise_seed=args.noise,
            clock=args.clock,
        )
        kernel = config.build()
    except (DriverLoadError, TopologyError) as exc:
        print(f"mdev-qos mock mount: {exc}", file=sys.stderr)
        return 2
    try:
        from conformance.mock.fusefs import mount
    except (ImportError, OSError) as exc:
        print(f"mdev-qos mock mount: FUSE unavailable: {exc}", file=sys.stderr)
        return 2
    print(f"mdev-qos mock mount: serving {os.path.join(args.directory, 'sys')} "
          f"({args.clock} clock); SIGINT or SIGTERM unmounts", file=sys.stderr, flush=True)
    try:
        mount(kernel, args.directory, threads=args.threads, debug=args.debug)
    except RuntimeError as exc:
        # libfuse's loop reports an exit by signal as an error; once the directory
        # is no longer a mount point, the shutdown was clean.
        if os.path.ismount(args.directory):
            print(f"mdev-qos mock mount: FUSE loop failed: {exc}", file=sys.stderr)
            return 1
    finally:
        kernel.close()
    return 0
