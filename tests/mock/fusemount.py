"""Start and stop ``mdev-qos mock mount`` for the FUSE tests."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


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


class MockMount:
    """A running ``mdev-qos mock mount DIR`` subprocess."""

    def __init__(self, directory: Path, *extra: str) -> None:
        self.root = directory
        env = dict(os.environ, PYTHONPATH=str(REPO))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "conformance", "mock", "mount", str(directory), *extra],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 15
        while not (directory / "sys" / "class").is_dir():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.proc.kill()
                _, err = self.proc.communicate()
                raise RuntimeError(f"mount did not come up: {err.decode(errors='replace')}")
            time.sleep(0.05)

    def path(self, target_path: str) -> Path:
        return self.root / target_path.lstrip("/")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15) -> int:
        """Signal the mount and wait for it to exit; returns its exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            subprocess.run(["fusermount3", "-u", "-z", str(self.root)], check=False)
            self.proc.kill()
            raise
