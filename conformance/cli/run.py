"""``mdev-qos run``: run the conformance suite and write the reports."""

from __future__ import annotations

import argparse
import json
import math
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jsonschema

from conformance import defaults
from conformance.cli.common import SubParsers, add_command
from conformance.oracle.tolerance import PRECISIONS
from conformance.resources import schema_path
from conformance.suite.profiles import HELP as PROFILE_HELP
from conformance.suite.profiles import PROFILES
from conformance.sysfs import paths
from conformance.workload import WORKLOADS

if TYPE_CHECKING:
    from conformance.suite.engine import RunResult

DESCRIPTION = """\
Run the conformance suite and write report.json, junit.xml, results.ktap and
report.html to --report-dir.

Without options it tests the embedded reference mock, in-process. To test
anything else, point it at a sysfs tree: the live system (--sysfs-root /), a
FUSE mount (`mdev-qos mock mount`), or a recorded tree (`mdev-qos snapshot`).
The suite creates its own mdevs (random UUIDs) and removes them afterwards; it
writes on an existing mdev only when named with --mdev, and restores what it
wrote. It never writes to anything but the embedded mock without --allow-write.
"""

EPILOG = (
    "profiles:\n"
    + "".join(f"  {name:<11} {PROFILE_HELP[name]}\n" for name in PROFILES)
    + """
examples:
  mdev-qos run                                   # the embedded mock, profile full
  mdev-qos run --sysfs-root /mnt/mockfs --parent mqos0 --type mqos-full \\
      --allow-write --workload sample           # a FUSE mount of the mock
  mdev-qos run --sysfs-root / --profile static --mdev UUID   # read a live mdev only
  mdev-qos run --sysfs-root / --parent 0000:3b:00.0 --type nvidia-63 --allow-write \\
      --workload exec --exec-load 'vgpu-load {uuid} {demand}'

exit status: 0 conformant (or not-applicable: the type has no qos/ group),
1 non-conformant (a MUST failed), 2 error (nothing failed but the suite or the
environment broke, or the run could not start).
"""
)


def register(sub: SubParsers) -> None:
    """Add ``mdev-qos run`` to the subcommands."""
    p = add_command(
        sub, "run", "run the conformance suite (default: against the embedded mock)",
        DESCRIPTION, EPILOG,
    )
    p.add_argument("--config", metavar="FILE", help="JSON run configuration (options override)")
    p.add_argument(
        "--profile", choices=list(PROFILES), help=f"what to check (default: {defaults.PROFILE})"
    )
    p.add_argument(
        "--precision", choices=list(PRECISIONS),
        help=f"window lengths: quick (every commit, not a certification) or certify "
        f"(shares within 0.02, weight ratios within 25%%; default: {defaults.PRECISION})",
    )
    t = p.add_argument_group("target")
    t.add_argument("--sysfs-root", metavar="DIR", help="test the tree at DIR instead of the mock")
    t.add_argument("--parent", metavar="P", help=f"parent device (as in {paths.CLASS}/P)")
    t.add_argument("--type", dest="type_id", metavar="T", help="mdev type id, e.g. mqos-full")
    t.add_argument("--other-parent", metavar="P", help="a second parent for isolation checks")
    t.add_argument("--other-type", metavar="T", help="a second type on the parent")
    t.add_argument(
        "--mdev",
        dest="mdevs",
        action="append",
        metavar="UUID",
        help="an existing mdev the suite may read and (restoring it after) write; repeatable",
    )
    t.add_argument(
        "--allow-write",
        action="store_true",
        default=None,
        help="let the suite create mdevs and write attributes on a non-mock target",
    )
    t.add_argument(
        "--mock-driver",
        metavar="MODULE:CLASS",
        help="a QosDriver subclass for the embedded mock (model another driver)",
    )
    t.add_argument("--mock-topology", metavar="FILE", help="topology JSON for the embedded mock")
    t.add_argument(
        "--mock-noise",
        type=int,
        metavar="SEED",
        help="give the embedded mock every noise the spec permits (overrun, coarse "
        "accounting, stale reads, interference), seeded",
    )
    t.add_argument(
        "--op-timeout",
        type=float,
        metavar="S",
        help="longest one read or write on a --sysfs-root tree may take before the run "
        "reports an environment error (default 10)",
    )
    w = p.add_argument_group("workload")
    w.add_argument(
        "--workload",
        choices=list(WORKLOADS),
        help="how to make mdevs busy: mock (virtual time), sample (debugfs load file, real "
        "time), exec (your commands); auto picks mock, then sample (default: auto)",
    )
    w.add_argument("--load-dir", metavar="DIR", help=f"load control (default {defaults.LOAD_DIR})")
    w.add_argument(
        "--exec-load",
        metavar="CMD",
        help="exec: shell command with {uuid} and {demand} (idle|backlog|periodic R P)",
    )
    w.add_argument("--exec-timeout", type=float, metavar="S", help="exec: per-command timeout")
    o = p.add_argument_group("output")
    o.add_argument(
        "--report-dir", metavar="DIR", help=f"where reports go (default ./{defaults.REPORT_DIR})"
    )
    o.add_argument(
        "--spec-url",
        metavar="URL",
        help="base URL of the HTML spec the reports link to (default: the spec is built "
        f"into REPORT_DIR/spec and linked as {defaults.SPEC_URL})",
    )
    o.add_argument(
        "--state-dir",
        metavar="DIR",
        help="cleanup journal directory, private to you (default $XDG_STATE_HOME/mdev-qos, "
        "else /var/tmp/mdev-qos for root and /var/tmp/mdev-qos-UID for other users)",
    )
    o.add_argument("-k", dest="select", metavar="EXPR", help="only scenarios matching EXPR")
    o.add_argument(
        "--features", metavar="DIR",
        help="run the feature files in DIR instead of the suite's (e.g. a shrunk random "
        "sequence the suite printed)",
    )
    o.add_argument(
        "--max-examples",
        type=int,
        metavar="N",
        help=f"fuzz: generated inputs per file, 1..{defaults.MAX_EXAMPLES_LIMIT} "
        f"(default {defaults.MAX_EXAMPLES})",
    )
    o.add_argument("--fuzz-seed", type=int, metavar="N", help="fuzz: another input sequence")
    o.add_argument(
        "--seed", type=int, metavar="N",
        help="random sequences: use N as the fresh seed (replays a report's random.seeds.fresh)",
    )
    o.add_argument(
        "--random-budget", type=float, metavar="S",
        help="random sequences: device time they may ask for, in seconds, half per seed "
        f"(0: off; default {defaults.RANDOM_BUDGET_SLICES} timeslices of the type under test, "
        "x 5 at --precision certify, whose windows are five times longer)",
    )
    o.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")
    p.set_defaults(func=main)


