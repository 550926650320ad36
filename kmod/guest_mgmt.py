"""The management stack as a real client of the QoS files: libvirt and mdevctl.

Run by kmod/guest.sh inside the guest, after the suite, as
``python guest_mgmt.py --out DIR --example FILE``; each check prints ``PASS`` or
``FAIL`` and appends to DIR/checks.jsonl, like guest_checks.py.

- ``libvirt``: libvirtd (its node device driver only) on top of a running
  systemd-udevd. The spec's worked example (spec/examples/libvirt-set-cap.sh)
  runs verbatim: ``nodedev-define`` of an mdev whose XML carries ``qos/*``
  attrs, ``nodedev-start``, the values read back from sysfs and from
  ``nodedev-dumpxml``, then ``nodedev-destroy`` and ``nodedev-undefine``. A
  definition with a value the driver refuses fails to start and leaves no device.
  ``nodedev-update --live`` is checked where libvirt offers it (10.1.0 and
  later): a new cap reaches sysfs and ``nodedev-dumpxml`` at once, the persistent
  definition keeps its own, and a cap the driver refuses fails and changes
  nothing; with an older libvirt both are reported as not offered by it.
- ``mdevctl``: ``define --auto`` of a device with ``qos/*`` attrs, started by
  ``mdevctl start -u``, read back, stopped and undefined; ``modify --live`` where
  this mdevctl has it (1.3.0 and later), likewise, else reported as not offered.
- ``mdev-qos discover``: ``--json`` of the guest's real /sys validates against
  spec/schema/discover.schema.json and shows the PCI parent's offer; what
  ``--propose`` prints is defined and started through ``mdevctl`` (JSON) and
  ``virsh`` (XML), read back from sysfs and from ``discover`` itself, and removed;
  a value the offer refuses prints nothing and creates nothing.

libvirt sees only parents on buses it knows (PCI, CCW, AP), so these checks use
the mqos parent on QEMU's ``pci-testdev``,
never the class devices ``mqos0``/``mqos1``. The userland is whichever root this
runs in: the host's (kmod/guest.sh) or the kernel's own distribution's, a chroot
kmod/guest.sh enters when MQOS_MGMT_ROOT names one (Debian 13's for 6.12). A
read-only /etc or /var gets a tmpfs overlay so that mdevctl and libvirt can keep
their state, and libvirt's hypervisor drivers are hidden the same way so that
libvirtd starts with the node device driver alone. Standard library only: the
chroot's Python has nothing else.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid as uuidlib
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from guest_result import RESULTS, CheckResult, Sysfs

URI = "nodedev:///system"
TYPE_ID = "mqos-full"
LIBVIRT_DRIVERS = Path("/usr/lib/x86_64-linux-gnu/libvirt/connection-driver")
CALLOUTS = Path("/usr/lib/mdevctl/scripts.d/callouts")
LIVE_UPDATE_LIBVIRT = (10, 1, 0)
LIVE_MODIFY_MDEVCTL = (1, 3, 0)
REFUSED_CAP = "101"


class SetupError(Exception):
    """The management stack could not be brought up; the message says why."""


def run(argv: list[str], timeout: float = 120, **kw: object) -> subprocess.CompletedProcess[str]:
    """Run a command, capturing its output as text."""
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, **kw)  # type: ignore[call-overload]


def version(text: str) -> tuple[int, ...]:
    """The first dotted version number in ``text``, e.g. ``(9, 0, 0)``."""
    found = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", text)
    if found is None:
        return ()
    return tuple(int(part or 0) for part in found.groups())


def dotted(numbers: tuple[int, ...]) -> str:
    """``(9, 0, 0)`` → ``9.0.0``."""
    return ".".join(map(str, numbers))


# --- bringing the stack up -----------------------------------------------------------


def overlay(directory: Path, scratch: Path) -> None:
    """Make ``directory`` writable: a tmpfs-backed overlay on a read-only tree."""
    if os.access(directory, os.W_OK):
        return  # a root that is writable already (a chroot on an overlay)
    upper, work = scratch / "upper", scratch / "work"
    upper.mkdir(parents=True)
    work.mkdir()
    options = f"lowerdir={directory},upperdir={upper},workdir={work}"
    proc = run(["mount", "-t", "overlay", "overlay", "-o", options, str(directory)])
    if proc.returncode != 0:
        raise SetupError(f"overlay on {directory}: {proc.stderr.strip()}")


def pci_parent() -> str:
    """The sysfs name of the PCI device that offers mqos types (the pci-testdev)."""
    for device in sorted(Path("/sys/bus/pci/devices").iterdir()):
        if (device / "mdev_supported_types" / TYPE_ID).is_dir():
            return device.name
    raise SetupError("no PCI device offers mqos types (was QEMU started with "
                     "-device pci-testdev?)")


def libvirt_name(pci_address: str) -> str:
    """Libvirt's node device name of a PCI address: ``0000:00:03.0`` → ``pci_0000_00_03_0``."""
    return "pci_" + re.sub(r"[:.]", "_", pci_address)


