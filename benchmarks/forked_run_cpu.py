r"""The CPU of ``mdev-qos run`` forked from a warm process, as the meta-test makes its runs.

    python benchmarks/forked_run_cpu.py [--repeat N] -- ARGS... [--- ARGS...]

``preload()`` once (``conformance.cli.forked``), then each ``mdev-qos ARGS`` run is
forked, one at a time, N times; prints each run's CPU (user + system of the child,
from ``wait4``) and wall time, and the median CPU per command. ``RD`` in ARGS is
replaced by a fresh report directory. CPU time, unlike wall time, hardly depends
on what else the machine runs. The public mutants of tests/mutants are importable
(``--mock-driver mqos_mutants...``). Example (the meta-test's commonest run)::

    python benchmarks/forked_run_cpu.py --repeat 3 -- \
        run --report-dir RD -q --seed 1 --spec-url x --profile scheduling
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    """Run the commands; print one line per command."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("commands", nargs=argparse.REMAINDER,
                        help="-- ARGS... [--- ARGS...]: mdev-qos arguments per command")
    args = parser.parse_args(argv)
    words = args.commands[1:] if args.commands[:1] == ["--"] else args.commands
    commands: list[list[str]] = [[]]
    for word in words:
        if word == "---":
            commands.append([])
        else:
            commands[-1].append(word)
    sys.path.insert(0, str(ROOT / "tests" / "mutants"))
    from conformance.cli.forked import preload, run_cli

    preload()
    work = Path(tempfile.mkdtemp(prefix="forked-run-cpu-"))
    runs: dict[int, list[tuple[float, float, int]]] = {}
    for repeat in range(args.repeat):
        for index, command in enumerate(commands):
            report = work / f"{index}-{repeat}"
            argv_run = [str(report) if word == "RD" else word for word in command]
            started = time.perf_counter()
            pid = os.fork()
            if pid == 0:
                run_cli(argv_run, f"{report}.log", "forked_run_cpu")
            _, status, usage = os.wait4(pid, 0)
            cpu = usage.ru_utime + usage.ru_stime
            runs.setdefault(index, []).append(
                (cpu, time.perf_counter() - started, os.waitstatus_to_exitcode(status)))
    for index, command in enumerate(commands):
        cpus = [cpu for cpu, _, _ in runs[index]]
        walls = " ".join(f"{wall:.2f}" for _, wall, _ in runs[index])
        print(f"cpu median {statistics.median(cpus):.3f} s "
              f"(runs {' '.join(f'{c:.2f}' for c in cpus)}; wall {walls}; "
              f"exit {' '.join(str(e) for *_, e in runs[index])}): {' '.join(command)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
