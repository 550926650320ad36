"""kmod/lib.sh: what kmod/'s scripts share is defined there once."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

KMOD = Path(__file__).resolve().parents[2] / "kmod"
SCRIPTS = ("check-series.sh", "run-in-guest.sh", "trixie-kernel.sh")


@pytest.mark.parametrize("script", SCRIPTS)
def test_the_scripts_source_lib_sh_and_define_none_of_it(script: str) -> None:
    text = (KMOD / script).read_text()
    assert re.search(r'^\. "\$.*/lib\.sh"$', text, re.MULTILINE)
    assert not re.findall(r"^(die|need|find_python)\(\)", text, re.MULTILINE)


def test_need_names_the_package_with_the_scripts_name(tmp_path: Path) -> None:
    script = tmp_path / "some-step.sh"
    script.write_text(f'. "{KMOD}/lib.sh"\nneed no-such-tool-here some-package\necho unreachable\n')
    proc = subprocess.run(["bash", str(script)], capture_output=True, text=True, timeout=30)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == (
        "some-step: no-such-tool-here not found; install the Debian package some-package\n"
    )
