"""The cleanup journal: every change the suite makes is written down before it is made.

A run records each mdev it is about to create and each attribute it is about to
overwrite (with the old value) *before* acting, as one JSON line flushed to disk.
When the change has been undone, a ``done`` line follows. A run that was killed
(SIGKILL, power loss) leaves entries without ``done``; the next run against the same
target replays their undo actions, newest first, before it does anything else.

One journal file per target (the key is the target's root), locked with ``flock``
so that two runs never drive the same target at once.
"""

from __future__ import annotations

import base64
import errno
import fcntl
import hashlib
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from conformance.sysfs.target import Target

DEFAULT_STATE_DIR = "/var/tmp/mdev-qos"


def default_state_dir() -> Path:
    """``$XDG_STATE_HOME/mdev-qos`` when set, else ``/var/tmp/mdev-qos``."""
    xdg = os.environ.get("XDG_STATE_HOME")
    return Path(xdg) / "mdev-qos" if xdg else Path(DEFAULT_STATE_DIR)


class JournalBusy(RuntimeError):
    """Another run holds the journal of this target."""


@dataclass(frozen=True)
class Entry:
    """One change the suite made: an mdev it created or an attribute it overwrote."""

    seq: int
    op: str  # "create", "save" or "load"
    path: str  # create: the mdev's remove file; save/load: the attribute written
    value: bytes = b""  # save/load: the value to write back
    uuid: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "op": self.op,
            "path": self.path,
            "value": base64.b64encode(self.value).decode(),
            "uuid": self.uuid,
        }

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> Entry:
        return cls(
            seq=int(doc["seq"]),
            op=str(doc["op"]),
            path=str(doc["path"]),
            value=base64.b64decode(doc.get("value", "")),
            uuid=str(doc.get("uuid", "")),
        )

    def describe(self) -> str:
        if self.op == "create":
            return f"remove mdev {self.uuid} left by an interrupted run"
        return f"restore {self.path} to {self.value!r}"


def undo(target: Target, entry: Entry) -> None:
    """Undo one journal entry on ``target``; a device already gone counts as undone."""
    if entry.op == "create":
        if target.exists(entry.path):
            target.write(entry.path, b"1")
        return
    try:
        target.write(entry.path, entry.value)
    except FileNotFoundError:
        return  # the device went away: nothing left to restore


def target_key(description: str) -> str:
    """A short stable file-name key for a target description (its root path)."""
    return hashlib.sha256(description.encode()).hexdigest()[:16]


class Journal:
    """An append-only, fsync'd journal of pending undo actions for one target."""

    def __init__(self, path: Path | None) -> None:
        """``path=None`` keeps the journal in memory only (the embedded mock)."""
        self.path = path
        self._file: TextIO | None = None
        self._pending: dict[int, Entry] = {}
        self._seq = 0

    @classmethod
    def for_target(cls, state_dir: Path, key: str) -> Journal:
        return cls(Path(state_dir) / f"journal-{key}.jsonl")

    # -- lifecycle -------------------------------------------------------------------
    def open(self) -> list[Entry]:
        """Lock the journal and return the entries an earlier run left pending."""
        if self.path is None:
            return []
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held open
        try:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            self._file.close()
            self._file = None
            if exc.errno in (errno.EAGAIN, errno.EACCES):
                raise JournalBusy(
                    f"another mdev-qos run is using this target (journal {self.path} is locked)"
                ) from exc
            raise
        self._file.seek(0)
        leftovers = list(_pending_entries(self._file))
        self._seq = max((e.seq for e in leftovers), default=0)
        self._pending = {e.seq: e for e in leftovers}
        return leftovers

    def close(self) -> None:
        """Forget finished work (truncate when nothing is pending) and unlock."""
        if self._file is None:
            return
        if not self._pending:
            self._file.truncate(0)
        fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
        self._file.close()
        self._file = None

    # -- recording -------------------------------------------------------------------
    def record(self, op: str, path: str, value: bytes = b"", uuid: str = "") -> Entry:
        """Write an entry to disk (flushed and fsync'd) and return it; call BEFORE acting."""
        self._seq += 1
        entry = Entry(seq=self._seq, op=op, path=path, value=value, uuid=uuid)
        self._append({"entry": entry.to_json()})
        self._pending[entry.seq] = entry
        return entry

    def done(self, entry: Entry) -> None:
        """Mark an entry as undone."""
        self._pending.pop(entry.seq, None)
        self._append({"done": entry.seq})

    def pending(self) -> list[Entry]:
        """Entries not yet undone, newest first (the order to undo them in)."""
        return sorted(self._pending.values(), key=lambda e: e.seq, reverse=True)

    def repair(
        self, target: Target, on_error: Callable[[Entry, Exception], None] | None = None
    ) -> list[Entry]:
        """Undo every pending entry, newest first; return those undone."""
        repaired = []
        for entry in self.pending():
            try:
                undo(target, entry)
            except Exception as exc:  # noqa: BLE001 - reported, the rest still runs
                if on_error is None:
                    raise
                on_error(entry, exc)
                continue
            self.done(entry)
            repaired.append(entry)
        return repaired

    def _append(self, record: dict[str, Any]) -> None:
        if self._file is None:
            return
        self._file.write(json.dumps(record, sort_keys=True) + "\n")
        self._file.flush()
        os.fsync(self._file.fileno())


def _pending_entries(lines: TextIO) -> Iterator[Entry]:
    entries: dict[int, Entry] = {}
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            continue  # a line cut short by the kill: the act it announced never happened
        if "entry" in record:
            entry = Entry.from_json(record["entry"])
            entries[entry.seq] = entry
        elif "done" in record:
            entries.pop(int(record["done"]), None)
    yield from sorted(entries.values(), key=lambda e: e.seq)
