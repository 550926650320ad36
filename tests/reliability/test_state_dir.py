"""The state directory and the journal file are private, never followed, never trusted blindly.

Issue 10, findings 1, 6 and 8. Every refusal is one line on stderr naming the
path and how to recover, exit 2, and nothing changed: not the planted file, not
the target, no report. A ``--profile static`` run never creates, writes or
truncates anything. Runs under umask 000 still make a 0700 directory and a 0600
journal; an unprivileged user gets a directory of their own.
"""

from __future__ import annotations

import errno
import os
import shlex
import subprocess
import uuid as uuidlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import DEVICES, REPO, nobody_namespace, suite_env
from statefiles import (
    FIXTURE,
    FIXTURE_MDEV,
    NO_SPEC,
    NOBODY,
    journal_of,
    private_dir,
    refusal_line,
    run_suite,
    static_run,
)

from conformance.suite.journal import Journal, JournalError
from conformance.suite.statedir import StateDirError, open_state_dir

SECRET = b"root's secret, mode 0600\n"


def _victim(tmp_path: Path) -> Path:
    victim = tmp_path / "victim"
    victim.write_bytes(SECRET)
    victim.chmod(0o600)
    return victim


# -- links planted where the state lives ---------------------------------------------
def test_a_symlinked_state_dir_is_refused_and_not_followed(tmp_path: Path) -> None:
    elsewhere = private_dir(tmp_path / "elsewhere")
    state = tmp_path / "state"
    state.symlink_to(elsewhere)
    line = refusal_line(static_run(state))
    assert str(state) in line and "symbolic link" in line and "--state-dir" in line
    assert list(elsewhere.iterdir()) == []


def test_a_journal_planted_as_a_symlink_is_never_truncated_by_a_static_run(tmp_path) -> None:
    victim = _victim(tmp_path)
    state = private_dir(tmp_path / "state")
    journal = journal_of(state, FIXTURE)
    journal.symlink_to(victim)
    line = refusal_line(static_run(state))
    assert str(journal) in line and "symbolic link" in line
    assert victim.read_bytes() == SECRET
    assert journal.is_symlink()


@pytest.mark.fuse
def test_a_journal_planted_as_a_symlink_is_never_written_by_a_writing_run(
    shared_mount, tmp_path
) -> None:
    victim = _victim(tmp_path)
    state = private_dir(tmp_path / "state")
    journal_of(state, shared_mount.root).symlink_to(victim)
    devices = shared_mount.target.listdir(DEVICES)
    line = refusal_line(run_suite(shared_mount.root, state, "--allow-write",
                                  "--profile", "control"))
    assert "symbolic link" in line
    assert victim.read_bytes() == SECRET
    assert shared_mount.target.listdir(DEVICES) == devices


# -- a directory someone else made, or left open -------------------------------------
def test_a_state_dir_of_another_user_is_refused(tmp_path: Path) -> None:
    state = private_dir(tmp_path / "state")
    os.chown(state, NOBODY, NOBODY)
    line = refusal_line(static_run(state))
    assert str(state) in line and f"uid {NOBODY}" in line and "--state-dir" in line
    assert list(state.iterdir()) == []


@pytest.mark.parametrize("mode", [0o777, 0o750])
def test_a_state_dir_open_to_others_is_refused(tmp_path: Path, mode: int) -> None:
    state = private_dir(tmp_path / "state")
    state.chmod(mode)
    line = refusal_line(static_run(state))
    assert str(state) in line and f"{mode:04o}" in line and "chmod" in line
    assert list(state.iterdir()) == []


@pytest.mark.parametrize("mode", [0o1777, 0o701, 0o770, 0o707, 0o710])
@pytest.mark.parametrize("create", [False, True])
def test_any_group_or_other_bit_is_refused(tmp_path: Path, mode: int, create: bool) -> None:
    state = private_dir(tmp_path / "state")
    state.chmod(mode)
    with pytest.raises(StateDirError, match=f"mode {mode:04o}"):
        open_state_dir(state, create=create)
    assert state.stat().st_mode & 0o7777 == mode  # refused, not "fixed"