def start_stack(scratch: Path) -> str:
    """Overlays, udevd, libvirtd with the node device driver only; libvirt's version."""
    if run(["modprobe", "overlay"]).returncode != 0:
        raise SetupError("modprobe overlay failed")
    for name, directory in (("etc", Path("/etc")), ("var", Path("/var")),
                            ("drivers", LIBVIRT_DRIVERS)):
        overlay(directory, scratch / name)
    # the overlay on /var shows the host's /var/tmp again, under the guest's own
    # tmpfs: the suite steps after this one must not meet the host's state directory
    if run(["mount", "-t", "tmpfs", "tmpfs", "/var/tmp"]).returncode != 0:
        raise SetupError("mount -t tmpfs tmpfs /var/tmp failed")
    for driver in LIBVIRT_DRIVERS.glob("*.so"):
        if "nodedev" not in driver.name:
            driver.unlink()  # only in the overlay: libvirtd loads what is left
    for directory in ("/var/log/libvirt", "/var/lib/libvirt", "/var/cache/libvirt"):
        os.makedirs(directory, exist_ok=True)
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"),
                         ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")):
        if not os.path.lexists(f"/dev/{name}"):  # udev's job at boot; libvirt hands
            os.symlink(target, f"/dev/{name}")  # mdevctl its JSON as /dev/stdin
    os.environ["SYSTEMD_IGNORE_CHROOT"] = "1"  # the guest runs chrooted into the host tree
    if run(["/lib/systemd/systemd-udevd", "--daemon"]).returncode != 0:
        raise SetupError("systemd-udevd --daemon failed")
    proc = run(["libvirtd", "--daemon"])
    if proc.returncode != 0:
        raise SetupError(f"libvirtd --daemon: {proc.stderr.strip()}")
    for _ in range(60):
        proc = run(["virsh", "-c", URI, "version"])
        if "Using library" in proc.stdout:
            return dotted(version(proc.stdout.split("Using library", 1)[1]))
        time.sleep(1)
    raise SetupError(f"libvirtd did not answer on {URI}: {proc.stderr.strip()}")


# --- libvirt ------------------------------------------------------------------------


def virsh(*args: str) -> subprocess.CompletedProcess[str]:
    """``virsh`` on the node device driver's own URI."""
    return run(["virsh", "-c", URI, *args])


def mdev_node_name(uuid: str, parent: str) -> str:
    """Libvirt's name of a defined mdev (libvirt 7.3 and later)."""
    return f"mdev_{uuid.replace('-', '_')}_{parent.replace(':', '_').replace('.', '_')}"


def device_xml(parent: str, uuid: str, attrs: dict[str, str]) -> str:
    """A node device definition of an mqos-full mdev with ``qos/*`` attrs."""
    lines = [f"    <attr name='{name}' value='{value}'/>" for name, value in attrs.items()]
    return "\n".join([
        "<device>",
        f"  <name>{mdev_node_name(uuid, parent)}</name>",
        f"  <parent>{libvirt_name(parent)}</parent>",
        "  <capability type='mdev'>",
        f"    <type id='{TYPE_ID}'/>",
        f"    <uuid>{uuid}</uuid>",
        *lines,
        "  </capability>",
        "</device>",
        "",
    ])


