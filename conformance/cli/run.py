"""``mdev-qos run``: placeholder, owned by its issue."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="(not yet implemented)")
    p.set_defaults(func=lambda args: print("not yet implemented") or 2)
