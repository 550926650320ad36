"""``mdev-qos models``: list the models of real schedulers, or run the suite on them."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from conformance.cli.common import SubParsers, add_command

if TYPE_CHECKING:
    from conformance.models.registry import ModelEntry

DESCRIPTION = """\
Models of real schedulers (GVT-g, Xe SR-IOV, AMD GIM, Xen credit2, Linux CFS
bandwidth with EEVDF, NVIDIA vGPU's policies) behind this ABI, each ported from
its public source or documentation.

Without --run: list them with their upstream sources. With --run: run the suite
(profile full, the embedded mock, virtual time) against each named model, or
all, through --mock-driver as a vendor would; print a table of the claims with
the failing MUST requirements, and with --json FILE write the result
(spec/schema/models-run.schema.json).
"""


def register(sub: SubParsers) -> None:
    """Add ``mdev-qos models`` to the subcommands."""
    p = add_command(
        sub, "models", "list the models of real schedulers, or run the suite against them",
        DESCRIPTION,
    )
    p.add_argument("names", nargs="*", metavar="NAME", help="models to run (default: all)")
    p.add_argument("--run", action="store_true", help="run the suite against the models")
    p.add_argument("-j", "--jobs", type=int, default=1, metavar="N",
                   help="models run in parallel (default 1)")
    p.add_argument("--json", type=Path, metavar="FILE", help="write the result as JSON")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")
    p.set_defaults(func=main)


def _refuse(message: str) -> int:
    print(f"mdev-qos models: {message}", file=sys.stderr)
    return 2


def main(args: argparse.Namespace) -> int:
    """List the models, or run the suite against them; the exit status."""
    from conformance.models import MODELS, find_model

    if args.jobs < 1:
        return _refuse(f"-j wants at least 1 model at a time, not {args.jobs}")
    unknown = [n for n in args.names if find_model(n) is None]
    if unknown:
        known = ", ".join(m.name for m in MODELS)
        return _refuse(f"unknown model {unknown[0]!r} (known: {known})")
    if (args.names or args.json) and not args.run:
        return _refuse("model names and --json go with --run")
    if args.json is not None and not args.json.parent.is_dir():
        return _refuse(f"--json {args.json}: no directory {args.json.parent}")
    named = [find_model(n) for n in args.names]
    entries = [e for e in named if e is not None] if args.names else list(MODELS)
    if not args.run:
        return list_models(entries)
    return run(entries, args)


def list_models(entries: list[ModelEntry]) -> int:
    """Print each model with its driver and the sources it follows."""
    for entry in entries:
        info = entry.describe()
        print(f"{info['name']}: {info['title']}")
        print(f"  --mock-driver {info['driver']}  (timeslice_us {info['timeslice_us']})")
        for source in info["sources"]:
            print(f"  source: {source['where']} @ {source['version']}")
            print(f"          follows {source['follows']}")
    return 0


def run(entries: list[ModelEntry], args: argparse.Namespace) -> int:
    """Run the suite against the models and print the model x claim table."""
    from conformance.cli.models_runner import run_models, table, validate

    def progress(line: str) -> None:
        if not args.quiet:
            print(line, file=sys.stderr, flush=True)

    document = run_models(entries, jobs=args.jobs, progress=progress)
    validate(document)
    print(table(document))
    if args.json is not None:
        args.json.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {args.json}")
    broken = [m["name"] for m in document["models"] if m["verdict"] == "error"]
    if broken:
        return _refuse(f"the run broke for {', '.join(broken)} (see the table)")
    return 0
