"""The cleanup journal: every change the suite makes is written down before it is made.

A run records each mdev it is about to create and each attribute it is about to
overwrite (with the old value) *before* acting, as one JSON line flushed to disk.
When the change has been undone, a ``done`` line follows. A run that was killed
(SIGKILL, power loss) leaves entries without ``done``; the next run against the same
target replays their undo actions, newest first, before it does anything else.

One journal file per target (the key is the target's resolved root) in a private
state directory (:mod:`conformance.suite.statedir`), opened with ``O_NOFOLLOW``
relative to the checked directory, ``0600`` whatever the umask. Every line is
checked before anything is replayed (:mod:`conformance.suite.journal_check`). The
run holds the target's lock (:mod:`conformance.suite.lock`) while the journal is
open. A read-only journal (``--profile static``) never creates, writes or
truncates anything, and refuses to start over changes left pending.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

from conformance.suite.journal_check import (
    Contents,
    Entry,
    JournalError,
    Scope,
    confine,
    parse,
    shape_problem,
)
from conformance.suite.lock import TargetBusy, TargetLock
from conformance.suite.statedir import (
    DEFAULT_STATE_DIR,
    StateDirError,
    check_private,
    default_state_dir,
    open_state_dir,
)
from conformance.sysfs.target import Target

__all__ = [
    "DEFAULT_STATE_DIR",
    "MAX_JOURNAL_BYTES",
    "Entry",
    "Journal",
    "JournalBusy",
    "JournalError",
    "Scope",
    "StateDirError",
    "default_state_dir",
    "target_key",
    "undo",
]

MAX_JOURNAL_BYTES = 64 << 20  # far above any run's; a bigger file is not ours
_FILE_FLAGS = os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK


class JournalBusy(JournalError):
    """Another run holds this target (its lock or its journal)."""


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

    def __init__(
        self,
        path: Path | None,
        *,
        read_only: bool = False,
        scope: Scope | None = None,
        lock: TargetLock | None = None,
    ) -> None:
        """``path=None`` keeps the journal in memory only (the embedded mock).

        ``scope`` says what the entries left by an earlier run may touch (default:
        their shape is checked, and no mdev counts as named); ``lock`` is taken
        by :meth:`open` and released by :meth:`close`.
        """
        self.path = Path(path) if path is not None else None
        self.read_only = read_only
        self.scope = scope or Scope()
        self.lock = lock
        self.problems: list[str] = []  # done marks that could not be written
        self._file: BinaryIO | None = None
        self._pending: dict[int, Entry] = {}
        self._seq = 0
        self._size = 0

    @classmethod
    def for_target(cls, state_dir: Path, key: str, **options: Any) -> Journal:
        """The journal of the target ``key`` in ``state_dir`` (options as for the class)."""
        return cls(Path(state_dir) / f"journal-{key}.jsonl", **options)

    # -- lifecycle -------------------------------------------------------------------
    def open(self) -> list[Entry]:
        """Lock the target and the journal; return the entries an earlier run left pending.

        Raises :class:`JournalError` (:class:`JournalBusy`, :class:`StateDirError`)
        when the run must not start; then nothing was created or changed.
        """
        if self.lock is not None:
            try:
                self.lock.acquire()
            except TargetBusy as exc:
                raise JournalBusy(str(exc)) from exc
        try:
            return self._open_file()
        except BaseException:
            self._release()
            raise

    def close(self) -> None:
        """Forget finished work (truncate when nothing is pending) and unlock."""
        if self._file is not None and not self.read_only and not self._pending:
            try:
                os.ftruncate(self._file.fileno(), 0)
                self.problems.clear()  # the marks that could not be written no longer matter
            except OSError as exc:
                self.problems.append(f"cannot empty journal {self.path}: {exc}")
        self._release()

    def _release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None
        if self.lock is not None:
            self.lock.release()

    def _open_file(self) -> list[Entry]:
        if self.path is None:
            return []
        dir_fd = open_state_dir(self.path.parent, create=not self.read_only)
        if dir_fd is None:
            return []  # read-only, and no state directory: nothing can be pending
        try:
            fd = self._open_in(dir_fd)
        finally:
            os.close(dir_fd)
        if fd is None:
            return []
        self._file = os.fdopen(fd, "rb" if self.read_only else "rb+", buffering=0)
        try:
            fcntl.flock(fd, (fcntl.LOCK_SH if self.read_only else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EWOULDBLOCK, errno.EACCES):
                raise JournalBusy(
                    f"another mdev-qos run is using this target (journal {self.path} is locked)"
                ) from exc
            raise JournalError(f"cannot lock journal {self.path}: {exc.strerror}") from exc
        contents = parse(self._read_all(fd), self.path)
        confine(contents, self.scope, self.path)
        if self.read_only and contents.pending:
            raise JournalError(
                f"journal {self.path} lists {len(contents.pending)} change(s) an interrupted run "
                "left on this target, and a --profile static run only reads: undo them with a "
                "writing run (--profile control --allow-write) first, or delete the file if "
                "they are undone"
            )
        if not self.read_only:
            self._prepare_for_appends(contents)
        self._seq = max((e.seq for e in contents.entries), default=0)
        self._pending = {e.seq: e for e in contents.pending}
        return list(contents.pending)

    def _open_in(self, dir_fd: int) -> int | None:
        """The journal file in the checked state directory, never through a link."""
        assert self.path is not None
        name, made = self.path.name, False
        try:
            if self.read_only:
                fd = os.open(name, os.O_RDONLY | _FILE_FLAGS, dir_fd=dir_fd)
            else:
                try:
                    flags = os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_EXCL | _FILE_FLAGS
                    fd = os.open(name, flags, 0o600, dir_fd=dir_fd)
                    made = True
                except FileExistsError:
                    fd = os.open(name, os.O_RDWR | os.O_APPEND | _FILE_FLAGS, dir_fd=dir_fd)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise self._open_refusal(exc) from exc
        try:
            if made:
                os.fchmod(fd, 0o600)  # exactly 0600, whatever the umask
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise JournalError(
                    f"journal {self.path} is not a regular file: remove it, or pass --state-dir"
                )
            if info.st_nlink != 1:
                raise JournalError(
                    f"journal {self.path} has {info.st_nlink} hard links, so it may be another "
                    "file: remove it (after checking its content), or pass --state-dir"
                )
            check_private(info, self.path, "journal", "remove it, or pass --state-dir")
        except BaseException:
            os.close(fd)
            raise
        return fd

    def _open_refusal(self, exc: OSError) -> JournalError:
        if exc.errno == errno.ELOOP:
            return JournalError(
                f"journal {self.path} is a symbolic link, which the suite never follows: "
                "remove the link, or pass --state-dir"
            )
        return JournalError(
            f"cannot open journal {self.path}: {exc.strerror or exc}; pass --state-dir DIR "
            "(a directory of your own)"
        )

    def _read_all(self, fd: int) -> bytes:
        size = os.fstat(fd).st_size
        if size > MAX_JOURNAL_BYTES:
            raise JournalError(
                f"journal {self.path} holds {size} bytes, more than any run writes "
                f"({MAX_JOURNAL_BYTES}): check what it lists, undo that by hand, then delete it"
            )
        chunks, offset = [], 0
        while chunk := os.pread(fd, 1 << 20, offset):
            chunks.append(chunk)
            offset += len(chunk)
            if offset > MAX_JOURNAL_BYTES:
                raise JournalError(f"journal {self.path} keeps growing while read; retry")
        return b"".join(chunks)

    def _prepare_for_appends(self, contents: Contents) -> None:
        """Drop a torn last line, and prove there is room for one more before acting."""
        assert self._file is not None
        fd = self._file.fileno()
        try:
            if contents.torn:
                os.ftruncate(fd, contents.kept_bytes)
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                os.write(fd, b"\n")  # a whole record that lost its newline: end it
                size += 1
            self._size = size
            self._write_line(b"\n")  # a blank line is skipped; it is taken back at once
            os.ftruncate(fd, size)
            self._size = size
        except OSError as exc:
            raise JournalError(
                f"cannot write journal {self.path}: {exc.strerror or exc}; free some space "
                "or pass --state-dir DIR"
            ) from exc

    # -- recording -------------------------------------------------------------------
    def record(self, op: str, path: str, value: bytes = b"", uuid: str = "") -> Entry:
        """Write an entry to disk (flushed and fsync'd) and return it; call BEFORE acting.

        Raises :class:`JournalError` when the entry is not one the suite may journal,
        or cannot be written (then nothing was recorded: do not act).
        """
        if self.read_only:
            raise JournalError(f"a read-only run cannot record a change ({op} {path})")
        entry = Entry(seq=self._seq + 1, op=op, path=path, value=value, uuid=uuid)
        problem = shape_problem(entry)
        if problem:
            raise JournalError(f"the suite may not journal this change: {problem}")
        self._append({"entry": entry.to_json()})
        self._seq = entry.seq
        self._pending[entry.seq] = entry
        return entry

    def done(self, entry: Entry) -> None:
        """Mark an entry as undone (never raises: cleanup goes on; see ``problems``)."""
        self._pending.pop(entry.seq, None)
        try:
            self._append({"done": entry.seq})
        except JournalError as exc:
            self.problems.append(str(exc))

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
        line = (json.dumps(record, sort_keys=True) + "\n").encode()
        try:
            self._write_line(line)
        except OSError as exc:
            raise JournalError(f"cannot write journal {self.path}: {exc.strerror or exc}") from exc

    def _write_line(self, line: bytes) -> None:
        """One append of a whole line, fsync'd; a failed or short write is taken back."""
        assert self._file is not None
        fd = self._file.fileno()
        try:
            written = os.write(fd, line)
            if written != len(line):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            os.fsync(fd)
        except OSError:
            try:
                os.ftruncate(fd, self._size)  # never leave half a line behind
            except OSError:
                pass
            raise
        self._size += len(line)
