"""``mdev-qos discover --propose``: checked against the offer; libvirt and mdevctl take it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from libvirt_schema import lint as xmllint

from .conftest import FULL, SHARE_CAP_MDEV, SHARE_CAP_OFFER, build_tree, run_cli

NEW = "30820a6f-b1a5-4503-91ca-0c10ba58692a"
MOCK_FULL = ("--mock", "--parent", "mqos0", "--type", "mqos-full")


def test_the_xml_for_a_pci_parent_is_valid_for_libvirt(tmp_path: Path) -> None:
    root = build_tree(tmp_path / "tree", SHARE_CAP_OFFER, SHARE_CAP_MDEV)
    proc = run_cli("--sysfs-root", str(root), "--parent", "0000:00:03.0", "--type", "vnd-a",
                   "--propose", "xml", "--set", "cap=60", "--set", "weight=300", "--uuid", NEW)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    assert proc.stdout == (
        "<device>\n"
        "  <name>mdev_30820a6f_b1a5_4503_91ca_0c10ba58692a_0000_00_03_0</name>\n"
        "  <parent>pci_0000_00_03_0</parent>\n"
        "  <capability type='mdev'>\n"
        "    <type id='vnd-a'/>\n"
        f"    <uuid>{NEW}</uuid>\n"
        "    <attr name='qos/weight' value='300'/>\n"
        "    <attr name='qos/cap' value='60'/>\n"
        "  </capability>\n"
        "</device>\n")
    lint = xmllint(proc.stdout, tmp_path)
    assert lint.returncode == 0, lint.stderr


def test_the_checked_schema_rejects_a_broken_document(tmp_path: Path) -> None:
    """The validation can fail: an attr without its value is not libvirt's."""
    lint = xmllint("<device><name>x</name><capability type='mdev'><type id='t'/>"
                   "<attr name='qos/cap'/></capability></device>", tmp_path)
    assert lint.returncode != 0


def test_the_mock_parent_gets_valid_xml_and_a_note(tmp_path: Path) -> None:
    proc = run_cli(*MOCK_FULL, "--propose", "xml", "--set", "priority=urgent",
                   "--set", "cap=+060", "--set", "weight=300")
    assert proc.returncode == 0, proc.stderr
    assert "<parent>mqos0</parent>" in proc.stdout
    attrs = [line.strip() for line in proc.stdout.splitlines() if "<attr" in line]
    assert attrs == ["<attr name='qos/priority' value='urgent'/>",
                     "<attr name='qos/weight' value='300'/>",
                     "<attr name='qos/cap' value='60'/>"]  # write order, canonical values
    assert "libvirt lists mdev parents on PCI, CCW and AP devices only" in proc.stderr
    lint = xmllint(proc.stdout, tmp_path)
    assert lint.returncode == 0, lint.stderr


def test_the_mdevctl_json_and_all() -> None:
    proc = run_cli(*MOCK_FULL, "--propose", "mdevctl", "--set", "cap=35", "--start", "auto")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"mdev_type": "mqos-full", "start": "auto",
                                       "attrs": [{"qos/cap": "35"}]}
    proc = run_cli(*MOCK_FULL, "--propose", "--set", "cap=35", "--uuid", NEW)
    assert proc.returncode == 0, proc.stderr
    assert f"mdevctl define -p mqos0 -u {NEW} --jsonfile FILE" in proc.stdout
    assert "virsh nodedev-define FILE" in proc.stdout
    assert proc.stdout.count("<attr name='qos/cap' value='35'/>") == 1


def _mdevctl_define(config: Path) -> subprocess.CompletedProcess[str]:
    """``mdevctl define`` of ``config`` in a private mount namespace (a tmpfs over
    /etc/mdevctl.d), then its ``list --defined --dumpjson``: the host keeps nothing."""
    script = (
        "set -e; mount -t tmpfs none /etc/mdevctl.d; "
        "mkdir -p /etc/mdevctl.d/scripts.d/callouts /etc/mdevctl.d/scripts.d/notifiers; "
        f"mdevctl define -p 0000:00:03.0 -u {NEW} --jsonfile {config}; "
        "mdevctl list --defined --dumpjson")
    return subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True,
                          text=True, timeout=60, check=False)


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("mdevctl")
                    or not shutil.which("unshare") or not Path("/etc/mdevctl.d").is_dir(),
                    reason="needs root, mdevctl (with /etc/mdevctl.d) and unshare")
