"""kmod/run-in-guest.sh refuses bad arguments and missing prerequisites clearly (no boot)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "kmod" / "run-in-guest.sh"
TOOLS = ("qemu-system-x86_64", "mdevctl", "busybox", "make", "gcc", "setpriv")


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(SCRIPT), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
    )


def test_an_unknown_argument_is_refused_before_anything_runs() -> None:
    proc = run("--bogus")
    assert proc.returncode == 2
    assert "run-in-guest: unknown argument --bogus" in proc.stderr


@pytest.mark.skipif(not all(map(shutil.which, TOOLS)), reason="the guest tools are not installed")
def test_a_kernel_that_is_not_installed_is_named() -> None:
    proc = run("--kernel", "0.0-none", "--out", "/nonexistent/never-created")
    assert proc.returncode == 2
    assert "/boot/vmlinuz-0.0-none missing; install linux-image-amd64" in proc.stderr
    assert not Path("/nonexistent/never-created").exists()


def host_kernels() -> list[str]:
    return sorted(p.parent.parent.name for p in Path("/lib/modules").glob("*/build/Makefile"))


@pytest.mark.skipif(not all(map(shutil.which, TOOLS)), reason="the guest tools are not installed")
@pytest.mark.skipif(not host_kernels(), reason="no kernel headers (linux-headers-amd64)")
def test_the_kernel_source_mdpy_needs_is_named() -> None:
    """mdpy.c includes the kernel's mdpy-defs.h: without linux-source-6.12, one line says so."""
    tarball = "/nonexistent/linux-source-6.12.tar.xz"
    proc = run(
        "--kernel", host_kernels()[-1], "--out", "/nonexistent/never-created",
        env={"MQOS_LINUX_SOURCE": tarball},
    )
    assert proc.returncode == 2
    assert proc.stderr == (
        f"run-in-guest: {tarball} not found (mdpy.c needs its samples/vfio-mdev/mdpy-defs.h);"
        " install the Debian package linux-source-6.12\n"
    )
    assert not Path("/nonexistent/never-created").exists()


def test_a_missing_tool_names_its_debian_package(tmp_path: Path) -> None:
    # a PATH with bash and coreutils only: the first check (QEMU) must fail clearly
    bindir = tmp_path / "bin"
    bindir.mkdir()
    for tool in ("bash", "dirname", "env"):
        found = shutil.which(tool)
        assert found
        (bindir / tool).symlink_to(found)
    proc = run(env={"PATH": str(bindir)})
    assert proc.returncode == 2
    assert "qemu-system-x86_64 not found; install the Debian package qemu-system-x86" in proc.stderr


@pytest.mark.skipif(shutil.which("busybox") is None, reason="busybox is not installed")
def test_suite_arguments_reach_the_guest_as_written() -> None:
    """The guest's init is busybox sh: a -k expression with spaces, parentheses or
    quotes must arrive as one word each (unquoted, '(' broke the boot)."""
    words = ["-k", "not (proportion or random)", "it's", "$HOME", ""]
    define = f'source <(sed -n "/^sh_quote()/,/^}}/p" {SCRIPT})'
    quote = subprocess.run(
        ["bash", "-c", f'{define}; sh_quote "$@"', "-", *words],
        capture_output=True, text=True, check=True,
    ).stdout
    guest = subprocess.run(
        ["busybox", "sh", "-c", f'for w in {quote}; do printf "%s\\n" "<$w>"; done'],
        capture_output=True, text=True, check=True,
    ).stdout
    assert guest.splitlines() == [f"<{w}>" for w in words]


GUEST_SCRIPT = SCRIPT.parent / "guest.sh"


@pytest.mark.parametrize(("only", "expected"), [
    ("", "suite fuzz checks mgmt"),
    ("mgmt", "mgmt"),
    ("checks,mgmt", "checks mgmt"),
    ("mgm", ""),
])
def test_guest_only_selects_the_steps_it_names(only: str, expected: str) -> None:
    """MQOS_GUEST_ONLY (a comma-separated list) picks guest.sh's steps; unset, all run."""
    define = f'source <(sed -n "/^wanted()/,/^}}/p" {GUEST_SCRIPT})'
    steps = "for s in suite fuzz checks mgmt; do wanted $s && printf '%s ' $s; done; true"
    proc = subprocess.run(["bash", "-c", f"{define}; {steps}"], capture_output=True, text=True,
                          check=True, env={**os.environ, "MQOS_GUEST_ONLY": only})
    assert proc.stdout.strip() == expected


@pytest.mark.skipif(not all(map(shutil.which, TOOLS)), reason="the guest tools are not installed")
def test_a_chroot_without_the_management_userland_is_named(tmp_path: Path) -> None:
    """The 6.12 guest's libvirt and mdevctl come from the trixie chroot: a chroot
    prepared before they were added is refused with the command that adds them."""
    kver = "6.12.0-fake+deb13-amd64"
    (tmp_path / "kernels" / kver).mkdir(parents=True)
    (tmp_path / "kernels" / kver / ".done").touch()
    (tmp_path / "trixie-root/usr/src" / f"linux-headers-{kver}").mkdir(parents=True)
    proc = run("--kernel", kver, "--out", str(tmp_path / "out"),
               env={"MQOS_KERNEL_CACHE": str(tmp_path)})
    assert proc.returncode == 2
    assert f"no virsh in {tmp_path}/trixie-root; run kmod/trixie-kernel.sh" in proc.stderr
    assert not (tmp_path / "out").exists()
