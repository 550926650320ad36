"""The operations of a random sequence on the target, and the model they keep.

Everything goes through the resource registry (created mdevs are journaled and
removed, loads reset) and the device clock (device time is counted for the run
and for the campaign's budget). The model remembers what the oracle needs: the
knobs each mdev reads back, its load, whether the parents have settled since the
last load change, and the knob written at the start of a live window.

A window settles first (S = 2q) after any load change, creation or removal; after
knob writes alone it starts at the last write (a live window, T_live); otherwise
it follows the previous one. Its length is a random multiple (1 to 2) of the
precision's window W, so no driver period divides every window.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from conformance.oracle.formats import NO_SHARING
from conformance.oracle.rounding import refusal_problem
from conformance.oracle.shares import DEFAULT_LEVEL, LEVELS
from conformance.oracle.tolerance import Precision, Tolerance
from conformance.stateful.checks import Seen, Violation, judge
from conformance.suite.mdev import Mdev, MdevType, parent_types
from conformance.suite.measure import BystanderLoad, Meter, Snapshot, Window, busy_bystanders
from conformance.suite.registry import DeviceClock, Resources
from conformance.suite.rounding import rounded_read
from conformance.workload.base import IDLE, Load

WRITE_REQUIREMENT = {"cap": "QOS-CAP-002", "weight": "QOS-WGT-002", "priority": "QOS-PRI-003"}
"""A valid write refused, or read back otherwise, breaks the knob's write requirement."""

PARENT, OTHER_PARENT = "the parent under test", "the other parent"
TYPE, OTHER_TYPE = "the type under test", "the other type"


@dataclass(frozen=True)
class Slot:
    """Where mdevs of a sequence are created: a parent and a type (as the run names them)."""

    where: str  # PARENT or OTHER_PARENT
    kind: str  # TYPE or OTHER_TYPE
    parent: str
    type_id: str
    limit: int  # how many instances the type offered when the campaign started


@dataclass
class Tracked:
    """One mdev of the sequence."""

    name: str
    mdev: Mdev
    slot: Slot
    timeslice: int
    counters: tuple[str, ...]
    writable: tuple[str, ...]  # knobs present and not fixed by the type
    levels: tuple[str, ...]
    knobs: dict[str, int | str] = field(default_factory=dict)
    load: Load = IDLE
    cap_changed: bool = False
    domain: str = ""  # its scheduling domain (qos/domain, else its parent)
    sharing: str = NO_SHARING  # what its qos/sharing reads
    cap_period: int = 0  # its qos/cap_period_us (0: the mdev has none)


@dataclass
class Budget:
    """Device time a campaign may ask for; ``spent`` follows the run's device clock."""

    limit_us: int
    read_spent: Callable[[], int]
    start_us: int = 0

    def __post_init__(self) -> None:
        self.start_us = self.read_spent()

    @property
    def spent_us(self) -> int:
        """Device time asked for since the budget started."""
        return self.read_spent() - self.start_us

    def affords(self, cost_us: int) -> bool:
        """Whether ``cost_us`` more stays within the limit."""
        return self.spent_us + cost_us <= self.limit_us


def _unlimited() -> int:
    return 0


UNLIMITED = Budget(2**62, _unlimited)


