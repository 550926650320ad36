"""Every FUSE mount the tests make: started here, and never left behind.

A test mounts the mock with ``mdev-qos mock mount DIR`` in a child process
(:func:`start`, or :class:`MockMount`) and stops it with :func:`release`, which
lazily unmounts whatever a dead or killed mount process left. Whatever ends the
test process, no mount survives it:

- a failure or a ``pytest-timeout`` that raises in the test: the fixture's
  ``finally`` calls :func:`release`;
- KeyboardInterrupt, or an exit that skips the fixtures' finalizers:
  :func:`release_all` at interpreter exit (``atexit``) and at session end;
- SIGTERM or SIGHUP (tox or CI stopping the job): a handler releases every
  mount, then lets the signal kill the process as it would have;
- SIGKILL, or a timeout that ends the process with ``os._exit``: the mount
  process gets SIGTERM, and unmounts, when its parent dies (``PR_SET_PDEATHSIG``).
  A mount process killed itself leaves a dead mount, which :func:`release`
  unmounts lazily.

``tests/conftest.py`` installs the handlers (:func:`install_guards`).
"""

from __future__ import annotations

import atexit
import ctypes
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType
from typing import Any

REPO = Path(__file__).resolve().parents[1]
MOUNT_TIMEOUT_S = 15
PR_SET_PDEATHSIG = 1

LIVE: dict[Path, subprocess.Popen[bytes]] = {}  # mount point -> its mount process


def fuse_missing() -> str | None:
    """Why FUSE cannot be used here, or None."""
    if not os.path.exists("/dev/fuse"):
        return "/dev/fuse is missing"
    if shutil.which("fusermount3") is None:
        return "fusermount3 is not installed (apt-get install fuse3)"
    if os.geteuid() != 0:
        return "the FUSE tests mount with allow_other and need root"
    try:
        import mfusepy  # noqa: F401
    except (ImportError, OSError) as exc:
        return f"mfusepy unavailable: {exc}"
    return None


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM (which unmounts) when the test process dies."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


def start(directory: Path, *extra: str, env: dict[str, str] | None = None,
          stdout: Any = subprocess.PIPE, stderr: Any = subprocess.PIPE,
          ready: str = "sys/class", timeout: float = MOUNT_TIMEOUT_S,
          ) -> subprocess.Popen[bytes]:
    """Start ``mdev-qos mock mount DIR`` and wait until ``DIR/<ready>`` shows."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "conformance", "mock", "mount", str(directory), *extra],
        env=env if env is not None else dict(os.environ, PYTHONPATH=str(REPO)),
        stdout=stdout, stderr=stderr, preexec_fn=_die_with_parent)
    LIVE[directory] = proc
    deadline = time.monotonic() + timeout
    while not (directory / ready).is_dir():
        if proc.poll() is not None or time.monotonic() > deadline:
            release(directory, signal.SIGKILL)
            err = proc.stderr.read() if proc.stderr is not None else b""
            raise RuntimeError(f"the FUSE mount did not come up: {err.decode(errors='replace')}")
        time.sleep(0.05)
    return proc


def mounted(directory: Path) -> bool:
    """Whether ``directory`` is a mount point (a dead FUSE mount counts)."""
    target = os.path.realpath(directory)
    with open("/proc/self/mountinfo", encoding="utf-8") as table:
        return any(line.split()[4] == target for line in table)


def release(directory: Path, sig: int = signal.SIGTERM,
            timeout: float = MOUNT_TIMEOUT_S) -> int | None:
    """Stop the mount process of ``directory`` and unmount whatever it left.

    The exit status of the mount process, or None where it had to be killed.
    """
    proc = LIVE.pop(directory, None)
    status: int | None = None
    if proc is not None:
        if proc.poll() is None:
            proc.send_signal(sig)
        try:
            status = proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout)
    if mounted(directory):
        subprocess.run(["fusermount3", "-u", "-z", str(directory)], check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return status


def release_all() -> None:
    """Release every mount still live (session end, exit, a fatal signal)."""
    for directory in list(LIVE):
        release(directory, timeout=5)


_previous: dict[int, Any] = {}
_installed = False


def _on_fatal_signal(signum: int, frame: FrameType | None) -> None:
    release_all()
    signal.signal(signum, _previous.get(signum, signal.SIG_DFL))
    os.kill(os.getpid(), signum)


def install_guards() -> None:
    """Release every mount at exit and on SIGTERM/SIGHUP (once per process)."""
    global _installed
    if _installed:
        return
    _installed = True
    atexit.register(release_all)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        previous = signal.getsignal(signum)
        if previous == signal.SIG_IGN:  # e.g. under nohup: the signal ends nothing
            continue
        _previous[signum] = previous if callable(previous) else signal.SIG_DFL
        signal.signal(signum, _on_fatal_signal)


class MockMount:
    """A running ``mdev-qos mock mount DIR`` subprocess."""

    def __init__(self, directory: Path, *extra: str) -> None:
        self.root = directory
        self.proc = start(directory, *extra)

    def path(self, target_path: str) -> Path:
        return self.root / target_path.lstrip("/")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = MOUNT_TIMEOUT_S) -> int | None:
        """Signal the mount and wait for it to exit; its exit status (None: killed)."""
        return release(self.root, sig, timeout)
