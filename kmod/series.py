"""The kernel patch series (kmod/series/), generated from kmod/'s own sources.

kmod/ builds out of tree against Debian's 6.1 and 6.12 headers; the series
carries the same files into a Linux 6.12 tree, with the out-of-tree parts (the
helper's module boilerplate and its fallback for kernels without
SYSFS_GROUP_INVISIBLE, in ``#ifdef MDEV_QOS_OUT_OF_TREE`` and
``#ifdef MDEV_QOS_GROUP_BY_HAND`` blocks) left out, and the ABI entry that
``mdev-qos spec abi`` generates from the spec. So neither can drift from the
other: ``check`` (fast, no kernel tree) compares the committed series with the
sources, and kmod/check-series.sh regenerates it byte for byte in CI.

    python kmod/series.py write [--tarball TARBALL] [--out kmod/series]
    python kmod/series.py check [--series kmod/series]

``write`` needs git, tar and the linux-source-6.12 tarball (default
/usr/src/linux-source-6.12.tar.xz); ``check`` needs only this repository.
Exit 0 when done or when the series matches, 1 when it does not, 2 on bad input.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

KMOD = Path(__file__).resolve().parent
SERIES = KMOD / "series"
TARBALL = Path("/usr/src/linux-source-6.12.tar.xz")
TREE_PREFIX = "linux-source-6.12"
OUT_OF_TREE_MACROS = (
    "MDEV_QOS_OUT_OF_TREE",
    "MDEV_QOS_GROUP_BY_HAND",
)
ABI_PATH = "Documentation/ABI/testing/sysfs-bus-mdev-qos"
# kmod/ file -> its place in the kernel tree
SOURCES = {
    "mdev_qos.c": "drivers/vfio/mdev/mdev_qos.c",
    "include/linux/mdev_qos.h": "include/linux/mdev_qos.h",
    "doc/vfio-mediated-device-qos.rst": "Documentation/driver-api/vfio-mediated-device-qos.rst",
    "mqos.c": "samples/vfio-mdev/mqos.c",
    "selftest/Makefile": "tools/testing/selftests/mdev_qos/Makefile",
    "selftest/config": "tools/testing/selftests/mdev_qos/config",
    "selftest/mdev_qos.sh": "tools/testing/selftests/mdev_qos/mdev_qos.sh",
}
# kmod/ file -> the file of the pristine tree it converts, and that file's sha256 in
# linux-source-6.12 (the drift check reverse-applies the patch to the source and
# must get the pristine file back)
CONVERTED = {
    "mdpy.c": (
        "samples/vfio-mdev/mdpy.c",
        "6013eb3135220a0b563fad9a48fde94926ee8b492ff243b28d0611bfff7c4ee4",
    ),
}
# files of the pristine tree the series changes
BASE_FILES = (
    "MAINTAINERS",
    "drivers/vfio/mdev/Makefile",
    "Documentation/driver-api/index.rst",
    "samples/Kconfig",
    "samples/vfio-mdev/Makefile",
    "samples/vfio-mdev/mdpy.c",
    "tools/testing/selftests/Makefile",
)
AUTHOR = "mdev-qos project <kvm@vger.kernel.org>"
DATE = "2026-11-30T12:00:00+00:00"
SIGNOFF = f"Signed-off-by: {AUTHOR}"

_DIRECTIVE = re.compile(r"^#\s*(ifdef|ifndef|if|else|elif|endif)\b\s*(\w*)")


class SeriesError(Exception):
    """The sources or the tree are not what the series expects."""


def in_tree(text: str) -> str:
    """``text`` without its out-of-tree blocks (as if no OUT_OF_TREE_MACROS were defined).

    Where a block went from between two blank lines, one blank line stays; the
    rest of the text is kept as it is.
    """
    out: list[str] = []
    # one frame per open #if: (ours, dropping in the current branch)
    stack: list[tuple[bool, bool]] = []
    cut = False  # a line went since the last one kept
    for line in text.splitlines(keepends=True):
        m = _DIRECTIVE.match(line)
        kind, macro = (m[1], m[2]) if m else ("", "")
        dropping = any(drop for _, drop in stack)
        if kind in ("ifdef", "ifndef") and macro in OUT_OF_TREE_MACROS:
            stack.append((True, kind == "ifdef"))
            cut = True
            continue
        if kind in ("if", "ifdef", "ifndef"):
            stack.append((False, False))
        elif kind in ("else", "elif", "endif") and not stack:
            raise SeriesError(f"unbalanced #{kind}")
        elif kind == "else" and stack[-1][0]:
            stack[-1] = (True, not stack[-1][1])
            cut = True
            continue
        elif kind == "elif" and stack[-1][0]:
            raise SeriesError("#elif in an out-of-tree block")
        elif kind == "endif":
            ours, _ = stack.pop()
            if ours:
                cut = True
                continue
        if dropping:
            cut = True
        elif not (cut and line == "\n" and out and out[-1] == "\n"):
            out.append(line)
            cut = False
    if stack:
        raise SeriesError("unterminated #if")
    return "".join(out)


def spec_abi() -> str:
    """The ABI entry ``mdev-qos spec abi`` generates from the spec."""
    proc = subprocess.run(
        [sys.executable, "-m", "conformance", "spec", "abi"],
        capture_output=True,
        text=True,
        check=False,
        cwd=KMOD.parent,
    )
    if proc.returncode:
        raise SeriesError(f"mdev-qos spec abi failed: {proc.stderr.strip()}")
    return proc.stdout


def tree_files() -> dict[str, str]:
    """Every file the series adds, by its path in the tree, with its content."""
    files = {
        tree: in_tree(text) if src.endswith((".c", ".h")) else text
        for src, tree in SOURCES.items()
        for text in [(KMOD / src).read_text()]
    }
    files[ABI_PATH] = spec_abi()
    return files


def converted_files() -> dict[str, str]:
    """Every file of the tree the series converts, by its path, as it becomes."""
    return {tree: in_tree((KMOD / src).read_text()) for src, (tree, _) in CONVERTED.items()}


# --- edits of the pristine tree ---------------------------------------------------------

MAINTAINERS_SECTION = """VFIO MEDIATED DEVICE QOS
L:\tkvm@vger.kernel.org
S:\tMaintained
"""


def _replace_once(tree: Path, path: str, old: str, new: str) -> None:
    file = tree / path
    text = file.read_text()
    if text.count(old) != 1:
        raise SeriesError(f"{path}: expected exactly one {old!r}")
    file.write_text(text.replace(old, new))


def _maintain(tree: Path, path: str) -> None:
    """Add an F: line for ``path`` to the section, which ends at a blank line."""
    file = tree / "MAINTAINERS"
    text = file.read_text()
    start = text.index(MAINTAINERS_SECTION)
    end = text.index("\n\n", start) + 1
    section = text[start:end].splitlines(keepends=True)
    header, files = section[:3], sorted([*section[3:], f"F:\t{path}\n"])
    file.write_text(text[:start] + "".join(header + files) + text[end:])


def _add_files(tree: Path, paths: list[str]) -> None:
    files = tree_files()
    for path in paths:
        (tree / path).parent.mkdir(parents=True, exist_ok=True)
        (tree / path).write_text(files[path])
        if path.endswith(".sh"):
            (tree / path).chmod(0o755)
        _maintain(tree, path)


def edit_helper(tree: Path) -> None:
    """Patch 1: the helper, its header, its build and a MAINTAINERS section."""
    _replace_once(
        tree,
        "MAINTAINERS",
        "\nVFIO MLX5 PCI DRIVER\n",
        f"\n{MAINTAINERS_SECTION}\nVFIO MLX5 PCI DRIVER\n",
    )
    _replace_once(
        tree,
        "drivers/vfio/mdev/Makefile",
        "mdev-y := mdev_core.o mdev_sysfs.o mdev_driver.o\n",
        "mdev-y := mdev_core.o mdev_sysfs.o mdev_driver.o mdev_qos.o\n",
    )
    _add_files(tree, ["drivers/vfio/mdev/mdev_qos.c", "include/linux/mdev_qos.h"])


def edit_abi(tree: Path) -> None:
    """Patch 2: the ABI entry."""
    _add_files(tree, [ABI_PATH])


def edit_docs(tree: Path) -> None:
    """Patch 3: the driver-api page."""
    _replace_once(
        tree,
        "Documentation/driver-api/index.rst",
        "   vfio-mediated-device\n",
        "   vfio-mediated-device\n   vfio-mediated-device-qos\n",
    )
    _add_files(tree, ["Documentation/driver-api/vfio-mediated-device-qos.rst"])


def edit_sample(tree: Path) -> None:
    """Patch 4: the mqos sample and its Kconfig entry."""
    _replace_once(
        tree,
        "samples/Kconfig",
        "config SAMPLE_VFIO_MDEV_MDPY\n",
        "config SAMPLE_VFIO_MDEV_MQOS\n"
        '\ttristate "Build VFIO mqos example mediated device sample code"\n'
        "\tdepends on VFIO\n"
        "\tselect VFIO_MDEV\n"
        "\thelp\n"
        "\t  Build a sample mdev parent driver whose mediated devices share a\n"
        "\t  simulated time-sliced engine and offer the qos attribute group\n"
        "\t  of the mdev_qos helper: cap, weight and priority, and the\n"
        "\t  counters that show their effect.  Synthetic load is set per\n"
        "\t  mdev through debugfs, so that a conformance suite can measure\n"
        "\t  the shares.\n"
        "\n"
        "config SAMPLE_VFIO_MDEV_MDPY\n",
    )
    with (tree / "samples/vfio-mdev/Makefile").open("a") as f:
        f.write("obj-$(CONFIG_SAMPLE_VFIO_MDEV_MQOS) += mqos.o\n")
    _add_files(tree, ["samples/vfio-mdev/mqos.c"])


def edit_mdpy(tree: Path) -> None:
    """Patch 5: the mdpy sample exports its usage through the helper."""
    for path, text in converted_files().items():
        (tree / path).write_text(text)


def edit_selftest(tree: Path) -> None:
    """Patch 6: the conformance suite as a KTAP selftest."""
    _replace_once(
        tree,
        "tools/testing/selftests/Makefile",
        "TARGETS += lsm\n",
        "TARGETS += lsm\nTARGETS += mdev_qos\n",
    )
    _add_files(
        tree,
        [
            "tools/testing/selftests/mdev_qos/Makefile",
            "tools/testing/selftests/mdev_qos/config",
            "tools/testing/selftests/mdev_qos/mdev_qos.sh",
        ],
    )


@dataclass(frozen=True)
class Patch:
    """One patch of the series: its commit message and the edit it makes."""

    subject: str
    body: str
    edit: Callable[[Path], None]


PATCHES = (
    Patch(
        "vfio/mdev: add mdev_qos, a helper for the qos attribute group",
        """A mediated device shares its parent's time with the other mdevs of the
