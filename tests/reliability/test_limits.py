"""Limits: many mdevs of one type, and mdevs that go away while the suite looks.

- QOS-LAY-007 compares every mdev of the type on the parent: 27 and 3000 of them
  (names past Z), a full run with 3000 ends ``conformant`` on the mock;
- a real difference among them is still a failure, named by UUID;
- an mdev someone else removes during that check is left out of the comparison
  and named in the evidence, never blamed on the driver.
"""

from __future__ import annotations

import json
import uuid as uuidlib
from pathlib import Path
from typing import Any

import pytest
from conftest import DEVICES, TYPE_DIR

from conformance.mock import QosDriver
from conformance.mock.topology import DEFAULT_TOPOLOGY
from conformance.steps.state import Named, mdev_name
from conformance.suite.engine import RunRequest, execute
from conformance.suite.mdev import Mdev
from conformance.suite.session import SuiteSession
from conformance.suite.targets import TargetOptions, open_session
from conformance.sysfs.mock_target import MockTarget

SAME_FILES = "QOS-LAY-007"


class LastLacksWeight(QosDriver):
    """The 28th mdev created lacks ``weight``: a real QOS-LAY-007 failure past Z."""

    def __init__(self, topology: Any, engine: Any) -> None:
        super().__init__(topology, engine)
        self.created = 0

    def qos_files(self, mdev: Any) -> tuple[str, ...]:
        files = super().qos_files(mdev)
        self.created += 1
        return tuple(f for f in files if f != "weight") if self.created == 28 else files


class RemovedWhileInspected(MockTarget):
    """A target where ``victim`` is removed (as by another tool) when its qos/ is looked at."""

    victim: str = ""

    def exists(self, path: str) -> bool:
        if self.victim and path.startswith(f"{DEVICES}/{self.victim}/qos"):
            victim, self.victim = self.victim, ""
            self.write(f"{DEVICES}/{victim}/remove", b"1")
        return super().exists(path)


@pytest.fixture
def many(tmp_path: Path) -> str:
    """A topology whose type under test offers 4096 instances."""
    topology = json.loads(json.dumps(DEFAULT_TOPOLOGY))
    topology["types"][0]["instances"] = 4096
    path = tmp_path / "topology.json"
    path.write_text(json.dumps(topology))
    return str(path)


def _session(topology: str, count: int, driver: str | None = None) -> tuple[SuiteSession, list]:
    session = open_session(TargetOptions(mock_topology=topology, mock_driver=driver))
    session.progress = lambda message: None
    created = [str(uuidlib.uuid4()) for _ in range(count)]
    for uuid in created:
        session.target.write(f"{TYPE_DIR}/create", uuid.encode())
    return session, created


def _run(session: SuiteSession, tmp_path: Path, select: str | None = SAME_FILES) -> dict:
    request = RunRequest(session=session, select=select, report_dir=tmp_path / "report",
                         quiet=True, build_spec=False)
    return execute(request).report


def _same_files(report: dict) -> dict:
    (scenario,) = [s for s in report["scenarios"] if SAME_FILES in s["requirements"]]
    return scenario


def test_names_go_past_z() -> None:
    assert [mdev_name(i) for i in (0, 25, 26, 51, 52, 701, 702)] == [
        "A", "Z", "AA", "AZ", "BA", "ZZ", "AAA"]
    named = Named()
    target = MockTarget(None)
    names = [named.add(Mdev(target, str(uuidlib.uuid4()), "p")).name for _ in range(3000)]
    assert len(set(names)) == 3000


@pytest.mark.parametrize("count", [27, 3000])
def test_every_mdev_of_the_type_is_compared(many, tmp_path, count) -> None:
    session, _ = _session(many, count)
    report = _run(session, tmp_path)
    scenario = _same_files(report)
    assert scenario["status"] == "pass", scenario["reason"]
    assert report["verdict"] == "conformant"
    assert scenario["evidence"][0]["note"] == f"{count} mdevs compared"


@pytest.mark.slow
def test_a_full_run_with_3000_mdevs_of_the_type(many, tmp_path) -> None:
    session, created = _session(many, 3000)
    report = _run(session, tmp_path, select=None)
    assert report["verdict"] == "conformant", report["reason"]
    assert sorted(session.target.listdir(DEVICES)) == sorted(created)


def test_a_difference_past_z_is_still_a_failure(many, tmp_path) -> None:
    session, created = _session(many, 28, driver=f"{__name__}:LastLacksWeight")
    scenario = _same_files(_run(session, tmp_path))
    assert scenario["status"] == "fail"
    assert created[27] in scenario["reason"]


def test_an_mdev_removed_during_the_check_is_not_blamed_on_the_driver(many, tmp_path) -> None:
    session, created = _session(many, 27)
    target = session.target
    assert isinstance(target, MockTarget)
    session.target = RemovedWhileInspected(target.kernel)
    session.target.victim = created[5]
    report = _run(session, tmp_path)
    scenario = _same_files(report)
    assert scenario["status"] == "pass", scenario["reason"]
    note = scenario["evidence"][0]["note"]
    assert "26 mdevs compared" in note and created[5] in note
    assert not target.exists(f"{DEVICES}/{created[5]}")
