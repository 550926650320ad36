"""libvirt's node device schema and ``xmllint``: the one way the tests validate node XML.

A missing tool fails the test that needs it with one line naming it and how to
get it: CI installs both (``.ci/setup``), so in CI every check runs.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

NODEDEV_RNG = Path("/usr/share/libvirt/schemas/nodedev.rng")  # Debian's libvirt0


def xmllint_tool() -> str:
    """``xmllint`` from libxml2-utils."""
    path = shutil.which("xmllint")
    if path is None:
        pytest.fail("missing tool: xmllint (apt-get install libxml2-utils, or run .ci/setup)")
    return path


def nodedev_rng() -> Path:
    """libvirt's node device schema, as Debian's libvirt0 package ships it."""
    if not NODEDEV_RNG.is_file():
        pytest.fail(f"missing tool: {NODEDEV_RNG} (apt-get install libvirt0, or run .ci/setup)")
    return NODEDEV_RNG


def lint(xml: str, tmp_path: Path, schema: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``xmllint --relaxng`` of ``xml`` against ``schema`` (default: the pristine nodedev.rng)."""
    tool, schema = xmllint_tool(), schema or nodedev_rng()
    path = tmp_path / "device.xml"
    path.write_text(xml)
    return subprocess.run([tool, "--noout", "--relaxng", str(schema), str(path)],
                          capture_output=True, text=True, timeout=60, check=False)
