"""Fixtures for the reference mock's own tests."""

from __future__ import annotations

import pytest
from mockbench import Bench

from conformance.mock import MockKernel


@pytest.fixture
def kernel() -> MockKernel:
    return MockKernel()


@pytest.fixture
def bench(kernel: MockKernel) -> Bench:
    return Bench(kernel)
