"""A driver that breaks the report directory mid-run (loaded with --mock-driver)."""

from __future__ import annotations

import os
import subprocess

from conformance.mock import QosDriver

FREEZE = "MDEV_QOS_TEST_FREEZE"


class FreezesReportDir(QosDriver):
    """The first mdev created makes the directory named in $MDEV_QOS_TEST_FREEZE immutable."""

    frozen = False

    def on_create(self, mdev):
        path = os.environ.get(FREEZE)
        if path and not FreezesReportDir.frozen:
            subprocess.run(["chattr", "+i", path], check=True)
            FreezesReportDir.frozen = True
        return super().on_create(mdev)
