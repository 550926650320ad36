"""A hostile recorded tree: ``run --profile static`` reads nothing outside it, and is bounded.

A recording handed over by someone else may hold links out of the tree (absolute
or climbing with ``..``), links where sysfs has files, FIFOs, devices and huge
files. Run as root on it, the suite must never read a file of the machine
through it, never block, read at most a page per file and keep its reports small.
"""

from __future__ import annotations

import errno
import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import suite_env
from recorded import DEVICE, TOKEN, UUID, conforming_copy
from recorded import replace as _replace

from conformance.sysfs.guarded import GuardedTarget
from conformance.sysfs.target import FsTarget

QOS = f"/sys/bus/mdev/devices/{UUID}/qos"
PAGE_SIZE = 4096  # what one sysfs show() returns (conformance.sysfs.target.PAGE_SIZE)
QUOTE_LIMIT = 1000  # longest string a report quotes (conformance.report.document.QUOTE_LIMIT)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the conforming recording (modes restored), next to a 0600 secret."""
    root = conforming_copy(tmp_path / "rec")
    secret = tmp_path / "secret"
    secret.write_text(f"{TOKEN}\n")
    os.chmod(secret, 0o600)
    outside = tmp_path / "outside" / "mqos-full"  # a type directory outside the tree
    outside.mkdir(parents=True)
    for name in ("name", "description", "device_api", "available_instances"):
        (outside / name).write_text(f"{TOKEN}\n")
    return root


def _run_static(root: Path, report: Path, *, memory_limit: int | None = None,
                timeout: float = 300) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "conformance", "run", "--profile", "static", "-q",
            "--sysfs-root", str(root), "--mdev", UUID, "--report-dir", str(report),
            "--state-dir", str(report.parent / "state")]

    def limit() -> None:
        if memory_limit:
            resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))

    return subprocess.run(argv, env=suite_env(), capture_output=True, text=True,
                          timeout=timeout, check=False, preexec_fn=limit)


def _reports_text(report: Path) -> str:
    return "".join(p.read_text(errors="replace") for p in sorted(report.iterdir()) if p.is_file())


def test_links_out_of_the_tree_are_never_followed(tree: Path, tmp_path: Path) -> None:
    """Absolute and climbing links, in qos/ and on the way to it, reach nothing outside."""
    secret = tmp_path / "secret"
    device = tree / DEVICE
    _replace(device / "qos" / "cap", lambda p: p.symlink_to(secret))
    _replace(device / "qos" / "weight", lambda p: p.symlink_to("../" * 12 + str(secret)))
    _replace(device / "mdev_type", lambda p: p.symlink_to(tmp_path / "outside" / "mqos-full"))
    target = FsTarget(str(tree), writable=False)
    for name in ("cap", "weight"):
        with pytest.raises(OSError) as excinfo:
            target.read(f"{QOS}/{name}")
        assert excinfo.value.errno == errno.ELOOP
    with pytest.raises(FileNotFoundError):
        target.read(f"/sys/bus/mdev/devices/{UUID}/mdev_type/name")
    report = tmp_path / "report"
    result = _run_static(tree, report)
    assert result.returncode in (1, 2), result.stderr
    assert "Traceback" not in result.stderr
    assert TOKEN not in result.stdout + result.stderr
    assert TOKEN not in _reports_text(report)
    assert json.loads((report / "report.json").read_text())["verdict"] == "non-conformant"


def test_a_climbing_link_stays_at_the_root(tree: Path, tmp_path: Path) -> None:
    """``..`` past the root stays at the root, as in a chroot: the host's /etc is not reached."""
    (tree / "sys" / "escape").symlink_to("../../../../../../../../../../etc")
    target = FsTarget(str(tree), writable=False)
    assert not target.exists("/sys/escape/passwd")
    (tree / "etc").mkdir()
    (tree / "etc" / "passwd").write_text("the tree's own\n")
    assert target.read("/sys/escape/passwd") == b"the tree's own\n"


def test_fifos_devices_and_sockets_are_refused_without_blocking(tree: Path) -> None:
    qos = tree / DEVICE / "qos"
    _replace(qos / "cap", os.mkfifo)
    _replace(qos / "weight", lambda p: p.symlink_to("/dev/zero"))
    if os.geteuid() == 0:
        _replace(qos / "priority", lambda p: os.mknod(p, 0o644 | 0o020000, os.makedev(1, 5)))
    guarded = GuardedTarget(FsTarget(str(tree), writable=False), deadline_s=3)
    try:
        for name, code in (("cap", errno.EINVAL), ("weight", errno.ELOOP),
                           ("priority", errno.EINVAL if os.geteuid() == 0 else None)):
            if code is None:
                continue
            with pytest.raises(OSError) as excinfo:  # TargetHung is not an OSError
                guarded.read(f"{QOS}/{name}")
            assert excinfo.value.errno == code, name
        assert guarded.hangs == 0
    finally:
        guarded.close()


def test_a_read_returns_at_most_one_page(tree: Path) -> None:
    (tree / DEVICE / "qos" / "cap").write_bytes(b"7" * (3 * PAGE_SIZE))
    target = FsTarget(str(tree), writable=False)
    assert target.read(f"{QOS}/cap") == b"7" * PAGE_SIZE


@pytest.mark.slow
def test_a_huge_cap_keeps_memory_and_reports_small(tree: Path, tmp_path: Path) -> None:
    """A 100 MB qos/cap once made 4.8 GB of reports and took 4.7 GB of memory."""
    cap = tree / DEVICE / "qos" / "cap"
    with open(cap, "wb") as out:
        block = b"9" * (1 << 20)
        for _ in range(100):
            out.write(block)
    report = tmp_path / "report"
    result = _run_static(tree, report, memory_limit=1 << 31)
    assert result.returncode == 1, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    sizes = {p.name: p.stat().st_size for p in report.iterdir() if p.is_file()}
    assert sum(sizes.values()) < 4 << 20, sizes
    document = json.loads((report / "report.json").read_text())

    def strings(value):
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for item in value.values():
                yield from strings(item)
        elif isinstance(value, list):
            for item in value:
                yield from strings(item)

    longest = max(len(s) for s in strings(document))
    assert longest <= QUOTE_LIMIT + 60
    assert any("more characters not shown" in s for s in strings(document))
