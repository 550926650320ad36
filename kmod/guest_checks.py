"""Checks the guest runs against the real mqos module, beside the conformance suite.

- ``mdevctl``: real mdevctl starts an mdev from a JSON config whose ``attrs`` set
  ``qos/*`` and the values read back; a config with a bad value fails and leaves
  no device behind.
- ``abi``: every file under an mdev's ``qos/`` is documented by a ``What:`` of
  the spec's generated ABI entry, matched the way the kernel's
  ``scripts/get_abi.py undefined`` does (``What:`` paths as patterns, ``<...>``
  placeholders as one path component, a file documented under any of its names).
- ``nonroot``: a knob write by ``nobody`` fails with EACCES and changes nothing.
- ``races``: mdevs created and removed while other threads read and write their
  files: only ENOENT/ENODEV, never a malformed value (the kernel log is checked
  after by guest.sh).

Run by kmod/guest.sh as ``python guest_checks.py CHECK... --out DIR``; each check
prints ``PASS name`` or ``FAIL name: why`` and DIR/checks.jsonl collects them.
Standard library only; ``--root`` points every path at another tree, which is
how tests/kernel/ exercise the checks without a guest.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
import uuid as uuidlib
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

MDEV_DEVICES = "/sys/bus/mdev/devices"
NOBODY = 65534


@dataclass(frozen=True)
class CheckResult:
    """One named check: passed or not, and why."""

    name: str
    ok: bool
    detail: str = ""

    def line(self) -> str:
        return f"PASS {self.name}" if self.ok else f"FAIL {self.name}: {self.detail}"


class Sysfs:
    """The mdev part of sysfs under ``root`` ("/" in the guest)."""

    def __init__(self, root: str | Path = "/") -> None:
        self.root = Path(root)

    def path(self, sysfs_path: str) -> Path:
        return self.root / sysfs_path.lstrip("/")

    def device(self, uuid: str) -> Path:
        return self.path(f"{MDEV_DEVICES}/{uuid}")

    def create(self, parent: str, type_id: str) -> str:
        uuid = str(uuidlib.uuid4())
        create = f"/sys/class/mdev_bus/{parent}/mdev_supported_types/{type_id}/create"
        self.path(create).write_text(uuid)
        return uuid

    def remove(self, uuid: str) -> None:
        if self.device(uuid).exists():
            (self.device(uuid) / "remove").write_text("1")

    def read(self, uuid: str, name: str) -> str:
        return (self.device(uuid) / name).read_text()

    def store(self, attr: Path, value: str) -> None:
        """One write of ``value`` to an attribute file (sysfs: one store call).

        No O_CREAT (as Path.write_text would add): on a file that vanished with its
        device, creating it fails with EACCES, which would look like the driver's.
        """
        fd = os.open(attr, os.O_WRONLY)
        try:
            os.write(fd, value.encode())
        finally:
            os.close(fd)


# --- ABI coverage ------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"<[^>/]+>")


def abi_whats(abi_text: str) -> list[str]:
    """Every ``What:`` path of an ABI file, in order."""
    return [m[1] for m in re.finditer(r"^What:\s*(\S+)\s*$", abi_text, re.MULTILINE)]


def what_pattern(what: str) -> re.Pattern[str]:
    """A ``What:`` path as a regex: ``<name>`` and ``*`` match within one component."""
    parts = []
    pos = 0
    for m in _PLACEHOLDER.finditer(what):
        parts.append(_literal(what[pos : m.start()]))
        parts.append("[^/]+")
        pos = m.end()
    parts.append(_literal(what[pos:]))
    return re.compile("".join(parts))


def _literal(text: str) -> str:
    return re.escape(text).replace(r"\*", "[^/]*")


def qos_nodes(sysfs: Sysfs, uuid: str) -> list[tuple[str, str]]:
    """Every file under the mdev's ``qos/``: its bus path and its resolved path.

    Like get_abi, directories are not ABI nodes themselves, and a file counts as
    documented when any of its names is (here the /sys/bus path or the real
    /sys/devices path it resolves to).
    """
    qos = sysfs.device(uuid) / "qos"
    if not qos.is_dir():
        return []
    base = f"{MDEV_DEVICES}/{uuid}/qos"
    nodes = []
    for entry in sorted(qos.iterdir()):
        if entry.is_dir() and not entry.is_symlink():
            continue
        real = "/" + str(entry.resolve().relative_to(sysfs.root.resolve()))
        nodes.append((f"{base}/{entry.name}", real))
    return nodes


def undocumented(nodes: Iterable[tuple[str, str]], whats: Iterable[str]) -> list[str]:
    """The nodes none of whose names a ``What:`` pattern matches (get_abi's "undefined")."""
    patterns = [what_pattern(w) for w in whats]
    return [
        names[0]
        for names in nodes
        if not any(p.fullmatch(name) for p in patterns for name in names)
    ]


def check_abi(sysfs: Sysfs, abi_text: str, parent: str, type_ids: list[str]) -> CheckResult:
    """Every qos/ node of an mdev of each type is documented by a What:."""
    whats = abi_whats(abi_text)
    if not whats:
        return CheckResult("abi coverage", False, "the ABI entry has no What: line")
    missing: list[str] = []
    checked = 0
    for type_id in type_ids:
        uuid = sysfs.create(parent, type_id)
        try:
            nodes = qos_nodes(sysfs, uuid)
            checked += len(nodes)
            missing += [n.replace(uuid, "<uuid>") for n in undocumented(nodes, whats)]
        finally:
            sysfs.remove(uuid)
    if missing:
        return CheckResult(
            "abi coverage", False, "undocumented: " + ", ".join(sorted(set(missing)))
        )
    if not checked:
        return CheckResult("abi coverage", False, "no qos/ node found to check")
    return CheckResult("abi coverage", True, f"{checked} nodes, {len(whats)} What: entries")


# --- mdevctl -----------------------------------------------------------------------

GOOD_ATTRS = [{"qos/cap": "60"}, {"qos/weight": "+0300"}, {"qos/priority": "high\n"}]
GOOD_READBACK = {"qos/cap": "60\n", "qos/weight": "300\n", "qos/priority": "low normal [high]\n"}


def mdevctl_start(parent: str, uuid: str, config: dict) -> subprocess.CompletedProcess[str]:
    """``mdevctl start`` of a transient device from a JSON config file."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(config, f)
    try:
        argv = ["mdevctl", "start", "-p", parent, "-u", uuid, "--jsonfile", f.name]
        return subprocess.run(argv, capture_output=True, text=True, timeout=60)
    finally:
        os.unlink(f.name)


def check_mdevctl_good(sysfs: Sysfs, parent: str, type_id: str) -> CheckResult:
    """A device started from a config with qos/* attrs reads them back."""
    name = f"mdevctl start {type_id} with qos attrs"
    uuid = str(uuidlib.uuid4())
    proc = mdevctl_start(
        parent, uuid, {"mdev_type": type_id, "start": "manual", "attrs": GOOD_ATTRS}
    )
    try:
        if proc.returncode != 0:
            return CheckResult(name, False, f"exit {proc.returncode}: {proc.stderr.strip()}")
        got = {attr: sysfs.read(uuid, attr) for attr in GOOD_READBACK}
        if got != GOOD_READBACK:
            return CheckResult(name, False, f"read back {got}, expected {GOOD_READBACK}")
        return CheckResult(name, True, "cap 60, weight 300, priority high")
    finally:
        subprocess.run(["mdevctl", "stop", "-u", uuid], capture_output=True, timeout=60)
        sysfs.remove(uuid)


def check_mdevctl_bad(
    sysfs: Sysfs, parent: str, type_id: str, attrs: list[dict], why: str
) -> CheckResult:
    """A config with a value the driver refuses fails and leaves no device."""
    name = f"mdevctl refuses {why} on {type_id}"
    uuid = str(uuidlib.uuid4())
    proc = mdevctl_start(parent, uuid, {"mdev_type": type_id, "start": "manual", "attrs": attrs})
    left = sysfs.device(uuid).exists()
    sysfs.remove(uuid)
    if proc.returncode == 0:
        return CheckResult(name, False, "mdevctl start succeeded")
    if left:
        return CheckResult(name, False, "the device was left behind")
    return CheckResult(name, True, f"exit {proc.returncode}, no device left")


def check_mdevctl(sysfs: Sysfs, parent: str) -> list[CheckResult]:
    return [
        check_mdevctl_good(sysfs, parent, "mqos-full"),
        check_mdevctl_bad(
            sysfs, parent, "mqos-full", [{"qos/weight": "200"}, {"qos/cap": "101"}], "cap 101"
        ),
        check_mdevctl_bad(
            sysfs, parent, "mqos-full", [{"qos/priority": "urgent"}], "priority urgent"
        ),
        check_mdevctl_bad(
            sysfs, parent, "mqos-fixed", [{"qos/cap": "60"}], "a write to the type-fixed cap"
        ),
    ]


# --- unprivileged writes -----------------------------------------------------------


def write_as(uid: int, path: Path, data: bytes) -> int:
    """Write ``data`` to ``path`` as ``uid`` in a child process; 0 or the errno."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child only reports through its exit status
        code = 0
        try:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            fd = os.open(path, os.O_WRONLY)
            try:
                os.write(fd, data)
            finally:
                os.close(fd)
        except OSError as exc:
            code = exc.errno or 255
        except BaseException:
            code = 255
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def check_nonroot(
    sysfs: Sysfs, parent: str, type_id: str, writer: Callable[[int, Path, bytes], int] = write_as
) -> CheckResult:
    """Every knob refuses a write by ``nobody`` with EACCES and keeps its value."""
    name = f"non-root knob writes refused on {type_id}"
    uuid = sysfs.create(parent, type_id)
    try:
        problems = []
        for knob, value in (("cap", b"50"), ("weight", b"500"), ("priority", b"low")):
            before = sysfs.read(uuid, f"qos/{knob}")
            err = writer(NOBODY, sysfs.device(uuid) / "qos" / knob, value)
            after = sysfs.read(uuid, f"qos/{knob}")
            if err != errno.EACCES:
                problems.append(f"{knob}: {errno.errorcode.get(err, err)} instead of EACCES")
            if after != before:
                problems.append(f"{knob}: changed from {before!r} to {after!r}")
        if problems:
            return CheckResult(name, False, "; ".join(problems))
        return CheckResult(name, True, "cap, weight, priority: EACCES, unchanged")
    finally:
        sysfs.remove(uuid)


# --- races -------------------------------------------------------------------------

# what a racing access may meet: the device or a file going away under it
RACE_ERRNOS = {errno.ENOENT, errno.ENODEV}
NUMBER = re.compile(r"(0|[1-9][0-9]*)\n")
PRIORITY = re.compile(r"(\[low\]|low) (\[normal\]|normal) (\[high\]|high)\n")


def _churn(sysfs: Sysfs, parent: str, type_id: str, stop: threading.Event) -> None:
    """Create and remove mdevs, giving each a load, as fast as possible."""
    while not stop.is_set():
        uuid = sysfs.create(parent, type_id)
        load = Path(f"/sys/kernel/debug/mqos/{uuid}/load")
        if sysfs.root == Path("/") and load.exists():
            load.write_text("backlog")
        sysfs.remove(uuid)


def _describe(attr: Path) -> str:
    """The file's device, type and mode now, for a problem report."""
    dev = attr.parent.parent
    try:
        kind = Path(os.readlink(dev / "mdev_type")).name
        mode = oct(attr.stat().st_mode & 0o777)
    except OSError as exc:
        return f"{dev.name}: gone ({errno.errorcode.get(exc.errno, exc)})"
    return f"{dev.name}, type {kind}, mode now {mode}"


def _poke(sysfs: Sysfs, stop: threading.Event, seed: int) -> list[str]:
    """Read every qos/ file and write knobs of whatever mdevs exist right now."""
    rnd = random.Random(seed)
    problems: list[str] = []
    devices = sysfs.path(MDEV_DEVICES)
    while not stop.is_set() and len(problems) < 5:
        for dev in list(devices.iterdir()) if devices.is_dir() else []:
            for name in ("cap", "weight", "priority", "usage_us", "wait_us", "nr_slices"):
                attr = dev / "qos" / name
                try:
                    text = attr.read_text()
                    writable = attr.stat().st_mode & 0o200  # not a type-fixed knob
                    if writable and name in ("cap", "weight") and rnd.random() < 0.3:
                        sysfs.store(attr, f"{rnd.randint(1, 100)}\n")
                except OSError as exc:
                    if exc.errno not in RACE_ERRNOS:
                        problems.append(
                            f"{name}: {errno.errorcode.get(exc.errno, exc)} ({_describe(attr)})"
                        )
                    continue
                form = PRIORITY if name == "priority" else NUMBER
                if not form.fullmatch(text):
                    problems.append(f"{name} read {text!r}")
    return problems


def check_races(sysfs: Sysfs, parent: str, seconds: float = 5.0) -> CheckResult:
    """Create/remove racing show/store on the same mdevs: no odd errno, no torn value.

    The kernel log is scanned afterwards by guest.sh for what this cannot see.
    """
    name = "create/remove racing show/store"
    stop = threading.Event()
    with ThreadPoolExecutor(max_workers=4) as pool:
        churn = [pool.submit(_churn, sysfs, parent, t, stop) for t in ("mqos-full", "mqos-fixed")]
        pokes = [pool.submit(_poke, sysfs, stop, seed) for seed in (1, 2)]
        time.sleep(seconds)
        stop.set()
        problems = [p for f in pokes for p in f.result()]
        for f in churn:
            exc = f.exception()
            if exc is not None:
                problems.append(f"create/remove: {exc}")
    if problems:
        return CheckResult(name, False, "; ".join(problems[:5]))
    return CheckResult(name, True, f"{seconds:g} s, two creators, two pokers")


# --- driver ------------------------------------------------------------------------

CHECKS = ("mdevctl", "abi", "nonroot", "races")
RESULTS = "checks.jsonl"  # one CheckResult per line, guest.sh's own steps included


def run_checks(names: list[str], sysfs: Sysfs, parent: str, abi_text: str) -> list[CheckResult]:
    results: list[CheckResult] = []
    for check in names:
        try:
            if check == "mdevctl":
                results += check_mdevctl(sysfs, parent)
            elif check == "abi":
                results.append(check_abi(sysfs, abi_text, parent, ["mqos-full", "mqos-fixed"]))
            elif check == "nonroot":
                results.append(check_nonroot(sysfs, parent, "mqos-full"))
            elif check == "races":
                results.append(check_races(sysfs, parent))
        except (OSError, subprocess.SubprocessError) as exc:
            results.append(CheckResult(check, False, f"could not run: {exc}"))
    return results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("checks", nargs="+", choices=CHECKS)
    ap.add_argument("--out", required=True, type=Path, help="directory for checks.jsonl")
    ap.add_argument("--root", default="/", help="sysfs lives under ROOT/sys")
    ap.add_argument("--parent", default="mqos0")
    ap.add_argument("--abi", type=Path, help="the generated ABI entry (for the abi check)")
    args = ap.parse_args(argv)
    if "abi" in args.checks and args.abi is None:
        ap.error("the abi check needs --abi FILE")
    abi_text = args.abi.read_text() if args.abi else ""

    results = run_checks(args.checks, Sysfs(args.root), args.parent, abi_text)
    for result in results:
        print(result.line(), flush=True)
    with open(args.out / RESULTS, "a") as f:
        for result in results:
            f.write(json.dumps(asdict(result)) + "\n")
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
