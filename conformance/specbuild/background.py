"""Build the spec for a report's links in a child process while the scenarios run.

A run with an empty spec cache spends about as long building the HTML spec as
running a short profile; the requirements it yields are needed only when the
verdict is decided. On a machine with two cores the build runs beside the
scenarios in a forked child, which writes the requirements back through a pipe
(``build_cached`` also stores the build in the cache, as in the foreground).
A warm cache is copied in the foreground: forking would cost more than copying.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
from dataclasses import asdict
from pathlib import Path

from conformance.specbuild.cache import build_cached, load_cached
from conformance.specbuild.requirements import Requirement


class BuildFailed(Exception):
    """The background build did not produce the requirements (the reason)."""


class SpecBuild:
    """A spec build into one directory: already done, or running in a child."""

    def __init__(self, out: Path, requirements: list[Requirement] | None = None,
                 pid: int | None = None, reader: int | None = None) -> None:
        self.out = out
        self._requirements = requirements
        self._pid = pid
        self._reader = reader

    @classmethod
    def start(cls, out: Path) -> SpecBuild:
        """Copy a cached build of the spec into ``out``, or start building it there."""
        found = load_cached(out)
        if found is not None:
            return cls(out, found)
        reader, writer = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: build, write the requirements, never return
            os.close(reader)
            _child(out, writer)
        os.close(writer)
        return cls(out, pid=pid, reader=reader)

    def requirements(self) -> list[Requirement]:
        """The built spec's requirements, waiting for the child; BuildFailed when it failed."""
        if self._requirements is not None:
            return self._requirements
        if self._pid is None:
            raise BuildFailed("the build was stopped")
        data, status = self._collect()
        try:
            if status != 0:
                raise BuildFailed(data.decode(errors="replace").strip()
                                  or f"exit status {status}")
            try:
                self._requirements = [Requirement(**row) for row in json.loads(data)]
            except (ValueError, TypeError) as exc:
                raise BuildFailed(f"unreadable result: {exc}") from exc
        except BuildFailed:
            shutil.rmtree(self.out, ignore_errors=True)  # no half-built spec beside a report
            raise
        return self._requirements

    def cancel(self) -> None:
        """Stop a running build (the run did not start) and reap the child."""
        if self._pid is not None:
            os.kill(self._pid, signal.SIGTERM)  # a zombie until reaped: never "no such process"
            self._collect()

    def _collect(self) -> tuple[bytes, int]:
        assert self._pid is not None and self._reader is not None
        chunks = []
        with os.fdopen(self._reader, "rb") as pipe:
            while chunk := pipe.read(65536):
                chunks.append(chunk)
        _, status = os.waitpid(self._pid, 0)
        self._pid = self._reader = None
        return b"".join(chunks), os.waitstatus_to_exitcode(status)


def _child(out: Path, writer: int) -> None:
    """Build in the forked child and report through ``writer``; exits the process."""
    status = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides about ^C
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        try:
            payload = json.dumps([asdict(r) for r in build_cached(out)]).encode()
            status = 0
        except Exception as exc:  # noqa: BLE001 - any failure goes back as text
            payload = f"{type(exc).__name__}: {exc}".encode()
        with os.fdopen(writer, "wb") as pipe:
            pipe.write(payload)
    finally:
        os._exit(status)