@pytest.mark.parametrize("mode", [0o666, 0o640])
def test_a_journal_open_to_others_is_refused(tmp_path: Path, mode: int) -> None:
    state = private_dir(tmp_path / "state")
    journal = journal_of(state, FIXTURE)
    journal.write_bytes(b"")
    journal.chmod(mode)
    line = refusal_line(static_run(state))
    assert str(journal) in line and f"{mode:04o}" in line


def test_a_state_dir_that_is_a_file_is_refused(tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.write_bytes(b"not a directory\n")
    line = refusal_line(static_run(state))
    assert str(state) in line and "not a directory" in line
    assert state.read_bytes() == b"not a directory\n"


def test_a_static_run_creates_nothing(tmp_path: Path) -> None:
    state = tmp_path / "parent" / "state"
    result = static_run(state)  # reports go to parent/report
    assert result.returncode in (0, 1), result.stderr  # the fixture's modes are not applied
    assert "Traceback" not in result.stderr
    assert os.listdir(tmp_path / "parent") == ["report"]


# -- unwritable, full -----------------------------------------------------------------
@contextmanager
def _tmpfs(where: Path, options: str) -> Iterator[Path]:
    """A tmpfs mounted at ``where`` with ``options``, unmounted afterwards (needs root)."""
    where.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)],
                             capture_output=True, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {mounted.stderr.decode().strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


@pytest.fixture
def tiny_tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 64 KiB tmpfs."""
    with _tmpfs(tmp_path / "tiny", "size=64k,mode=700") as where:
        yield where


def _fill(directory: Path) -> None:
    with open(directory / "filler", "wb", buffering=0) as f:
        try:
            while True:
                f.write(b"\0" * 4096)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC


@pytest.mark.fuse
def test_a_state_dir_on_a_full_disk_is_refused_before_anything_changes(
    shared_mount, tiny_tmpfs, tmp_path
) -> None:
    state = private_dir(tiny_tmpfs / "state")
    _fill(tiny_tmpfs)
    devices = shared_mount.target.listdir(DEVICES)
    result = run_suite(shared_mount.root, state, "--allow-write", "--profile", "control",
                       report=tmp_path / "report")
    line = refusal_line(result)
    assert "No space left on device" in line and str(state) in line
    assert shared_mount.target.listdir(DEVICES) == devices
    assert not (tmp_path / "report").exists()


def test_a_full_disk_during_a_run_refuses_the_entry(tiny_tmpfs) -> None:
    """record() refuses (so the change is not made) and leaves the file as it was."""
    uuid = str(uuidlib.uuid4())
    journal = Journal(private_dir(tiny_tmpfs / "state") / "j.jsonl")
    journal.open()
    _fill(tiny_tmpfs)
    with pytest.raises(JournalError, match="No space left on device"):
        journal.record("create", f"{DEVICES}/{uuid}/remove", uuid=uuid)
    assert journal.pending() == []
    journal.close()
    assert (tiny_tmpfs / "state" / "j.jsonl").read_bytes() == b""


def test_a_short_write_is_taken_back_and_done_never_raises(tmp_path, monkeypatch) -> None:
    """Half a line would make the journal unreadable; cleanup must go on without the mark."""
    import conformance.suite.journal as module

    uuid = str(uuidlib.uuid4())
    path = private_dir(tmp_path / "state") / "j.jsonl"
    journal = Journal(path)
    journal.open()
    entry = journal.record("create", f"{DEVICES}/{uuid}/remove", uuid=uuid)
    kept = path.read_bytes()
    real_write = os.write
    monkeypatch.setattr(module.os, "write", lambda fd, data: real_write(fd, data[:7]))
    other = str(uuidlib.uuid4())
    with pytest.raises(JournalError, match="No space left on device"):
        journal.record("create", f"{DEVICES}/{other}/remove", uuid=other)
    assert path.read_bytes() == kept

    def full(fd: int, data: bytes) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(module.os, "write", full)
    journal.done(entry)  # cannot be written down: remembered, not raised
    assert journal.problems and journal.pending() == []
    assert path.read_bytes() == kept
    journal.close()
    assert path.read_bytes() == b""


@pytest.fixture
def read_only_dir(tmp_path: Path) -> Iterator[Path]:
    """A read-only tmpfs."""
    with _tmpfs(tmp_path / "ro", "ro,size=16k") as where:
        yield where


@pytest.mark.fuse
def test_an_unwritable_state_dir_is_refused(shared_mount, read_only_dir, tmp_path) -> None:
    state = read_only_dir / "state"
    result = run_suite(shared_mount.root, state, "--allow-write", "--profile", "control",
                       report=tmp_path / "report")
    line = refusal_line(result)
    assert str(state) in line and "Read-only file system" in line and "--state-dir" in line


# -- umask ----------------------------------------------------------------------------
def test_umask_000_still_gives_a_private_directory_and_journal(tmp_path: Path) -> None:
    uuid = str(uuidlib.uuid4())
    state = tmp_path / "a" / "state"
    old = os.umask(0)
    try:
        journal = Journal(state / "j.jsonl")
        journal.open()
        journal.record("create", f"{DEVICES}/{uuid}/remove", uuid=uuid)
    finally:
        os.umask(old)
    assert (state.stat().st_mode & 0o777, (tmp_path / "a").stat().st_mode & 0o777) == (
        0o700, 0o700)
    assert (state / "j.jsonl").stat().st_mode & 0o777 == 0o600
    journal.close()


# -- an unprivileged user ---------------------------------------------------------------
def _as_nobody_with_a_root_owned_default(script: str) -> subprocess.CompletedProcess[str]:
    """Run ``script`` (sh) in a private mount namespace whose /var/tmp is a fresh tmpfs
    holding root's default state directory (0755, as older versions made it); ``$RUN``
    runs the suite as nobody."""
    reachable, python = nobody_namespace()
    run = (f"setpriv --reuid={NOBODY} --regid={NOBODY} --clear-groups "
           f"{python} -m conformance run")
    prologue = ("set -e; mount -t tmpfs -o size=1m tmpfs /var/tmp; chmod 1777 /var/tmp; "
                "mkdir -m 755 /var/tmp/mdev-qos; " + reachable)
    env = suite_env(RUN=run, HOME="/nonexistent")
    env.pop("XDG_STATE_HOME", None)
    return subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c",
                           prologue + "set +e; " + script], env=env, capture_output=True, text=True,
                          timeout=120, check=False)


def test_nobody_runs_with_a_state_dir_of_their_own(tmp_path: Path) -> None:
    """A static run by nobody, with root's default directory present: no crash, nothing made."""
    args = (f"--sysfs-root {FIXTURE} --profile static --mdev {FIXTURE_MDEV} -q "
            f"--report-dir /var/tmp/report {' '.join(NO_SPEC)}")
    result = _as_nobody_with_a_root_owned_default(
        f"$RUN {args}; echo status=$?; ls -A /var/tmp; "
        "python3 -c 'import os; print(oct(os.stat(\"/var/tmp/mdev-qos\").st_mode))'")
    assert "Traceback" not in result.stderr, result.stderr
    assert "status=0" in result.stdout or "status=1" in result.stdout, result
    assert f"mdev-qos-{NOBODY}" not in result.stdout  # a static run creates no state directory
    assert result.stdout.strip().endswith("0o40755")  # root's directory is untouched


def test_nobody_refuses_a_state_dir_owned_by_root(tmp_path: Path) -> None:
    args = (f"--sysfs-root {FIXTURE} --profile static --mdev {FIXTURE_MDEV} -q "
            f"--report-dir /var/tmp/report {' '.join(NO_SPEC)} --state-dir /var/tmp/mdev-qos")
    result = _as_nobody_with_a_root_owned_default(f"chmod 700 /var/tmp/mdev-qos; $RUN {args}")
    assert result.returncode == 2, result
    assert "Traceback" not in result.stderr
    assert "state directory /var/tmp/mdev-qos belongs to uid 0" in result.stderr


def test_the_default_state_dir_is_per_user() -> None:
    code = "from conformance.suite.journal import default_state_dir; print(default_state_dir())"
    env = suite_env()
    env.pop("XDG_STATE_HOME", None)
    reachable, python = nobody_namespace()
    as_nobody = f"setpriv --reuid={NOBODY} --regid={NOBODY} --clear-groups {python} -c "
    result = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c",
                             f"set -e; {reachable}exec {as_nobody}{shlex.quote(code)}"],
                            env=env, capture_output=True, text=True, cwd=REPO, timeout=60,
                            check=False)
    assert result.stdout.strip() == f"/var/tmp/mdev-qos-{NOBODY}", result.stderr