parent.  Add a helper that gives an mdev driver the "qos" attribute group
of the mdev QoS interface: cap, weight and priority to control the share,
usage_us, throttled_us, wait_us and nr_slices to account for it, and
timeslice_us.

The driver describes what each type offers (the files, the knobs the type
fixes, the levels) and supplies two callbacks, apply() and read_stats();
the helper owns the files, their modes, the write grammar (kstrtouint()
and an exact level name), the range checks and the canonical reads, so
that the ABI is the same for every driver.  The group goes in the
driver's dev_groups; a type without QoS gets no qos directory at all
(SYSFS_GROUP_INVISIBLE).  Knob changes of one mdev are serialised by a
mutex held around apply().  The mdev's state is found through a device
resource, since the driver data of an mdev belongs to VFIO.""",
        edit_helper,
    ),
    Patch(
        "docs: ABI: testing: add sysfs-bus-mdev-qos",
        """Document the files of the qos attribute group of mediated devices.  The
entry is generated from the mdev QoS specification (mdev-qos spec abi), so
that the specification, its conformance suite and the kernel's description
cannot drift apart.""",
        edit_abi,
    ),
    Patch(
        "docs: driver-api: describe the mdev_qos helper",
        """Explain what a driver supplies to the mdev_qos helper and what the helper
