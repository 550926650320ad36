"""What every model shares: its citation, its files, its own clock and bookkeeping.

A model is a :class:`~conformance.mock.QosDriver` whose ``pick_next`` and
``slice_length`` are a real scheduler's algorithm instead of the reference WF2Q+.
The mock's engine still runs the device (one mdev at a time, the counters
``usage_us``, ``wait_us`` and ``nr_slices``); the model decides who runs, for how
long, and when the device idles (``next_timer_us``). It never uses the engine's
cap token bucket (``sched_cap`` is 100): a scheduler with a cap enforces it its
own way and reports ``throttled_us`` from its own notion of being held back.

Mapping onto the mock's default topology: the type ``full`` is the model's type
under test, ``fixed`` a second type of the same scheduler (the suite mixes them
on one parent), ``plain`` a type without QoS. One parent is one scheduling domain:
one GPU engine, one CPU run queue.

Guests: the suite drives real hardware through guests that are up, and its
``idle`` load is a guest with nothing to submit. So a model whose scheduler
counts "started" guests (GVT-g, GIM's active VFs, NVIDIA's running VMs) takes an
mdev's guest as started when the mdev is created (:meth:`ModelDriver.on_create`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from conformance.mock.driver import QosDriver
from conformance.mock.topology import QosOffer

if TYPE_CHECKING:
    from conformance.mock.engine import MdevSched, ParentSched
    from conformance.mock.mdevcore import Mdev, ParentDevice

WAITING = "waiting"  # the engine's state of an mdev with work that is not running


@dataclass(frozen=True)
class Source:
    """One upstream document or file a model follows."""

    where: str  # repository and path, or URL
    version: str  # commit, release or document date
    follows: str  # the functions or sections the model reproduces

    def as_json(self) -> dict[str, str]:
        return {"where": self.where, "version": self.version, "follows": self.follows}


class ModelDriver(QosDriver):
    """Base of the models: citation, type mapping, per-parent state, accounting."""

    model: ClassVar[str] = ""  # the name ``mdev-qos models`` uses
    title: ClassVar[str] = ""
    sources: ClassVar[tuple[Source, ...]] = ()
    quantum_us: ClassVar[int] = 1000  # what timeslice_us reports
    # What the suite finds, in terms of the scheduler's own code (the annex prints
    # them): (requirement IDs, why) for every MUST the model fails, and the smallest
    # change that would make the scheduler conform.
    findings: ClassVar[tuple[tuple[tuple[str, ...], str], ...]] = ()
    remedy: ClassVar[str] = ""

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self._parents: dict[str, Any] = {}
        self._seen_usage: dict[str, int] = {}
        self._throttled: dict[str, list[int | None]] = {}  # uuid -> [total, since]
        self.last_length: dict[str, int] = {}  # parent -> length of the chosen dispatch
        self._created: dict[str, int] = {}  # uuid -> creation serial
        self._serial = itertools.count(1)

    # -- files ---------------------------------------------------------------------
    offer: ClassVar[QosOffer | None] = None
    """What the mock's QoS types (``full``, ``fixed``) offer, when it does not vary by type."""

    def type_offer(self, type_name: str, instances: int) -> QosOffer | None:
        """The offer of a mock type name (``full``, ``fixed``, ``plain``).

        By default :attr:`offer` for the two QoS types and nothing for ``plain``;
        a model whose offer depends on the type or on the instance count overrides this.
        """
        if self.offer is None:
            raise NotImplementedError(f"{type(self).__name__} states no offer")
        return self.offer if type_name in ("full", "fixed") else None

    def qos_offer(self, mtype: Any) -> QosOffer | None:
        if mtype.spec.qos is None:
            return None
        return self.type_offer(mtype.spec.name, mtype.spec.instances)

    def timeslice_us(self, parent: ParentDevice) -> int:
        return self.quantum_us

    def sched_cap(self, mdev: Mdev) -> int:
        return 100  # caps are the model's own business, never the engine's bucket

    # -- per-parent state -------------------------------------------------------------
    def new_parent_state(self) -> Any:
        """A fresh scheduler state for one parent."""
        return None

    def parent_state(self, parent_name: str) -> Any:
        if parent_name not in self._parents:
            self._parents[parent_name] = self.new_parent_state()
        return self._parents[parent_name]

    # -- what the engine asks -----------------------------------------------------------
    def pick_next(self, parent: ParentSched) -> MdevSched | None:
        chosen, length = self.decide(parent, parent.now)
        if chosen is not None:
            self.last_length[parent.name] = max(1, int(length))
        return chosen

    def decide(self, parent: ParentSched, now: int) -> tuple[MdevSched | None, int]:
        """The model's choice at ``now`` and for how long (µs)."""
        raise NotImplementedError

    def slice_length(self, mdev: Mdev, timeslice: int, pending: float) -> int:
        length = self.last_length.get(mdev.parent.name, timeslice)
        if pending != float("inf"):
            length = min(length, max(1, int(-(-pending // 1))))
        return length

    # -- helpers for decide() ------------------------------------------------------------
    def served(self, ms: MdevSched) -> int:
        """Device time the engine gave ``ms`` since the last call (µs)."""
        total = ms.acc.usage
        before = self._seen_usage.get(ms.mdev.uuid, 0)
        self._seen_usage[ms.mdev.uuid] = total
        return total - before

    @staticmethod
    def has_work(ms: MdevSched) -> bool:
        """The mdev could be dispatched now (it has work and is not running)."""
        return ms.state == WAITING

    def in_creation_order(self, parent: ParentSched) -> list[MdevSched]:
        """The parent's mdevs, oldest first (VF order, run-queue order)."""
        return sorted(parent.mdevs, key=lambda m: self._created.get(m.mdev.uuid, 0))

    # -- throttled_us: time with work held back by the model's own cap --------------------
    def set_throttled(self, ms: MdevSched, held: bool, now: int) -> None:
        """Start or stop counting ``throttled_us`` for ``ms`` at ``now``."""
        entry = self._throttled.setdefault(ms.mdev.uuid, [0, None])
        since = entry[1]
        if held and since is None:
            entry[1] = now
        elif not held and since is not None:
            entry[0] = int(entry[0] or 0) + now - since
            entry[1] = None

    def counter_value(self, mdev: Mdev, name: str, counters: dict[str, int]) -> int:
        if name != "throttled_us":
            return counters[name]
        total, since = self._throttled.get(mdev.uuid, [0, None])
        now = self.engine.now()
        return int(total or 0) + (now - since if since is not None else 0)

    # -- lifecycle --------------------------------------------------------------------------
    def on_create(self, mdev: Mdev) -> None:
        self._created[mdev.uuid] = next(self._serial)
        self.guest_started(mdev, self.engine.now())

    def guest_started(self, mdev: Mdev, now: int) -> None:
        """The mdev's guest is up (see the module docstring); default: nothing."""

    def on_remove(self, mdev: Mdev) -> None:
        self._created.pop(mdev.uuid, None)
        self._seen_usage.pop(mdev.uuid, None)
        self._throttled.pop(mdev.uuid, None)
        self.forget(mdev)

    def forget(self, mdev: Mdev) -> None:
        """Drop the model's state of a removed mdev; default: nothing."""


def next_multiple(now: int, origin: int, period: int) -> int:
    """The first instant ``origin + k*period`` strictly after ``now``."""
    k = (now - origin) // period + 1
    return origin + k * period
