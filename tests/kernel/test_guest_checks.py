"""The guest-side checks of kmod/guest_checks.py, on fake trees (no guest needed)."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import tempfile
import threading
import uuid as uuidlib
from pathlib import Path

import pytest

from conformance.fuzz.races import writable_knob_values
from conformance.mock import MockKernel, QosDriver
from conformance.suite.mdev import Mdev
from conformance.sysfs.mock_target import MockTarget

UUID = "0b8f1c1e-5f7a-4c1b-9d5e-0123456789ab"
BUS = f"/sys/bus/mdev/devices/{UUID}"
REAL = f"/sys/devices/virtual/mqos/mqos0/{UUID}"
ABI = """\
What:		/sys/bus/mdev/devices/<uuid>/qos/cap
Date:		November 2026
Description:
		(RW) cap.

What:		/sys/bus/mdev/devices/<uuid>/qos/weight
What:		/sys/bus/mdev/devices/<uuid>/qos/usage_us
Description:
		Two What: lines for one entry.
"""


def make_mdev(root: Path, uuid: str, files: list[str]) -> Path:
    """A fake mdev: the real directory under /sys/devices, linked from the bus."""
    real = root / "sys/devices/virtual/mqos/mqos0" / uuid
    (real / "qos").mkdir(parents=True)
    for name in files:
        content = "background [standard] urgent\n" if name == "priority" else "0\n"
        (real / "qos" / name).write_text(content)
    bus = root / "sys/bus/mdev/devices"
    bus.mkdir(parents=True, exist_ok=True)
    (bus / uuid).symlink_to(real)
    return real


@pytest.fixture
def fake_sysfs(guest_checks, tmp_path):
    """A Sysfs whose create() makes an mdev with the files of ``files``."""

    class FakeSysfs(guest_checks.Sysfs):
        files = ["cap", "weight", "usage_us"]

        def __init__(self, root: Path) -> None:
            super().__init__(root)
            self.created: list[str] = []
            self.removed: list[str] = []

        def create(self, parent: str, type_id: str) -> str:
            uuid = str(uuidlib.uuid4())
            make_mdev(self.root, uuid, self.files)
            self.created.append(uuid)
            return uuid

        def remove(self, uuid: str) -> None:
            link = self.device(uuid)
            if link.is_symlink():
                real = link.resolve()
                link.unlink()
                shutil.rmtree(real, ignore_errors=True)
            self.removed.append(uuid)

        def store(self, attr: Path, value: str) -> None:
            # a plain file is truncated before it is written; sysfs swaps values
            tmp = attr.with_name(f".{attr.name}.{threading.get_ident()}")
            tmp.write_text(value)
            os.replace(tmp, attr)

    return FakeSysfs(tmp_path)


def test_whats_are_read_in_order_including_several_per_entry(guest_checks):
    assert guest_checks.abi_whats(ABI) == [
        "/sys/bus/mdev/devices/<uuid>/qos/cap",
        "/sys/bus/mdev/devices/<uuid>/qos/weight",
        "/sys/bus/mdev/devices/<uuid>/qos/usage_us",
    ]


@pytest.mark.parametrize(
    "what, path, matches",
    [
        ("/sys/bus/mdev/devices/<uuid>/qos/cap", f"/sys/bus/mdev/devices/{UUID}/qos/cap", True),
        ("/sys/bus/mdev/devices/<uuid>/qos/cap", "/sys/bus/mdev/devices/a/b/qos/cap", False),
        ("/sys/bus/mdev/devices/<uuid>/qos/cap", f"/sys/bus/mdev/devices/{UUID}/qos/capx", False),
        ("/sys/bus/mdev/devices/<uuid>/qos/*_us", f"{BUS}/qos/wait_us", True),
        ("/sys/bus/mdev/devices/<uuid>/qos/*_us", f"/sys/bus/mdev/devices/{UUID}/x/y_us", False),
        ("/sys/class/mdev_bus/<p>/<u>/qos/cap", f"/sys/class/mdev_bus/mqos0/{UUID}/qos/cap", True),
        ("/sys/a.b/<x>", "/sys/aXb/1", False),
    ],
)
def test_what_pattern_placeholders_stay_within_one_component(guest_checks, what, path, matches):
    assert bool(guest_checks.what_pattern(what).fullmatch(path)) is matches


def test_a_file_documented_under_its_real_path_counts(guest_checks):
    nodes = [("/sys/bus/mdev/devices/u/qos/cap", "/sys/devices/virtual/mqos/mqos0/u/qos/cap")]
    whats = ["/sys/devices/virtual/mqos/<parent>/<uuid>/qos/cap"]
    assert guest_checks.undocumented(nodes, whats) == []
    assert guest_checks.undocumented(nodes, ["/sys/bus/mdev/devices/<uuid>/qos/weight"]) == [
        "/sys/bus/mdev/devices/u/qos/cap"
    ]


def test_qos_nodes_lists_files_with_their_resolved_paths(guest_checks, tmp_path):
    make_mdev(tmp_path, UUID, ["cap", "usage_us"])
    (tmp_path / f"sys/devices/virtual/mqos/mqos0/{UUID}/qos/subdir").mkdir()
    nodes = guest_checks.qos_nodes(guest_checks.Sysfs(tmp_path), UUID)
    assert nodes == [
        (f"{BUS}/qos/cap", f"{REAL}/qos/cap"),
        (f"{BUS}/qos/usage_us", f"{REAL}/qos/usage_us"),
    ]


def test_abi_check_passes_when_every_file_is_documented(guest_checks, fake_sysfs):
    result = guest_checks.check_abi(fake_sysfs, ABI, "mqos0", ["mqos-full", "mqos-fixed"])
    assert result.ok, result.detail
    assert result.detail == "6 nodes, 3 What: entries"
    assert fake_sysfs.removed == fake_sysfs.created


def test_abi_check_names_an_undocumented_file_by_pattern(guest_checks, fake_sysfs):
    fake_sysfs.files = ["cap", "vendor_knob"]
    result = guest_checks.check_abi(fake_sysfs, ABI, "mqos0", ["mqos-full"])
    assert not result.ok
    assert result.detail == "undocumented: /sys/bus/mdev/devices/<uuid>/qos/vendor_knob"


def test_abi_check_fails_on_an_entry_without_what(guest_checks, fake_sysfs):
    assert not guest_checks.check_abi(fake_sysfs, "Description: x\n", "mqos0", ["t"]).ok


def test_abi_check_fails_when_nothing_was_checked(guest_checks, fake_sysfs):
    fake_sysfs.files = []
    fake_sysfs.create = lambda parent, type_id: UUID  # no device at all
    result = guest_checks.check_abi(fake_sysfs, ABI, "mqos0", ["mqos-plain"])
    assert (result.ok, result.detail) == (False, "no qos/ node found to check")


def test_nonroot_check_wants_eacces_and_unchanged_values(guest_checks, fake_sysfs):
    fake_sysfs.files = ["cap", "weight", "priority"]
    result = guest_checks.check_nonroot(fake_sysfs, "mqos0", "mqos-full", lambda *a: errno.EACCES)
    assert result.ok, result.detail


def test_nonroot_check_reports_an_accepted_write(guest_checks, fake_sysfs):
    fake_sysfs.files = ["cap", "weight", "priority"]

    def writer(uid: int, path: Path, data: bytes) -> int:
        if path.name == "weight":
            path.write_bytes(data + b"\n")
            return 0
        return errno.EPERM

    result = guest_checks.check_nonroot(fake_sysfs, "mqos0", "mqos-full", writer)
    assert not result.ok
    assert "weight: 0 instead of EACCES" in result.detail
    assert "weight: changed from '0\\n' to '500\\n'" in result.detail
    assert "cap: EPERM instead of EACCES" in result.detail


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to switch to nobody")
def test_write_as_nobody_obeys_file_modes(guest_checks):
    with tempfile.TemporaryDirectory() as d:
        os.chmod(d, 0o755)
        locked, open_ = Path(d, "locked"), Path(d, "open")
        locked.write_text("1\n")
        open_.write_text("1\n")
        os.chmod(locked, 0o644)
        os.chmod(open_, 0o666)
        assert guest_checks.write_as(guest_checks.NOBODY, locked, b"2") == errno.EACCES
        assert guest_checks.write_as(guest_checks.NOBODY, open_, b"2") == 0
        assert (locked.read_text(), open_.read_text()) == ("1\n", "2\n")  # no O_TRUNC


def completed(rc: int, stderr: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.CompletedProcess(["mdevctl"], rc, "", stderr)


def test_mdevctl_bad_config_must_fail_and_leave_nothing(guest_checks, fake_sysfs, monkeypatch):
    def start_leaving_device(parent, uuid, config):
        make_mdev(fake_sysfs.root, uuid, ["cap"])
        return completed(1, "write failed")

    attrs = [{"qos/cap": "101"}]
    monkeypatch.setattr(guest_checks, "mdevctl_start", lambda *a: completed(1))
    assert guest_checks.check_mdevctl_bad(fake_sysfs, "mqos0", "mqos-full", attrs, "x").ok
    monkeypatch.setattr(guest_checks, "mdevctl_start", lambda *a: completed(0))
    result = guest_checks.check_mdevctl_bad(fake_sysfs, "mqos0", "mqos-full", attrs, "x")
    assert (result.ok, result.detail) == (False, "mdevctl start succeeded")
    monkeypatch.setattr(guest_checks, "mdevctl_start", start_leaving_device)
    result = guest_checks.check_mdevctl_bad(fake_sysfs, "mqos0", "mqos-full", attrs, "x")
    assert (result.ok, result.detail) == (False, "the device was left behind")


def test_mdevctl_good_config_must_read_back_canonical(guest_checks, fake_sysfs, monkeypatch):
    def start(parent, uuid, config):
        real = make_mdev(fake_sysfs.root, uuid, [])
        for attr in config["attrs"]:
            for name, value in attr.items():
                (real / name).write_text(value)
        return completed(0)

    monkeypatch.setattr(guest_checks, "mdevctl_start", start)
    monkeypatch.setattr(guest_checks.subprocess, "run", lambda *a, **k: completed(0))
    result = guest_checks.check_mdevctl_good(fake_sysfs, "mqos0", "mqos-full")
    # a fake that stores the raw bytes is not a kernel: "+0300" must read "300"
    assert not result.ok
    assert "expected" in result.detail


def test_races_pass_on_the_reference_mock(guest_checks):
    target = MockTarget(MockKernel())
    result = guest_checks.check_races(target, "mqos0", cycles=10)
    assert result.ok, result.detail
    assert target.listdir("/sys/bus/mdev/devices") == []


class SpacedWeight(QosDriver):
    """Shows weight with a space inside: not one value."""

    def show_file(self, mdev, name):
        text = super().show_file(mdev, name)
        return "1 00\n" if name == "weight" else text


def test_races_report_a_malformed_value(guest_checks):
    target = MockTarget(MockKernel(driver_cls=SpacedWeight))
    result = guest_checks.check_races(target, "mqos0", cycles=5)
    assert not result.ok
    assert "weight read b'1 00\\n': not one complete value" in result.detail


def test_races_leave_a_type_fixed_knob_alone():
    target = MockTarget(MockKernel())
    uuid = str(uuidlib.uuid4())
    target.write("/sys/class/mdev_bus/mqos0/mdev_supported_types/mqos-fixed/create",
                 uuid.encode())
    values = writable_knob_values(Mdev(target, uuid, "mqos0"))
    assert "cap" not in values and {"weight", "priority"} <= set(values)


def test_types_check_passes_on_the_offered_layouts(guest_checks, fake_sysfs):
    layout = {"mqos-full": {"cap": 0o644, "usage_us": 0o444}, "mqos-plain": None}

    def create(parent: str, type_id: str) -> str:
        uuid = str(uuidlib.uuid4())
        files = [] if layout[type_id] is None else ["cap", "usage_us"]
        real = make_mdev(fake_sysfs.root, uuid, files)
        if layout[type_id] is None:
            (real / "qos").rmdir()
        else:
            (real / "qos/usage_us").chmod(0o444)
            (real / "qos/cap").chmod(0o644)
        fake_sysfs.created.append(uuid)
        return uuid

    fake_sysfs.create = create
    result = guest_checks.check_types(fake_sysfs, "mqos0", layout)
    assert result.ok, result.detail
    assert fake_sysfs.removed == fake_sysfs.created


@pytest.mark.parametrize(
    ("files", "detail"),
    [
        ([], "mqos-plain: an empty qos/, expected no qos/"),
        (["cap"], "mqos-plain: cap:644, expected no qos/"),
    ],
)
def test_types_check_refuses_a_qos_directory_on_a_type_without_qos(
    guest_checks, fake_sysfs, files, detail
):
    fake_sysfs.files = files
    result = guest_checks.check_types(fake_sysfs, "mqos0", {"mqos-plain": None})
    assert (result.ok, result.detail) == (False, detail)


def test_types_check_names_a_wrong_mode(guest_checks, fake_sysfs):
    fake_sysfs.files = ["cap"]
    result = guest_checks.check_types(fake_sysfs, "mqos0", {"mqos-fixed": {"cap": 0o444}})
    assert not result.ok
    assert result.detail.startswith("mqos-fixed: cap:6")


# --- the converted mdpy sample ---------------------------------------------------------

BASE_ALONE = {
    "verdict": "conformant",
    "claims": {
        "base": {"status": "holds"},
        "share": {"status": "not-offered"},
        "cap": {"status": "not-offered"},
    },
}


@pytest.fixture
def mdpy_sysfs(fake_sysfs):
    """An mdpy parent whose mdevs and type offer have the counters-only files."""
    fake_sysfs.files = ["usage_us", "timeslice_us", "domain"]
    offer = fake_sysfs.root / "sys/class/mdev_bus/mdpy/mdev_supported_types/mdpy-vga/qos"
    offer.mkdir(parents=True)
    (offer / "files").write_text("timeslice_us usage_us domain\n")
    create = fake_sysfs.create

    def create_read_only(parent: str, type_id: str) -> str:
        uuid = create(parent, type_id)
        for f in (fake_sysfs.device(uuid) / "qos").iterdir():
            f.chmod(0o444)
        return uuid

    fake_sysfs.create = create_read_only
    return fake_sysfs


def test_mdpy_check_passes_on_base_alone(guest_checks, mdpy_sysfs):
    result = guest_checks.check_counters_only(mdpy_sysfs, BASE_ALONE)
    assert result.ok, result.detail
    assert result.detail.startswith("conformant: base holds, share not-offered, cap not-offered")
    assert result.detail.endswith("; 0 scenario(s) skipped for the type's instance limit")


def test_mdpy_check_counts_the_scenarios_the_instance_limit_skipped(guest_checks, mdpy_sysfs):
    limit = "type mdpy-vga allows 4 more mdev(s) on mdpy; this scenario needs 6"
    report = {**BASE_ALONE, "scenarios": [
        {"status": "skip", "reason": limit},
        {"status": "skip", "reason": limit},
        {"status": "skip", "reason": "the type offers no cap"},
        {"status": "pass", "reason": ""},
    ]}
    result = guest_checks.check_counters_only(mdpy_sysfs, report)
    assert result.ok, result.detail
    assert result.detail.endswith("; 2 scenario(s) skipped for the type's instance limit")
    assert mdpy_sysfs.removed == mdpy_sysfs.created


@pytest.mark.parametrize(
    ("report", "problem"),
    [
        ({**BASE_ALONE, "verdict": "non-conformant", "reason": "1 failed"},
         "verdict non-conformant (1 failed)"),
        ({**BASE_ALONE, "claims": {**BASE_ALONE["claims"], "base": {"status": "fails"}}},
         "base fails"),
        ({**BASE_ALONE, "claims": {**BASE_ALONE["claims"], "share": {"status": "holds"}}},
         "share holds"),
        ({"verdict": "conformant", "claims": {}}, "base missing"),
    ],
)
def test_mdpy_check_wants_conformant_with_base_alone(guest_checks, mdpy_sysfs, report, problem):
    result = guest_checks.check_counters_only(mdpy_sysfs, report)
    assert (result.ok, result.detail) == (False, problem)


def test_mdpy_check_names_a_knob_and_a_wrong_offer(guest_checks, mdpy_sysfs):
    mdpy_sysfs.files = ["usage_us", "timeslice_us", "domain", "cap"]
    offer = mdpy_sysfs.root / "sys/class/mdev_bus/mdpy/mdev_supported_types/mdpy-vga/qos"
    (offer / "files").write_text("timeslice_us usage_us domain cap\n")
    result = guest_checks.check_counters_only(mdpy_sysfs, BASE_ALONE)
    assert not result.ok
    assert result.detail == (
        "mdpy-vga: cap:444 domain:444 timeslice_us:444 usage_us:444, expected domain:444"
        " timeslice_us:444 usage_us:444; the offer's files read"
        " 'timeslice_us usage_us domain cap\\n', expected 'timeslice_us usage_us domain\\n'"
    )
