"""How an exception becomes a scenario status and a reason."""

from __future__ import annotations

import pytest

from conformance.suite.outcome import SuiteError
from conformance.suite.recorder import classify, failure_text
from conformance.sysfs.guarded import TargetHung
from conformance.workload import WorkloadError


def info(exc: BaseException) -> pytest.ExceptionInfo[BaseException]:
    try:
        raise exc
    except BaseException:  # noqa: BLE001 - captured for inspection
        return pytest.ExceptionInfo.from_current()


@pytest.mark.parametrize(
    ("exc", "status"),
    [
        (AssertionError("cap reads 60"), "fail"),
        (pytest.fail.Exception("driver answered EIO"), "fail"),
        (SuiteError("bench lost power"), "error"),
        (WorkloadError("exec timed out"), "error"),
        (TargetHung("read of /sys/... took longer than 10 s"), "error"),
        (OSError(5, "Input/output error"), "error"),
        (KeyError("x"), "error"),
    ],
)
def test_only_assertions_blame_the_driver(exc: BaseException, status: str) -> None:
    assert classify(info(exc)) == status


def test_the_steps_message_is_kept_without_pytests_explanation() -> None:
    text = failure_text(info(AssertionError("cap 25 exceeded: 0.35\nassert 'cap 25' is None")))
    assert text == "cap 25 exceeded: 0.35"


def test_an_error_names_its_type() -> None:
    assert failure_text(info(WorkloadError("exit status 3"))) == "WorkloadError: exit status 3"
