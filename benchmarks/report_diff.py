"""Show that a change leaves ``report.json`` alone: seeded runs of two revisions, diffed.

    python benchmarks/report_diff.py REV_A [REV_B] [--run NAME ...] [--also OPTIONS] [--keep DIR]

REV_A and REV_B are git revisions (``main``, ``HEAD~3``, a branch); without REV_B
the working tree (uncommitted changes included) is compared. Each revision runs
from a scratch copy (``git archive``) in a fresh process, with the mdevs' UUIDs drawn
from a seeded generator, so the embedded mock schedules the same way twice. The
reports are normalised (times, durations and scratch paths removed) and compared;
the script prints a unified diff per run and exits 1 when any run differs.

Runs (``--run``, default all): ``full`` (the default run), ``noise`` (the mock with
every permitted noise, ``--mock-noise 3``, without the counter-reading threads of QOS-CONC-003) and
``fuzz`` (``--profile fuzz``, 20 examples, seed 1). What racing threads decide
(read counts, which concurrent write won) is normalised away too.

``--also "OPTIONS"`` adds a run with those ``mdev-qos run`` options (repeatable), e.g.
``--also "--mock-driver mqos_mutants.cap:CapExceeded --profile scheduling --seed 3"``:
the public mutants of ``tests/mutants`` of each revision are importable.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
WORKTREE = "WORKTREE"
RUNS: dict[str, list[str]] = {
    "full": [],
    # QOS-CONC-003's reader threads draw from the noise generator a
    # varying number of times, so the noise run leaves them out
    "noise": ["--mock-noise", "3", "-k", "not QOS-CONC-003"],
    "fuzz": ["--profile", "fuzz", "--max-examples", "20", "--fuzz-seed", "1"],
}
# Seeds uuid4 before the suite is imported, then runs ``mdev-qos run`` in-process.
SEEDED_RUN = """\
import random, sys, uuid
rng = random.Random(20261130)
uuid.uuid4 = lambda: uuid.UUID(int=rng.getrandbits(128), version=4)
sys.path.insert(0, sys.argv[1])
from conformance.cli import main
sys.exit(main(["run", "-q", *sys.argv[2:]]))
"""
VOLATILE = {"started", "finished", "duration_s", "wall_s"}
# what threads decide: how often a racing reader got in, which concurrent write won
THREAD_COUNTS = re.compile(r"\b[0-9]+ (reads|writes)\b")
SECONDS = re.compile(r"[0-9]+(\.[0-9]+)? s")


def normalise(value: Any, scratch: str) -> Any:
    """The report without what differs between two identical runs: times, paths, threads."""
    if isinstance(value, dict):
        value = {k: normalise(v, scratch) for k, v in value.items() if k not in VOLATILE}
        expected = value.get("expected")
        if str(value.get("name", "")).endswith("after concurrent writes") and isinstance(
            expected, list
        ):
            if value.get("actual") in expected:
                value["actual"] = "<one of expected>"
        return value
    if isinstance(value, list):
        return [normalise(v, scratch) for v in value]
    if isinstance(value, str):
        value = THREAD_COUNTS.sub(r"N \1", value.replace(scratch, "<scratch>"))
        return SECONDS.sub("<t> s", value) if SECONDS.fullmatch(value) else value
    return value


def checkout(revision: str, into: Path) -> Path:
    """A source tree of ``revision`` (the working tree itself for WORKTREE)."""
    if revision == WORKTREE:
        return ROOT
    into.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", revision],
        capture_output=True,
        check=True,
    )
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into


def seeded_report(source: Path, options: list[str], scratch: Path) -> tuple[str, int]:
    """The normalised report.json of one seeded run of the tree at ``source``."""
    report_dir = scratch / "report"
    command = [sys.executable, "-c", SEEDED_RUN, str(source), "--report-dir", str(report_dir)]
    mutants = str(source / "tests" / "mutants")  # --mock-driver mqos_mutants...
    python_path = os.pathsep.join(filter(None, [mutants, os.environ.get("PYTHONPATH")]))
    # set order decides ties in the mock
    env = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONPATH": python_path}
    done = subprocess.run(
        [*command, *options], cwd=scratch, env=env, capture_output=True, text=True, check=False
    )
    path = report_dir / "report.json"
    if not path.exists():
        raise SystemExit(f"no report from {source} {options}: {done.stderr.strip()[-500:]}")
    document = json.loads(path.read_text(encoding="utf-8"))
    text = json.dumps(normalise(document, str(scratch)), indent=1, sort_keys=True)
    return text + "\n", done.returncode


def compare(rev_a: str, rev_b: str, runs: dict[str, list[str]], keep: Path | None) -> int:
    """Print one line (and a diff when they differ) per run; the number of differing runs."""
    work = Path(tempfile.mkdtemp(prefix="mdev-qos-report-diff-"))
    sources = {}
    try:
        for label, revision in (("a", rev_a), ("b", rev_b)):
            sources[label] = checkout(revision, work / f"src-{label}")
        differing = 0
        for number, (name, options) in enumerate(runs.items()):
            texts = {}
            for label, source in sources.items():
                scratch = work / f"run-{number}-{label}"
                scratch.mkdir()
                texts[label], status = seeded_report(source, options, scratch)
                if keep is not None:
                    keep.mkdir(parents=True, exist_ok=True)
                    (keep / f"{number}-{label}.json").write_text(texts[label], encoding="utf-8")
            diff = list(
                difflib.unified_diff(
                    texts["a"].splitlines(keepends=True),
                    texts["b"].splitlines(keepends=True),
                    f"{rev_a} ({name})",
                    f"{rev_b} ({name})",
                )
            )
            print(f"{name}: {'differs' if diff else 'identical'} (exit {status})")
            sys.stdout.writelines(diff)
            differing += bool(diff)
        return differing
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    """Parse the command line; exit 0 when every run's report is identical."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("rev_a", help="the revision before the change, e.g. main")
    parser.add_argument("rev_b", nargs="?", default=WORKTREE, help="default: the working tree")
    parser.add_argument("--run", action="append", choices=list(RUNS), help="default: all")
    parser.add_argument("--also", action="append", default=[], metavar="OPTIONS",
                        help="another run with these mdev-qos run options (one string)")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="keep the normalised reports")
    args = parser.parse_args(argv)
    runs = {name: RUNS[name] for name in args.run or ([] if args.also else list(RUNS))}
    runs.update({options: shlex.split(options) for options in args.also})
    return 1 if compare(args.rev_a, args.rev_b, runs, args.keep) else 0


if __name__ == "__main__":
    sys.exit(main())
