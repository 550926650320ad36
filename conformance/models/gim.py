"""AMD MxGPU GIM world-switch scheduling (the S7150 GPU-IOV module) behind this ABI.

Upstream: GPUOpen-LibrariesAndSDKs/MxGPU-Virtualization (GIM 1.0, 2017),
``docs/gim_runtime_configuration`` at commit
534694c6a7d1682162b364ecab09434b52c4b22a, options ``sched_interval`` ("scheduling
time quanta in milliseconds", 0 = the default 6 ms) and ``sched_option`` (0: "active
VFs will get a time slice in a round robin style"; 1: every enabled VF, stopped or
not). The model follows the default, ``sched_option = 0`` with the 6 ms quantum.

GIM switches worlds on a timer: the GPU runs one VF's world for one quantum,
then the next active VF's. With SR-IOV the guest submits to its VF directly, so
the host does not see whether a VF has work: an active VF whose guest is idle
still gets its quantum and the GPU idles through it. A VF is active from the
guest driver's start-up handshake on, which the model takes to be the mdev's
creation (see :mod:`conformance.models.base`).

The ABI's files onto what GIM has: no ``cap``, ``weight`` or ``priority`` (GIM has
no per-VF share, ceiling or level); ``timeslice_us`` 6000 (``sched_interval``);
``sharing`` ``reserved`` (every active VF holds its world, busy or idle);
``usage_us`` from the engine; no optional counters.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from conformance.mock.topology import QosOffer
from conformance.models.base import Source
from conformance.models.slots import SlotModel

if TYPE_CHECKING:
    from conformance.mock.mdevcore import Mdev

SCHED_INTERVAL_US = 6000  # sched_interval = 0: the default quantum


class AmdGim(SlotModel):
    """GIM: round robin over the active VFs, a fixed 6 ms world-switch quantum."""

    model = "amd-gim"
    title = "AMD MxGPU GIM world-switch round robin (sched_option 0)"
    sources = (
        Source(
            "GPUOpen-LibrariesAndSDKs/MxGPU-Virtualization docs/gim_runtime_configuration",
            "534694c6a7d1682162b364ecab09434b52c4b22a (GIM 1.0, 2017-07-20)",
            "sched_interval (default 6 ms quantum), sched_option 0 (round robin over "
            "active VFs)",
        ),
    )
    quantum_us = SCHED_INTERVAL_US
    remedy = (
        "None needed: with sched_option 0 every active VF holds its sched_interval (6 ms) "
        "world in turn, busy or idle (the guest submits to its VF directly, GIM does not "
        "look at its rings), which is reserved sharing, and every VF receives at least its "
        "reserved share. To claim work-conserving sharing instead, skip the world of a VF "
        "with nothing to run (check its doorbells and ring pointers, or the engine's idle "
        "status after the world's first microseconds) and move to the next active VF."
    )

    offer = QosOffer(knobs=(), counters=(), sharing="reserved")

    def guest_started(self, mdev: Mdev, now: int) -> None:
        self.started(mdev.parent.name, mdev.uuid)

    def forget(self, mdev: Mdev) -> None:
        self.stopped(mdev.parent.name, mdev.uuid)
