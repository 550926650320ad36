"""Privileges: unprivileged writes are refused; the suite writes only what it may.

- On a FUSE mount of the mock, user ``nobody`` cannot write a knob, create or
  remove an mdev (``EACCES``), and nothing changes.
- ``mdev-qos run`` refuses to write to anything but the embedded mock without
  ``--allow-write`` (exit 2, nothing changed, no journal).
- A full run, and a fuzz run, with ``--allow-write`` leave an existing mdev that
  was not named with ``--mdev`` exactly as it was.
"""

from __future__ import annotations

import errno
import subprocess
import sys

import pytest
from conftest import DEVICES, PARENT, TYPE, TYPE_DIR, suite_env

NOBODY = 65534
KNOBS = {"cap": b"50", "weight": b"500", "priority": b"urgent"}


def _snapshot(target, uuid: str) -> dict[str, bytes]:
    qos = f"{DEVICES}/{uuid}/qos"
    state = {name: target.read(f"{qos}/{name}") for name in target.listdir(qos)}
    state["load"] = target.read(f"/sys/kernel/debug/mqos/{uuid}/load")
    state["available"] = target.read(f"{TYPE_DIR}/available_instances")
    return state


def _run(root, *extra: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "conformance", "run", "--sysfs-root", str(root),
            "--parent", PARENT, "--type", TYPE, "-q", *extra]
    return subprocess.run(argv, env=suite_env(), capture_output=True, text=True,
                          timeout=timeout, check=False)


@pytest.mark.fuse
@pytest.mark.parametrize("knob", sorted(KNOBS))
def test_nobody_cannot_write_a_knob(shared_mount, knob) -> None:
    target = shared_mount.target
    uuid = shared_mount.create()
    path = f"{DEVICES}/{uuid}/qos/{knob}"
    before = target.read(path)
    with pytest.raises(OSError) as excinfo:
        target.write(path, KNOBS[knob], uid=NOBODY)
    assert excinfo.value.errno in (errno.EACCES, errno.EPERM)
    assert target.read(path) == before
    assert target.write(path, KNOBS[knob]) == len(KNOBS[knob])  # root may


@pytest.mark.fuse
def test_nobody_cannot_create_or_remove_an_mdev(shared_mount) -> None:
    target = shared_mount.target
    uuid = shared_mount.create()
    devices = target.listdir(DEVICES)
    for path, data in (
        (f"{TYPE_DIR}/create", b"5b1c2a4e-0000-4000-8000-000000000001"),
        (f"{DEVICES}/{uuid}/remove", b"1"),
    ):
        with pytest.raises(OSError) as excinfo:
            target.write(path, data, uid=NOBODY)
        assert excinfo.value.errno in (errno.EACCES, errno.EPERM)
    assert target.listdir(DEVICES) == devices


@pytest.mark.fuse
def test_a_run_without_allow_write_is_refused_and_changes_nothing(shared_mount, tmp_path) -> None:
    target = shared_mount.target
    uuid = shared_mount.create()
    before = (target.listdir(DEVICES), _snapshot(target, uuid))
    state = tmp_path / "state"
    result = _run(shared_mount.root, "--state-dir", str(state), "--report-dir",
                  str(tmp_path / "report"), timeout=120)
    assert result.returncode == 2
    assert "--allow-write" in result.stderr
    assert (target.listdir(DEVICES), _snapshot(target, uuid)) == before
    assert not state.exists()  # not even a journal was opened


@pytest.mark.fuse
@pytest.mark.slow
@pytest.mark.parametrize("profile", ["full", "fuzz"])
def test_an_mdev_not_named_is_untouched_by_a_run(fuse_mount, tmp_path, profile) -> None:
    target = fuse_mount.target
    bystander = fuse_mount.create()
    for knob, value in {"cap": b"41", "weight": b"1234", "priority": b"background"}.items():
        target.write(f"{DEVICES}/{bystander}/qos/{knob}", value)
    before = _snapshot(target, bystander)
    devices = target.listdir(DEVICES)
    result = _run(fuse_mount.root, "--allow-write", "--profile", profile, "--max-examples",
                  "30", "--state-dir", str(tmp_path / "state"), "--report-dir",
                  str(tmp_path / "report"))
    assert result.returncode in (0, 1, 2), result.stderr
    assert "Traceback" not in result.stderr
    assert target.listdir(DEVICES) == devices  # the run's own mdevs are gone, ours is there
    assert _snapshot(target, bystander) == before
