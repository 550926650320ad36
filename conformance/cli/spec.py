"""``mdev-qos spec``: build the HTML spec, check traceability, print the kernel ABI entry."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from conformance.cli.common import SubParsers
from conformance.specbuild.source import SpecError


def _paths(parser: argparse.ArgumentParser, features: bool = True) -> None:
    parser.add_argument(
        "--spec-dir", type=Path, default=None, help="spec sources (default: the packaged spec)"
    )
    if features:
        parser.add_argument(
            "--features-dir",
            type=Path,
            default=None,
            help="Gherkin feature files (default: the packaged features)",
        )


def register(sub: SubParsers) -> None:
    """Add ``mdev-qos spec`` and its verbs to the subcommands."""
    p = sub.add_parser("spec", help="build, check and export the specification")
    verbs = p.add_subparsers(dest="verb", metavar="VERB")
    verbs.required = True

    build = verbs.add_parser("build", help="write DIR/index.html and DIR/requirements.json")
    build.add_argument("-o", "--output", type=Path, required=True, metavar="DIR")
    _paths(build)
    build.set_defaults(func=run_build)

    check = verbs.add_parser(
        "check", help="fail on uncovered requirements, unknown tags and Gherkin lint problems"
    )
    _paths(check)
    check.set_defaults(func=run_check)

    abi = verbs.add_parser("abi", help="print the Documentation/ABI/testing entry")
    _paths(abi, features=False)
    abi.add_argument("--date", help='the Date: field, "Month YYYY" (default: the spec\'s)')
    abi.add_argument("--kernel-version", help="the KernelVersion: field")
    abi.add_argument("--contact", help="the Contact: field")
    abi.set_defaults(func=run_abi)


def _fail(message: str | Exception) -> int:
    if isinstance(message, OSError) and message.strerror:
        message = f"{message.filename}: {message.strerror}"
    print(f"mdev-qos spec: {message}", file=sys.stderr)
    return 1


def run_build(args: argparse.Namespace) -> int:
    """``spec build``: write the HTML spec and requirements.json."""
    from conformance.specbuild.html import build
    from conformance.specbuild.output import OutputDirError, check_output

    try:
        check_output(args.output)  # before the build's seconds of work
        result = build(args.output, args.spec_dir, args.features_dir)
    except (SpecError, OSError, OutputDirError) as exc:
        return _fail(exc)
    trace = result.trace
    print(f"wrote {result.index}")
    print(f"wrote {result.catalogue}")
    print(
        f"{len(trace.requirements)} requirements, {len(trace.features.scenarios)} scenarios, "
        f"{len(trace.uncovered)} requirements uncovered, "
        f"{len(trace.features.problems) + len(trace.unknown_tags)} feature problems "
        "(see `mdev-qos spec check`)"
    )
    return 0


def run_check(args: argparse.Namespace) -> int:
    """``spec check``: fail on uncovered requirements, unknown tags and lint problems."""
    from conformance.specbuild.traceability import trace

    try:
        result = trace(args.spec_dir, args.features_dir)
    except (SpecError, FileNotFoundError) as exc:
        return _fail(str(exc))
    problems = result.problems()
    for line in problems:
        print(line)
    if problems:
        return _fail(f"{len(problems)} problem(s) found")
    print(
        f"ok: {len(result.requirements)} requirements, each checked by a scenario; "
        f"{len(result.features.scenarios)} scenarios in "
        f"{len(result.features.files)} feature files, all tagged and lint-clean"
    )
    return 0


def run_abi(args: argparse.Namespace) -> int:
    """``spec abi``: print the Documentation/ABI/testing entry."""
    from conformance.specbuild.abi import AbiError, abi_entry

    try:
        text = abi_entry(
            args.spec_dir,
            date=args.date,
            kernel_version=args.kernel_version,
            contact=args.contact,
        )
    except (SpecError, AbiError) as exc:
        return _fail(str(exc))
    sys.stdout.write(text)
    return 0
