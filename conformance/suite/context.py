"""The ``ctx`` a step definition receives: one scenario's view of the target.

Everything a scenario changes is registered before it is changed and undone after
the scenario, newest first, even when an assertion failed (like csi-sanity's
resource registry): mdevs it created are removed; attributes it wrote on a device
it did not create are written back; loads it set are reset. The journal keeps the
same list on disk, so a run that is killed is repaired by the next one.

Outcome rules: an ``AssertionError`` is the driver's fault (``fail``);
:meth:`SuiteContext.skip` is a spec-sanctioned absence (``skip``);
:meth:`SuiteContext.error` or any other exception means the suite or its
environment broke (``error``).
"""

from __future__ import annotations

import re
import uuid as uuidlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from conformance.oracle.tolerance import PRECISIONS, Precision
from conformance.suite.journal import Entry
from conformance.suite.session import SuiteSession
from conformance.sysfs import paths
from conformance.sysfs.target import Target
from conformance.workload.base import IDLE, Load, Workload, parse_load

_BRACKETED = re.compile(rb"\[([^\]\s]+)\]")


class SuiteError(Exception):
    """The suite or its environment broke: the scenario's result is ``error``."""


@dataclass
class Evidence:
    """One expected/actual pair a scenario observed, for the report."""

    name: str
    expected: Any = None
    actual: Any = None
    tolerance: Any = None
    unit: str = ""
    requirement: str = ""
    ok: bool | None = None
    note: str = ""
    accepted: tuple[float | None, float | None] | None = None  # the interval that passes

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"name": self.name, "expected": self.expected, "actual": self.actual}
        if self.accepted is not None:
            doc["accepted"] = list(self.accepted)
        for key in ("tolerance", "unit", "requirement", "ok", "note"):
            value = getattr(self, key)
            if value not in (None, ""):
                doc[key] = value
        return doc


@dataclass
class _Undo:
    description: str
    action: Callable[[], object]
    entry: Entry | None = None


def restore_value(raw: bytes) -> bytes:
    """The value to write back so a knob reads ``raw`` again.

    ``low [normal] high`` restores by writing ``normal``; numbers restore as read.
    """
    match = _BRACKETED.search(raw)
    return match[1] if match else raw.rstrip(b"\n")


class ScenarioWorkload:
    """The workload adapter as one scenario sees it: every load it sets is reset after."""

    def __init__(self, ctx: SuiteContext, adapter: Workload) -> None:
        self._ctx = ctx
        self.adapter = adapter
        self._touched: dict[str, Load | None] = {}  # uuid -> load before the scenario

    @property
    def name(self) -> str:
        return self.adapter.name

    @property
    def virtual(self) -> bool:
        return self.adapter.virtual

    def set_load(self, uuid: str, load: str | Load) -> None:
        """Apply ``idle``, ``backlog`` or ``periodic <run_us> <period_us>`` to an mdev."""
        wanted = parse_load(load)
        if uuid not in self._touched:
            before = self.adapter.get_load(uuid)
            self._touched[uuid] = before
            if uuid not in self._ctx.created:
                self._ctx._register_load_restore(uuid, before)
        self.adapter.set_load(uuid, wanted)

    def get_load(self, uuid: str) -> Load | None:
        return self.adapter.get_load(uuid)

    def elapse(self, us: int) -> None:
        """Let ``us`` µs of device time pass (virtual clock or sleep)."""
        self._ctx.session.device_time_us += max(0, int(us))
        self.adapter.elapse(int(us))

    def now_us(self) -> int:
        return self.adapter.now_us()

    def settle_created(self) -> None:
        """Make every created mdev idle again (before it is removed)."""
        for uuid in list(self._touched):
            if uuid in self._ctx.created and self._ctx.target.exists(self._ctx.mdev_dir(uuid)):
                self.adapter.set_load(uuid, IDLE)


class _NoWorkload:
    """Stands in when no adapter is usable: any use skips the scenario with the reason."""

    name = "none"
    virtual = False

    def __init__(self, ctx: SuiteContext, reason: str) -> None:
        self._ctx = ctx
        self.reason = reason

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("_"):
            raise AttributeError(attr)
        self._ctx.unsupported(self.reason)

    def settle_created(self) -> None:
        return None