def forget(uuid: str, parent: str, sysfs: Sysfs) -> None:
    """Destroy and undefine a device, whatever state a failed check left it in."""
    name = mdev_node_name(uuid, parent)
    virsh("nodedev-destroy", name)
    virsh("nodedev-undefine", name)
    run(["mdevctl", "stop", "-u", uuid])
    run(["mdevctl", "undefine", "-u", uuid])
    sysfs.remove(uuid)


def defined(uuid: str) -> bool:
    """Whether mdevctl still has a definition of ``uuid``."""
    proc = run(["mdevctl", "list", "--defined", "--dumpjson"])
    return uuid in proc.stdout


def check_example(sysfs: Sysfs, parent: str, example: Path) -> CheckResult:
    """The spec's worked example, run verbatim: define, start, read back, clean up."""
    name = "libvirt: the spec's worked example sets a cap (nodedev-define, start, dumpxml)"
    uuid = str(uuidlib.uuid4())
    try:
        proc = run(["sh", str(example), libvirt_name(parent), uuid], timeout=300)
        if proc.returncode != 0:
            return CheckResult(name, False, f"exit {proc.returncode}: "
                               f"{(proc.stdout + proc.stderr).strip()[-400:]}")
        if sysfs.device(uuid).exists() or defined(uuid):
            return CheckResult(name, False, "the example left its device behind")
        return CheckResult(name, True, proc.stdout.strip().splitlines()[-1])
    finally:
        forget(uuid, parent, sysfs)


def check_refused(sysfs: Sysfs, parent: str) -> CheckResult:
    """A definition whose value the driver refuses does not start and leaves nothing."""
    name = "libvirt: a definition with cap 101 fails to start and leaves no device"
    uuid = str(uuidlib.uuid4())
    node = mdev_node_name(uuid, parent)
    with tempfile.NamedTemporaryFile("w", suffix=".xml", delete=False) as f:
        f.write(device_xml(parent, uuid, {"qos/weight": "200", "qos/cap": "101"}))
    try:
        proc = virsh("nodedev-define", f.name)
        if proc.returncode != 0:
            return CheckResult(name, False, f"nodedev-define: {proc.stderr.strip()}")
        proc = virsh("nodedev-start", node)
        if proc.returncode == 0:
            return CheckResult(name, False, "nodedev-start succeeded")
        if sysfs.device(uuid).exists():
            return CheckResult(name, False, "nodedev-start failed but left the device")
        proc = virsh("nodedev-undefine", node)
        if proc.returncode != 0 or defined(uuid):
            return CheckResult(name, False, f"nodedev-undefine: {proc.stderr.strip()}")
        return CheckResult(name, True, "start refused, nothing left")
    finally:
        os.unlink(f.name)
        forget(uuid, parent, sysfs)


def xml_cap(xml: str) -> str | None:
    """The ``qos/cap`` attr of a node device's XML, or None."""
    try:
        root = ET.fromstring(xml)
    except ET.ParseError:
        return None
    for attr in root.iter("attr"):
        if attr.get("name") == "qos/cap":
            return attr.get("value")
    return None


def first_line(proc: subprocess.CompletedProcess[str]) -> str:
    """What a failed command said, in one line: the call-out's word, else the last line."""
    lines = (proc.stderr or proc.stdout).strip().splitlines()
    if not lines:
        return f"exit {proc.returncode}"
    callout = [line for line in lines if "mdev-qos:" in line]
    return (callout or lines)[-1].strip()[:240]


State = tuple[str | None, ...]


def judge_live_changes(
    names: tuple[str, str],
    change: Callable[[str], subprocess.CompletedProcess[str]],
    state: Callable[[], State],
    cap: str,
    expected: State,
    where: str,
    done: str,
) -> list[CheckResult]:
    """Both live checks: ``change(cap)`` must give ``expected``, ``change(REFUSED_CAP)`` nothing.

    ``state()`` reads the cap in the places ``where`` names, ``done`` says what
    the first check saw when it passed.
    """
    proc = change(cap)
    got = state()
    if proc.returncode != 0:
        changed = CheckResult(names[0], False, f"update to {cap}: {first_line(proc)}")
    elif got != expected:
        changed = CheckResult(names[0], False, f"{where}: {got}, expected {expected}")
    else:
        changed = CheckResult(names[0], True, done)
    proc = change(REFUSED_CAP)
    after = state()
    if proc.returncode == 0:
        refused = CheckResult(names[1], False, f"accepted; now {after}")
    elif after != got:
        refused = CheckResult(names[1], False, f"failed but changed {got} to {after}")
    else:
        refused = CheckResult(names[1], True,
                              f"refused ({first_line(proc)}); {where} still {after}")
    return [changed, refused]


