"""The generated ABI entry passes the kernel's own checker, ``get_abi validate``
(finding 11 of issue 14): any warning it prints fails the test."""

from __future__ import annotations

import subprocess
from pathlib import Path

from conformance.specbuild.abi import abi_entry

ENTRY = "sysfs-bus-mdev-qos"


def validate(get_abi: list[str], entry: str, root: Path) -> str:
    """Everything ``get_abi validate`` prints for ``entry`` put in ``root/testing``."""
    (root / "testing").mkdir(parents=True)
    (root / "testing" / ENTRY).write_text(entry)
    done = subprocess.run(
        [*get_abi, "--dir", str(root), "validate"],
        capture_output=True, text=True, errors="replace", timeout=120, check=False,
    )
    return f"exit {done.returncode}\n{done.stdout}{done.stderr}".strip()


def test_the_generated_entry_is_clean_under_get_abi(get_abi: list[str], tmp_path: Path) -> None:
    assert validate(get_abi, abi_entry(), tmp_path / "ABI") == "exit 0"


def test_get_abi_reports_a_broken_entry(get_abi: list[str], tmp_path: Path) -> None:
    """The check can fail: a misspelt tag and a What without description are reported."""
    broken = abi_entry().replace("Description:", "Descriptio:", 1)
    report = validate(get_abi, broken, tmp_path / "ABI")
    assert "Descriptio" in report and ENTRY in report
