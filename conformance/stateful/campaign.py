"""One random campaign: a seed, a device-time budget, hypothesis rounds, the result.

The campaign runs rounds of a few examples each (one seeded hypothesis run per
round, seeds derived from the campaign's) until its budget cannot pay for one
more window. A window the budget cannot pay for is not started, so the campaign
asks for at most its budget of device time while searching. Once a violation is
found, hypothesis shrinks it under a second allowance (:data:`SHRINK_FACTOR`
times the budget); the final replay of the minimal sequence always runs. The
result names the requirement, the minimal sequence as Gherkin and the seed.

Device time scales with the timeslice: the default budget is
:data:`BUDGET_SLICES` timeslices of the type under test (1.2 s at q = 1 ms,
12 s at q = 10 ms), times the precision's window scale (5 at certify), shared by
the fixed and the fresh seed. A window longer than what is left is not started and
the search goes on; it ends when not even the shortest window fits.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, settings
from hypothesis import seed as hypothesis_seed
from hypothesis.control import current_build_context
from hypothesis.errors import Flaky
from hypothesis.stateful import get_state_machine_test

from conformance import defaults
from conformance.oracle.tolerance import Precision
from conformance.stateful import gherkin
from conformance.stateful.checks import Violation
from conformance.stateful.explorer import UNLIMITED, Budget, Explorer, Slot, Tracked
from conformance.stateful.machine import Found, machine_for
from conformance.suite.outcome import SuiteError
from conformance.suite.registry import DeviceClock, Resources
from conformance.sysfs.guarded import target_gone
from conformance.workload.base import WorkloadError

FIXED_SEED = 20261130
"""The seed every run tries first, so that two runs of one driver compare."""
BUDGET_SLICES = defaults.RANDOM_BUDGET_SLICES
SHRINK_FACTOR = 4
ROUND_EXAMPLES = 4
STEPS_PER_EXAMPLE = 14
REFUSED_IN_A_ROW = 8  # windows too long for what is left of the budget, then stop
MAX_ROUNDS = 10_000  # a bound for a target on which no window ever starts


@dataclass
class Failure:
    """The minimal sequence that broke a requirement."""

    violation: Violation
    lines: list[str]
    seed: int

    @property
    def gherkin(self) -> str:
        """The sequence as a scenario a vendor can re-run."""
        return gherkin.scenario(self.lines, requirement=self.violation.requirement,
                                seed=self.seed, message=self.violation.message)

    def to_json(self) -> dict[str, Any]:
        """The failure as report.json records it."""
        return {"requirement": self.violation.requirement, "message": self.violation.message,
                "steps": len(self.lines), "scenario": self.gherkin.splitlines()}


@dataclass
class Result:
    """What one campaign did and found."""

    label: str  # fixed or fresh
    seed: int
    budget_us: int
    device_time_us: int = 0  # asked for while searching
    shrink_device_time_us: int = 0  # asked for while shrinking and replaying a failure
    examples: int = 0
    windows: int = 0
    windows_refused: int = 0  # too long for what was left of the budget
    dispatches: int = 0  # latency checks
    wall_s: float = 0.0
    checked: Counter[str] = field(default_factory=Counter)
    failure: Failure | None = None
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The campaign as report.json records it."""
        return {
            "label": self.label, "seed": self.seed,
            "budget_s": round(self.budget_us / 1e6, 6),
            "device_time_s": round(self.device_time_us / 1e6, 6),
            "shrink_device_time_s": round(self.shrink_device_time_us / 1e6, 6),
            "examples": self.examples, "windows": self.windows,
            "dispatch_checks": self.dispatches, "windows_refused": self.windows_refused,
            "wall_s": round(self.wall_s, 3),
            "checks": dict(sorted(self.checked.items())),
            "failure": self.failure.to_json() if self.failure else None,
            "error": self.error,
        }


@dataclass
class Context:
    """What a campaign needs of the run: a registry per example, the clock, the slots."""

    new_resources: Callable[[], Resources]
    precision: Precision
    slots: list[Slot]
    device_time: Callable[[], int]  # the run's device time so far (µs)
    observe: Callable[[int, int], None] | None = None