def not_offered(names: tuple[str, str], what: str, have: str,
                needs: tuple[int, ...]) -> list[CheckResult]:
    """Both live checks, reported as not offered by this userland (not skipped)."""
    why = f"not offered by {what} {have} (needs {dotted(needs)}): not run"
    return [CheckResult(name, True, why) for name in names]


def live_update_checks(sysfs: Sysfs, parent: str, libvirt: str) -> list[CheckResult]:
    """``nodedev-update --live``: a new cap reaches the running mdev, a refused one nothing.

    The definition says cap 60; a live update to 40 must show in sysfs and in
    ``nodedev-dumpxml`` at once while the definition (``--inactive``) keeps 60;
    a live update to a cap the driver refuses must fail and leave all three as
    they were.
    """
    names = ("libvirt: nodedev-update --live changes the cap of a running mdev",
             f"libvirt: nodedev-update --live with cap {REFUSED_CAP} fails and "
             "changes nothing")
    if version(libvirt) < LIVE_UPDATE_LIBVIRT:
        return not_offered(names, "libvirt", libvirt, LIVE_UPDATE_LIBVIRT)
    uuid = str(uuidlib.uuid4())
    node = mdev_node_name(uuid, parent)
    files = {}
    try:
        for cap in ("60", "40", REFUSED_CAP):
            with tempfile.NamedTemporaryFile("w", suffix=".xml", delete=False) as f:
                f.write(device_xml(parent, uuid, {"qos/cap": cap}))
            files[cap] = f.name
        for step in (("nodedev-define", files["60"]), ("nodedev-start", node)):
            proc = virsh(*step)
            if proc.returncode != 0:
                return [CheckResult(name, False, f"{step[0]}: {first_line(proc)}")
                        for name in names]

        def state() -> State:
            """The cap in sysfs, in the running device's XML and in its definition."""
            cap = sysfs.read(uuid, "qos/cap").strip() if sysfs.device(uuid).exists() else None
            return (cap, xml_cap(virsh("nodedev-dumpxml", node).stdout),
                    xml_cap(virsh("nodedev-dumpxml", node, "--inactive").stdout))

        return judge_live_changes(
            names, lambda cap: virsh("nodedev-update", node, files[cap], "--live"), state,
            "40", ("40", "40", "60"), "sysfs, live XML, definition",
            f"libvirt {libvirt}: 60 → 40 in sysfs and nodedev-dumpxml, the definition keeps 60")
    finally:
        for path in files.values():
            os.unlink(path)
        forget(uuid, parent, sysfs)


# --- mdevctl beyond start ------------------------------------------------------------


def mdevctl_version() -> str:
    """The installed mdevctl's version, e.g. ``1.2.0``."""
    proc = run(["mdevctl", "--version"])
    return dotted(version(proc.stdout + proc.stderr))


def check_define_auto(sysfs: Sysfs, parent: str) -> CheckResult:
    """``define --auto`` with ``qos/*`` attrs, then ``start -u`` applies them."""
    name = "mdevctl: define --auto with qos attrs, start, read back, undefine"
    uuid = str(uuidlib.uuid4())
    config = {"mdev_type": TYPE_ID, "start": "auto",
              "attrs": [{"qos/cap": "35"}, {"qos/weight": "700"}]}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(config, f)
    try:
        for argv in (["mdevctl", "define", "-p", parent, "-u", uuid, "--jsonfile", f.name],
                     ["mdevctl", "start", "-u", uuid]):
            proc = run(argv)
            if proc.returncode != 0:
                return CheckResult(name, False, f"{' '.join(argv[:2])}: {proc.stderr.strip()}")
        listed = run(["mdevctl", "list", "--defined", "--dumpjson"]).stdout
        if '"auto"' not in listed:
            return CheckResult(name, False, f"the definition is not auto: {listed.strip()}")
        got = (sysfs.read(uuid, "qos/cap"), sysfs.read(uuid, "qos/weight"))
        if got != ("35\n", "700\n"):
            return CheckResult(name, False, f"read back {got}")
        for argv in (["mdevctl", "stop", "-u", uuid], ["mdevctl", "undefine", "-u", uuid]):
            run(argv)
        if sysfs.device(uuid).exists() or defined(uuid):
            return CheckResult(name, False, "stop/undefine left the device or its definition")
        return CheckResult(name, True, f"mdevctl {mdevctl_version()}: cap 35, weight 700")
    finally:
        os.unlink(f.name)
        forget(uuid, parent, sysfs)


