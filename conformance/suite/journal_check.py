"""What a journal may say: every line is checked before anything in it is replayed.

A journal is input like any other: a file left by a killed run, or planted by
someone else. Each line must match ``spec/schema/journal.schema.json`` exactly
(no unknown kinds, no extra fields, no wrong types), and every entry must name
something the suite may touch:

- ``create``: the ``remove`` file of the very mdev the entry says the suite
  created (``/sys/bus/mdev/devices/<uuid>/remove``), never of one named with
  ``--mdev`` (the suite never creates those);
- ``save``: a file directly in ``qos/`` of an mdev named with ``--mdev`` in this
  run (``/sys/bus/mdev/devices/<uuid>/qos/<name>``): a restore needs the same
  consent as the write it undoes;
- ``load``: ``<dir>/<uuid>/load`` of an mdev the journal says the suite created,
  or one named with ``--mdev``, with a value in the load file's grammar.

Paths are also resolved inside the target (every symbolic link followed in the
target's own view, as the kernel would): one that leaves the tree, or that ends
anywhere but at the named mdev's file, is refused. A refusal names the file and
the line and says how to recover; nothing has been changed.
"""

from __future__ import annotations

import base64
import binascii
import json
import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema

from conformance.resources import schema_path
from conformance.sysfs import beneath, paths
from conformance.sysfs.target import Target
from conformance.workload.base import parse_load

DEVICES = paths.DEVICES
PAGE = 4096
_UUID = paths.UUID.pattern
_SAVE = re.compile(rf"{DEVICES}/({_UUID})/qos/[A-Za-z0-9_]+")
_LOAD = re.compile(rf"(?:/[^/]+)+/({_UUID})/load")
_CORRUPT = "it was not written by this version of mdev-qos: check what it lists, undo that by hand"
_PLANTED = "the suite never writes there: someone may have planted it; undo by hand what it lists"


class JournalError(RuntimeError):
    """The journal cannot be used: the run refuses to start (exit 2), nothing changed."""


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
        """An entry from a schema-valid ``entry`` object."""
        return cls(
            seq=doc["seq"],
            op=doc["op"],
            path=doc["path"],
            value=base64.b64decode(doc["value"], validate=True),
            uuid=doc["uuid"],
        )

    def describe(self) -> str:
        """The undo action, e.g. ``remove mdev <uuid>``."""
        if self.op == "create":
            return f"remove mdev {self.uuid}"
        return f"restore {self.path} to {self.value!r}"

    def unconfirmed(self, why: BaseException | str) -> str:
        """What the user must check when this entry could not be undone (nor its effect seen).

        A create's entry is written before the create: the mdev may exist or not,
        and the suite cannot tell, so it says so rather than claim a clean device.
        """
        if self.op == "create":
            state = f"mdev {self.uuid} may still exist (its create was journaled)"
            action = f"if it does, remove it (write 1 to {self.path})"
        else:
            state = f"{self.path} of mdev {self.uuid} may not read {self.value!r} again"
            action = f"write {self.value!r} back to it"
        return f"{state}: not confirmed, {why}; {action}"


@dataclass(frozen=True)
class Scope:
    """What the entries of an interrupted run may touch in this run."""

    target: Target | None = None  # resolve paths in it (None: check their shape only)
    named: frozenset[str] = field(default_factory=frozenset)  # mdevs named with --mdev


@dataclass
class Contents:
    """What a journal file holds: every entry, and which are still pending."""

    entries: list[Entry]
    pending: list[Entry]
    torn: bool  # the last line was cut short (a kill during the write)
    kept_bytes: int  # length of the file up to the end of its last whole line


@lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(schema_path("journal").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def parse(data: bytes, file: Path) -> Contents:
    """Every record of a journal's bytes; JournalError naming the line if one is bad."""
    entries: dict[int, Entry] = {}
    undone: set[int] = set()
    lines = data.split(b"\n")
    last = len(lines) - 1  # after the final newline: b"" unless the last line is torn
    torn, kept = False, len(data)
    for number, raw in enumerate(lines, start=1):
        if not raw:
            continue
        try:
            record = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            if number - 1 == last:  # a line cut short by the kill: its act never happened
                torn, kept = True, len(data) - len(raw)
                break
            raise JournalError(
                f"journal {file} line {number}: not JSON ({exc}); {_CORRUPT}, then delete {file}"
            ) from exc
        _check_schema(record, file, number)
        if "done" in record:
            if record["done"] not in entries:
                raise JournalError(
                    f"journal {file} line {number}: marks entry {record['done']} undone, but "
                    f"no earlier line has that entry; {_CORRUPT}, then delete {file}"
                )
            undone.add(record["done"])
            continue
        entry = _entry(record["entry"], file, number)
        if entry.seq in entries:
            raise JournalError(
                f"journal {file} line {number}: entry {entry.seq} appears twice; "
                f"{_CORRUPT}, then delete {file}"
            )
        entries[entry.seq] = entry
    ordered = sorted(entries.values(), key=lambda e: e.seq)
    pending = [e for e in ordered if e.seq not in undone]
    return Contents(ordered, pending, torn, kept)


def _check_schema(record: object, file: Path, number: int) -> None:
    error = jsonschema.exceptions.best_match(_validator().iter_errors(record))
    if error is None:
        return
    where = "/".join(str(p) for p in error.absolute_path) or "(line)"
    message = error.message
    if error.validator in ("pattern", "maxLength") and "title" in error.schema:
        message = f"{str(error.instance)[:80]!r} is not {error.schema['title']}"
    message = message if len(message) <= 160 else message[:157] + "..."
    raise JournalError(
        f"journal {file} line {number}: {where}: {message}; {_CORRUPT}, then delete {file}"
    )


def _entry(doc: dict[str, Any], file: Path, number: int) -> Entry:
    try:
        entry = Entry.from_json(doc)
    except (binascii.Error, ValueError) as exc:
        raise JournalError(
            f"journal {file} line {number}: entry/value is not base64 ({exc}); "
            f"{_CORRUPT}, then delete {file}"
        ) from exc
    problem = shape_problem(entry)
    if problem:
        raise JournalError(
            f"journal {file} line {number}: {problem}; {_PLANTED}, then delete {file}"
        )
    return entry


def shape_problem(entry: Entry) -> str | None:
    """Why the suite would never journal this entry (None: it might)."""
    if not entry.path.startswith("/") or posixpath.normpath(entry.path) != entry.path:
        return f"{entry.path!r} is not a normalised absolute path"
    if not re.fullmatch(_UUID, entry.uuid):
        return f"{entry.uuid!r} is not an mdev UUID"
    if len(entry.value) > PAGE:
        return f"the value of {entry.path} is longer than a page ({len(entry.value)} bytes)"
    if entry.op == "create":
        if entry.path != paths.remove_file(entry.uuid) or entry.value:
            return f"a created mdev {entry.uuid} is undone only by its own remove, not {entry.path}"
        return None
    pattern = _SAVE if entry.op == "save" else _LOAD if entry.op == "load" else None
    match = pattern.fullmatch(entry.path) if pattern else None
    if match is None or match[1] != entry.uuid:
        return f"a {entry.op} entry of mdev {entry.uuid} cannot name {entry.path}"
    if entry.op == "load":
        try:
            parse_load(entry.value.decode("ascii"))
        except (UnicodeDecodeError, ValueError):
            return f"{entry.value!r} is not a load setting"
    return None


def confine(contents: Contents, scope: Scope, file: Path) -> None:
    """Refuse pending entries the suite may not replay in this run (see the module doc)."""
    created = {e.uuid for e in contents.entries if e.op == "create"}
    for entry in contents.pending:
        problem = _consent_problem(entry, scope.named, created, file)
        if problem is None and scope.target is not None:
            problem = _resolution_problem(scope.target, entry)
        if problem:
            raise JournalError(f"journal {file} entry {entry.seq}: {problem}")


def _consent_problem(
    entry: Entry, named: Iterable[str], created: set[str], file: Path
) -> str | None:
    if entry.op == "create" and entry.uuid in named:
        return (
            f"says the suite created mdev {entry.uuid}, which this run names with --mdev: the "
            f"suite never removes a device it did not create; {_PLANTED}, then delete {file}"
        )
    if entry.op == "save" and entry.uuid not in named:
        return (
            f"restores {entry.path} of mdev {entry.uuid}, which this run does not name: rerun "
            f"with --mdev {entry.uuid} to restore it, or delete {file} if it is restored"
        )
    if entry.op == "load" and entry.uuid not in named and entry.uuid not in created:
        return (
            f"resets the load of mdev {entry.uuid}, which the suite did not create and this "
            f"run does not name: rerun with --mdev {entry.uuid}, or delete {file}"
        )
    return None


def _resolution_problem(target: Target, entry: Entry) -> str | None:
    try:
        resolved = resolve(target, entry.path)
    except OSError as exc:
        return f"cannot resolve {entry.path} in the target ({exc}); check the tree, then retry"
    except Exception as exc:  # noqa: BLE001 - a lost or hung target: cannot check, refuse
        return f"cannot resolve {entry.path} in the target ({exc}); retry when it answers"
    if resolved is None:
        return f"{entry.path} leads out of the target through a link; {_PLANTED}"
    tail = "/" + "/".join(entry.path.split("/")[-3 if entry.op == "save" else -2 :])
    if not resolved.endswith(tail):  # e.g. a qos/cap linked to another mdev's
        return f"{entry.path} resolves to {resolved}, not to a file of mdev {entry.uuid}"
    return None


def resolve(target: Target, path: str) -> str | None:
    """``path`` with every link followed in the target's view; None if it climbs out.

    Links are followed by the suite's one rule (:mod:`conformance.sysfs.beneath`:
    an absolute link starts from the tree's root, ``..`` stays at the root); a
    walk that tried to climb above the root is refused, as no sysfs link does.
    A missing component ends the following (the rest is kept as written): the
    device went away, and a write there can only fail.
    """
    walked = beneath.resolve_view(target, path)
    return None if walked.climbed else walked.path
