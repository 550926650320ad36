"""The libvirt and mdevctl checks of kmod/guest_mgmt.py: what can be checked without a guest.

The XML the checks and the spec's worked example hand to ``virsh nodedev-define``
is validated against libvirt's own ``nodedev.rng``; the guest run itself is judged
by test_guest_results.py.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from libvirt_schema import lint

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "spec/examples/libvirt-set-cap.sh"
UUID = "0b8f1c1e-5f7a-4c1b-9d5e-0123456789ab"


def validate(xml: str, tmp_path: Path) -> None:
    proc = lint(xml, tmp_path)
    assert proc.returncode == 0, proc.stderr


def test_libvirt_names_a_pci_parent_like_libvirt(guest_mgmt: ModuleType) -> None:
    assert guest_mgmt.libvirt_name("0000:00:02.0") == "pci_0000_00_02_0"
    assert guest_mgmt.mdev_node_name(UUID, "0000:00:02.0") == (
        "mdev_0b8f1c1e_5f7a_4c1b_9d5e_0123456789ab_0000_00_02_0"
    )


@pytest.mark.parametrize(("text", "expected"), [
    ("Using library: libvirt 9.0.0\n", (9, 0, 0)),
    ("mdevctl 1.2.0\n", (1, 2, 0)),
    ("libvirt 10.1\n", (10, 1, 0)),
    ("no version here", ()),
])
def test_version(guest_mgmt: ModuleType, text: str, expected: tuple[int, ...]) -> None:
    assert guest_mgmt.version(text) == expected


def test_the_versions_that_offer_live_changes_compare_right(guest_mgmt: ModuleType) -> None:
    assert guest_mgmt.version("9.0.0") < guest_mgmt.LIVE_UPDATE_LIBVIRT
    assert guest_mgmt.version("10.1.0") >= guest_mgmt.LIVE_UPDATE_LIBVIRT
    assert guest_mgmt.version("1.2.0") < guest_mgmt.LIVE_MODIFY_MDEVCTL


def test_the_checks_device_xml_is_valid_for_libvirt(
    guest_mgmt: ModuleType, tmp_path: Path
) -> None:
    xml = guest_mgmt.device_xml("0000:00:02.0", UUID, {"qos/cap": "60", "qos/weight": "300"})
    assert "<attr name='qos/cap' value='60'/>" in xml
    validate(xml, tmp_path)


def test_the_worked_examples_xml_is_valid_for_libvirt(tmp_path: Path) -> None:
    script = EXAMPLE.read_text()
    heredoc = re.search(r"<<XML\n(.*?)\nXML\n", script, re.S)
    assert heredoc, "the example defines its device with a <<XML here-document"
    name = "mdev_" + UUID.replace("-", "_") + "_0000_00_02_0"
    xml = heredoc[1].replace("$parent", "pci_0000_00_02_0").replace("$uuid", UUID)
    xml = xml.replace("$name", name)
    validate(xml, tmp_path)


def test_the_worked_example_is_shown_in_the_spec() -> None:
    integration = (REPO / "spec/integration.rst").read_text()
    assert "examples/libvirt-set-cap.sh" in integration


def test_the_discover_checks_read_a_discover_document(guest_mgmt: ModuleType) -> None:
    """The guest's discover check validates what the command prints, and finds the type."""
    proc = subprocess.run([sys.executable, "-m", "conformance", "discover", "--mock", "--json"],
                          capture_output=True, text=True, timeout=60, check=True)
    document = json.loads(proc.stdout)
    assert guest_mgmt.schema_errors(document) == []
    assert guest_mgmt.offered_type(document, "mqos1")["offer"]["domain"] == "mqos1"
    assert guest_mgmt.offered_type(document, "0000:00:03.0") is None
    document["parents"][0]["bus"] = 7
    assert guest_mgmt.schema_errors(document)


