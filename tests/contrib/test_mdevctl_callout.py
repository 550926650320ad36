"""contrib/mdevctl/mdev-qos, mdevctl's call-out for live QoS changes, on a sysfs-shaped tree.

mdevctl runs the script with ``-t TYPE -e EVENT -a ACTION -s STATE -u UUID -p PARENT``
and the configuration on stdin; MDEV_QOS_SYSFS points it at the tree. The guest
job (kmod/guest_mgmt.py) drives it through real mdevctl and libvirt.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

CALLOUT = Path(__file__).resolve().parents[2] / "contrib" / "mdevctl" / "mdev-qos"
UUID = "0b8f1c1e-5f7a-4c1b-9d5e-0123456789ab"
PARENT, TYPE = "0000:00:02.0", "mqos-full"


@pytest.fixture
def sysfs(tmp_path: Path) -> Path:
    """A parent whose type offers QoS, and one running mdev of it."""
    offer = tmp_path / "class/mdev_bus" / PARENT / "mdev_supported_types" / TYPE / "qos"
    offer.mkdir(parents=True)
    (offer / "files").write_text("cap weight priority usage_us\n")
    qos = tmp_path / "bus/mdev/devices" / UUID / "qos"
    qos.mkdir(parents=True)
    for name, value, mode in (("cap", "60", 0o644), ("weight", "100", 0o644),
                              ("priority", "background [standard] urgent", 0o644),
                              ("usage_us", "1234", 0o444)):
        (qos / name).write_text(value + "\n")
        (qos / name).chmod(mode)
    return tmp_path


def callout(sysfs: Path, event: str, action: str, stdin: str = "",
            mdev_type: str = TYPE) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CALLOUT), "-t", mdev_type, "-e", event, "-a", action, "-s", "none",
         "-u", UUID, "-p", PARENT],
        input=stdin, capture_output=True, text=True, timeout=30,
        env={**os.environ, "MDEV_QOS_SYSFS": str(sysfs)},
    )


def config(*attrs: tuple[str, str]) -> str:
    """mdevctl's compact JSON of a configuration, as it hands it to a call-out."""
    return json.dumps({"mdev_type": TYPE, "start": "manual",
                       "attrs": [{name: value} for name, value in attrs]},
                      separators=(",", ":"))


def knob(sysfs: Path, name: str) -> str:
    return (sysfs / "bus/mdev/devices" / UUID / "qos" / name).read_text().strip()


def test_a_type_without_a_qos_offer_is_not_claimed(sysfs: Path) -> None:
    proc = callout(sysfs, "get", "capabilities", "{}", mdev_type="other-type")
    assert proc.returncode == 0  # the running mdev has qos/: still QoS
    (sysfs / "bus/mdev/devices" / UUID / "qos").rename(sysfs / "elsewhere")
    assert callout(sysfs, "get", "capabilities", "{}", mdev_type="other-type").returncode == 2


def test_capabilities_answer_with_the_live_event(sysfs: Path) -> None:
    provides = {"provides": {"version": 3, "actions": ["modify"], "events": ["live"]}}
    proc = callout(sysfs, "get", "capabilities", json.dumps(provides, indent=2))
    assert proc.returncode == 0, proc.stderr
    supports = json.loads(proc.stdout)["supports"]
    assert supports["version"] == 3
    assert "live" in supports["events"] and "modify" in supports["actions"]


def test_attributes_are_the_writable_knobs_with_the_current_level(sysfs: Path) -> None:
    proc = callout(sysfs, "get", "attributes")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == [{"qos/cap": "60"}, {"qos/priority": "standard"},
                                       {"qos/weight": "100"}]


def test_a_live_modify_writes_the_knobs_in_order(sysfs: Path) -> None:
    proc = callout(sysfs, "live", "modify", config(("qos/weight", "300"), ("qos/cap", "40")))
    assert proc.returncode == 0, proc.stderr
    assert (knob(sysfs, "cap"), knob(sysfs, "weight")) == ("40", "300")


def test_a_refused_value_puts_back_what_was_written(sysfs: Path) -> None:
    # a knob the "driver" refuses every write to: a directory where the file was
    refusing = sysfs / "bus/mdev/devices" / UUID / "qos" / "weight"
    refusing.unlink()
    refusing.mkdir()
    proc = callout(sysfs, "live", "modify", config(("qos/cap", "40"), ("qos/weight", "300")))
    assert proc.returncode == 1
    assert "qos/weight 300 refused by the driver; nothing changed" in proc.stderr
    assert knob(sysfs, "cap") == "60"


@pytest.mark.parametrize(("attrs", "message"), [
    ((("qos/cap", "40"), ("vendor/mode", "fast")), "vendor/mode cannot change"),
    ((("qos/cap", "40"), ("qos/../remove", "1")), "is not a qos/ knob"),
    ((("qos/cap", "40"), ("qos/nope", "1")), "has no qos/nope"),
])
def test_anything_but_existing_qos_knobs_is_refused_before_any_write(
    sysfs: Path, attrs: tuple[tuple[str, str], ...], message: str
) -> None:
    proc = callout(sysfs, "live", "modify", config(*attrs))
    assert proc.returncode == 1
    assert message in proc.stderr
    assert knob(sysfs, "cap") == "60"


def test_other_events_change_nothing(sysfs: Path) -> None:
    for event, action in (("pre", "start"), ("post", "modify"), ("pre", "modify")):
        proc = callout(sysfs, event, action, config(("qos/cap", "40")))
        assert proc.returncode == 0
    assert knob(sysfs, "cap") == "60"
