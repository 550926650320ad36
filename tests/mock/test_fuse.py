"""The mock through FUSE: a shell, Python and real mdevctl see kernel semantics."""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest
from fusemount import MockMount, fuse_missing

pytestmark = [pytest.mark.fuse]
if (reason := fuse_missing()) is not None:
    pytestmark.append(pytest.mark.skip(reason=reason))

TYPES = "/sys/class/mdev_bus/mqos0/mdev_supported_types"


def _mountpoint() -> Path:
    """An empty directory every user can reach (pytest's tmp dirs are 0700)."""
    path = Path(tempfile.mkdtemp(prefix="mdevqos-mnt-"))
    path.chmod(0o755)
    return path


@pytest.fixture(scope="module")
def mount():
    mnt = MockMount(_mountpoint(), "--threads")
    yield mnt
    assert mnt.stop() == 0
    assert not os.path.ismount(mnt.root)
    mnt.root.rmdir()


def _create(mount: MockMount, uuid: str, type_id: str = "mqos-full") -> Path:
    mount.path(f"{TYPES}/{type_id}/create").write_text(uuid + "\n")
    return mount.path(f"/sys/bus/mdev/devices/{uuid}")


def _sh(command: str, *prefix: str) -> subprocess.CompletedProcess:
    return subprocess.run([*prefix, "/bin/sh", "-c", command], capture_output=True, text=True,
                          timeout=30)


def test_shell_session_behaves_like_the_kernel(mount: MockMount) -> None:
    dev = _create(mount, "5e1f0000-0000-4000-8000-000000000001")
    cap = dev / "qos" / "cap"
    bad = _sh(f"/bin/echo abc > {cap}")
    assert bad.returncode != 0 and "Invalid argument" in bad.stderr
    assert cap.read_text() == "100\n"
    good = _sh(f"echo 60 > {cap}")
    assert good.returncode == 0, good.stderr
    assert cap.read_text() == "60\n"
    nobody = _sh(f"/bin/echo 10 > {cap}", "setpriv", "--reuid=65534", "--regid=65534",
                 "--clear-groups")
    assert nobody.returncode != 0 and "Permission denied" in nobody.stderr
    assert cap.read_text() == "60\n"
    assert _sh(f"cat {cap}", "setpriv", "--reuid=65534", "--regid=65534",
               "--clear-groups").stdout == "60\n"


def test_errno_and_metadata_through_fuse(mount: MockMount) -> None:
    dev = _create(mount, "5e1f0000-0000-4000-8000-000000000002", "mqos-fixed")
    qos = dev / "qos"
    st = os.stat(qos / "cap")
    assert (st.st_mode & 0o777, st.st_size, st.st_uid) == (0o444, 4096, 0)
    assert os.readlink(dev / "mdev_type") == "../mdev_supported_types/mqos-fixed"
    with pytest.raises(PermissionError):
        os.open(qos / "cap", os.O_WRONLY)
    fd = os.open(qos / "weight", os.O_WRONLY)
    try:
        with pytest.raises(OSError) as info:
            os.write(fd, b"99999999999")
        assert info.value.errno == errno.ERANGE
        assert os.write(fd, b"") == 0
        assert os.write(fd, b"+0250\n") == 6
    finally:
        os.close(fd)
    assert (qos / "weight").read_text() == "250\n"
    with pytest.raises(PermissionError):
        mount.path(f"{TYPES}/mqos-fixed/create").read_text()
    with pytest.raises(FileExistsError):
        _create(mount, "5e1f0000-0000-4000-8000-000000000002")
    with pytest.raises(OSError) as info:
        (qos / "extra").write_text("1")
    assert info.value.errno == errno.EACCES
    assert sorted(os.listdir(qos)) == ["cap", "cap_period_us", "domain", "nr_slices", "priority",
                                       "sharing", "throttled_us", "timeslice_us", "usage_us",
                                       "wait_us", "weight"]


def test_virtual_clock_and_load_through_fuse(mount: MockMount) -> None:
    uuid = "5e1f0000-0000-4000-8000-000000000003"
    dev = _create(mount, uuid)
    mount.path(f"/sys/kernel/debug/mqos/{uuid}/load").write_text("backlog\n")
    before = int((dev / "qos" / "usage_us").read_text())
    mount.path("/sys/kernel/debug/mqos/clock_us").write_text("5000")
    assert int((dev / "qos" / "usage_us").read_text()) > before
    mount.path(f"/sys/kernel/debug/mqos/{uuid}/load").write_text("idle")