class Explorer:
    """Applies the operations of one sequence to the target and judges every window."""

    def __init__(self, resources: Resources, clock: DeviceClock, precision: Precision,
                 budget: Budget = UNLIMITED,
                 observe: Callable[[int, int], None] | None = None) -> None:
        """A sequence with no mdev yet; windows stop when ``budget`` cannot pay for them."""
        self.resources = resources
        self.clock = clock
        self.precision = precision
        self.budget = budget
        self.observe = observe
        self.tracked: dict[str, Tracked] = {}
        self.violations: list[Violation] = []
        self.checked: Counter[str] = Counter()
        self.windows = 0
        self.latencies = 0
        self.dirty = True  # a load or the set of mdevs changed since the last window
        self.pending: Snapshot | None = None  # a window that starts at a knob write
        self.live_knobs: dict[str, str] = {}  # parent -> knob written at the window's start
        self.previous: dict[tuple[str, str], int] = {}

    # -- operations ------------------------------------------------------------------
    def has_room(self, slot: Slot) -> bool:
        """Whether the type of ``slot`` allows one more mdev now.

        ``slot.limit`` is what the type offered when the campaign began; types that
        draw on one pool of the device (another type's mdevs, another parent's)
        may offer less since, and a create the driver refuses for want of room is
        no failure. An unreadable count leaves the create to find out.
        """
        raw = MdevType(self.resources.target, slot.parent, slot.type_id).available_instances()
        try:
            return int(raw.decode().strip()) > 0
        except ValueError:
            return True

    def create(self, name: str, slot: Slot) -> Tracked | None:
        """Create an mdev in ``slot``; None when there is no room or no qos/ to measure."""
        if not self.has_room(slot):
            return None
        mdev = self.resources.create_mdev(slot.parent, slot.type_id)
        self.dirty = True
        if not mdev.has_qos():
            self.resources.remove_mdev(mdev)
            return None
        present = mdev.knobs_present()
        writable = tuple(k for k in present if not mdev.is_fixed(k))
        one = Tracked(
            name, mdev, slot, timeslice=int(mdev.value("timeslice_us")),
            counters=tuple(mdev.counters_present()), writable=writable,
            levels=mdev.levels() if "priority" in present else (DEFAULT_LEVEL,),
        )
        one.knobs = mdev.knob_values()
        one.domain = mdev.domain()
        if mdev.has("sharing"):
            one.sharing = mdev.raw("sharing").decode("ascii", "replace").strip()
        if mdev.has("cap_period_us"):
            one.cap_period = int(mdev.value("cap_period_us"))
        self.tracked[name] = one
        return one

    def remove(self, name: str) -> None:
        """Remove an mdev of the sequence."""
        one = self.tracked.pop(name)
        self.resources.remove_mdev(one.mdev)
        self.dirty = True
        self.pending = None

    def set_knob(self, name: str, knob: str, value: str) -> None:
        """Write a valid value; a refusal or another read-back is the driver's failure.

        Except as the spec allows (QOS-FMT-008, QOS-FMT-009): a refusal with EIO or
        EPERM that kept the knob leaves the sequence as it was, and a number read
        back otherwise is judged by the rounding probe (the model keeps what is read).
        """
        one = self.tracked[name]
        requirement = WRITE_REQUIREMENT[knob]
        before = one.mdev.raw(knob)
        try:
            count = self.resources.write(one.mdev, knob, value)
        except OSError as exc:
            problem = refusal_problem(exc.errno, before.decode(errors="replace").strip(),
                                      one.mdev.raw(knob).decode(errors="replace").strip())
            if problem is None:
                return  # the device refused a valid value and kept its own (QOS-FMT-008)
            self._violate(requirement, f"writing the valid value {value!r} to {knob} of "
                          f"{name} failed: {exc.strerror or exc}; {problem}")
            return
        self.checked[requirement] += 1
        if count != len(value.encode()):
            self._violate(requirement, f"writing {value!r} to {knob} of {name} returned "
                          f"{count}, not {len(value.encode())}")
        one.knobs = one.mdev.knob_values()
        key = "level" if knob == "priority" else knob
        shown = str(one.knobs.get(key))
        if shown != value:
            rounded = shown.isdigit() and value.isdigit()
            problem = (rounded_read(self.resources, one.mdev, knob, int(value), int(shown))
                       if rounded else None)
            if rounded and problem is None:
                one.knobs = one.mdev.knob_values()  # the probe leaves the value read
            else:
                self._violate(requirement, f"{knob} of {name} reads {shown!r} after "
                              f"{value!r} was written" + (f": {problem}" if problem else ""))
        if knob == "cap":
            one.cap_changed = True
        if not self.dirty:
            self.live_knobs[one.domain] = knob
            self.pending = self._meter().snapshot()

    def set_load(self, name: str, load: Load) -> None:
        """Give an mdev a load; one that wakes above every active peer must be dispatched."""
        one = self.tracked[name]
        wakes = load.kind == "backlog" and one.load.kind == "idle" and self._may_preempt(one)
        q = self._q(one.domain)
        latency = Tolerance(q).latency
        if wakes and "nr_slices" in one.counters and self.budget.affords(latency):
            self._latency(one, load, q)
        else:
            self.resources.set_load(one.mdev, load)
        one.load = load
        self.dirty = True
        self.pending = None

    def affords_shortest_window(self) -> bool:
        """Whether the budget could still pay for the shortest window of this precision.

        That is W with no pair to size it for, after settling: a longer window the
        budget refused (a far weight ratio sizes certifying windows long) leaves the
        campaign other sequences with shorter windows to try.
        """
        if not self.tracked:
            return True
        meter = self._meter()
        settle = Tolerance(meter.q, cap_period=meter.cap_period).settle
        return self.budget.affords(meter.window_length([]) + settle)

    def window(self, permille: int) -> bool:
        """Let a window of ``permille``/1000 W pass and judge it; False when unaffordable."""
        if not self.tracked:
            return False
        meter = self._meter()
        groups = [[one.member() for one in self._seen() if one.load == "backlog"
                   and one.parent == domain] for domain in self._domains()]
        base = meter.window_length([g for g in groups if g])
        length = max(1, base * permille // 1000)
        settle = Tolerance(meter.q, cap_period=meter.cap_period).settle if self.dirty else 0
        if not self.budget.affords(length + settle):
            return False
        live = False
        if self.dirty:
            meter.settle()
            start = meter.snapshot()
        elif self.pending is not None:
            start, live = self.pending, True
        else:
            start = meter.snapshot()
        remaining = length - (self.clock.now_us() - start.at_us)
        if remaining > 0:
            self.clock.elapse(remaining)
        window = Window(start, meter.closing_snapshot(), meter.q, live=live,
                        cap_period=meter.cap_period)
        if self.observe is not None:
            self.observe(meter.q, window.length)
        busy = busy_bystanders(window.start, window.end)
        if busy:
            raise BystanderLoad(f"mdevs the suite did not create worked during a random "
                                f"window: {', '.join(busy)}")
        verdict = judge(window, self._seen(), live_knobs=self.live_knobs if live else {},
                        previous=self.previous, bystanders=bool(meter.bystanders))
        self.windows += 1
        self.checked.update(verdict.checked)
        self.violations += verdict.violations
        self.previous.update(window.end.values)
        self.dirty, self.pending, self.live_knobs = False, None, {}
        for one in self.tracked.values():
            one.cap_changed = False
        self._reread_knobs()
        return True

    def _reread_knobs(self) -> None:
        """QOS-FMT-006: every knob still reads what it read before the window.

        No knob was written since the model last read it (a write updates the
        model), so a different read is a knob that changed by itself: a value
        re-derived by a periodic re-balance, a level re-sorted, a cap reset.
        """
        for one in self.tracked.values():
            now = one.mdev.knob_values()
            self.checked["QOS-FMT-006"] += 1
            changed = [f"{knob} {one.knobs.get(knob)!r} -> {value!r}"
                       for knob, value in now.items() if one.knobs.get(knob) != value]
            if changed:
                self.violations.append(Violation(
                    "QOS-FMT-006", f"knobs of {one.name} changed with no write between "
                    f"two reads, across a window: {', '.join(changed)}"))
                one.knobs = now

    # -- helpers ---------------------------------------------------------------------
    def _violate(self, requirement: str, message: str) -> None:
        self.checked[requirement] += 1
        self.violations.append(Violation(requirement, message))

    def _parents(self) -> list[str]:
        return list(dict.fromkeys(one.slot.parent for one in self.tracked.values()))

    def _domains(self) -> list[str]:
        return list(dict.fromkeys(one.domain for one in self.tracked.values()))

    def _q(self, domain: str | None = None) -> int:
        slices = [one.timeslice for one in self.tracked.values()
                  if domain is None or one.domain == domain]
        return max(slices)

    def _meter(self) -> Meter:
        present = {one.mdev.uuid: one.counters for one in self.tracked.values()}
        ours = set(present) | set(self.resources.created)
        bystanders: list[str] = []
        for parent in self._parents():
            for type_id in parent_types(self.resources.target, parent) or []:
                bystanders += MdevType(self.resources.target, parent, type_id).devices()
        return Meter(self.resources.target, self.clock, list(present), self._q(),
                     precision=self.precision, present=present,
                     bystanders=[u for u in dict.fromkeys(bystanders) if u not in ours],
                     cap_period=max(one.cap_period for one in self.tracked.values()))

    def _seen(self) -> list[Seen]:
        # the checks group mdevs by where they compete: their scheduling domain
        return [Seen(one.name, one.mdev.uuid, one.domain, dict(one.knobs), one.load.kind,
                     one.counters, one.cap_changed, one.sharing)
                for one in self.tracked.values()]

    def _may_preempt(self, one: Tracked) -> bool:
        """Whether ``one`` would wake above every active mdev of its domain, uncapped."""
        if int(str(one.knobs.get("cap", 100))) < 100:
            return False  # a cap may hold a dispatch back
        rank = LEVELS.index(str(one.knobs.get("level", DEFAULT_LEVEL)))
        return all(LEVELS.index(str(peer.knobs.get("level", DEFAULT_LEVEL))) < rank
                   for peer in self.tracked.values()
                   if peer is not one and peer.domain == one.domain
                   and peer.load.kind != "idle")

    def _latency(self, one: Tracked, load: Load, q: int) -> None:
        """Make ``one`` backlogged and check it is dispatched within q + λ (QOS-PRI-008)."""
        before_read = self.clock.now_us()
        before = one.mdev.counter("nr_slices")
        self.resources.set_load(one.mdev, load)
        t0 = self.clock.now_us()
        skew = max(0, t0 - before_read) if not self._virtual() else 0
        bound = Tolerance(q, skew).latency
        if t0 + bound - self.clock.now_us() > 0:
            self.clock.elapse(t0 + bound - self.clock.now_us())
        after = one.mdev.counter("nr_slices")
        self.latencies += 1
        self.checked["QOS-PRI-008"] += 1
        if after <= before:
            self.violations.append(Violation(
                "QOS-PRI-008", f"{one.name} woke above every active mdev of its parent and was "
                f"not dispatched within q+λ = {bound} µs (nr_slices stayed {after})"))

    def _virtual(self) -> bool:
        adapter = self.resources.session.workload
        return bool(getattr(adapter, "virtual", False))


def slots(resources: Resources, parent: str, type_id: str, other_parent: str | None,
          other_type: str | None) -> list[Slot]:
    """Where a sequence may create mdevs: each parent and type the run names, with its limit."""
    found = []
    for where, p in ((PARENT, parent), (OTHER_PARENT, other_parent)):
        for kind, t in ((TYPE, type_id), (OTHER_TYPE, other_type)):
            if p is None or t is None or (where == OTHER_PARENT and kind == OTHER_TYPE):
                continue
            try:
                limit = int(MdevType(resources.target, p, t).available_instances())
            except (OSError, ValueError):
                continue
            if limit > 0:
                found.append(Slot(where, kind, p, t, limit))
    return found