class Example:
    """One example (one machine): its registry, explorer, model and Gherkin lines."""

    def __init__(self, campaign: Campaign, budget: Budget) -> None:
        """A fresh registry; rules do nothing once the campaign has stopped."""
        self.campaign = campaign
        self.resources = campaign.context.new_resources()
        self.explorer = Explorer(self.resources, DeviceClock(self.resources),
                                 campaign.context.precision, budget, campaign.context.observe)
        self.model: dict[str, Slot] = {}
        self.gone: list[Any] = []
        self.lines: list[str] = []
        self.running = campaign.error is None
        self.acted = False  # whether any operation of this example ran

    def active(self) -> bool:
        """Whether operations still run: not after an error, nor once the search is over.

        The search ends mid-round when the budget is spent; hypothesis still draws
        the round's remaining examples, but they must not create mdevs or write
        knobs (each costs wall time on a device, a second or more under emulation).
        """
        search_over = self.campaign.exhausted and self.campaign.shrink is None
        return self.running and not search_over

    def has_room(self) -> bool:
        """Whether some slot has fewer mdevs of this example than its limit."""
        return any(self._room_in(slot) for slot in self.campaign.context.slots)

    def _room_in(self, slot: Slot) -> bool:
        return sum(1 for s in self.model.values() if s == slot) < slot.limit

    def room(self, choice: int) -> Slot:
        """The ``choice``-th slot with room (wrapping)."""
        free = [s for s in self.campaign.context.slots if self._room_in(s)]
        return free[choice % len(free)]

    def tracked(self, name: str) -> Tracked | None:
        """The mdev named ``name`` when it exists (a stopped campaign tracks none)."""
        return self.explorer.tracked.get(name)

    def create(self, name: str, slot: Slot) -> None:
        """Create an mdev; its type may lack qos/ (then it is removed at once)."""
        if self.explorer.create(name, slot) is None:
            self.model.pop(name, None)

    def remove(self, name: str, slot: Slot) -> None:
        """Remove an mdev the example created (one without qos/ is gone already)."""
        one = self.explorer.tracked.get(name)
        if one is not None:
            self.explorer.remove(name)
            self.gone.append(one.mdev)

    def window(self, permille: int) -> None:
        """One window (skipped when the budget cannot pay for it).

        The search ends when the budget cannot pay even for the shortest window,
        or after :data:`REFUSED_IN_A_ROW` refused windows in a row (each example
        still creates mdevs and writes knobs, which costs wall time on a device).
        """
        if self.explorer.window(permille):
            self.campaign.windows += 1
            self.campaign.refused_in_a_row = 0
        elif self.explorer.tracked and self.campaign.shrink is None:
            self.campaign.refused += 1
            self.campaign.refused_in_a_row += 1
            if (self.campaign.refused_in_a_row >= REFUSED_IN_A_ROW
                    or not self.explorer.affords_shortest_window()):
                self.campaign.exhausted = True  # the search budget is spent

    def check_devices(self) -> None:
        """QOS-LIFE-001: the model's mdevs have qos/, removed ones are gone."""
        for one in self.explorer.tracked.values():
            if not one.mdev.has_qos():
                self.explorer.violations.append(Violation(
                    "QOS-LIFE-001", f"{one.name} lost its qos/ group while it existed"))
        for mdev in self.gone:
            if mdev.exists():
                self.explorer.violations.append(Violation(
                    "QOS-LIFE-001", f"mdev {mdev.uuid} still exists after it was removed"))
        self.explorer.checked["QOS-LIFE-001"] += 1

    def attempt(self, action: Callable[[], Any]) -> Violation | None:
        """Run one operation; the first new violation, or None.

        Environment errors stop the campaign (never a violation, never shrunk), and
        so does a violation found when the target turns out to be gone.
        """
        before = len(self.explorer.violations)
        self.acted = True
        try:
            action()
        except AssertionError as exc:  # a malformed read through an Mdev handle
            self.explorer.violations.append(Violation("QOS-FMT-001", str(exc)))
        except Exception as exc:  # noqa: BLE001 - the environment broke: stop, report
            self.campaign.stop(f"{type(exc).__name__}: {exc}")
            self.running = False
            return None
        except BaseException as exc:  # a skip (no workload) or an interrupt
            if isinstance(exc, KeyboardInterrupt):
                raise
            self.campaign.stop(f"{type(exc).__name__}: {exc}")
            self.running = False
            return None
        new = self.explorer.violations[before:]
        if not new:
            return None
        gone = target_gone(self.resources.target)
        if gone is not None:  # what a vanishing target answered is not the driver's
            self.campaign.stop(f"the target went away ({gone})")
            self.running = False
            return None
        return new[0]

    def close(self) -> None:
        """Undo the example's changes; a cleanup failure stops the campaign."""
        if self.acted:
            self.campaign.examples += 1
        self.campaign.checked.update(self.explorer.checked)
        self.campaign.dispatches += self.explorer.latencies
        try:
            self.resources.close()
        except SuiteError as exc:
            self.campaign.stop(str(exc))


