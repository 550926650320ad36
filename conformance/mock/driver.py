"""The reference QoS driver: every file of the spec, as a class to subclass.

:class:`QosDriver` is what ``mdev-qos run --mock-driver module:Class`` and
``mdev-qos mock mount --mock-driver module:Class`` load. Each behaviour the spec
constrains lives in one small method, so a driver that models a vendor's
behaviour (or a mutant that breaks exactly one requirement) overrides a few lines.
"""

from __future__ import annotations

import errno
from typing import TYPE_CHECKING, Any

from conformance.mock.grammar import kstrtouint, strip_one_newline
from conformance.mock.kernfs import kernel_error
from conformance.mock.topology import LEVELS, QosOffer, Topology

if TYPE_CHECKING:
    from conformance.mock.engine import Engine, MdevSched, ParentSched
    from conformance.mock.mdevcore import Mdev, MdevType, ParentDevice

KNOB_FILES = ("cap", "weight", "priority")
COUNTER_FILES = ("usage_us", "throttled_us", "wait_us", "nr_slices")


class QosDriver:
    r"""The reference driver of the mdev QoS ABI (driver name from the topology).

    Subclass it and override any of these hooks; each has one job.

    Files and modes
        ``qos_offer(mtype)``          the type's :class:`QosOffer` or None (no ``qos/``)
        ``qos_files(mdev)``           names created in ``qos/``, in order
        ``is_fixed(mdev, knob)``      the type fixes this knob (read-only)
        ``file_mode(mdev, name)``     permission bits of a ``qos/`` file

    Defaults (what a new mdev reads)
        ``default_cap/default_weight/default_priority(mdev)``, ``initial_knobs(mdev)``
        ``supported_levels(mdev)``    the priority vocabulary, lowest first

    Parsing writes (raise ``OSError`` with the errno to refuse)
        ``parse_uint(buf)``           kstrtouint grammar (optional ``+``, digits, one ``\n``)
        ``parse_cap/parse_weight/parse_priority(mdev, buf)``; ``cap_range``, ``weight_range``
        ``store_knob(mdev, name, buf)`` parse then ``apply_knob``; a refusal changes nothing
        ``apply_knob(mdev, name, value)`` records the value and tells the engine

    Formatting reads (return ``str``; the core encodes it)
        ``format_cap/format_weight(mdev, value)``, ``format_priority(mdev, level)``,
        ``format_timeslice(mdev, us)``, ``format_sharing(mdev, word)``,
        ``format_cap_period(mdev, us)``,
        ``format_counter(mdev, name, value)``,
        ``show_file(mdev, name)`` dispatches to them

    Accounting
        ``counter_value(mdev, name, counters)`` what a counter file reports

    The offer of a type (spec 1.1: the ``qos/`` directory of the type directory)
        ``offer_files(mtype)``        file name -> content of the type's ``qos/``
                                      (empty: no directory); default from ``qos_offer``,
                                      with ``sharing`` and ``cap_period_us`` when
                                      its mdevs have them

    Scheduling domain (spec 1.1)
        ``type_domain(mtype)``        the domain mdevs of a type on its parent join
                                      (default: from the topology, the parent's name
                                      unless it says otherwise)
        ``domain(mdev)``              the name ``qos/domain`` reads (default: its type's)
        ``sched_domain(mdev)``        the engine the mdev really runs on (default:
                                      ``domain(mdev)``; a driver that says one thing and
                                      does another overrides only this)

    Scheduling (called by the engine; knobs are re-read on every knob change)
        ``sharing(mdev)``             the guarantee ``qos/sharing`` names (from the offer)
        ``cap_period_us(mdev)``       the period the cap holds over (from the offer)
        ``timeslice_us(parent)``      the parent's quantum
        ``sched_level(mdev)``         strict-priority rank (higher runs first)
        ``sched_weight(mdev)``        share weight within the level
        ``sched_cap(mdev)``           ceiling in percent (100 = none); weights and caps
                                      give each active mdev its water-filled rate,
                                      which WF2Q+ uses as its weight
        ``cap_bucket_depth(mdev, q)`` token bucket depth in µs of service
        ``cap_blocks_when_idle(mdev)`` True: caps hold even if the device would idle
        ``slice_length(mdev, q, pending)`` the length of one dispatch
        ``pick_next(parent_sched)``   the scheduler's choice (default: WF2Q+)
        ``next_timer_us(parent_sched)`` when ``pick_next`` chose nobody: the time of
                                      the driver's next scheduling point (a timer), or
                                      None to wait for new work (default)

    Lifecycle
        ``probe(mdev)``               refuse a create by raising (ENOSPC etc.)
        ``on_create(mdev)``, ``on_remove(mdev)``
    """

    device_api = "vfio-pci"
    cap_range = (1, 100)
    weight_range = (1, 10000)

    def __init__(self, topology: Topology, engine: Engine) -> None:
        self.topology = topology
        self.engine = engine
        self.name = topology.driver

    # -- files and modes ---------------------------------------------------------
    def qos_offer(self, mtype: MdevType) -> QosOffer | None:
        """The QoS offer of an mdev type (None: no ``qos/`` directory)."""
        return mtype.spec.qos

    def qos_files(self, mdev: Mdev) -> tuple[str, ...]:
        """The files of the mdev's ``qos/`` group (empty: no group)."""
        offer = self.qos_offer(mdev.mtype)
        return () if offer is None else offer.files()

    def is_fixed(self, mdev: Mdev, knob: str) -> bool:
        """Whether the mdev's type fixes ``knob``."""
        offer = self.qos_offer(mdev.mtype)
        return offer is not None and knob in offer.fixed

    def file_mode(self, mdev: Mdev, name: str) -> int:
        """Permission bits: writable knobs 0644, everything else 0444."""
        if name in KNOB_FILES and not self.is_fixed(mdev, name):
            return 0o644
        return 0o444

    # -- defaults ----------------------------------------------------------------
    def supported_levels(self, mdev: Mdev) -> tuple[str, ...]:
        """Priority levels of the mdev's type, lowest first."""
        offer = self.qos_offer(mdev.mtype)
        return LEVELS if offer is None else offer.levels

    def fixed_value(self, mdev: Mdev, knob: str) -> Any:
        """The type's fixed value of ``knob``."""
        offer = self.qos_offer(mdev.mtype)
        assert offer is not None
        return offer.fixed[knob]

    def default_cap(self, mdev: Mdev) -> int:
        """A new mdev's cap: the fixed value, else 100 (uncapped)."""
        return self.fixed_value(mdev, "cap") if self.is_fixed(mdev, "cap") else 100

    def default_weight(self, mdev: Mdev) -> int:
        """A new mdev's weight: the fixed value, else 100."""
        return self.fixed_value(mdev, "weight") if self.is_fixed(mdev, "weight") else 100

    def default_priority(self, mdev: Mdev) -> str:
        """A new mdev's level: the fixed value, else ``standard``."""
        if self.is_fixed(mdev, "priority"):
            return str(self.fixed_value(mdev, "priority"))
        return "standard"

    def initial_knobs(self, mdev: Mdev) -> dict[str, Any]:
        """Knob values of a newly created mdev (also used without ``qos/``)."""
        return {
            "cap": self.default_cap(mdev),
            "weight": self.default_weight(mdev),
            "priority": self.default_priority(mdev),
        }

    # -- parsing writes ----------------------------------------------------------
    def parse_uint(self, buf: bytes) -> int:
        """The numeric write grammar (``kstrtouint``)."""
        return kstrtouint(buf)

    def parse_ranged(self, buf: bytes, bounds: tuple[int, int]) -> int:
        """A number within ``bounds`` inclusive, else EINVAL."""
        value = self.parse_uint(buf)
        low, high = bounds
        if not low <= value <= high:
            raise kernel_error(errno.EINVAL)
        return value

    def parse_cap(self, mdev: Mdev, buf: bytes) -> int:
        """A cap write: 1..100."""
        return self.parse_ranged(buf, self.cap_range)

    def parse_weight(self, mdev: Mdev, buf: bytes) -> int:
        """A weight write: 1..10000."""
        return self.parse_ranged(buf, self.weight_range)

    def parse_priority(self, mdev: Mdev, buf: bytes) -> str:
        """A priority write: an exact supported level name, optional newline."""
        body = strip_one_newline(buf)
        try:
            level = body.decode("ascii")
        except UnicodeDecodeError:
            raise kernel_error(errno.EINVAL) from None
        if level not in self.supported_levels(mdev):
            raise kernel_error(errno.EINVAL)
        return level

    def parse_knob(self, mdev: Mdev, name: str, buf: bytes) -> Any:
        """Dispatch a knob write to its parser."""
        parser = {"cap": self.parse_cap, "weight": self.parse_weight,
                  "priority": self.parse_priority}[name]
        return parser(mdev, buf)

    def store_knob(self, mdev: Mdev, name: str, buf: bytes) -> None:
        """The store method of a knob: parse everything first, then apply."""
        value = self.parse_knob(mdev, name, buf)
        self.apply_knob(mdev, name, value)

    def apply_knob(self, mdev: Mdev, name: str, value: Any) -> None:
        """Record a parsed value; the engine uses it from its next decision."""
        mdev.knobs[name] = value
        self.engine.knobs_changed(mdev)

    # -- formatting reads --------------------------------------------------------
    def format_cap(self, mdev: Mdev, value: int) -> str:
        return f"{value}\n"

    def format_weight(self, mdev: Mdev, value: int) -> str:
        return f"{value}\n"

    def format_priority(self, mdev: Mdev, level: str) -> str:
        """Every supported level, lowest first, the active one bracketed."""
        words = [f"[{lv}]" if lv == level else lv for lv in self.supported_levels(mdev)]
        return " ".join(words) + "\n"

    def format_timeslice(self, mdev: Mdev, us: int) -> str:
        return f"{us}\n"

    def format_sharing(self, mdev: Mdev, word: str) -> str:
        return f"{word}\n"

    def format_cap_period(self, mdev: Mdev, us: int) -> str:
        return f"{us}\n"

    def format_counter(self, mdev: Mdev, name: str, value: int) -> str:
        return f"{value}\n"

    def format_domain(self, mdev: Mdev, domain: str) -> str:
        return f"{domain}\n"

    def show_file(self, mdev: Mdev, name: str) -> str:
        """The show method of every ``qos/`` file."""
        if name == "cap":
            return self.format_cap(mdev, mdev.knobs["cap"])
        if name == "weight":
            return self.format_weight(mdev, mdev.knobs["weight"])
        if name == "priority":
            return self.format_priority(mdev, mdev.knobs["priority"])
        if name == "timeslice_us":
            return self.format_timeslice(mdev, self.timeslice_us(mdev.parent))
        if name == "domain":
            return self.format_domain(mdev, self.domain(mdev))
        if name == "sharing":
            return self.format_sharing(mdev, self.sharing(mdev))
        if name == "cap_period_us":
            return self.format_cap_period(mdev, self.cap_period_us(mdev))
        counters = self.engine.counters(mdev)
        return self.format_counter(mdev, name, self.counter_value(mdev, name, counters))

    # -- accounting --------------------------------------------------------------
    def counter_value(self, mdev: Mdev, name: str, counters: dict[str, int]) -> int:
        """The value a counter file reports, from the engine's accounting."""
        return counters[name]

    # -- the offer of a type ----------------------------------------------------
    def offer_files(self, mtype: MdevType) -> dict[str, str]:
        """The files of the type's ``qos/`` and what each reads (empty: no directory)."""
        offer = self.qos_offer(mtype)
        if offer is None:
            return {}
        files = offer.files()
        found = {"files": " ".join(files) + "\n"}
        if "priority" in files:
            found["levels"] = " ".join(offer.levels) + "\n"
        found["domain"] = f"{self.type_domain(mtype)}\n"
        found["timeslice_us"] = f"{self.timeslice_us(mtype.parent)}\n"
        if "sharing" in files:
            found["sharing"] = f"{offer.sharing}\n"
        if "cap_period_us" in files:
            found["cap_period_us"] = f"{offer.cap_period_us or self.timeslice_us(mtype.parent)}\n"
        for knob in KNOB_FILES:
            if knob in offer.fixed:
                found[knob] = f"{offer.fixed[knob]}\n"
        return found

    # -- scheduling domain -------------------------------------------------------
    def type_domain(self, mtype: MdevType) -> str:
        """The scheduling domain the mdevs of a type on its parent join."""
        return mtype.parent.spec.domain_of(mtype.spec.name)

    def domain(self, mdev: Mdev) -> str:
        """The scheduling domain the mdev belongs to, as ``qos/domain`` names it."""
        return self.type_domain(mdev.mtype)

    def sched_domain(self, mdev: Mdev) -> str:
        """The engine the mdev is scheduled on: the domain it names."""
        return self.domain(mdev)

    # -- scheduling --------------------------------------------------------------
    def sharing(self, mdev: Mdev) -> str:
        """The sharing guarantee ``qos/sharing`` names (the type's offer states it)."""
        offer = self.qos_offer(mdev.mtype)
        return (offer.sharing if offer is not None else None) or "work-conserving"

    def cap_period_us(self, mdev: Mdev) -> int:
        """The period over which the cap holds (``qos/cap_period_us``, from the offer)."""
        offer = self.qos_offer(mdev.mtype)
        period = None if offer is None else offer.cap_period_us
        return period or self.timeslice_us(mdev.parent)

    def timeslice_us(self, parent: ParentDevice) -> int:
        """The parent's scheduling quantum."""
        return parent.spec.timeslice_us

    def sched_level(self, mdev: Mdev) -> int:
        """Strict-priority rank: index in ``background standard urgent`` (higher first)."""
        return LEVELS.index(mdev.knobs["priority"])

    def sched_weight(self, mdev: Mdev) -> int:
        return int(mdev.knobs["weight"])

    def sched_cap(self, mdev: Mdev) -> int:
        return int(mdev.knobs["cap"])

    def cap_bucket_depth(self, mdev: Mdev, timeslice: int) -> int:
        """Most service a capped mdev may bank while waiting (µs)."""
        return 2 * timeslice

    def cap_blocks_when_idle(self, mdev: Mdev) -> bool:
        """Caps are a ceiling even when nothing else would run (not work-conserving)."""
        return True

    def slice_length(self, mdev: Mdev, timeslice: int, pending: float) -> int:
        """One dispatch: a full quantum, or less when less work is pending."""
        if pending == float("inf"):
            return timeslice
        return max(1, min(timeslice, int(-(-pending // 1))))

    def pick_next(self, parent: ParentSched) -> MdevSched | None:
        """The scheduler's choice among schedulable mdevs (default WF2Q+)."""
        return parent.pick_wf2q()

    def next_timer_us(self, parent: ParentSched) -> int | None:
        """After ``pick_next`` left the device idle: when to decide again.

        An absolute engine time in µs, later than ``parent.now`` (a driver whose
        scheduler runs off a timer, e.g. one that idles until a budget refill);
        None (the default): the next decision comes with new work or a cap refill.
        """
        return None

    # -- lifecycle ---------------------------------------------------------------
    def probe(self, mdev: Mdev) -> None:
        """Accept or refuse a new instance (raise to refuse)."""
        if mdev.mtype.available() <= 0:
            raise kernel_error(errno.ENOSPC)

    def on_create(self, mdev: Mdev) -> None:
        """Called after the device and its files exist."""

    def on_remove(self, mdev: Mdev) -> None:
        """Called before the device and its files go away."""
