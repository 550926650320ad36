"""A warm process that forks one child per ``mdev-qos run`` it is asked for.

Importing pytest, pytest-bdd, docutils and the suite and parsing the spec cost
about a second per run, the same every time. This server pays it once, then for
each job line on stdin forks a child that calls ``conformance.cli.main(argv)``
(the ``mdev-qos`` entry point, ``--mock-driver`` and all) with its output in a log
file, at most ``--workers`` at a time. Each finished job is answered with one
JSON line on stdout: ``{"id": ..., "exit_status": ..., "duration_s": ...}``.
With ``--workers 1`` each job is answered before the next line is read, so a
client can ask for one run at a time (:class:`mutant_runs.WarmRunner`).

Job line: ``{"id": "...", "argv": ["run", ...], "log": "/path/to/log"}``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import NoReturn

from conformance.cli.forked import fork_each, preload, run_cli


def serve(workers: int) -> None:
    """Fork a child per job line, at most ``workers`` at a time, answer each on stdout."""

    def finished(job: dict, exit_status: int, seconds: float) -> None:
        answer = {"id": job["id"], "exit_status": exit_status, "duration_s": round(seconds, 3)}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()

    def child(job: dict) -> NoReturn:
        run_cli(job["argv"], job["log"], "suite_forkserver")

    if workers == 1:
        # one at a time, each answered before the next line is read: a client may
        # then send a job, wait for its answer and decide on the next
        for line in iter(sys.stdin.readline, ""):
            if not line.strip():
                continue
            job = json.loads(line)
            sys.stdout.flush()
            started = time.monotonic()
            pid = os.fork()
            if pid == 0:
                child(job)
            _, wait_status = os.waitpid(pid, 0)
            finished(job, os.waitstatus_to_exitcode(wait_status), time.monotonic() - started)
        return
    jobs = (json.loads(line) for line in sys.stdin if line.strip())
    fork_each(jobs, workers, child, finished)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    preload()
    serve(max(1, args.workers))
    return 0


if __name__ == "__main__":
    sys.exit(main())