def find_config(listing: object, uuid: str) -> dict[str, object] | None:
    """The configuration of ``uuid`` in ``mdevctl list --dumpjson`` output."""
    if isinstance(listing, dict):
        if isinstance(listing.get(uuid), dict):
            return listing[uuid]
        listing = list(listing.values())
    if isinstance(listing, list):
        for item in listing:
            found = find_config(item, uuid)
            if found is not None:
                return found
    return None


def listed_cap(uuid: str) -> str | None:
    """The ``qos/cap`` that ``mdevctl list`` shows for a running mdev, or None."""
    # not "list -u": for one running mdev mdevctl leaves the attributes out
    proc = run(["mdevctl", "list", "--dumpjson"])
    try:
        config = find_config(json.loads(proc.stdout), uuid)
    except ValueError:
        return None
    found = None
    attrs = config.get("attrs", []) if config else []
    for attr in attrs if isinstance(attrs, list) else []:
        found = attr.get("qos/cap", found)
    return found


def modify_live_checks(sysfs: Sysfs, parent: str) -> list[CheckResult]:
    """``modify --live`` on a running mdev: a new cap takes, a refused one changes nothing."""
    names = ("mdevctl: modify --live changes the cap of a running mdev",
             f"mdevctl: modify --live with cap {REFUSED_CAP} fails and changes nothing")
    have = mdevctl_version()
    if "--live" not in run(["mdevctl", "modify", "--help"]).stdout:
        return not_offered(names, "mdevctl", have, LIVE_MODIFY_MDEVCTL)
    uuid = str(uuidlib.uuid4())

    def modify(cap: str) -> subprocess.CompletedProcess[str]:
        """``modify --live`` (which takes attrs as a JSON file only) to ``cap``."""
        config = {"mdev_type": TYPE_ID, "start": "manual", "attrs": [{"qos/cap": cap}]}
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(config, f)
        try:
            return run(["mdevctl", "modify", "-u", uuid, "--live", "--jsonfile", f.name])
        finally:
            os.unlink(f.name)

    def state() -> State:
        """The cap in sysfs and in ``mdevctl list``."""
        cap = sysfs.read(uuid, "qos/cap").strip() if sysfs.device(uuid).exists() else None
        return cap, listed_cap(uuid)

    try:
        proc = run(["mdevctl", "start", "-p", parent, "-u", uuid, "-t", TYPE_ID])
        if proc.returncode != 0:
            return [CheckResult(name, False, f"start: {first_line(proc)}") for name in names]
        return judge_live_changes(names, modify, state, "45", ("45", "45"),
                                  "sysfs, mdevctl list",
                                  f"mdevctl {have}: cap 45 in sysfs and mdevctl list")
    finally:
        forget(uuid, parent, sysfs)


# --- mdev-qos discover -----------------------------------------------------------------


SUITE = [sys.executable]
"""How to start the suite's interpreter: this one, or another root's (``--suite``)."""

_SCHEMA_ERRORS = """\
import json, sys
from jsonschema import Draft202012Validator
from conformance.resources import schema_path
schema = json.loads(schema_path("discover").read_text(encoding="utf-8"))
for e in Draft202012Validator(schema).iter_errors(json.load(sys.stdin)):
    print(f"{list(e.path)}: {e.message}")
"""


