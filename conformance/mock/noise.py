"""Noise a real device shows, kept inside what the spec permits (off by default).

All options are seeded, so a run is reproducible. Limits (measurement.md):
overrun at most 10% of a slice, counters at most one timeslice coarse, values at
most q/10 old, interference at most 2% of device time.
"""

from __future__ import annotations

import random
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from conformance.mock.driver import QosDriver

if TYPE_CHECKING:
    from conformance.mock.engine import MdevSched

MAX_OVERRUN = 0.10
MAX_INTERFERENCE = 0.02


@dataclass
class Noise:
    """Engine noise options.

    ``overrun``: a full slice lasts up to ``(1 + overrun) * q``.
    ``granular``: counters advance in steps (a read shows a value up to q old).
    ``delay``: a read shows the counters as they were up to q/10 ago.
    ``interference``: after each slice the device is lost to nobody for up to
    this fraction of the slice.
    """

    overrun_fraction: float = 0.0
    granular: bool = False
    delay: bool = False
    interference_fraction: float = 0.0
    seed: int = 0
    rng: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if not 0.0 <= self.overrun_fraction <= MAX_OVERRUN:
            raise ValueError(f"overrun must be within 0..{MAX_OVERRUN}")
        if not 0.0 <= self.interference_fraction <= MAX_INTERFERENCE:
            raise ValueError(f"interference must be within 0..{MAX_INTERFERENCE}")
        self.rng = random.Random(self.seed)

    @classmethod
    def within_spec(cls, seed: int = 0) -> Noise:
        """Every kind of noise at the largest permitted magnitude."""
        return cls(MAX_OVERRUN, True, True, MAX_INTERFERENCE, seed)

    @property
    def enabled(self) -> bool:
        return bool(self.overrun_fraction or self.granular or self.delay
                    or self.interference_fraction)

    def overrun(self, length: int) -> int:
        """The actual length of a full slice of planned ``length``."""
        if not self.overrun_fraction:
            return length
        return int(length * (1 + self.overrun_fraction * self.rng.random()))

    def interference(self, served: int) -> int:
        """Device time lost after a slice of ``served`` µs."""
        if not self.interference_fraction:
            return 0
        return int(served * self.interference_fraction * self.rng.random())

    def counters_view(self) -> NoisyCounters:
        return NoisyCounters(self)


class NoisyCounters:
    """How one mdev's counters read; never backwards, whatever the noise."""

    def __init__(self, noise: Noise) -> None:
        self.noise = noise
        self.last: dict[str, int] | None = None
        self.snapshot_at = -1

    def read(self, ms: MdevSched, now: int, timeslice: int) -> dict[str, int]:
        noise = self.noise
        if not noise.enabled:
            return ms.counters_at(now)
        # Together, granularity and delay keep a value at most one timeslice old.
        step = timeslice - (timeslice // 10 if noise.delay else 0)
        if noise.granular and self.last is not None and now < self.snapshot_at + step:
            return dict(self.last)
        at = now
        if noise.delay:
            at = max(ms.since, now - noise.rng.randint(0, timeslice // 10))
        values = ms.counters_at(at)
        if self.last is not None:
            values = {name: max(value, self.last[name]) for name, value in values.items()}
        self.last = values
        self.snapshot_at = now
        return dict(values)


class NoisyQosDriver(QosDriver):
    """Deprecated since 0.2.0: the reference driver with every noise the spec permits.

    Use ``--mock-noise SEED`` (``MockConfig(noise_seed=SEED)``) instead: it adds the
    same noise to any driver. This class still installs ``Noise.within_spec(noise_seed)``
    (override ``noise_seed`` in a subclass), unless the engine already has noise.
    """

    noise_seed = 1

    def __init__(self, topology: Any, engine: Any) -> None:
        warnings.warn(
            "conformance.mock.noise.NoisyQosDriver is deprecated: use --mock-noise SEED",
            DeprecationWarning,
            stacklevel=2,
        )
        super().__init__(topology, engine)
        if not engine.noise.enabled:  # --mock-noise wins: it names its seed
            engine.noise = Noise.within_spec(self.noise_seed)
