"""The ``mdev-qos`` command line: one module per subcommand.

Each subcommand module exposes ``register(subparsers)``, which adds its parser and
sets ``func`` (called with the parsed namespace, returning the exit status).
"""

from __future__ import annotations

import argparse
import importlib
import sys

from conformance import SPEC_VERSION, __version__
from conformance.streams import stdout_gone

SUBCOMMANDS = ("run", "mock", "spec", "snapshot", "models", "discover")


def build_parser() -> argparse.ArgumentParser:
    """The ``mdev-qos`` parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="mdev-qos",
        description="Conformance suite for the QoS interface of Linux mediated devices.",
    )
    parser.add_argument(
        "--version", action="version", version=f"mdev-qos {__version__} (spec {SPEC_VERSION})"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in SUBCOMMANDS:
        importlib.import_module(f"conformance.cli.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv`` and run the subcommand; its exit status."""
    args = build_parser().parse_args(argv)
    try:
        status = int(args.func(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's exit
        return status
    except BrokenPipeError:
        # the reader of stdout went away before the command finished printing:
        # nothing more can be said, and a crash must never read as a verdict
        stdout_gone()
        return 2