def discover(*args: str) -> subprocess.CompletedProcess[str]:
    """``mdev-qos discover`` on the guest's /sys (the suite's interpreter)."""
    return run([*SUITE, "-m", "conformance", "discover", "--op-timeout", "60", *args],
               cwd="/tmp")


def schema_errors(document: object) -> list[str]:
    """Where ``document`` breaks spec/schema/discover.schema.json.

    Judged by the suite's interpreter, which has jsonschema; this script keeps to
    the standard library (it may run under another distribution's Python).
    """
    proc = run([*SUITE, "-c", _SCHEMA_ERRORS], input=json.dumps(document), cwd="/tmp")
    if proc.returncode != 0:
        return [f"the schema check failed: {first_line(proc)}"]
    return proc.stdout.splitlines()


def offered_type(document: dict, parent: str) -> dict | None:
    """The mqos-full type of ``parent`` in a discover document."""
    for entry in document.get("parents", []):
        if entry["name"] == parent:
            for kind in entry["types"]:
                if kind["id"] == TYPE_ID:
                    return kind
    return None


def check_discover_json(parent: str) -> CheckResult:
    """``discover --json`` of the real /sys validates and shows the PCI parent's offer."""
    name = "mdev-qos discover: --json on the guest's /sys validates and shows the offer"
    proc = discover("--json")
    if proc.returncode != 0:
        return CheckResult(name, False, f"exit {proc.returncode}: {proc.stderr.strip()}")
    document = json.loads(proc.stdout)
    errors = schema_errors(document)
    if errors:
        return CheckResult(name, False, f"schema: {errors[0]}")
    parents = [p["name"] for p in document["parents"]]
    kind = offered_type(document, parent)
    if kind is None or kind["offer"] is None:
        return CheckResult(name, False, f"no offer of {TYPE_ID} on {parent}; parents {parents}")
    entry = next(p for p in document["parents"] if p["name"] == parent)
    if entry["libvirt_name"] != libvirt_name(parent):
        return CheckResult(name, False, f"libvirt name {entry['libvirt_name']!r}")
    if set(kind["offer"]["settable"]) != {"cap", "weight", "priority"}:
        return CheckResult(name, False, f"settable {kind['offer']['settable']}")
    return CheckResult(name, True, f"parents {' '.join(parents)}; {TYPE_ID} on {parent}: "
                       f"settable {' '.join(kind['offer']['settable'])}")


def check_discover_propose(sysfs: Sysfs, parent: str) -> CheckResult:
    """What ``--propose`` prints is defined and started by mdevctl and by libvirt."""
    name = "mdev-qos discover: --propose output defined and started by mdevctl and virsh"
    by_mdevctl, by_libvirt = str(uuidlib.uuid4()), str(uuidlib.uuid4())
    base = ("--parent", parent, "--type", TYPE_ID)
    scratch = Path(tempfile.mkdtemp(prefix="discover-", dir="/run"))
    try:
        refused = discover(*base, "--propose", "xml", "--set", "cap=101")
        if refused.returncode != 2 or refused.stdout:
            return CheckResult(name, False, f"cap=101 proposed: exit {refused.returncode}")
        proposals = {}
        for kind, uuid, knobs in (("mdevctl", by_mdevctl, ("cap=55", "weight=250")),
                                  ("xml", by_libvirt, ("cap=45", "priority=urgent"))):
            sets = [arg for knob in knobs for arg in ("--set", knob)]
            proc = discover(*base, "--propose", kind, "--uuid", uuid, *sets)
            if proc.returncode != 0:
                return CheckResult(name, False, f"--propose {kind}: {proc.stderr.strip()}")
            proposals[kind] = scratch / f"proposal.{kind}"
            proposals[kind].write_text(proc.stdout)
        node = mdev_node_name(by_libvirt, parent)
        for argv in (["mdevctl", "define", "-p", parent, "-u", by_mdevctl, "--jsonfile",
                      str(proposals["mdevctl"])],
                     ["mdevctl", "start", "-u", by_mdevctl],
                     ["virsh", "-c", URI, "nodedev-define", str(proposals["xml"])],
                     ["virsh", "-c", URI, "nodedev-start", node]):
            proc = run(argv)
            if proc.returncode != 0:
                return CheckResult(name, False, f"{' '.join(argv[:2])}: {proc.stderr.strip()}")
        got = (sysfs.read(by_mdevctl, "qos/cap"), sysfs.read(by_mdevctl, "qos/weight"),
               sysfs.read(by_libvirt, "qos/cap"), sysfs.read(by_libvirt, "qos/priority"))
        if got[:3] != ("55\n", "250\n", "45\n") or "[urgent]" not in got[3]:
            return CheckResult(name, False, f"sysfs reads {got}")
        listed = discover("--json", "--parent", parent, "--type", TYPE_ID)
        kind_seen = offered_type(json.loads(listed.stdout), parent) if listed.stdout else None
        live = {m["uuid"]: m["knobs"] for m in (kind_seen or {}).get("mdevs", [])}
        if (live.get(by_mdevctl, {}).get("cap"), live.get(by_libvirt, {}).get("priority")) != (
                "55", "urgent"):
            return CheckResult(name, False, f"discover lists the live mdevs as {live}")
        return CheckResult(name, True, "mdevctl: cap 55 weight 250, virsh: cap 45 urgent; "
                           "both listed live; cap=101 refused")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        forget(by_mdevctl, parent, sysfs)
        forget(by_libvirt, parent, sysfs)


