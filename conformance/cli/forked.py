"""``mdev-qos`` runs in children forked from one warm process.

Importing pytest, pytest-bdd, docutils and the suite and parsing the requirement
catalogue cost about a second per run, the same every time. A process that runs
many suites (``mdev-qos models --run``, the mutant meta-test) pays it once in
:func:`preload`, then forks one child per run, at most ``workers`` at a time
(:func:`fork_each`); each child calls the ``mdev-qos`` entry point with its
output in a log file (:func:`run_cli`).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import NoReturn, TypeVar

Job = TypeVar("Job")


def preload() -> None:
    """Before forking: import what every run imports, parse the spec and the features.

    The requirement catalogue and the packaged feature files are parsed once (pytest-bdd
    keeps what it parsed, by path). Besides the suite, pytest's own plugins and
    pytest-bdd's, which a run loads when it configures pytest (with mako and pygments:
    about 0.1 s of CPU), and what pytest's debugging and capture plugins import then.
    """
    import importlib

    import pytest  # noqa: F401
    import pytest_bdd  # noqa: F401
    import pytest_bdd.plugin  # noqa: F401
    from _pytest.config import default_plugins
    from pytest_bdd.feature import get_features

    import conformance.mock  # noqa: F401
    import conformance.report  # noqa: F401
    import conformance.steps  # noqa: F401
    import conformance.suite.engine  # noqa: F401
    import conformance.sysfs.mock_target  # noqa: F401
    from conformance.cli import build_parser
    from conformance.resources import features_dir
    from conformance.specbuild.requirements import load_requirements

    for name in (*default_plugins, "pdb", "readline"):
        try:
            importlib.import_module(name if name in ("pdb", "readline") else f"_pytest.{name}")
        except ImportError:  # a plugin a later pytest renamed, or no readline: the run imports
            pass
    build_parser()  # imports every subcommand
    load_requirements()
    get_features([str(features_dir())])  # pytest-bdd keeps what it parsed, by path


def run_cli(argv: list[str], log: Path | str, prog: str) -> NoReturn:
    """In a forked child: ``mdev-qos ARGV...`` with stdout and stderr in ``log``; never returns.

    ``prog`` names the caller in the one line written when the child itself breaks.
    """
    status = 2
    try:
        fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)
        # the parent's sys.stdout/stderr may be wrappers (pytest's capture): use the fds
        sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115
        sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115
        from conformance.cli import main

        status = main(argv)
    except SystemExit as exc:
        status = exc.code if isinstance(exc.code, int) else 2
    except BaseException as exc:  # noqa: BLE001 - the child must always exit
        print(f"{prog}: {exc!r}", file=sys.stderr)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)


def fork_each(
    jobs: Iterable[Job],
    workers: int,
    child: Callable[[Job], NoReturn],
    finished: Callable[[Job, int, float], None],
) -> None:
    """Fork ``child(job)`` for each job, ``workers`` at a time; ``finished(job, status, s)``.

    ``jobs`` is consumed lazily, so it may be a stream (a server's input).
    """
    running: dict[int, tuple[Job, float]] = {}

    def reap() -> None:
        pid, wait_status = os.wait()
        job, started = running.pop(pid)
        finished(job, os.waitstatus_to_exitcode(wait_status), time.monotonic() - started)

    for job in jobs:
        while len(running) >= max(1, workers):
            reap()
        sys.stdout.flush()  # a child must not write the parent's buffered output again
        pid = os.fork()
        if pid == 0:
            child(job)
        running[pid] = (job, time.monotonic())
    while running:
        reap()