def test_real_mdevctl_defines_the_proposal(tmp_path: Path) -> None:
    proc = run_cli(*MOCK_FULL, "--propose", "mdevctl", "--set", "cap=60",
                   "--set", "priority=urgent", "--start", "auto")
    assert proc.returncode == 0, proc.stderr
    config = tmp_path / "mdev.json"
    config.write_text(proc.stdout)
    done = _mdevctl_define(config)
    assert done.returncode == 0, done.stderr
    (defined,) = json.loads(done.stdout)
    assert defined == {"0000:00:03.0": [{NEW: json.loads(proc.stdout)}]}
    config.write_text('{"mdev_type": "mqos-full", "attrs": "qos/cap=60"}')
    assert _mdevctl_define(config).returncode != 0  # the check can fail


@pytest.mark.parametrize(("args", "message"), [
    (["--type", "mqos-fixed", "--set", "cap=60"],
     "cap is fixed at 50 by type mqos-fixed of parent mqos0"),
    (["--type", "mqos-full", "--set", "cap=101"],
     "cap=101 is not offered by type mqos-full of parent mqos0: outside 1..100"),
    (["--type", "mqos-full", "--set", "weight=0"], "weight=0 is not offered"),
    (["--type", "mqos-full", "--set", "priority=high"],
     "priority=high is not offered by type mqos-full of parent mqos0: one of background "
     "standard urgent"),
    (["--type", "mqos-full", "--set", "usage_us=3"], "usage_us is not a knob"),
    (["--type", "mqos-full", "--set", "bogus=3"], "bogus is not offered by type mqos-full"),
    (["--type", "mqos-full", "--set", "cap=1", "--set", "cap=2"], "cap is set twice"),
    (["--type", "mqos-full", "--set", "cap"], "--set 'cap': write KNOB=VALUE"),
    (["--type", "mqos-plain", "--set", "cap=3"], "offers no QoS"),
    (["--type", "mqos-full", "--uuid", "nope"], "--uuid needs a UUID"),
    (["--type", "mqos-full", "--json"], "--json lists"),
])
def test_a_value_the_offer_refuses_is_one_line_and_exit_2(args: list[str],
                                                        message: str) -> None:
    proc = run_cli("--mock", "--parent", "mqos0", "--propose", "xml", *args)
    assert proc.returncode == 2
    assert len(proc.stderr.splitlines()) == 1 and message in proc.stderr, proc.stderr
    assert proc.stdout == ""


def test_propose_needs_parent_and_type_and_options_need_propose() -> None:
    proc = run_cli("--mock", "--propose")
    assert proc.returncode == 2 and "--propose needs --parent P and --type T" in proc.stderr
    proc = run_cli("--mock", "--set", "cap=1")
    assert proc.returncode == 2 and "need --propose" in proc.stderr


def test_propose_on_a_host_without_mdev(tmp_path: Path) -> None:
    proc = run_cli("--sysfs-root", str(tmp_path), "--parent", "p", "--type", "t",
                   "--propose", "xml")
    assert proc.returncode == 2 and "nothing to propose" in proc.stderr


def test_the_live_mdev_is_untouched_by_a_proposal(tmp_path: Path) -> None:
    root = build_tree(tmp_path / "tree", SHARE_CAP_OFFER, SHARE_CAP_MDEV)
    cap = root / f"sys/devices/pci0000:00/0000:00:03.0/{FULL}/qos/cap"
    proc = run_cli("--sysfs-root", str(root), "--parent", "0000:00:03.0", "--type", "vnd-a",
                   "--propose", "--set", "cap=10")
    assert proc.returncode == 0, proc.stderr
    assert cap.read_text() == "60\n"
