"""The ctx API: what a scenario changes is undone, what it did not create is protected."""

from __future__ import annotations

import pytest

from conformance.suite.context import SuiteContext, SuiteError, restore_value
from conformance.suite.journal import Journal

from .conftest import live_mdevs


def test_created_mdevs_are_removed_even_after_a_failed_assertion(mock_session) -> None:
    ctx = SuiteContext(mock_session)
    first, second = ctx.create_mdev(), ctx.create_mdev()
    assert {first, second} <= set(live_mdevs(mock_session))
    with pytest.raises(AssertionError):
        assert ctx.read_attr(first, "cap") == "never"
    ctx.close()
    assert live_mdevs(mock_session) == []


def test_removal_runs_in_reverse_order(mock_session) -> None:
    ctx = SuiteContext(mock_session)
    created = [ctx.create_mdev() for _ in range(3)]
    order: list[str] = []
    original = ctx.target.write

    def spy(path, data, *, uid=None):
        if path.endswith("/remove"):
            order.append(path.split("/")[-2])
        return original(path, data, uid=uid)

    ctx.target.write = spy  # type: ignore[method-assign]
    ctx.close()
    assert order == list(reversed(created))


def test_writes_on_a_named_device_are_restored(mock_session) -> None:
    setup = SuiteContext(mock_session)
    named = setup.create_mdev()
    setup.created.clear()  # from now on the device is "not created by the suite"
    setup._undo.clear()
    mock_session.mdevs = (named,)
    ctx = SuiteContext(mock_session)
    ctx.write_attr(named, "cap", "40")
    ctx.write_attr(named, "cap", "30")
    ctx.write_attr(named, "priority", "high")
    assert ctx.read_attr(named, "cap") == "30\n"
    ctx.close()
    assert ctx.read_attr(named, "cap") == "100\n"
    assert "[normal]" in ctx.read_attr(named, "priority")
    assert named in live_mdevs(mock_session)  # never removed


def test_a_device_neither_created_nor_named_is_refused(mock_session) -> None:
    other = SuiteContext(mock_session).create_mdev()
    ctx = SuiteContext(mock_session)
    with pytest.raises(SuiteError, match="neither created by the suite nor named"):
        ctx.write_attr(other, "cap", "50")
    assert ctx.read_attr(other, "cap") == "100\n"


def test_a_named_device_is_never_removed(mock_session) -> None:
    named = SuiteContext(mock_session).create_mdev()
    mock_session.mdevs = (named,)
    ctx = SuiteContext(mock_session)
    with pytest.raises(SuiteError, match="never removes"):
        ctx.write(f"/sys/bus/mdev/devices/{named}/remove", "1")
    with pytest.raises(SuiteError, match="never removes"):
        ctx.remove_mdev(named)


def test_the_journal_lists_changes_until_they_are_undone(mock_session, tmp_path) -> None:
    mock_session.journal = Journal(tmp_path / "j.jsonl")
    mock_session.journal.open()
    ctx = SuiteContext(mock_session)
    uuid = ctx.create_mdev()
    assert [(e.op, e.uuid) for e in mock_session.journal.pending()] == [("create", uuid)]
    ctx.close()
    assert mock_session.journal.pending() == []


def test_remove_and_recreate_with_the_same_uuid(mock_session) -> None:
    ctx = SuiteContext(mock_session)
    uuid = ctx.create_mdev()
    ctx.remove_mdev(uuid)
    assert uuid not in live_mdevs(mock_session)
    assert ctx.create_mdev(uuid=uuid) == uuid
    ctx.close()
    assert live_mdevs(mock_session) == []


def test_a_read_only_target_skips_writes_as_unsupported(mock_session) -> None:
    mock_session.target.writable = False
    ctx = SuiteContext(mock_session)
    with pytest.raises(pytest.skip.Exception, match="read-only"):
        ctx.create_mdev()
    assert ctx.skip_kind == "unsupported"


def test_skip_is_a_sanctioned_absence(mock_session) -> None:
    ctx = SuiteContext(mock_session)
    with pytest.raises(pytest.skip.Exception, match="no cap"):
        ctx.skip("no cap")
    assert ctx.skip_kind == "condition"


def test_no_workload_skips_with_the_reason(mock_session) -> None:
    mock_session.workload = None
    mock_session.workload_problem = "no workload adapter: use --workload sample"
    ctx = SuiteContext(mock_session)
    with pytest.raises(pytest.skip.Exception, match="--workload sample"):
        ctx.workload.set_load("x", "backlog")


def test_loads_on_created_mdevs_are_reset_before_removal(mock_session) -> None:
    ctx = SuiteContext(mock_session)
    uuid = ctx.create_mdev()
    ctx.workload.set_load(uuid, "backlog")
    ctx.workload.elapse(10_000)
    ctx.close()
    assert live_mdevs(mock_session) == []


def test_cleanup_failures_are_reported_after_trying_everything(mock_session) -> None:
    ctx = SuiteContext(mock_session)
    uuid = ctx.create_mdev()
    ctx._undo.append(ctx._undo[0].__class__("explode", lambda: 1 / 0))
    with pytest.raises(SuiteError, match="cleanup failed: explode"):
        ctx.close()
    assert uuid not in live_mdevs(mock_session)


@pytest.mark.parametrize(
    ("raw", "value"),
    [(b"low [normal] high\n", b"normal"), (b"60\n", b"60"), (b"[high]\n", b"high")],
)
def test_restore_value(raw: bytes, value: bytes) -> None:
    assert restore_value(raw) == value
