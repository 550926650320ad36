"""Fixtures of the reliability tests: the in-process mock and FUSE mounts of it."""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import sys
import uuid as uuidlib
from collections.abc import Iterator
from pathlib import Path

import fusemount
import pytest

from conformance.mock import MockKernel
from conformance.sysfs.mock_target import MockTarget
from conformance.sysfs.target import FsTarget

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
PARENT = "mqos0"
TYPE = "mqos-full"
TYPE_DIR = f"/sys/class/mdev_bus/{PARENT}/mdev_supported_types/{TYPE}"
DEVICES = "/sys/bus/mdev/devices"


fuse_problem = fusemount.fuse_missing  # why a FUSE mount cannot be made here


def suite_env(**extra: str) -> dict[str, str]:
    """The environment for a subprocess that runs this checkout's ``conformance``."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    env["PYTHONDONTWRITEBYTECODE"] = ""  # let pytest cache its assertion rewrites: faster starts
    env.update(extra)
    return env


def nobody_namespace() -> tuple[str, str]:
    """A shell prologue for ``unshare --mount`` and the Python that user nobody runs there.

    This interpreter and its venv may lie where nobody cannot enter (pyenv under a
    0700 ``/root``, tox's 0700 ``.tox``). In the private mount namespace only, the
    venv is bound under a fresh 0755 ``/mnt`` and the interpreter's top directory
    under ``/root`` is bound back onto a 0755 tmpfs over ``/root``; the host sees
    nothing of it. Skips when the checkout itself is out of nobody's reach.
    """
    if os.geteuid() != 0 or shutil.which("unshare") is None or shutil.which("setpriv") is None:
        pytest.skip("needs root, unshare and setpriv")
    if not all(os.stat(p).st_mode & 0o001 for p in [REPO, *REPO.parents]):
        pytest.skip(f"user nobody cannot enter the checkout {REPO}")
    quote = shlex.quote
    lines = ["mount -t tmpfs -o mode=755 tmpfs /mnt", "mkdir /mnt/venv",
             f"mount --rbind {quote(sys.prefix)} /mnt/venv"]
    interpreter = os.path.realpath(sys.executable)
    if interpreter.startswith("/root/"):
        top = quote("/root/" + interpreter.split("/")[2])
        lines += ["mkdir /mnt/top", f"mount --rbind {top} /mnt/top",
                  "mount -t tmpfs -o mode=755 tmpfs /root", f"mkdir {top}",
                  f"mount --rbind /mnt/top {top}"]
    return "; ".join(lines) + "; ", f"/mnt/venv/bin/{Path(sys.executable).name}"


class Mount:
    """A ``mdev-qos mock mount DIR`` subprocess and an FsTarget over it."""

    def __init__(self, directory: Path, *extra: str) -> None:
        """``extra``: more ``mock mount`` options; drivers in this directory can be loaded."""
        self.root = directory
        self.proc = fusemount.start(
            directory, *extra, env=suite_env(PYTHONPATH=f"{REPO}{os.pathsep}{HERE}"),
            stdout=subprocess.DEVNULL, timeout=20)
        self.target = FsTarget(str(directory))

    def create(self, uuid: str | None = None) -> str:
        uuid = uuid or str(uuidlib.uuid4())
        self.target.write(f"{TYPE_DIR}/create", uuid.encode())
        return uuid

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """Stop the mount process; lazily unmount whatever it left."""
        fusemount.release(self.root, sig)
        if self.proc.stderr is not None:
            self.proc.stderr.close()


@pytest.fixture
def mock_target() -> MockTarget:
    return MockTarget(MockKernel())


@pytest.fixture
def mock_mdev(mock_target: MockTarget) -> str:
    uuid = str(uuidlib.uuid4())
    mock_target.write(f"{TYPE_DIR}/create", uuid.encode())
    return uuid


@pytest.fixture
def fuse_mount(tmp_path: Path) -> Iterator[Mount]:
    """A fresh FUSE mount of the mock (virtual clock) for one test."""
    problem = fuse_problem()
    if problem:
        pytest.skip(problem)
    directory = tmp_path / "mnt"
    directory.mkdir()
    mount = Mount(directory)
    try:
        yield mount
    finally:
        mount.stop()


@pytest.fixture(scope="module")
def shared_mount(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mount]:
    """One FUSE mount of the mock for all tests of a module (faster)."""
    problem = fuse_problem()
    if problem:
        pytest.skip(problem)
    directory = tmp_path_factory.mktemp("mnt")
    mount = Mount(directory)
    try:
        yield mount
    finally:
        mount.stop()