class Campaign:
    """Seeded hypothesis rounds under a device-time budget."""

    def __init__(self, context: Context, seed: int, budget_us: int, label: str) -> None:
        """A campaign that has run nothing yet."""
        self.context = context
        self.seed = seed
        self.label = label
        self.budget_us = budget_us
        self.search = Budget(budget_us, context.device_time)
        self.shrink: Budget | None = None
        self.best: tuple[Violation, list[str]] | None = None
        self.error: str | None = None
        self.examples = self.windows = self.dispatches = 0
        self.checked: Counter[str] = Counter()
        self.refused = self.refused_in_a_row = 0  # windows too long for the budget left
        self.exhausted = False  # the budget is spent: the search is over

    def start_example(self) -> Example:
        """A new example, under the budget of the phase the campaign is in."""
        if current_build_context().is_final:
            return Example(self, UNLIMITED)
        return Example(self, self.shrink or self.search)

    def found(self, violation: Violation, lines: list[str]) -> None:
        """A violation: keep the shortest sequence; shrinking now has its own allowance."""
        if self.shrink is None:
            self.shrink = Budget(SHRINK_FACTOR * self.budget_us, self.context.device_time)
        if self.best is None or len(lines) <= len(self.best[1]):
            self.best = (violation, list(lines))

    def stop(self, problem: str) -> None:
        """The environment broke: no further operation runs."""
        if self.error is None:
            self.error = problem

    def run(self) -> Result:
        """Rounds until the budget cannot pay for a window, a failure, or an error."""
        started = time.monotonic()
        rounds = 0
        while (self.error is None and self.best is None and not self.exhausted
               and rounds < MAX_ROUNDS):
            self._round(rounds)
            rounds += 1
        result = Result(self.label, self.seed, self.budget_us,
                        device_time_us=self.search.spent_us if self.shrink is None
                        else self.shrink.start_us - self.search.start_us,
                        shrink_device_time_us=self.shrink.spent_us if self.shrink else 0,
                        examples=self.examples, windows=self.windows,
                        windows_refused=self.refused,
                        dispatches=self.dispatches, wall_s=time.monotonic() - started,
                        checked=self.checked, error=self.error)
        if self.best is not None and self.error is None:
            violation, lines = self.best
            result.failure = Failure(violation, lines, self.seed)
        return result

    def _round(self, index: int) -> None:
        test = get_state_machine_test(
            machine_for(self),
            settings=settings(
                max_examples=ROUND_EXAMPLES, stateful_step_count=STEPS_PER_EXAMPLE,
                database=None, deadline=None, derandomize=False, print_blob=False,
                report_multiple_bugs=False, verbosity=Verbosity.quiet,
                suppress_health_check=list(HealthCheck),
                phases=(Phase.generate, Phase.shrink),
            ),
        )
        try:
            hypothesis_seed(self.seed * 1_000_003 + index)(test)()
        except Found as exc:
            self.found(exc.violation, exc.lines)
            self.best = (exc.violation, exc.lines)  # hypothesis's minimal example
        except Flaky:
            pass  # the final replay passed on a real device: the shortest failure stays
        except (SuiteError, WorkloadError) as exc:
            self.stop(str(exc))
