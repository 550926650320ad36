"""One way to configure the mock: its driver, topology, clock and noise, together.

``mdev-qos run`` (the embedded mock) and ``mdev-qos mock mount`` both build their
kernel here, so every option composes with every other: a vendor's driver from
``--mock-driver`` runs on an engine with the noise of ``--mock-noise``.
"""

from __future__ import annotations

from dataclasses import dataclass

from conformance.mock.kernel import MockKernel
from conformance.mock.loader import load_driver_class
from conformance.mock.noise import Noise


@dataclass(frozen=True)
class MockConfig:
    """How to build a :class:`MockKernel`; every field is optional."""

    driver: str | None = None  # "module:Class", a QosDriver subclass
    topology: str | None = None  # a topology JSON file
    noise_seed: int | None = None  # every noise the spec permits, at its largest, seeded
    clock: str = "virtual"

    def build(self) -> MockKernel:
        """The kernel; DriverLoadError or TopologyError when an option is unusable."""
        driver_cls = load_driver_class(self.driver) if self.driver else None
        noise = Noise.within_spec(self.noise_seed) if self.noise_seed is not None else None
        return MockKernel(
            topology=self.topology, driver_cls=driver_cls, clock=self.clock, noise=noise
        )

    def describe(self) -> str:
        """What differs from the reference mock, e.g. ``driver m:C, permitted noise, seed 3``."""
        extras = []
        if self.driver:
            extras.append(f"driver {self.driver}")
        if self.noise_seed is not None:
            extras.append(f"permitted noise, seed {self.noise_seed}")
        return ", ".join(extras)
