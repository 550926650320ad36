"""Run only by ``test_mount_cleanup.py`` (not collected: no ``test_`` prefix).

Mounts the mock, writes where and with which process to ``$MDEVQOS_VICTIM_NOTE``,
then fails (``MDEVQOS_VICTIM_FAIL``) or waits to be killed or timed out.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fusemount import MockMount


@pytest.fixture
def mount(tmp_path: Path) -> Iterator[MockMount]:
    directory = tmp_path / "mnt"
    directory.mkdir()
    mnt = MockMount(directory)
    try:
        yield mnt
    finally:
        mnt.stop()


def test_mounted_until_killed(mount: MockMount) -> None:
    note = Path(os.environ["MDEVQOS_VICTIM_NOTE"])
    note.with_suffix(".tmp").write_text(f"{mount.root}\n{mount.proc.pid}\n")
    note.with_suffix(".tmp").rename(note)
    assert not os.environ.get("MDEVQOS_VICTIM_FAIL"), "failing with the mount up"
    time.sleep(300)