@dataclass
class SuiteContext:
    """One scenario's handle on the target. Created and closed by the ``ctx`` fixture."""

    session: SuiteSession
    scenario: str = ""
    created: list[str] = field(default_factory=list)
    evidences: list[Evidence] = field(default_factory=list)
    skip_kind: str = ""  # "condition" after ctx.skip, "unsupported" after ctx.unsupported
    _undo: list[_Undo] = field(default_factory=list)
    _workload: ScenarioWorkload | _NoWorkload | None = None

    # -- what the run is about -------------------------------------------------------
    @property
    def target(self) -> Target:
        return self.session.target

    @property
    def parent(self) -> str:
        return self.session.parent

    @property
    def type_id(self) -> str:
        return self.session.type_id

    @property
    def other_parent(self) -> str | None:
        """A second parent offering the same type (isolation scenarios), if any."""
        return self.session.other_parent

    @property
    def other_type(self) -> str | None:
        """Another type on the parent, if any."""
        return self.session.other_type

    @property
    def profile(self) -> str:
        return self.session.profile

    @property
    def precision(self) -> Precision:
        """The run's precision: how long windows are (quick or certify)."""
        return PRECISIONS[self.session.precision]

    @property
    def mdevs(self) -> tuple[str, ...]:
        """Existing devices named with ``--mdev`` (the suite restores what it writes)."""
        return self.session.mdevs

    @property
    def options(self) -> dict[str, object]:
        return self.session.options

    @property
    def workload(self) -> ScenarioWorkload | _NoWorkload:
        """The workload adapter; using it when there is none skips with the reason."""
        if self._workload is None:
            adapter = self.session.workload
            if adapter is None:
                reason = self.session.workload_problem or "no workload adapter"
                self._workload = _NoWorkload(self, reason)
            else:
                self._workload = ScenarioWorkload(self, adapter)
        return self._workload

    # -- paths -----------------------------------------------------------------------
    @staticmethod
    def mdev_dir(uuid: str) -> str:
        return paths.mdev_dir(uuid)

    def qos(self, uuid: str, name: str = "") -> str:
        """Path of ``qos/<name>`` (or of ``qos/`` itself) of an mdev."""
        return paths.qos(uuid, name)

    def type_dir(self, parent: str | None = None, type_id: str | None = None) -> str:
        parent = parent or self.parent
        return paths.type_dir(parent, type_id or self.type_id)

    # -- devices ---------------------------------------------------------------------
    def create_mdev(
        self, parent: str | None = None, type_id: str | None = None, uuid: str | None = None
    ) -> str:
        """Create an mdev (random UUID unless given); it is removed after the scenario."""
        self._require_writable("create an mdev")
        uuid = uuid or str(uuidlib.uuid4())
        create = f"{self.type_dir(parent, type_id)}/create"
        remove = f"{self.mdev_dir(uuid)}/remove"
        entry = self.session.journal.record("create", remove, uuid=uuid)
        try:
            self.target.write(create, uuid.encode())
        except BaseException as exc:
            # a target that refused without trying (lost before) created nothing
            if getattr(exc, "attempted", True) is False or not self._exists(self.mdev_dir(uuid)):
                self.session.journal.done(entry)
            raise
        self.created.append(uuid)
        self._undo.append(_Undo(f"remove mdev {uuid}", lambda: self._remove(uuid), entry))
        return uuid

    def _exists(self, path: str) -> bool:
        """Whether ``path`` exists; True when the target cannot tell (keep the journal entry)."""
        try:
            return self.target.exists(path)
        except Exception:  # noqa: BLE001 - unknown: assume it exists
            return True

    def remove_mdev(self, uuid: str) -> None:
        """Remove an mdev this scenario created, now (lifecycle scenarios)."""
        if uuid not in self.created:
            raise SuiteError(f"the suite never removes a device it did not create: {uuid}")
        for undo in reversed(self._undo):
            if undo.entry is not None and undo.entry.op == "create" and undo.entry.uuid == uuid:
                self.target.write(f"{self.mdev_dir(uuid)}/remove", b"1")
                self._undo.remove(undo)
                self.session.journal.done(undo.entry)
                break
        self.created.remove(uuid)

    def device(self) -> str:
        """An mdev to observe: the first one named with ``--mdev``, else a new one."""
        if self.mdevs:
            return self.mdevs[0]
        if not self.session.writable:
            self.unsupported("reads need an existing mdev on a read-only target: pass --mdev UUID")
        return self.create_mdev()

    def _remove(self, uuid: str) -> None:
        path = f"{self.mdev_dir(uuid)}/remove"
        if self.target.exists(path):
            self.target.write(path, b"1")

    # -- reads and writes ------------------------------------------------------------
    def read(self, path: str) -> bytes:
        return self.target.read(path)

    def read_attr(self, uuid: str, name: str) -> str:
        """``qos/<name>`` of an mdev, decoded."""
        return self.target.read(self.qos(uuid, name)).decode()

    def write(self, path: str, data: bytes | str, *, uid: int | None = None) -> int:
        """Write ``path`` once; on a device the suite did not create, save it first.

        Errors are the driver's ``OSError``; the old value comes back after the scenario.
        """
        self._require_writable(f"write {path}")
        payload = data.encode() if isinstance(data, str) else data
        owner = self._device_of(path)
        if owner is not None and owner not in self.created:
            self._save(owner, path)
        return self.target.write(path, payload, uid=uid)

    def write_attr(
        self, uuid: str, name: str, value: bytes | str, *, uid: int | None = None
    ) -> int:
        """Write ``qos/<name>`` of an mdev (see :meth:`write`)."""
        return self.write(self.qos(uuid, name), value, uid=uid)

    def _device_of(self, path: str) -> str | None:
        return paths.device_of(path)

    def _save(self, owner: str, path: str) -> None:
        if owner not in self.mdevs:
            raise SuiteError(
                f"refusing to write {path}: mdev {owner} was neither created by the suite "
                "nor named with --mdev"
            )
        if path.endswith("/remove"):
            raise SuiteError(f"the suite never removes a device it did not create: {owner}")
        if any(u.entry is not None and u.entry.path == path for u in self._undo):
            return  # saved already in this scenario: keep the oldest value
        try:
            old = restore_value(self.target.read(path))
        except OSError as exc:
            raise SuiteError(f"cannot save {path} before writing it ({exc}); not writing") from exc
        entry = self.session.journal.record("save", path, old, uuid=owner)
        self._undo.append(
            _Undo(f"restore {path} to {old!r}", lambda: self.target.write(path, old), entry)
        )

    def _register_load_restore(self, uuid: str, before: Load | None) -> None:
        adapter = self.session.workload
        restore = before or IDLE
        load_path = getattr(adapter, "load_path", None)
        path = load_path(uuid) if callable(load_path) else f"workload:{uuid}"
        entry = None
        if callable(load_path):
            entry = self.session.journal.record("load", path, f"{restore}\n".encode(), uuid=uuid)

        def reset() -> None:
            assert adapter is not None
            adapter.set_load(uuid, restore)

        self._undo.append(_Undo(f"reset load of {uuid} to {restore}", reset, entry))

    def _require_writable(self, what: str) -> None:
        if not self.session.writable:
            self.unsupported(f"cannot {what}: the target is read-only (profile {self.profile})")

    # -- outcomes --------------------------------------------------------------------
    def evidence(
        self,
        name: str,
        *,
        expected: Any = None,
        actual: Any = None,
        tolerance: Any = None,
        unit: str = "",
        requirement: str = "",
        ok: bool | None = None,
        note: str = "",
        accepted: tuple[float | None, float | None] | None = None,
    ) -> Evidence:
        """Record an expected/actual pair for the report (``unit="share"`` is charted).

        ``accepted`` is the interval that passes (None for an open end); the HTML
        chart draws it as the tolerance band.
        """
        item = Evidence(name, expected, actual, tolerance, unit, requirement, ok, note, accepted)
        self.evidences.append(item)
        return item

    def skip(self, reason: str) -> None:
        """Skip for a spec-sanctioned absence (the requirement's condition does not hold)."""
        self.skip_kind = "condition"
        pytest.skip(reason)

    def unsupported(self, reason: str) -> None:
        """Skip because this run cannot check it (no workload, read-only, no 2nd parent).

        Unlike :meth:`skip`, this leaves the feature's claim incomplete.
        """
        self.skip_kind = "unsupported"
        pytest.skip(reason)

    def error(self, message: str) -> None:
        """Stop the scenario: the suite or the environment broke, not the driver."""
        raise SuiteError(message)

    def progress(self, message: str) -> None:
        """One progress line on stderr (long measurements)."""
        self.session.progress(f"    {message}")

    # -- cleanup ---------------------------------------------------------------------
    def close(self) -> None:
        """Undo everything, newest first; raise SuiteError listing what could not be undone."""
        problems: list[str] = []
        if self._workload is not None:
            try:
                self._workload.settle_created()
            except Exception as exc:  # noqa: BLE001 - cleanup goes on
                problems.append(f"idling created mdevs: {exc}")
        while self._undo:
            undo = self._undo.pop()
            try:
                undo.action()
            except Exception as exc:  # noqa: BLE001 - cleanup goes on
                problems.append(f"{undo.description}: {exc}")
                continue
            if undo.entry is not None:
                self.session.journal.done(undo.entry)
        self.created.clear()
        if problems:
            raise SuiteError("cleanup failed: " + "; ".join(problems))