# --- driver --------------------------------------------------------------------------


def userland() -> str:
    """The distribution whose libvirt and mdevctl these are (os-release's name)."""
    try:
        text = Path("/etc/os-release").read_text()
    except OSError:
        return "unknown userland"
    found = re.search(r'^PRETTY_NAME="?([^"\n]*)"?$', text, re.MULTILINE)
    return found[1] if found else "unknown userland"


def install_callout(callout: Path, scratch: Path) -> str:
    """Install the QoS call-out where an mdevctl with ``modify --live`` looks for it."""
    if "--live" not in run(["mdevctl", "modify", "--help"]).stdout:
        return "no call-out (this mdevctl has no modify --live)"
    CALLOUTS.mkdir(parents=True, exist_ok=True)
    overlay(CALLOUTS, scratch / "callouts")
    shutil.copy(callout, CALLOUTS / callout.name)
    (CALLOUTS / callout.name).chmod(0o755)
    return f"call-out {callout.name} installed"


def all_checks(sysfs: Sysfs, example: Path, callout: Path,
               scratch: Path) -> Iterator[CheckResult]:
    """Bring the stack up, then every check; a failed set-up is one failed check."""
    try:
        parent = pci_parent()
        libvirt = start_stack(scratch)
        installed = install_callout(callout, scratch)
    except (SetupError, OSError, subprocess.SubprocessError) as exc:
        yield CheckResult("libvirt and mdevctl set-up", False, str(exc))
        return
    yield CheckResult("libvirt and mdevctl set-up", True,
                      f"{userland()}: libvirt {libvirt}, mdevctl {mdevctl_version()}, "
                      f"{installed}, parent {parent}")
    yield check_example(sysfs, parent, example)
    yield check_refused(sysfs, parent)
    yield from live_update_checks(sysfs, parent, libvirt)
    yield check_define_auto(sysfs, parent)
    yield from modify_live_checks(sysfs, parent)
    yield check_discover_json(parent)
    yield check_discover_propose(sysfs, parent)


@contextmanager
def _scratch() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="mgmt-", dir="/run"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    """Run every check; 0 when all passed."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--example", type=Path, required=True)
    ap.add_argument("--callout", type=Path, required=True,
                    help="the QoS call-out for mdevctl (contrib/mdevctl/mdev-qos)")
    ap.add_argument("--suite", nargs="+", metavar="ARG",
                    help="the command that starts the suite's Python (default: this "
                    "Python), e.g. chroot HOST-ROOT PYTHON")
    args = ap.parse_args(argv)
    if args.suite:
        SUITE[:] = args.suite
    failed = False
    with _scratch() as scratch, (args.out / RESULTS).open("a") as out:
        for result in all_checks(Sysfs("/"), args.example, args.callout, scratch):
            detail = f" ({result.detail})" if result.ok and result.detail else ""
            print(result.line() + detail, flush=True)
            out.write(result.json() + "\n")
            out.flush()
            failed |= not result.ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