does for it, and pull in the helper's kernel-doc.""",
        edit_docs,
    ),
    Patch(
        "samples: vfio-mdev: add mqos, a sample driver with the qos group",
        """Add a sample mdev parent driver that uses the mdev_qos helper.  Two parent
devices offer three types each: one with every file of the qos group, one
whose type fixes the cap (the file is read-only), and one without QoS (no
qos directory).  No hardware sits behind the parents: a simulated
time-sliced engine per parent shares its time by strict priority, EEVDF
within a level by weight, and a token-bucket cap, and keeps the counters
exact at every read.  Synthetic load is set per mdev through debugfs
(/sys/kernel/debug/mqos/<uuid>/load), so that the mdev-qos conformance
suite can measure the shares.""",
        edit_sample,
    ),
    Patch(
        "samples: vfio-mdev: mdpy: account emulated accesses in the qos group",
        """Give the mdpy sample the counters-only qos group of the mdev_qos helper:
usage_us, timeslice_us and domain, and no knob, so that a driver that
cannot steer its device's time still shows how much each mdev used.

The parent now emulates the trapped accesses of its mdevs (config space
and BAR 0 reads and writes through the VFIO device file) one at a time,
under one spinlock, and charges each access to its mdev.  usage_us is that
time, so the usage of all mdevs together never exceeds the time that
passed, as the interface requires of a parent's engine; timeslice_us
states 100 us, well above one access of at most four bytes.  The
framebuffer a user mmap()ed, the ioctls and the reset do not go through
the engine and are not counted.  Every type states the same offer in its
qos directory.""",
        edit_mdpy,
    ),
    Patch(
        "selftests: mdev_qos: certify an mdev type with the conformance suite",
        """Run the mdev-qos conformance suite against a parent and type (the mqos
sample by default) and report one KTAP test per requirement of the
interface.  The test is skipped when the suite is not installed or the
parent does not exist.""",
        edit_selftest,
    ),
)