@pytest.mark.parametrize(("script", "allowed"), [
    ("guest_mgmt.py", {"guest_result"}),
    ("guest_result.py", set()),
])
def test_guest_mgmt_needs_the_standard_library_only(script: str, allowed: set[str]) -> None:
    """It runs under the trixie chroot's python3, which has nothing else."""
    tree = ast.parse((REPO / "kmod" / script).read_text())
    imported = {alias.name.split(".")[0] for node in ast.walk(tree)
                if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.module and not node.level}
    assert imported <= set(sys.stdlib_module_names) | allowed


def test_guest_checks_and_guest_mgmt_share_one_result_and_sysfs(guest_checks, guest_mgmt):
    """One CheckResult and one Sysfs (guest_result.py), whichever Python runs them."""
    assert guest_checks.CheckResult is guest_mgmt.CheckResult
    assert guest_checks.Sysfs is guest_mgmt.Sysfs
    result = guest_mgmt.CheckResult("x", False, "why")
    assert (result.line(), json.loads(result.json())) == (
        "FAIL x: why", {"name": "x", "ok": False, "detail": "why"})


MDEVCTL_LIST = """[
  {"0000:00:02.0": [
    {"11111111-5f7a-4c1b-9d5e-0123456789ab": {"mdev_type": "mqos-full", "start": "manual",
                                              "attrs": []}},
    {"0b8f1c1e-5f7a-4c1b-9d5e-0123456789ab": {"mdev_type": "mqos-full", "start": "manual",
                                              "attrs": [{"qos/weight": "300"},
                                                        {"qos/cap": "45"}]}}
  ]}
]"""


def test_the_cap_is_found_in_mdevctls_listing(guest_mgmt: ModuleType) -> None:
    config = guest_mgmt.find_config(json.loads(MDEVCTL_LIST), UUID)
    assert config["attrs"] == [{"qos/weight": "300"}, {"qos/cap": "45"}]
    assert guest_mgmt.find_config(json.loads(MDEVCTL_LIST), "no-such-uuid") is None


def test_the_cap_is_read_from_a_node_devices_xml(guest_mgmt: ModuleType) -> None:
    xml = guest_mgmt.device_xml("0000:00:02.0", UUID, {"qos/weight": "300", "qos/cap": "40"})
    assert guest_mgmt.xml_cap(xml) == "40"
    assert guest_mgmt.xml_cap("<device><capability type='mdev'/></device>") is None
    assert guest_mgmt.xml_cap("not xml") is None


class _Device:
    """A cap behind a live-update command: ``refuse`` lists the caps it refuses."""

    def __init__(self, refuse: set[str], apply_refused: bool = False) -> None:
        self.cap, self.refuse, self.apply_refused = "60", refuse, apply_refused

    def change(self, cap: str) -> subprocess.CompletedProcess[str]:
        refused = cap in self.refuse
        if not refused or self.apply_refused:
            self.cap = cap
        return subprocess.CompletedProcess([], 1 if refused else 0, "",
                                           "mdev-qos: refused" if refused else "")

    def state(self) -> tuple[str | None, ...]:
        return (self.cap, self.cap)


NAMES = ("changes", "refused changes nothing")


def _judge(guest_mgmt, device: _Device) -> list[tuple[bool, str]]:
    results = guest_mgmt.judge_live_changes(NAMES, device.change, device.state, "45",
                                            ("45", "45"), "sysfs, list", "cap 45 in both")
    assert [r.name for r in results] == list(NAMES)
    return [(r.ok, r.detail) for r in results]


def test_live_changes_pass_when_taken_and_refused_as_they_should(guest_mgmt):
    assert _judge(guest_mgmt, _Device({"101"})) == [
        (True, "cap 45 in both"),
        (True, "refused (mdev-qos: refused); sysfs, list still ('45', '45')"),
    ]


def test_live_changes_name_a_refused_valid_cap_and_an_accepted_invalid_one(guest_mgmt):
    assert _judge(guest_mgmt, _Device({"45"})) == [
        (False, "update to 45: mdev-qos: refused"),
        (False, "accepted; now ('101', '101')"),
    ]


def test_live_changes_name_a_refusal_that_changed_the_cap(guest_mgmt):
    assert _judge(guest_mgmt, _Device({"101"}, apply_refused=True))[1] == (
        False, "failed but changed ('45', '45') to ('101', '101')")
