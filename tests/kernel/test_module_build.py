"""kmod/ (the mdev_qos helper, the mqos and mdpy samples) builds cleanly and passes checkpatch.

Both skip when their tool is missing: the kbuild tree comes from Debian's
linux-headers-amd64, mdpy-defs.h and checkpatch.pl from the kernel source (see
kmod/README.md; point MQOS_CHECKPATCH at it).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
from pathlib import Path

import pytest

KMOD = Path(__file__).resolve().parents[2] / "kmod"


MDPY_DEFS = Path("/usr/src/linux-source-6.12/samples/vfio-mdev/mdpy-defs.h")


def kbuild_trees() -> list[str]:
    return sorted(glob.glob("/lib/modules/*/build/Makefile"))


@pytest.mark.slow
@pytest.mark.skipif(not kbuild_trees(), reason="no kernel headers (linux-headers-amd64)")
@pytest.mark.skipif(not MDPY_DEFS.exists(), reason=f"no {MDPY_DEFS} (.ci/setup unpacks it)")
def test_the_module_builds_with_warnings_as_errors(tmp_path: Path) -> None:
    kdir = Path(kbuild_trees()[-1]).parent
    for name in ("mqos.c", "mdpy.c", "mdev_qos.c", "include/linux/mdev_qos.h", "Kbuild",
                 "compat/6.1/mqos.c.patch", "compat/6.1/mdpy.c.patch"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(KMOD / name, tmp_path / name)
    shutil.copy(MDPY_DEFS, tmp_path / MDPY_DEFS.name)
    assert "-Werror" in (tmp_path / "Kbuild").read_text()
    proc = subprocess.run(
        ["make", "-C", str(kdir), f"M={tmp_path}", "modules"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "warning:" not in proc.stderr
    assert (tmp_path / "mqos.ko").exists()
    assert (tmp_path / "mdpy.ko").exists()
    assert (tmp_path / "mdev_qos.ko").exists()


def checkpatch() -> str | None:
    return os.environ.get("MQOS_CHECKPATCH") or shutil.which("checkpatch.pl")


@pytest.mark.skipif(checkpatch() is None, reason="no checkpatch.pl (set MQOS_CHECKPATCH)")
@pytest.mark.parametrize("name", ["mqos.c", "mdev_qos.c", "include/linux/mdev_qos.h"])
def test_checkpatch_finds_nothing(name: str) -> None:
    proc = subprocess.run(
        ["perl", str(checkpatch()), "--no-tree", "--strict", "-f", str(KMOD / name)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "total: 0 errors, 0 warnings, 0 checks" in proc.stdout, proc.stdout


@pytest.mark.parametrize("name", ["mqos.c", "mdpy.c"])
def test_the_samples_carry_no_compatibility_code(name: str) -> None:
    """Written for 6.12: what older kernels need is in kmod/compat/ alone."""
    text = (KMOD / name).read_text()
    assert "LINUX_VERSION_CODE" not in text
    assert not [line for line in text.splitlines() if line.startswith("#if")]


@pytest.mark.skipif(shutil.which("patch") is None, reason="no patch (Debian package patch)")
@pytest.mark.parametrize("name", ["mqos.c", "mdpy.c"])
def test_the_6_1_patch_applies_to_the_sample_exactly(name: str, tmp_path: Path) -> None:
    """Kbuild applies it with no fuzz before 6.3: a sample changed under a hunk fails here."""
    proc = subprocess.run(
        ["patch", "-s", "--fuzz=0", "-r", "-", "-o", str(tmp_path / name), str(KMOD / name),
         str(KMOD / "compat/6.1" / f"{name}.patch")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    text = (tmp_path / name).read_text()
    assert "iommufd" not in text and "vfio_free_device(vdev);" in text
    assert "static const struct class" not in text
