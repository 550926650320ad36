"""A warm process that forks one child per ``mdev-qos run`` it is asked for.

Importing pytest, pytest-bdd, docutils and the suite and parsing the spec cost
about a second per run, the same every time. This server pays it once, then for
each job line on stdin forks a child that calls ``conformance.cli.main(argv)``
(the ``mdev-qos`` entry point, ``--mock-driver`` and all) with its output in a log
file, at most ``--workers`` at a time. Each finished job is answered with one
JSON line on stdout: ``{"id": ..., "exit_status": ..., "duration_s": ...}``.

Job line: ``{"id": "...", "argv": ["run", ...], "log": "/path/to/log"}``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time


def preload() -> None:
    """Everything every run imports, and the requirement catalogue."""
    import pytest  # noqa: F401
    import pytest_bdd  # noqa: F401

    import conformance.cli.run  # noqa: F401
    import conformance.mock  # noqa: F401
    import conformance.report  # noqa: F401
    import conformance.steps  # noqa: F401
    import conformance.suite.engine  # noqa: F401
    from conformance.specbuild.requirements import load_requirements

    load_requirements()


def run_child(argv: list[str], log: str) -> None:
    """In the forked child: run the CLI with stdout and stderr in ``log``; never returns."""
    status = 2
    try:
        fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)
        from conformance.cli import main

        status = main(argv)
    except SystemExit as exc:
        status = exc.code if isinstance(exc.code, int) else 2
    except BaseException as exc:  # noqa: BLE001 - the child must always exit
        print(f"suite_forkserver: {exc!r}", file=sys.stderr)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)


def serve(workers: int) -> None:
    """Fork a child per job line, at most ``workers`` at a time, answer each on stdout."""
    running: dict[int, tuple[str, float]] = {}

    def reap_one() -> None:
        pid, wait_status = os.wait()
        job_id, started = running.pop(pid)
        answer = {"id": job_id, "exit_status": os.waitstatus_to_exitcode(wait_status),
                  "duration_s": round(time.monotonic() - started, 3)}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()

    for line in sys.stdin:
        if not line.strip():
            continue
        job = json.loads(line)
        while len(running) >= workers:
            reap_one()
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            run_child(job["argv"], job["log"])
        running[pid] = (job["id"], time.monotonic())
    while running:
        reap_one()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    preload()
    serve(max(1, args.workers))
    return 0


if __name__ == "__main__":
    sys.exit(main())
