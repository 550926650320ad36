"""``exec``: vendor-supplied commands make a real device busy or idle.

A vendor gives one command template per run, e.g.::

    --exec-load 'vgpu-load --uuid {uuid} --demand "{demand}"'

``{uuid}`` is the mdev, ``{demand}`` the load in the debugfs grammar (``idle``,
``backlog``, ``periodic <run_us> <period_us>``); ``{run_us}`` and ``{period_us}`` are
also filled in. The command must return once the demand is in place (start a
background job if needed). A command that fails or outlives its timeout is an
environment error, never a driver failure.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time

from conformance import defaults
from conformance.workload.base import Load, WorkloadError

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


class ExecWorkload:
    """Runs a command template per load change; real time passes by sleeping."""

    name = "exec"
    virtual = False

    def __init__(self, load_command: str, *, timeout_s: float = defaults.EXEC_TIMEOUT_S) -> None:
        if not load_command.strip():
            raise ValueError("the exec workload needs a load command (--exec-load)")
        if "{uuid}" not in load_command or "{demand}" not in load_command:
            raise ValueError("the exec load command must contain {uuid} and {demand}")
        self.load_command = load_command
        self.timeout_s = timeout_s
        self._loads: dict[str, Load] = {}

    def unavailable(self) -> str | None:
        return None

    def command_for(self, uuid: str, load: Load) -> list[str]:
        """The argv for one load change, run by ``/bin/sh -c``.

        The placeholders are filled verbatim: a UUID and a demand from the load
        vocabulary contain no shell metacharacters (the UUID is checked here).
        """
        if not _UUID.fullmatch(uuid):
            raise WorkloadError(f"refusing to pass a non-UUID to a shell command: {uuid!r}")
        text = self.load_command.format(
            uuid=uuid, demand=str(load), run_us=load.run_us, period_us=load.period_us
        )
        return ["/bin/sh", "-c", text]

    def set_load(self, uuid: str, load: Load) -> None:
        argv = self.command_for(uuid, load)
        run_command(argv, self.timeout_s, what=f"exec workload ({load} on {uuid})")
        self._loads[uuid] = load

    def get_load(self, uuid: str) -> Load | None:
        return self._loads.get(uuid)

    def elapse(self, us: int) -> None:
        if us > 0:
            time.sleep(us / 1e6)

    def now_us(self) -> int:
        return time.monotonic_ns() // 1000


def run_command(argv: list[str], timeout_s: float, *, what: str) -> str:
    """Run a command in its own process group; kill the group on timeout."""
    try:
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
            text=True,
        )
    except OSError as exc:
        raise WorkloadError(f"{what}: cannot start {argv!r}: {exc}") from exc
    try:
        out, err = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired as exc:
        _kill_group(proc)
        raise WorkloadError(f"{what}: timed out after {timeout_s:g} s: {argv[-1]}") from exc
    if proc.returncode != 0:
        detail = (err or out).strip().splitlines()[-1:] or [""]
        raise WorkloadError(
            f"{what}: exit status {proc.returncode}: {argv[-1]} {detail[0]}".rstrip()
        )
    return out


def _kill_group(proc: subprocess.Popen[str]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.communicate()
