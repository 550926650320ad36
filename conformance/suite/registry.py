"""The resource registry: the only way a scenario changes the target.

Like csi-sanity's cleanup registry, everything a scenario changes is registered
before it is changed and undone after the scenario, newest first, even when an
assertion failed: mdevs it created are removed; attributes it wrote on a device
it did not create are written back; loads it set are reset. The journal keeps the
same list on disk, so a run that is killed is repaired by the next one.
"""

from __future__ import annotations

import re
import uuid as uuidlib
from collections.abc import Callable
from dataclasses import dataclass, field

from conformance.suite.journal import Entry
from conformance.suite.mdev import Mdev, MdevType
from conformance.suite.outcome import Outcome, SuiteError
from conformance.suite.session import SuiteSession
from conformance.sysfs.guarded import TargetHung
from conformance.sysfs.target import Target
from conformance.sysfs.users import NOBODY
from conformance.workload.base import IDLE, Load, Workload, parse_load

_BRACKETED = re.compile(rb"\[([^\]\s]+)\]")


def restore_value(raw: bytes) -> bytes:
    """The value to write back so a knob reads ``raw`` again.

    ``background [standard] urgent`` restores by writing ``standard``; numbers restore as read.
    """
    match = _BRACKETED.search(raw)
    return match[1] if match else raw.rstrip(b"\n")


@dataclass
class _Undo:
    description: str
    action: Callable[[], None]
    entry: Entry | None = None