def load_config(path: str) -> dict[str, Any]:
    """Read and validate a run configuration; ValueError with a readable message."""
    try:
        document: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"--config {path}: {exc.strerror or exc}") from exc
    except json.JSONDecodeError as exc:
        raise ValueError(f"--config {path}: not JSON: {exc}") from exc
    except RecursionError:
        raise ValueError(f"--config {path}: nested too deeply to be a run configuration") from None
    schema = json.loads(schema_path("run-config").read_text(encoding="utf-8"))
    try:
        errors = sorted(
            jsonschema.Draft202012Validator(schema).iter_errors(document), key=lambda e: e.path
        )
    except RecursionError:
        raise ValueError(f"--config {path}: nested too deeply to be a run configuration") from None
    if errors:
        where = "/".join(str(p) for p in errors[0].path) or "(top)"
        raise ValueError(f"--config {path}: {where}: {errors[0].message}")
    return document


def seconds(option: str, value: float) -> float:
    """A timeout: seconds above 0, at most an hour; ValueError naming the option."""
    limit = defaults.TIMEOUT_LIMIT_S
    if not (math.isfinite(value) and 0 < value <= limit):
        raise ValueError(
            f"{option} must be a number of seconds above 0 and at most {limit:g}, not {value}"
        )
    return float(value)


def request_from(args: argparse.Namespace) -> Any:
    """Merge the config file and the options (options win) into a RunRequest."""
    from conformance.suite.engine import RunRequest
    from conformance.suite.targets import TargetOptions

    config = load_config(args.config) if args.config else {}
    target = config.get("target", {})
    workload = config.get("workload", {})

    def pick(option: Any, value: Any, default: Any = None) -> Any:
        return option if option is not None else value if value is not None else default

    options: dict[str, object] = {}
    max_examples = pick(args.max_examples, config.get("max_examples"))
    if max_examples is not None:
        limit = defaults.MAX_EXAMPLES_LIMIT
        if not 1 <= max_examples <= limit:
            raise ValueError(f"--max-examples must be between 1 and {limit}, not {max_examples}")
        options["max_examples"] = max_examples
    fuzz_seed = pick(args.fuzz_seed, config.get("fuzz_seed"))
    if fuzz_seed is not None:
        options["fuzz_seed"] = fuzz_seed
    seed = pick(args.seed, config.get("seed"))
    if seed is not None:
        if not 0 <= seed <= defaults.SEED_LIMIT:
            raise ValueError(f"--seed must be between 0 and {defaults.SEED_LIMIT}, not {seed}")
        options["seed"] = seed
    budget = pick(args.random_budget, config.get("random_budget_s"))
    if budget is not None:
        if not (math.isfinite(budget) and 0 <= budget <= defaults.TIMEOUT_LIMIT_S):
            raise ValueError(f"--random-budget must be a number of seconds from 0 to "
                             f"{defaults.TIMEOUT_LIMIT_S:g}, not {budget}")
        options["random_budget_s"] = float(budget)
    timeout = seconds("--exec-timeout",
                      pick(args.exec_timeout, workload.get("timeout_s"), defaults.EXEC_TIMEOUT_S))
    op_timeout = seconds("--op-timeout",
                         pick(args.op_timeout, target.get("op_timeout_s"), defaults.OP_TIMEOUT_S))
    opts = TargetOptions(
        sysfs_root=pick(args.sysfs_root, target.get("sysfs_root")),
        parent=pick(args.parent, target.get("parent")),
        type_id=pick(args.type_id, target.get("type")),
        other_parent=pick(args.other_parent, target.get("other_parent")),
        other_type=pick(args.other_type, target.get("other_type")),
        mdevs=tuple(pick(args.mdevs, target.get("mdevs"), [])),
        allow_write=bool(pick(args.allow_write, target.get("allow_write"), False)),
        mock_driver=pick(args.mock_driver, target.get("mock_driver")),
        mock_topology=pick(args.mock_topology, target.get("mock_topology")),
        mock_noise=pick(args.mock_noise, target.get("mock_noise")),
        profile=pick(args.profile, config.get("profile"), defaults.PROFILE),
        precision=pick(args.precision, config.get("precision"), defaults.PRECISION),
        workload=pick(args.workload, workload.get("name"), defaults.WORKLOAD),
        load_dir=pick(args.load_dir, workload.get("load_dir"), defaults.LOAD_DIR),
        exec_load=pick(args.exec_load, workload.get("load_command"), ""),
        exec_timeout_s=float(timeout),
        state_dir=pick(args.state_dir, config.get("state_dir")),
        op_timeout_s=float(op_timeout),
        options=options,
    )
    return RunRequest(
        target=opts,
        report_dir=Path(pick(args.report_dir, config.get("report_dir"), defaults.REPORT_DIR)),
        spec_url=pick(args.spec_url, config.get("spec_url"), defaults.SPEC_URL),
        select=pick(args.select, config.get("select")),
        features=_features(args.features),
        quiet=bool(args.quiet),
    )