def test_racing_writers_and_readers_see_whole_values(mount: MockMount) -> None:
    weight = _create(mount, "5e1f0000-0000-4000-8000-000000000004") / "qos" / "weight"
    values = [str(v) for v in (7, 4242, 10000, 1)]
    seen: list[str] = []
    errors: list[BaseException] = []

    def writer(value: str) -> None:
        try:
            for _ in range(40):
                fd = os.open(weight, os.O_WRONLY)
                try:
                    assert os.write(fd, value.encode()) == len(value)
                finally:
                    os.close(fd)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    def reader() -> None:
        for _ in range(80):
            seen.append(weight.read_text())

    threads = [threading.Thread(target=writer, args=(v,)) for v in values]
    threads.append(threading.Thread(target=reader))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert set(seen) <= {v + "\n" for v in [*values, "100"]}
    assert weight.read_text().strip() in values


def test_sigint_unmounts_cleanly() -> None:
    mnt = MockMount(_mountpoint(), "--clock", "real")
    uuid = "5e1f0000-0000-4000-8000-000000000005"
    dev = _create(mnt, uuid)
    mnt.path(f"/sys/kernel/debug/mqos/{uuid}/load").write_text("backlog")
    time.sleep(0.2)
    assert int((dev / "qos" / "usage_us").read_text()) >= 100_000
    with pytest.raises(PermissionError):
        mnt.path("/sys/kernel/debug/mqos/clock_us").write_text("5")
    assert mnt.stop(signal.SIGINT) == 0
    assert not os.path.ismount(mnt.root)
    assert os.listdir(mnt.root) == []
    mnt.root.rmdir()


def _mdevctl_missing() -> str | None:
    for tool in ("mdevctl", "unshare"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    return None


@pytest.mark.skipif(_mdevctl_missing() is not None, reason=str(_mdevctl_missing()))
def test_real_mdevctl_starts_with_qos_attrs_and_rolls_back(mount: MockMount,
                                                          tmp_path: Path) -> None:
    """Real mdevctl, in a private mount namespace whose /sys is the mock.

    Debian's mdevctl 1.2.0 ignores MDEVCTL_ENV_ROOT (it reads /sys and
    /etc/mdevctl.d directly), so the test binds the mount over /sys and an
    empty configuration directory over /etc/mdevctl.d inside ``unshare -m``.
    """
    config = tmp_path / "etc-mdevctl.d"
    for sub in ("scripts.d/callouts", "scripts.d/notifiers"):
        (config / sub).mkdir(parents=True)
    good, bad = "5e1f0000-0000-4000-8000-0000000000a1", "5e1f0000-0000-4000-8000-0000000000a2"
    attrs = [{"qos/cap": "60"}, {"qos/weight": "300"}, {"qos/priority": "urgent"}]
    (tmp_path / "good.json").write_text(json.dumps(
        {"mdev_type": "mqos-full", "start": "manual", "attrs": attrs}))
    (tmp_path / "bad.json").write_text(json.dumps(
        {"mdev_type": "mqos-full", "start": "manual",
         "attrs": [{"qos/cap": "60"}, {"qos/weight": "0"}]}))
    script = f"""
mount --bind {mount.root}/sys /sys || exit 90
mkdir -p /etc/mdevctl.d && mount --bind {config} /etc/mdevctl.d || exit 91
export MDEVCTL_ENV_ROOT=/
mdevctl start -p mqos0 -u {good} --jsonfile {tmp_path}/good.json || exit 10
cat /sys/bus/mdev/devices/{good}/qos/cap /sys/bus/mdev/devices/{good}/qos/weight \
    /sys/bus/mdev/devices/{good}/qos/priority
mdevctl list
mdevctl start -p mqos0 -u {bad} --jsonfile {tmp_path}/bad.json && exit 11
test -e /sys/bus/mdev/devices/{bad} && exit 12
mdevctl stop -u {good} || exit 13
test -e /sys/bus/mdev/devices/{good} && exit 14
exit 0
"""
    result = _sh(script, "unshare", "--mount", "--propagation", "private")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[:3] == ["60", "300", "background standard [urgent]"]
    assert f"{good} mqos0 mqos-full" in result.stdout
    assert "Failed to write 0 to attribute qos/weight" in result.stderr
    assert "Invalid argument" in result.stderr
    assert not mount.path(f"/sys/bus/mdev/devices/{bad}").exists()