@dataclass
class Resources:
    """One scenario's changes to the target, each undone after the scenario."""

    session: SuiteSession
    outcome: Outcome
    created: list[str] = field(default_factory=list)
    _undo: list[_Undo] = field(default_factory=list)
    _loads: dict[str, Load | None] = field(default_factory=dict)  # uuid -> load before

    @property
    def target(self) -> Target:
        """The target every change goes to."""
        return self.session.target

    # -- devices ---------------------------------------------------------------------
    def mdev_type(self, parent: str | None = None, type_id: str | None = None) -> MdevType:
        """A type of a parent (default: the type under test on the parent under test)."""
        return MdevType(self.target, parent or self.session.parent, type_id or self.session.type_id)

    def create_mdev(
        self, parent: str | None = None, type_id: str | None = None, uuid: str | None = None
    ) -> Mdev:
        """Create an mdev (random UUID unless given); it is removed after the scenario."""
        self._require_writable("create an mdev")
        kind = self.mdev_type(parent, type_id)
        mdev = Mdev(self.target, uuid or str(uuidlib.uuid4()), kind.parent)
        entry = self.session.journal.record("create", mdev.remove_path, uuid=mdev.uuid)
        try:
            self.target.write(kind.create_path, mdev.uuid.encode())
        except BaseException as exc:
            # a target that refused without trying (lost before) created nothing; a
            # write that hung may still land, so only an answered one is judged by
            # whether the device is there
            if getattr(exc, "attempted", True) is False or (
                    not isinstance(exc, TargetHung) and not self._exists(mdev)):
                self.session.journal.done(entry)
            raise
        self.created.append(mdev.uuid)
        self._undo.append(_Undo(f"remove mdev {mdev.uuid}", lambda: self._remove(mdev), entry))
        return mdev

    def remove_mdev(self, mdev: Mdev) -> None:
        """Remove an mdev this scenario created, now (lifecycle scenarios)."""
        if mdev.uuid not in self.created:
            raise SuiteError(f"the suite never removes a device it did not create: {mdev.uuid}")
        for undo in reversed(self._undo):
            entry = undo.entry
            if entry is not None and entry.op == "create" and entry.uuid == mdev.uuid:
                self.target.write(mdev.remove_path, b"1")
                self._undo.remove(undo)
                self.session.journal.done(entry)
                break
        self.created.remove(mdev.uuid)

    def recreate(self, mdev: Mdev) -> Mdev:
        """Remove an mdev this scenario created and create it again with the same UUID."""
        self.remove_mdev(mdev)
        return self.create_mdev(parent=mdev.parent, uuid=mdev.uuid)

    def reserve_mdev(
        self, parent: str | None = None, type_id: str | None = None, uuid: str | None = None
    ) -> Mdev:
        """Journal a UUID that other code creates and removes itself (a race).

        Whatever is left of it is removed after the scenario.
        """
        self._require_writable("create an mdev")
        kind = self.mdev_type(parent, type_id)
        mdev = Mdev(self.target, uuid or str(uuidlib.uuid4()), kind.parent)
        entry = self.session.journal.record("create", mdev.remove_path, uuid=mdev.uuid)
        self._undo.append(_Undo(f"remove mdev {mdev.uuid}", lambda: self._remove(mdev), entry))
        return mdev

    def existing(self, uuid: str) -> Mdev:
        """A handle on a device the suite did not create (its parent from sysfs)."""
        probe = Mdev(self.target, uuid, self.session.parent)
        parent = probe.linked_parent()
        return probe if parent is None else Mdev(self.target, uuid, parent)

    def device(self) -> Mdev:
        """An mdev to observe: the first one named with ``--mdev``, else a new one."""
        if self.session.mdevs:
            return Mdev(self.target, self.session.mdevs[0], self.session.parent)
        if not self.session.writable:
            self.outcome.unsupported(
                "reads need an existing mdev on a read-only target: pass --mdev UUID"
            )
        return self.create_mdev()

    def _exists(self, mdev: Mdev) -> bool:
        """Whether the device exists; True when the target cannot tell (keep the entry)."""
        try:
            return mdev.exists()
        except Exception:  # noqa: BLE001 - unknown: assume it exists
            return True

    def _remove(self, mdev: Mdev) -> None:
        if self.target.exists(mdev.remove_path):
            self.target.write(mdev.remove_path, b"1")

    # -- writes ----------------------------------------------------------------------
    def write(self, mdev: Mdev, name: str, data: bytes | str) -> int:
        """Write ``qos/<name>`` once as root; save it first on a device the suite did not create.

        Errors are the driver's ``OSError``; the old value comes back after the scenario.
        """
        return self._write(mdev, name, data, None)

    def _write(self, mdev: Mdev, name: str, data: bytes | str, uid: int | None) -> int:
        path = mdev.path(name)
        self._require_writable(f"write {path}")
        payload = data.encode() if isinstance(data, str) else data
        if mdev.uuid not in self.created:
            self._save(mdev.uuid, path)
        return self.target.write(path, payload, uid=uid)

    def write_unprivileged(self, mdev: Mdev, name: str, data: bytes | str) -> int:
        """Write ``qos/<name>`` as an unprivileged user (``nobody``)."""
        if not self.session.can_switch_user:
            self.outcome.unsupported(
                "the suite cannot act as an unprivileged user here (run it as root)"
            )
        return self._write(mdev, name, data, NOBODY)

    def writer(self, mdev: Mdev, name: str) -> Callable[[str, bytes], int]:
        """A ``write(path, data)`` for code that writes one file of an mdev (fuzzing)."""

        def write(path: str, data: bytes) -> int:
            if path != mdev.path(name):
                raise SuiteError(f"refusing to write {path}: only {mdev.path(name)} is allowed")
            return self.write(mdev, name, data)

        return write

    def _save(self, owner: str, path: str) -> None:
        if owner not in self.session.mdevs:
            raise SuiteError(
                f"refusing to write {path}: mdev {owner} was neither created by the suite "
                "nor named with --mdev"
            )
        if any(u.entry is not None and u.entry.path == path for u in self._undo):
            return  # saved already in this scenario: keep the oldest value
        try:
            old = restore_value(self.target.read(path))
        except OSError as exc:
            raise SuiteError(f"cannot save {path} before writing it ({exc}); not writing") from exc
        entry = self.session.journal.record("save", path, old, uuid=owner)
        self._undo.append(
            _Undo(f"restore {path} to {old!r}", lambda: self._write_back(path, old), entry)
        )

    def _write_back(self, path: str, old: bytes) -> None:
        self.target.write(path, old)

    def _require_writable(self, what: str) -> None:
        if not self.session.writable:
            self.outcome.unsupported(
                f"cannot {what}: the target is read-only (profile {self.session.profile})"
            )

    # -- loads -----------------------------------------------------------------------
    def adapter(self) -> Workload:
        """The workload adapter; when there is none the scenario is unsupported."""
        adapter = self.session.workload
        if adapter is None:
            self.outcome.unsupported(self.session.workload_problem or "no workload adapter")
        return adapter

    def set_load(self, mdev: Mdev, load: str | Load) -> None:
        """Apply ``idle``, ``backlog`` or ``periodic <run_us> <period_us>`` to an mdev."""
        adapter = self.adapter()
        wanted = parse_load(load)
        if mdev.uuid not in self._loads:
            before = adapter.get_load(mdev.uuid)
            self._loads[mdev.uuid] = before
            if mdev.uuid not in self.created:
                self._register_load_restore(adapter, mdev.uuid, before)
        adapter.set_load(mdev.uuid, wanted)

    def _register_load_restore(self, adapter: Workload, uuid: str, before: Load | None) -> None:
        restore = before or IDLE
        load_path = getattr(adapter, "load_path", None)
        path = load_path(uuid) if callable(load_path) else f"workload:{uuid}"
        entry = None
        if callable(load_path):
            entry = self.session.journal.record("load", path, f"{restore}\n".encode(), uuid=uuid)

        def reset() -> None:
            adapter.set_load(uuid, restore)

        self._undo.append(_Undo(f"reset load of {uuid} to {restore}", reset, entry))

    def _settle_created(self) -> None:
        """Make every created mdev idle again (before it is removed)."""
        adapter = self.session.workload
        if adapter is None:
            return
        for uuid in list(self._loads):
            if uuid in self.created and self.target.exists(Mdev(self.target, uuid, "").dir):
                adapter.set_load(uuid, IDLE)

    # -- cleanup ---------------------------------------------------------------------
    def close(self) -> None:
        """Undo everything, newest first; raise SuiteError listing what could not be undone."""
        problems: list[str] = []
        try:
            self._settle_created()
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


@dataclass(frozen=True)
class DeviceClock:
    """The device's time as the workload adapter keeps it (virtual on the mock)."""

    resources: Resources

    def now_us(self) -> int:
        """The adapter's clock, in µs."""
        return self.resources.adapter().now_us()

    def elapse(self, us: int) -> None:
        """Let ``us`` µs of device time pass (virtual clock or sleep); the run counts it."""
        adapter = self.resources.adapter()
        self.resources.session.device_time_us += max(0, int(us))
        adapter.elapse(int(us))
