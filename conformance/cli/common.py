"""What every ``mdev-qos`` subcommand module shares: how it adds its parser."""

from __future__ import annotations

import argparse
from typing import TypeAlias

# argparse's class is not subscriptable at run time: the alias is for the type checker
SubParsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def add_command(
    sub: SubParsers, name: str, help: str, description: str, epilog: str | None = None
) -> argparse.ArgumentParser:
    """The parser of subcommand ``name``; its description and epilog keep their layout."""
    return sub.add_parser(
        name,
        help=help,
        description=description,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
