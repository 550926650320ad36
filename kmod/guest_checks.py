"""Checks the guest runs against the real mqos module, beside the conformance suite.

- ``mdevctl``: real mdevctl starts an mdev from a JSON config whose ``attrs`` set
  ``qos/*`` and the values read back; a config with a bad value fails and leaves
  no device behind.
- ``abi``: every file under an mdev's ``qos/`` is documented by a ``What:`` of
  the spec's generated ABI entry, matched the way the kernel's
  ``scripts/get_abi.py undefined`` does (``What:`` paths as patterns, ``<...>``
  placeholders as one path component, a file documented under any of its names).
- ``nonroot``: a knob write by ``nobody`` fails with EACCES and changes nothing
  (written with the suite's own "other user" helper).
- ``types``: what the mdev_qos helper makes of each mqos type: every file with its
  mode on ``mqos-full``, ``cap`` read-only on ``mqos-fixed``, and no ``qos/``
  directory at all on ``mqos-plain`` (not even an empty one).
- ``races``: the suite's create/remove race (the one the scenario of
  QOS-LIFE-001 and QOS-CONC-002 runs) on both types at once, so that the kernel
  log guest.sh scans afterwards has seen two types churn together.
- ``mdpy``: the kernel's mdpy sample converted to the helper (counters only): an
  mdev's ``qos/`` holds exactly ``usage_us``, ``timeslice_us`` and ``domain``, read
  only, the type's offer lists those files, and the suite's run against it
  (``--report``) is ``conformant`` with ``base`` holding and every other feature
  not offered (spec 1.1: a counters-only driver claims ``base`` alone).

Run by kmod/guest.sh as ``python guest_checks.py CHECK... --out DIR``; each check
prints ``PASS name`` or ``FAIL name: why`` and DIR/checks.jsonl collects them.
The guest's Python has the conformance package (it runs the suite too);
``--root`` points every path at another tree, which is how tests/kernel/
exercise the checks without a guest.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import re
import subprocess
import sys
import tempfile
import uuid as uuidlib
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from guest_result import MDEV_DEVICES, RESULTS, CheckResult, Sysfs

from conformance.fuzz.races import race_lifecycle, writable_knob_values
from conformance.suite.mdev import Mdev, MdevType
from conformance.sysfs import users
from conformance.sysfs.target import FsTarget, Target
from conformance.sysfs.users import NOBODY

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

GOOD_ATTRS = [{"qos/cap": "60"}, {"qos/weight": "+0300"}, {"qos/priority": "urgent\n"}]
GOOD_READBACK = {
    "qos/cap": "60\n",
    "qos/weight": "300\n",
    "qos/priority": "background standard [urgent]\n",
}


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
        return CheckResult(name, True, "cap 60, weight 300, priority urgent")
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
    """A good mdevctl config, and three it must refuse."""
    return [
        check_mdevctl_good(sysfs, parent, "mqos-full"),
        check_mdevctl_bad(
            sysfs, parent, "mqos-full", [{"qos/weight": "200"}, {"qos/cap": "101"}], "cap 101"
        ),
        check_mdevctl_bad(
            sysfs, parent, "mqos-full", [{"qos/priority": "high"}], "priority high"
        ),
        check_mdevctl_bad(
            sysfs, parent, "mqos-fixed", [{"qos/cap": "60"}], "a write to the type-fixed cap"
        ),
    ]


# --- unprivileged writes -----------------------------------------------------------


def write_as(uid: int, path: Path, data: bytes) -> int:
    """Write ``data`` to ``path`` as ``uid`` (the suite's helper); 0 or the errno."""
    try:
        users.write_as(uid, str(path), data)
    except OSError as exc:
        return exc.errno or errno.EIO
    return 0


def check_nonroot(
    sysfs: Sysfs, parent: str, type_id: str, writer: Callable[[int, Path, bytes], int] = write_as
) -> CheckResult:
    """Every knob refuses a write by ``nobody`` with EACCES and keeps its value."""
    name = f"non-root knob writes refused on {type_id}"
    uuid = sysfs.create(parent, type_id)
    try:
        problems = []
        for knob, value in (("cap", b"50"), ("weight", b"500"), ("priority", b"background")):
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

RACE_TYPES = ("mqos-full", "mqos-fixed")


def race_one_type(target: Target, parent: str, type_id: str, cycles: int) -> list[str]:
    """The suite's create/remove race on one type; the problems it found."""
    kind = MdevType(target, parent, type_id)
    probe = str(uuidlib.uuid4())
    target.write(kind.create_path, probe.encode())
    mdev = Mdev(target, probe, parent)
    try:
        values = writable_knob_values(mdev)
    finally:
        target.write(mdev.remove_path, b"1")
    if not values:
        return []
    report = race_lifecycle(
        target, kind.path, knob_values=values, cycles=cycles, switch_interval_s=None
    )
    return [f"{type_id}: {p}" for p in report.problems]


def check_races(target: Target, parent: str, cycles: int = 50) -> CheckResult:
    """Create/remove racing show/store, on both types at once: no odd errno, no torn value.

    The kernel log is scanned afterwards by guest.sh for what this cannot see.
    """
    name = "create/remove racing show/store"
    with ThreadPoolExecutor(max_workers=len(RACE_TYPES)) as pool:
        futures = [pool.submit(race_one_type, target, parent, t, cycles) for t in RACE_TYPES]
        problems = []
        for future in futures:
            exc = future.exception()
            problems += [f"create/remove: {exc}"] if exc is not None else future.result()
    if problems:
        return CheckResult(name, False, "; ".join(problems[:5]))
    return CheckResult(name, True, f"{cycles} cycles on each of {', '.join(RACE_TYPES)}")


# --- per-type layout -----------------------------------------------------------------

QOS_FILES = ("cap", "cap_period_us", "weight", "priority", "timeslice_us", "sharing",
             "usage_us", "throttled_us", "wait_us", "nr_slices", "domain")
KNOBS = ("cap", "weight", "priority")
# the qos/ files and modes of an mdev of each mqos type; None: no qos/ directory
TYPE_LAYOUT: dict[str, dict[str, int] | None] = {
    "mqos-full": {f: 0o644 if f in KNOBS else 0o444 for f in QOS_FILES},
    "mqos-fixed": {f: 0o644 if f in ("weight", "priority") else 0o444 for f in QOS_FILES},
    "mqos-plain": None,
}


def qos_layout(sysfs: Sysfs, uuid: str) -> dict[str, int] | None:
    """The files of an mdev's qos/ with their permission bits; None without qos/."""
    qos = sysfs.device(uuid) / "qos"
    if not qos.is_dir():
        return None
    return {p.name: p.stat().st_mode & 0o777 for p in qos.iterdir()}


def check_types(
    sysfs: Sysfs, parent: str, layout: dict[str, dict[str, int] | None] = TYPE_LAYOUT
) -> CheckResult:
    """Each type's mdevs have exactly the qos/ files and modes it offers."""
    name = "qos/ files and modes per type"
    problems = []
    for type_id, want in layout.items():
        uuid = sysfs.create(parent, type_id)
        try:
            got = qos_layout(sysfs, uuid)
        finally:
            sysfs.remove(uuid)
        if got != want:
            problems.append(f"{type_id}: {_layout_text(got)}, expected {_layout_text(want)}")
    if problems:
        return CheckResult(name, False, "; ".join(problems))
    return CheckResult(name, True, ", ".join(layout))


def _layout_text(layout: dict[str, int] | None) -> str:
    if layout is None:
        return "no qos/"
    return " ".join(f"{f}:{m:o}" for f, m in sorted(layout.items())) or "an empty qos/"


# --- the converted mdpy sample: counters only ----------------------------------------

MDPY_LAYOUT = {"usage_us": 0o444, "timeslice_us": 0o444, "domain": 0o444}
MDPY_OFFER = "timeslice_us usage_us domain\n"


def claim_problems(report: dict) -> list[str]:
    """Why a report is not ``conformant`` with ``base`` alone holding (empty: it is)."""
    claims = {name: claim["status"] for name, claim in report.get("claims", {}).items()}
    problems = []
    if report.get("verdict") != "conformant":
        problems.append(f"verdict {report.get('verdict')} ({report.get('reason', '')})")
    if claims.get("base") != "holds":
        problems.append(f"base {claims.get('base', 'missing')}")
    problems += [f"{name} {status}" for name, status in claims.items()
                 if name != "base" and status != "not-offered"]
    return problems


def instance_limit_skips(report: dict) -> int:
    """How many scenarios skipped because they need more mdevs than the type allows."""
    return sum(
        1 for s in report.get("scenarios", [])
        if s.get("status") == "skip" and "more mdev(s)" in s.get("reason", "")
    )


def check_counters_only(
    sysfs: Sysfs, report: dict, parent: str = "mdpy", type_id: str = "mdpy-vga"
) -> CheckResult:
    """The mdpy type's files, modes and offer, and the claim the suite made for it."""
    name = f"{parent} (counters only) claims base alone"
    uuid = sysfs.create(parent, type_id)
    try:
        layout = qos_layout(sysfs, uuid)
    finally:
        sysfs.remove(uuid)
    offer = sysfs.path(f"/sys/class/mdev_bus/{parent}/mdev_supported_types/{type_id}/qos/files")
    problems = claim_problems(report)
    if layout != MDPY_LAYOUT:
        problems.append(f"{type_id}: {_layout_text(layout)}, expected {_layout_text(MDPY_LAYOUT)}")
    if (files := offer.read_text() if offer.exists() else "no offer") != MDPY_OFFER:
        problems.append(f"the offer's files read {files!r}, expected {MDPY_OFFER!r}")
    if problems:
        return CheckResult(name, False, "; ".join(problems))
    claims = ", ".join(f"{n} {c['status']}" for n, c in report["claims"].items())
    skips = instance_limit_skips(report)
    return CheckResult(
        name,
        True,
        f"{report['verdict']}: {claims}; {_layout_text(layout)}; "
        f"{skips} scenario(s) skipped for the type's instance limit",
    )


# --- driver ------------------------------------------------------------------------

CHECKS = ("mdevctl", "abi", "types", "nonroot", "races", "mdpy")


def run_checks(
    names: list[str], sysfs: Sysfs, parent: str, abi_text: str, report: Path | None = None
) -> list[CheckResult]:
    """Run the named checks in order; a check that cannot run fails with the reason."""
    results: list[CheckResult] = []
    for check in names:
        try:
            if check == "mdevctl":
                results += check_mdevctl(sysfs, parent)
            elif check == "abi":
                results.append(check_abi(sysfs, abi_text, parent, ["mqos-full", "mqos-fixed"]))
            elif check == "types":
                results.append(check_types(sysfs, parent))
            elif check == "nonroot":
                results.append(check_nonroot(sysfs, parent, "mqos-full"))
            elif check == "races":
                results.append(check_races(FsTarget(str(sysfs.root)), parent))
            elif check == "mdpy" and report is not None:
                results.append(check_counters_only(sysfs, json.loads(report.read_text())))
        except (OSError, ValueError, KeyError, subprocess.SubprocessError) as exc:
            results.append(CheckResult(check, False, f"could not run: {exc}"))
    return results


def main(argv: list[str] | None = None) -> int:
    """Run the checks named on the command line; 0 when all passed."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("checks", nargs="+", choices=CHECKS)
    ap.add_argument("--out", required=True, type=Path, help="directory for checks.jsonl")
    ap.add_argument("--root", default="/", help="sysfs lives under ROOT/sys")
    ap.add_argument("--parent", default="mqos0")
    ap.add_argument("--abi", type=Path, help="the generated ABI entry (for the abi check)")
    ap.add_argument("--report", type=Path, help="report.json of the suite (for the mdpy check)")
    args = ap.parse_args(argv)
    if "abi" in args.checks and args.abi is None:
        ap.error("the abi check needs --abi FILE")
    if "mdpy" in args.checks and args.report is None:
        ap.error("the mdpy check needs --report FILE")
    abi_text = args.abi.read_text() if args.abi else ""

    results = run_checks(args.checks, Sysfs(args.root), args.parent, abi_text, args.report)
    for result in results:
        print(result.line(), flush=True)
    with open(args.out / RESULTS, "a") as f:
        for result in results:
            f.write(result.json() + "\n")
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
