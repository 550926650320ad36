"""``mdev-qos snapshot`` on a hostile or broken source: nothing leaks, nothing hangs.

The source is a copy of the conforming recording made hostile: a type file that
is a link to a 0600 secret outside the tree, links inside ``qos/``, a FIFO, a
device, a link to ``/dev/zero``, a set-user-ID file, a huge file, thousands of
files; or a FUSE mount whose daemon is stopped. Every recording must hold none
of the secret, honest modes, at most a page per file, and finish (or refuse
with exit 2, leaving nothing) within its deadline.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import suite_env
from recorded import DEVICE, TOKEN, TYPE_DIR, UUID, conforming_copy, replace

PAGE_SIZE = 4096


def _snapshot(source: Path, out: Path, *extra: str, mdev: str = UUID, timeout: float = 120,
              memory_limit: int = 1 << 30) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "conformance", "snapshot", "--sysfs-root", str(source),
            "--mdev", mdev, "-o", str(out), *extra]

    def limit() -> None:  # the old recorder read /dev/zero until memory ran out
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))

    return subprocess.run(argv, env=suite_env(), capture_output=True, text=True,
                          timeout=timeout, check=False, preexec_fn=limit)


def _files(root: Path) -> dict[str, os.stat_result]:
    found = {}
    for directory, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(directory, name)
            found[str(path.relative_to(root))] = path.lstat()
    return found


def _everything(root: Path) -> bytes:
    return b"".join(Path(directory, name).read_bytes()
                    for directory, _, files in os.walk(root) for name in files
                    if not Path(directory, name).is_symlink())


@pytest.fixture
def source(tmp_path: Path) -> Path:
    root = conforming_copy(tmp_path / "src")
    secret = tmp_path / "secret"
    secret.write_text(f"{TOKEN}\n")
    os.chmod(secret, 0o600)
    return root


def test_a_linked_type_file_and_links_in_qos_are_not_followed(source: Path,
                                                              tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    replace(source / TYPE_DIR / "name", lambda p: p.symlink_to(secret))
    replace(source / DEVICE / "qos" / "cap", lambda p: p.symlink_to("../" * 12 + str(secret)))
    replace(source / DEVICE / "qos" / "weight", lambda p: p.symlink_to(secret))
    out = tmp_path / "rec"
    result = _snapshot(source, out)
    assert result.returncode == 0, result.stderr
    assert TOKEN.encode() not in _everything(out)
    for rel, st in _files(out).items():
        if stat.S_ISREG(st.st_mode):
            assert stat.S_IMODE(st.st_mode) != 0o777, rel
    for name in ("cap", "weight"):
        assert not os.path.lexists(out / DEVICE / "qos" / name)
    assert not os.path.lexists(out / TYPE_DIR / "name")
    skipped = {s["path"] for s in json.loads((out / "snapshot.json").read_text())["skipped"]}
    assert f"/{TYPE_DIR}/name" in skipped and f"/{DEVICE}/qos/cap" in skipped
    assert "warning:" in result.stderr
    report = tmp_path / "report"
    run = subprocess.run(
        [sys.executable, "-m", "conformance", "run", "--profile", "static", "-q",
         "--sysfs-root", str(out), "--mdev", UUID, "--report-dir", str(report),
         "--state-dir", str(tmp_path / "state")],
        env=suite_env(), capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode in (0, 1) and "Traceback" not in run.stderr, run.stderr
    assert TOKEN.encode() not in _everything(report)


def test_fifos_devices_and_dev_zero_are_skipped_unopened(source: Path, tmp_path: Path) -> None:
    replace(source / DEVICE / "qos" / "cap", os.mkfifo)
    replace(source / TYPE_DIR / "description", lambda p: p.symlink_to("/dev/zero"))
    if os.geteuid() == 0:
        replace(source / DEVICE / "qos" / "weight",
                lambda p: os.mknod(p, 0o644 | stat.S_IFCHR, os.makedev(1, 5)))
    out = tmp_path / "rec"
    started = time.monotonic()
    result = _snapshot(source, out, "--op-timeout", "2", timeout=60)
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - started < 30
    size = sum(st.st_size for st in _files(out).values())
    assert size < 64 << 10, size
    skipped = {s["path"] for s in json.loads((out / "snapshot.json").read_text())["skipped"]}
    assert {f"/{DEVICE}/qos/cap", f"/{TYPE_DIR}/description"} <= skipped
    assert not os.path.lexists(out / DEVICE / "qos" / "cap")


def test_modes_are_honest_and_never_set_id(source: Path, tmp_path: Path) -> None:
    os.chmod(source / DEVICE / "qos" / "usage_us", 0o4755)
    out = tmp_path / "rec"
    assert _snapshot(source, out).returncode == 0
    copied = out / DEVICE / "qos"
    assert stat.S_IMODE((copied / "usage_us").stat().st_mode) == 0o755
    for name in ("cap", "weight", "priority"):
        assert (stat.S_IMODE((copied / name).stat().st_mode)
                == stat.S_IMODE((source / DEVICE / "qos" / name).stat().st_mode))


def test_a_huge_file_gives_one_page(source: Path, tmp_path: Path) -> None:
    with open(source / DEVICE / "qos" / "cap", "wb") as out_file:
        for _ in range(100):
            out_file.write(b"9" * (1 << 20))
    out = tmp_path / "rec"
    result = _snapshot(source, out)
    assert result.returncode == 0, result.stderr
    assert (out / DEVICE / "qos" / "cap").stat().st_size == PAGE_SIZE


def test_a_tree_larger_than_any_mdev_is_refused(source: Path, tmp_path: Path) -> None:
    qos = source / DEVICE / "qos"
    for index in range(1500):
        (qos / f"extra{index}").write_text("1\n")
    out = tmp_path / "rec"
    result = _snapshot(source, out)
    assert result.returncode == 2
    assert "not an mdev's sysfs tree" in result.stderr
    assert not out.exists()
    assert sorted(os.listdir(tmp_path)) == ["secret", "src"]


def test_an_unknown_mdev_creates_nothing(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "new" / "rec"
    result = _snapshot(source, out, mdev="0f1e2d3c-4b5a-4968-8776-000000000000")
    assert result.returncode == 2 and "no mdev" in result.stderr
    assert not (tmp_path / "new").exists()


@pytest.mark.parametrize("mdev", ["not-a-uuid", f"../../../devices/virtual/mqos/mqos0/{UUID}",
                                  f"{UUID}/../{UUID}"])
def test_a_non_uuid_mdev_is_refused(source: Path, tmp_path: Path, mdev: str) -> None:
    before = sorted(os.listdir(tmp_path))
    result = _snapshot(source, tmp_path / "rec", mdev=mdev)
    assert result.returncode == 2
    assert result.stderr.strip() == f"mdev-qos snapshot: --mdev needs a UUID, not {mdev!r}"
    assert sorted(os.listdir(tmp_path)) == before


@pytest.mark.fuse
def test_a_stopped_fuse_daemon_ends_in_an_error(fuse_mount, tmp_path: Path) -> None:
    uuid = fuse_mount.create()
    out = tmp_path / "rec"
    os.kill(fuse_mount.proc.pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        result = _snapshot(fuse_mount.root, out, "--op-timeout", "1", mdev=uuid, timeout=60)
        elapsed = time.monotonic() - started
    finally:
        os.kill(fuse_mount.proc.pid, signal.SIGCONT)
    assert result.returncode == 2, result.stderr
    assert "does not answer" in result.stderr
    assert elapsed < 20
    assert not out.exists()
    assert not [n for n in os.listdir(tmp_path) if n.startswith(".rec.")]