COVER_SUBJECT = "vfio/mdev: a qos attribute group for mediated devices"
COVER_BLURB = """Mediated devices share their parent's time, and each vendor has its own
way to steer that, if any.  This series adds a vendor-agnostic interface:
an optional "qos" attribute group per mdev with cap, weight and priority
knobs and the counters that show their effect, specified with a
conformance suite (mdev-qos) that checks a driver against real sysfs and
gives a verdict.

Patch 1 adds mdev_qos, a helper that owns the files, their parsing and
formatting, so that a driver supplies only what it offers and its policy.
Patch 2 documents the ABI (generated from the specification), patch 3 the
helper.  Patch 4 adds mqos, a sample driver over a simulated engine, which
the conformance suite certifies on this kernel under QEMU.  Patch 5 makes
mdpy a second, different user: it has no knob and exports only the time
its parent spends emulating each mdev.  Patch 6 runs the suite as a KTAP
selftest where it is installed.

The series applies to Linux 6.12 (Debian 13's linux-source-6.12), builds
with W=1 without warnings, and is checkpatch --strict and kernel-doc
clean.  The same sources build out of tree as modules for 6.1 and 6.12."""


# --- git --------------------------------------------------------------------------------


def _git(tree: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_DATE": DATE,
        "GIT_COMMITTER_DATE": DATE,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    proc = subprocess.run(
        [
            "git",
            "-C",
            str(tree),
            "-c",
            "user.name=mdev-qos project",
            "-c",
            "user.email=kvm@vger.kernel.org",
            *args,
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if proc.returncode:
        raise SeriesError(f"git {' '.join(args)}: {proc.stderr.strip()}")
    return proc.stdout


def extract_base(tarball: Path, tree: Path) -> None:
    """The files of BASE_FILES from the pristine tarball, into ``tree``."""
    if not tarball.is_file():
        raise SeriesError(f"{tarball} not found; install the Debian package linux-source-6.12")
    members = [f"{TREE_PREFIX}/{path}" for path in BASE_FILES]
    proc = subprocess.run(
        ["tar", "-xJf", str(tarball), "-C", str(tree), "--strip-components=1", *members],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode:
        raise SeriesError(f"tar: {proc.stderr.strip()}")


def write_series(tarball: Path, out: Path) -> list[Path]:
    """Commit each patch on the pristine files and format the series into ``out``."""
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp)
        extract_base(tarball, tree)
        _git(tree, "init", "-q")
        _git(tree, "add", "-A")
        _git(tree, "commit", "-q", "-m", "base: linux-source-6.12")
        for patch in PATCHES:
            patch.edit(tree)
            _git(tree, "add", "-A")
            _git(tree, "commit", "-q", "-m", f"{patch.subject}\n\n{patch.body}\n\n{SIGNOFF}")
        out.mkdir(parents=True, exist_ok=True)
        for old in out.glob("*.patch"):
            old.unlink()
        _git(
            tree,
            "format-patch",
            "-q",
            "--cover-letter",
            "--no-signature",
            "--zero-commit",
            "-o",
            str(out),
            f"HEAD~{len(PATCHES)}",
        ).split()
    cover = out / "0000-cover-letter.patch"
    text = cover.read_text()
    text = text.replace("*** SUBJECT HERE ***", COVER_SUBJECT).replace(
        "*** BLURB HERE ***", COVER_BLURB
    )
    cover.write_text(text)
    return sorted(out.glob("*.patch"))


# --- the drift check --------------------------------------------------------------------


def added_files(patch_text: str) -> dict[str, str]:
    """The files a patch creates, with their content (the ``+`` lines of each new file)."""
    files: dict[str, str] = {}
    for block in re.split(r"^diff --git ", patch_text, flags=re.MULTILINE)[1:]:
        header, _, body = block.partition("\n@@")
        if "\nnew file mode" not in header:
            continue
        path = header.split()[0].removeprefix("a/")
        lines = [
            line[1:]
            for line in ("@@" + body).splitlines()
            if line.startswith("+") and not line.startswith("+++")
        ]
        files[path] = "".join(f"{line}\n" for line in lines)
    return files


_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


def changed_files(patch_text: str) -> dict[str, list[str]]:
    """The files a patch changes (not creates), with the lines of their hunks."""
    files: dict[str, list[str]] = {}
    for block in re.split(r"^diff --git ", patch_text, flags=re.MULTILINE)[1:]:
        header, _, body = block.partition("\n@@")
        if "\nnew file mode" in header or "\ndeleted file mode" in header:
            continue
        lines = ("@@" + body).splitlines()
        hunk = [line for line in lines if line[:1] in (" ", "+", "-") or line.startswith("@@")]
        files[header.split()[0].removeprefix("a/")] = hunk
    return files


def unapply(text: str, hunk_lines: list[str]) -> str:
    """The file a patch changed into ``text``: its hunks undone, each checked against it."""
    new = text.splitlines(keepends=True)
    old: list[str] = []
    at = 0
    for line in hunk_lines:
        m = _HUNK.match(line)
        if m:
            start = int(m[3]) - (1 if m[4] != "0" else 0)
            if start < at or int(m[1]) - (1 if m[2] != "0" else 0) != len(old) + start - at:
                raise SeriesError(f"a hunk out of place: {line}")
            old += new[at:start]
            at = start
            continue
        kind, content = line[0], line[1:] + "\n"
        if kind in " +" and (at >= len(new) or new[at] != content):
            raise SeriesError(f"line {at + 1} is not the patch's {content.rstrip()!r}")
        if kind in " -":
            old.append(content)
        if kind in " +":
            at += 1
    return "".join(old + new[at:])


def _check_converted(changed: dict[str, list[str]]) -> list[str]:
    """Each converted file is its pristine one with the series' changes, and only those."""
    problems = []
    for path, text in converted_files().items():
        pristine = next(sha for tree, sha in CONVERTED.values() if tree == path)
        if path not in changed:
            problems.append(f"{path}: not in the series")
            continue
        try:
            base = unapply(text, changed[path])
        except SeriesError as exc:
            problems.append(f"{path}: differs from its source ({exc})")
            continue
        if hashlib.sha256(base.encode()).hexdigest() != pristine:
            problems.append(f"{path}: differs from its source")
    return problems


def check_series(series: Path) -> list[str]:
    """Where the committed series differs from what kmod/ and the spec give now."""
    patches = sorted(series.glob("0*.patch"))
    if not patches:
        return [f"no patches in {series}"]
    carried: dict[str, str] = {}
    changed: dict[str, list[str]] = {}
    for patch in patches:
        carried.update(added_files(patch.read_text()))
        changed.update(changed_files(patch.read_text()))
    problems = []
    for path, content in tree_files().items():
        if path not in carried:
            problems.append(f"{path}: not in the series")
        elif carried[path] != content:
            problems.append(f"{path}: differs from its source")
    problems += _check_converted(changed)
    if len(patches) != len(PATCHES) + 1:
        problems.append(f"{len(patches)} files, expected {len(PATCHES)} patches and a cover letter")
    return problems


def main(argv: list[str] | None = None) -> int:
    """``write`` or ``check`` the series."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)
    w = sub.add_parser("write", help="regenerate the series")
    w.add_argument("--tarball", type=Path, default=TARBALL)
    w.add_argument("--out", type=Path, default=SERIES)
    c = sub.add_parser("check", help="compare the series with kmod/ and the spec")
    c.add_argument("--series", type=Path, default=SERIES)
    args = ap.parse_args(argv)
    try:
        if args.command == "write":
            for path in write_series(args.tarball, args.out):
                print(path)
            return 0
        problems = check_series(args.series)
    except (SeriesError, OSError) as exc:
        print(f"series: {exc}", file=sys.stderr)
        return 2
    for problem in problems:
        print(f"series: {problem}; regenerate with 'python kmod/series.py write'")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
