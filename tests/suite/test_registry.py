"""The resource registry: what a scenario changes is undone, what it did not create is protected."""

from __future__ import annotations

import pytest

from conformance.suite.journal import Journal
from conformance.suite.mdev import Mdev
from conformance.suite.outcome import Outcome, SuiteError
from conformance.suite.registry import DeviceClock, Resources, restore_value

from .conftest import live_mdevs


def registry(session) -> Resources:
    return Resources(session, Outcome())


def test_created_mdevs_are_removed_even_after_a_failed_assertion(mock_session) -> None:
    resources = registry(mock_session)
    first, second = resources.create_mdev(), resources.create_mdev()
    assert {first.uuid, second.uuid} <= set(live_mdevs(mock_session))
    with pytest.raises(AssertionError):
        assert first.knob("cap") == "never"
    resources.close()
    assert live_mdevs(mock_session) == []


def test_removal_runs_in_reverse_order(mock_session) -> None:
    resources = registry(mock_session)
    created = [resources.create_mdev().uuid for _ in range(3)]
    order: list[str] = []
    original = mock_session.target.write

    def spy(path, data, *, uid=None):
        if path.endswith("/remove"):
            order.append(path.split("/")[-2])
        return original(path, data, uid=uid)

    mock_session.target.write = spy  # type: ignore[method-assign]
    resources.close()
    assert order == list(reversed(created))


def _named_device(mock_session) -> Mdev:
    """An mdev that exists before the scenario and is named with --mdev."""
    setup = registry(mock_session)
    named = setup.create_mdev()
    setup.created.clear()  # from now on the device is "not created by the suite"
    setup._undo.clear()
    mock_session.mdevs = (named.uuid,)
    return named


def test_writes_on_a_named_device_are_restored(mock_session) -> None:
    named = _named_device(mock_session)
    resources = registry(mock_session)
    resources.write(named, "cap", "40")
    resources.write(named, "cap", "30")
    resources.write(named, "priority", "urgent")
    assert named.raw("cap") == b"30\n"
    resources.close()
    assert named.raw("cap") == b"100\n"
    assert "[standard]" in named.raw("priority").decode()
    assert named.uuid in live_mdevs(mock_session)  # never removed


def test_a_device_neither_created_nor_named_is_refused(mock_session) -> None:
    other = registry(mock_session).create_mdev()
    resources = registry(mock_session)
    with pytest.raises(SuiteError, match="neither created by the suite nor named"):
        resources.write(other, "cap", "50")
    assert other.raw("cap") == b"100\n"


def test_a_named_device_is_never_removed(mock_session) -> None:
    named = _named_device(mock_session)
    resources = registry(mock_session)
    with pytest.raises(SuiteError, match="never removes"):
        resources.remove_mdev(named)
    assert named.uuid in live_mdevs(mock_session)


def test_the_journal_lists_changes_until_they_are_undone(mock_session, tmp_path) -> None:
    mock_session.journal = Journal(tmp_path / "j.jsonl")
    mock_session.journal.open()
    resources = registry(mock_session)
    mdev = resources.create_mdev()
    assert [(e.op, e.uuid) for e in mock_session.journal.pending()] == [("create", mdev.uuid)]
    resources.close()
    assert mock_session.journal.pending() == []


def test_a_reserved_uuid_is_journaled_and_removed_after(mock_session, tmp_path) -> None:
    mock_session.journal = Journal(tmp_path / "j.jsonl")
    mock_session.journal.open()
    resources = registry(mock_session)
    mdev = resources.reserve_mdev()
    assert [(e.op, e.uuid) for e in mock_session.journal.pending()] == [("create", mdev.uuid)]
    mock_session.target.write(resources.mdev_type().create_path, mdev.uuid.encode())
    resources.close()
    assert live_mdevs(mock_session) == []
    assert mock_session.journal.pending() == []


def test_remove_and_recreate_with_the_same_uuid(mock_session) -> None:
    resources = registry(mock_session)
    mdev = resources.create_mdev()
    resources.remove_mdev(mdev)
    assert mdev.uuid not in live_mdevs(mock_session)
    assert resources.create_mdev(uuid=mdev.uuid).uuid == mdev.uuid
    assert resources.recreate(mdev) == mdev
    resources.close()
    assert live_mdevs(mock_session) == []


def test_a_read_only_target_skips_writes_as_unsupported(mock_session) -> None:
    mock_session.target.writable = False
    outcome = Outcome()
    with pytest.raises(pytest.skip.Exception, match="read-only"):
        Resources(mock_session, outcome).create_mdev()
    assert outcome.skip_kind == "unsupported"


def test_skip_is_a_sanctioned_absence() -> None:
    outcome = Outcome()
    with pytest.raises(pytest.skip.Exception, match="no cap"):
        outcome.skip("no cap")
    assert outcome.skip_kind == "condition"


def test_error_is_the_suites_not_the_drivers() -> None:
    with pytest.raises(SuiteError, match="bench lost power"):
        Outcome().error("bench lost power")


def test_unprivileged_writes_are_refused_by_the_mock(mock_session) -> None:
    resources = registry(mock_session)
    mdev = resources.create_mdev()
    with pytest.raises(PermissionError):
        resources.write_unprivileged(mdev, "cap", "50")
    assert mdev.raw("cap") == b"100\n"
    resources.close()


def test_no_workload_skips_with_the_reason(mock_session) -> None:
    mock_session.workload = None
    mock_session.workload_problem = "no workload adapter: use --workload sample"
    outcome = Outcome()
    resources = Resources(mock_session, outcome)
    with pytest.raises(pytest.skip.Exception, match="--workload sample"):
        resources.set_load(Mdev(mock_session.target, "x", "mqos0"), "backlog")
    with pytest.raises(pytest.skip.Exception, match="--workload sample"):
        DeviceClock(resources).now_us()
    assert outcome.skip_kind == "unsupported"


def test_loads_on_created_mdevs_are_reset_before_removal(mock_session) -> None:
    resources = registry(mock_session)
    mdev = resources.create_mdev()
    resources.set_load(mdev, "backlog")
    DeviceClock(resources).elapse(10_000)
    resources.close()
    assert live_mdevs(mock_session) == []


def test_cleanup_failures_are_reported_after_trying_everything(mock_session) -> None:
    resources = registry(mock_session)
    mdev = resources.create_mdev()
    resources._undo.append(resources._undo[0].__class__("explode", lambda: 1 / 0))
    with pytest.raises(SuiteError, match="cleanup failed: explode"):
        resources.close()
    assert mdev.uuid not in live_mdevs(mock_session)


def test_a_writer_writes_only_its_own_file(mock_session) -> None:
    resources = registry(mock_session)
    mdev = resources.create_mdev()
    write = resources.writer(mdev, "cap")
    assert write(mdev.path("cap"), b"60") == 2
    with pytest.raises(SuiteError, match="only"):
        write(mdev.path("weight"), b"60")
    resources.close()


@pytest.mark.parametrize(
    ("raw", "value"),
    [(b"background [standard] urgent\n", b"standard"), (b"60\n", b"60"),
     (b"[urgent]\n", b"urgent")],
)
def test_restore_value(raw: bytes, value: bytes) -> None:
    assert restore_value(raw) == value
