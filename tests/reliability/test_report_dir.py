"""The report directory: nothing the suite did not create is ever deleted or overwritten.

- ``--report-dir`` naming a directory that holds other people's files (a checkout
  with ``spec/``) is refused before any scenario runs, and nothing in it changes;
- a report directory that is a file, immutable, on a read-only mount or not
  writable by the user is refused the same way (one line, exit 2);
- a previous report directory gets only the suite's own files replaced: a file
  of the user's stays, and a link planted as ``report.json`` is replaced, never
  written through;
- when the directory breaks during the run, the reports are not lost: the run
  ends in exit 2 and says where they are;
- no scratch directory is left in ``$TMPDIR`` or next to the report directory,
  after a refusal, a crash or a SIGTERM at any point of the run.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import HERE, REPO, suite_env
from report_faults import FREEZE

NOBODY = 65534


def _run(report_dir: Path | str, *extra: str, cwd: Path | None = None,
         env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "conformance", "run", "--profile", "static", "-q",
            "--report-dir", str(report_dir), *extra]
    return subprocess.run(argv, env=env or suite_env(), cwd=cwd, capture_output=True,
                          text=True, timeout=300, check=False)


def _tree(root: Path) -> dict[str, tuple[str, int, str]]:
    """Every node under ``root``: kind, mode and content digest (or link target)."""
    nodes = {}
    for directory, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(directory, name)
            st = path.lstat()
            if path.is_symlink():
                nodes[str(path.relative_to(root))] = ("link", st.st_mode, os.readlink(path))
            elif path.is_dir():
                nodes[str(path.relative_to(root))] = ("dir", st.st_mode, "")
            else:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                nodes[str(path.relative_to(root))] = ("file", st.st_mode, digest)
    return nodes


def _refused(result: subprocess.CompletedProcess[str], what: str) -> None:
    """Exit 2, one line on stderr naming the report directory, and no run at all."""
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mdev-qos run: --report-dir"), lines
    assert what in lines[0]
    assert "verdict" not in result.stdout


@pytest.fixture
def immutable(tmp_path: Path) -> Iterator[list[Path]]:
    """Paths made immutable by a test; the flag is lifted afterwards."""
    frozen: list[Path] = []
    yield frozen
    for path in frozen:
        subprocess.run(["chattr", "-i", str(path)], check=False)


def _root_only() -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root (chattr, bind mounts, switching user)")


def test_a_checkout_given_as_report_dir_is_refused_and_untouched(tmp_path: Path) -> None:
    checkout = tmp_path / "checkout"
    (checkout / "spec" / "schema").mkdir(parents=True)
    (checkout / "spec" / "cap.rst").write_text("the spec\n")
    (checkout / "spec" / "schema" / "report.schema.json").write_text("{}\n")
    (checkout / "README.md").write_text("readme\n")
    (checkout / "report.html").write_text("my own page\n")
    before = _tree(checkout)
    result = _run(".", cwd=checkout)
    _refused(result, "not an mdev-qos report directory")
    assert _tree(checkout) == before
    assert sorted(os.listdir(tmp_path)) == ["checkout"]


def test_a_file_as_report_dir_is_refused_before_the_run(tmp_path: Path) -> None:
    report = tmp_path / "report"
    report.write_text("precious\n")
    started = time.monotonic()
    result = _run(report)
    _refused(result, "not a directory")
    assert report.read_text() == "precious\n"
    assert sorted(os.listdir(tmp_path)) == ["report"]
    assert time.monotonic() - started < 30


def test_an_immutable_report_dir_is_refused_before_the_run(tmp_path: Path, immutable) -> None:
    _root_only()
    report = tmp_path / "report"
    report.mkdir()
    subprocess.run(["chattr", "+i", str(report)], check=True)
    immutable.append(report)
    _refused(_run(report), "cannot write there")
    assert os.listdir(report) == []


def test_a_report_dir_under_an_immutable_parent_is_refused(tmp_path: Path, immutable) -> None:
    _root_only()
    parent = tmp_path / "parent"
    parent.mkdir()
    subprocess.run(["chattr", "+i", str(parent)], check=True)
    immutable.append(parent)
    _refused(_run(parent / "new" / "report"), "cannot")
    assert os.listdir(parent) == []


def test_a_report_dir_on_a_read_only_mount_is_refused(tmp_path: Path) -> None:
    _root_only()
    report = tmp_path / "report"
    report.mkdir()
    mounted = subprocess.run(["mount", "--bind", str(report), str(report)], check=False,
                             capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot bind-mount here: {mounted.stderr!r}")
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(report)], check=True)
        _refused(_run(report), "Read-only file system")
    finally:
        subprocess.run(["umount", str(report)], check=False)
    assert os.listdir(report) == []


@pytest.fixture
def public_dir() -> Iterator[Path]:
    """A root-owned 0755 directory every user can see into (pytest's tmp_path is 0700)."""
    path = Path(tempfile.mkdtemp(prefix="mdev-qos-test-"))
    os.chmod(path, 0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_a_user_without_write_access_is_refused(public_dir: Path) -> None:
    """As ``nobody``, a root-owned directory is refused with one line, exit 2."""
    _root_only()
    report = public_dir / "report"
    report.mkdir(mode=0o755)
    import conformance.suite.engine  # noqa: F401 - nobody cannot import from root's venv
    from conformance.cli import build_parser

    args = build_parser().parse_args(
        ["run", "--profile", "static", "-q", "--report-dir", str(report)]
    )
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: drop to nobody and run the command line
        status = 99
        try:
            os.close(read)
            sys.stderr = os.fdopen(write, "w")
            os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            status = args.func(args)
        finally:
            sys.stderr.flush()
            os._exit(status)
    os.close(write)
    with os.fdopen(read) as pipe:
        stderr = pipe.read()
    _, wait_status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(wait_status) == 2, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot write there: Permission denied" in lines[0], lines
    assert os.listdir(report) == []


def test_a_previous_report_dir_keeps_the_users_files(tmp_path: Path) -> None:
    report = tmp_path / "report"
    assert _run(report).returncode == 0
    first = json.loads((report / "report.json").read_text())
    (report / "notes.txt").write_text("mine\n")
    victim = tmp_path / "victim"
    victim.write_text("not a report\n")
    os.unlink(report / "junit.xml")
    os.symlink(victim, report / "junit.xml")  # a link planted where a report goes
    result = _run(report)
    assert result.returncode == 0, result.stderr
    assert (report / "notes.txt").read_text() == "mine\n"
    assert victim.read_text() == "not a report\n"
    assert not (report / "junit.xml").is_symlink()
    assert "<testsuite" in (report / "junit.xml").read_text()
    second = json.loads((report / "report.json").read_text())
    assert second["timing"]["started"] >= first["timing"]["started"]
    assert (report / "spec" / "index.html").is_file()
    assert sorted(n for n in os.listdir(report) if n.startswith(".")) == [".mdev-qos-report"]


def test_reports_are_not_lost_when_the_directory_breaks_mid_run(tmp_path: Path,
                                                                immutable) -> None:
    """The directory turns immutable during the run: exit 2 and the reports are kept."""
    _root_only()
    report = tmp_path / "report"
    report.mkdir()
    immutable.append(report)
    env = suite_env(PYTHONPATH=f"{REPO}{os.pathsep}{HERE}", **{FREEZE: str(report)})
    result = _run(report, "--mock-driver", "report_faults:FreezesReportDir", env=env)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "verdict: conformant" in result.stdout
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith(f"mdev-qos run: cannot write the reports to {report}")
    kept = Path(line.rsplit("they are in ", 1)[1])
    assert json.loads((kept / "report.json").read_text())["verdict"] == "conformant"
    assert (kept / "report.html").is_file()


def _leftovers(*places: Path) -> list[str]:
    found = []
    for place in places:
        for name in os.listdir(place):
            if name.startswith((".mdev-qos", "mdev-qos", "tmp")):
                found.append(str(place / name))
    return found


def test_no_scratch_is_left_after_a_refusal_or_a_crash(tmp_path: Path) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = suite_env(TMPDIR=str(scratch))
    refused = _run(tmp_path / "r1", "--mock-driver", "nowhere:Nothing", env=env)
    assert refused.returncode == 2
    report_file = tmp_path / "r2"
    report_file.write_text("x\n")
    assert _run(report_file, env=env).returncode == 2  # used to crash after the run
    assert _run(tmp_path / "r3", env=env).returncode == 0
    assert os.listdir(scratch) == []
    assert sorted(os.listdir(tmp_path)) == ["r2", "r3", "tmp"]
    assert _leftovers(tmp_path / "r3") == [str(tmp_path / "r3" / ".mdev-qos-report")]


@pytest.mark.parametrize("delay_s", [0.5, 0.9, 1.3, 1.7, 2.1])
def test_no_scratch_is_left_after_sigterm(tmp_path: Path, delay_s: float) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    report = tmp_path / "report"
    argv = [sys.executable, "-m", "conformance", "run", "-q", "--report-dir", str(report)]
    proc = subprocess.Popen(argv, env=suite_env(TMPDIR=str(scratch)), cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(delay_s)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode != 1, out + err  # exit 1 means non-conformant
    assert "Traceback" not in err, err
    assert os.listdir(scratch) == [], err
    if report.exists():  # the run got far enough to write its reports
        verdict = json.loads((report / "report.json").read_text())["verdict"]
        # -SIGINT: the interpreter sometimes re-raises the interruption at exit (also before
        # the report directory changes); never 1, which would mean non-conformant
        assert verdict == "conformant" or (verdict == "error" and proc.returncode in (2, -2)), err
        assert not [n for n in os.listdir(report) if n.startswith(".mdev-qos-staging")]
    assert sorted(n for n in os.listdir(tmp_path) if n != "report") == ["tmp"], err