def _features(directory: str | None) -> Path | None:
    """The ``--features`` directory; ValueError unless it holds a ``.feature`` file."""
    if directory is None:
        return None
    path = Path(directory)
    if not path.is_dir() or not any(path.glob("*.feature")):
        raise ValueError(f"--features {directory}: not a directory holding .feature files")
    return path


def random_line(section: dict[str, Any]) -> str:
    """``random: budget 1.20 s of device time (...); fixed seed N: ...; replay: ...``."""
    if not section["campaigns"] and not section["budget_s"]:
        return ("random: off (--random-budget 0): every requirement is judged by its written "
                "scenarios; one that only random sequences check is not checked by this run")
    parts = []
    for campaign in section["campaigns"]:
        failure = campaign["failure"]
        found = (f"found {failure['requirement']} ({failure['steps']} steps)" if failure
                 else f"error: {campaign['error']}" if campaign["error"] else "nothing found")
        refused = campaign.get("windows_refused", 0)
        too_long = f" ({refused} too long for the budget left)" if refused else ""
        parts.append(f"{campaign['label']} seed {campaign['seed']}: {campaign['windows']} "
                     f"windows{too_long}, {campaign['device_time_s']:.2f} s device time, "
                     f"{campaign['wall_s']:.2f} s wall, {found}")
    return (f"random: budget {section['budget_s']:.2f} s of device time "
            f"({section['budget_rule']}); " + "; ".join(parts) + f"; replay: {section['replay']}")


def main(args: argparse.Namespace) -> int:
    """Run the suite as the options say and print the verdict; the exit status."""
    from conformance.suite.engine import RunRefused, execute, refused_status

    try:
        request = request_from(args)
        result = execute(request)
    except (ValueError, RunRefused) as exc:
        return refused_status(str(exc))
    except KeyboardInterrupt as exc:  # after the run, while writing: nothing was reported
        return refused_status(f"interrupted ({exc or 'SIGINT'}); no report was written")
    except Exception as exc:  # noqa: BLE001 - a crash is the suite's error, never exit 1
        traceback.print_exc()
        return refused_status(f"internal error, not a verdict: {type(exc).__name__}: {exc}")
    try:
        _print_summary(result)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's exit
    except BrokenPipeError:
        # the verdict stands (the reports are written); only its summary is unread
        from conformance.streams import stdout_gone

        stdout_gone()
    return result.exit_status


def _print_summary(result: RunResult) -> None:
    """The verdict, claims, precision, warnings and where the reports are."""
    report = result.report
    claims = ", ".join(f"{f} {c['status']}" for f, c in report["claims"].items())
    print(f"verdict: {report['verdict']} ({report['reason']})")
    precision = report["precision"]
    label = "claims" if precision["certification"] else "claims (quick: not a certification)"
    print(f"{label}: {claims}")
    print(f"precision: {precision['name']} ({precision['statement']}); device-time limit "
          f"{report['timing']['device_time_limit_s']:.2f} s")
    if report.get("random"):
        print(random_line(report["random"]))
    for warning in report["warnings"]:
        print(f"warning: {warning['id']} ({warning['level']}): {warning['reason']}")
    if result.paths:
        print(f"reports: {result.paths[0].parent}/{{{','.join(p.name for p in result.paths)}}}")
    if result.problem:
        print(f"mdev-qos run: {result.problem}", file=sys.stderr)
