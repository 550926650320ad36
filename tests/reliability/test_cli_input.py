"""Bad command-line input: one line on stderr, exit 2, no report, nothing changed.

- parent and type names are one path component (no ``/``, ``.``, ``..``, NUL);
- ``--other-parent`` and ``--other-type`` are checked before the run;
- timeouts are finite, above 0 and at most an hour;
- a malformed ``-k`` expression is refused before anything runs;
- ``--max-examples`` is bounded, and a fuzz campaign reports its progress;
- a deeply nested ``--config`` is refused like any other bad configuration;
- a non-root writing run against a tree it cannot write is refused up front.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import (
    DEVICES,
    PARENT,
    TYPE,
    TYPE_DIR,
    Mount,
    fuse_problem,
    nobody_namespace,
    suite_env,
)

from conformance.cli import main
from conformance.defaults import MAX_EXAMPLES_LIMIT as MAX_EXAMPLES
from conformance.fuzz.campaign import fuzz_knob

NOBODY = 65534


def refused(capsys, tmp_path: Path, *argv: str) -> str:
    """Run ``mdev-qos run ARGV``; assert exit 2, one line, no report; return the line."""
    report = tmp_path / "report"
    status = main(["run", "--report-dir", str(report), "-q", *argv])
    err = capsys.readouterr().err
    assert status == 2, err
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err
    assert not report.exists()
    return err


@pytest.mark.parametrize(
    ("option", "name"),
    [
        ("--parent", "../mqos0"),
        ("--parent", "mqos0/../mqos1"),
        ("--parent", ".."),
        ("--parent", "mqos0\0"),
        ("--type", "../mqos-full"),
        ("--type", "mqos-full/../mqos-fixed"),
        ("--other-parent", "../mqos1"),
        ("--other-type", "."),
    ],
)
def test_a_name_that_is_not_one_path_component_is_refused(capsys, tmp_path, option, name):
    assert "not a device or type name" in refused(capsys, tmp_path, option, name)


def test_a_parent_escaping_a_tree_is_refused(capsys, tmp_path) -> None:
    # a tree whose ../ holds something that looks like a parent with the type
    tree = tmp_path / "tree"
    (tree / "sys/class/mdev_bus").mkdir(parents=True)
    (tree / "sys/class/x/mdev_supported_types/t").mkdir(parents=True)
    err = refused(capsys, tmp_path, "--sysfs-root", str(tree), "--profile", "static",
                  "--parent", "../x", "--type", "t")
    assert "--parent" in err


def test_a_parent_read_from_an_mdev_link_is_checked_too(capsys, tmp_path) -> None:
    """A recorded tree whose --mdev link makes its parent ``..`` is refused."""
    uuid = "6c2e1b0a-3f4d-4e5a-9b6c-7d8e9f0a1b2c"
    tree = tmp_path / "tree"
    (tree / "sys/class/mdev_bus").mkdir(parents=True)
    (tree / "sys/bus/mdev/devices").mkdir(parents=True)
    (tree / "sys" / uuid).mkdir(parents=True)
    (tree / "sys/devices").mkdir()
    (tree / "sys" / uuid / "mdev_type").symlink_to("../class/mdev_bus/t")
    (tree / "sys/bus/mdev/devices" / uuid).symlink_to(f"../../../devices/../{uuid}")
    err = refused(capsys, tmp_path, "--sysfs-root", str(tree), "--profile", "static",
                  "--mdev", uuid)
    assert "not a device or type name" in err and "the parent of --mdev" in err


def test_a_name_in_the_config_file_is_checked_too(capsys, tmp_path) -> None:
    config = tmp_path / "run.json"
    config.write_text(json.dumps({"target": {"parent": ".."}}))
    assert "not a device or type name" in refused(capsys, tmp_path, "--config", str(config))


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--other-parent", "mqos9"], "does not exist"),
        (["--other-parent", PARENT], "is the parent under test"),
        (["--other-type", "nope"], "has no mdev type"),
        (["--other-type", TYPE], "is the type under test"),
    ],
)
def test_other_parent_and_type_are_checked_before_the_run(capsys, tmp_path, argv, message):
    assert message in refused(capsys, tmp_path, *argv)


def test_an_other_parent_without_the_type_is_refused(capsys, tmp_path) -> None:
    topology = {
        "driver": "mqos",
        "timeslice_us": 1000,
        "types": [{"name": "full", "instances": 4,
                   "qos": {"knobs": ["cap", "weight", "priority"],
                           "levels": ["background", "standard", "urgent"]}},
                  {"name": "plain", "instances": 4, "qos": None}],
        "parents": [{"name": "mqos0", "types": ["full", "plain"]},
                    {"name": "mqos1", "types": ["plain"]}],
    }
    path = tmp_path / "topology.json"
    path.write_text(json.dumps(topology))
    err = refused(capsys, tmp_path, "--mock-topology", str(path), "--other-parent", "mqos1")
    assert "--other-parent 'mqos1' has no mdev type 'mqos-full'" in err


@pytest.mark.parametrize("option", ["--exec-timeout", "--op-timeout"])
@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "-1", "0", "3601"])
def test_a_timeout_that_is_not_a_finite_positive_number_is_refused(capsys, tmp_path, option,
                                                                      value):
    assert option in refused(capsys, tmp_path, f"{option}={value}")


@pytest.mark.parametrize("expression", ["CAP and", "not (", "a'b", "CAP )"])
def test_a_malformed_k_expression_is_refused_before_the_run(capsys, tmp_path, expression):
    assert "-k" in refused(capsys, tmp_path, "-k", expression)


@pytest.mark.parametrize("value", ["0", "-5", str(MAX_EXAMPLES + 1)])
def test_max_examples_is_bounded(capsys, tmp_path, value) -> None:
    assert str(MAX_EXAMPLES) in refused(capsys, tmp_path, "--max-examples", value)


def test_a_fuzz_campaign_reports_its_progress(mock_target, mock_mdev) -> None:
    lines: list[str] = []
    result = fuzz_knob(mock_target, f"{DEVICES}/{mock_mdev}/qos/cap", "cap", max_examples=30,
                       progress=lines.append)
    assert len(lines) >= 5, lines
    assert lines[0].startswith("cap: ") and "of up to" in lines[0]
    assert result.tried >= 30


@pytest.mark.parametrize("depth", [100_000, 2_000])
def test_a_deeply_nested_config_is_refused_in_one_line(capsys, tmp_path, depth) -> None:
    config = tmp_path / "run.json"
    config.write_text('{"target": {"mdevs": ' + "[" * depth + "]" * depth + "}}")
    assert "--config" in refused(capsys, tmp_path, "--config", str(config))


@pytest.fixture
def open_mount() -> Iterator[Mount]:
    """A FUSE mount of the mock in a directory every user may enter."""
    problem = fuse_problem()
    if problem:
        pytest.skip(problem)
    base = Path(tempfile.mkdtemp(prefix="mdev-qos-open-"))
    base.chmod(0o755)
    (base / "mnt").mkdir()
    mount = Mount(base / "mnt")
    try:
        yield mount
    finally:
        mount.stop()
        shutil.rmtree(base, ignore_errors=True)


@pytest.mark.fuse
def test_a_writing_run_as_an_unprivileged_user_is_refused_up_front(open_mount) -> None:
    target = open_mount.target
    devices = target.listdir(DEVICES)
    available = target.read(f"{TYPE_DIR}/available_instances")
    work = open_mount.root.parent / "nobody"
    work.mkdir()
    os.chown(work, NOBODY, NOBODY)
    reachable, python = nobody_namespace()
    argv = [python, "-m", "conformance", "run", "--sysfs-root", str(open_mount.root),
            "--parent", PARENT, "--type", TYPE, "--allow-write", "-q",
            "--state-dir", str(work / "state"), "--report-dir", str(work / "report")]
    as_nobody = f"setpriv --reuid={NOBODY} --regid={NOBODY} --clear-groups "
    result = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "sh", "-c",
         f"set -e; {reachable}cd {shlex.quote(str(work))}; exec {as_nobody}"
         + " ".join(shlex.quote(a) for a in argv)],
        env=suite_env(HOME="/"), capture_output=True, text=True, timeout=300, check=False)
    message = result.stderr
    assert result.returncode == 2, message
    assert len(message.strip().splitlines()) == 1, message
    assert "run as root" in message
    assert not (work / "report").exists()
    assert target.listdir(DEVICES) == devices
    assert target.read(f"{TYPE_DIR}/available_instances") == available
