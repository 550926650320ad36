"""Session-wide guards of every test: no FUSE mount outlives the test process."""

from __future__ import annotations

import pytest
from fusemount import install_guards, release_all


def pytest_configure(config: pytest.Config) -> None:
    install_guards()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    release_all()
