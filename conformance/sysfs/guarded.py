"""A Target wrapper with a deadline on every operation: the suite never hangs.

A read from a FUSE mount whose daemon stopped answering, or from a driver whose
``show`` blocks, can sleep in the kernel for ever; no signal the suite could send
itself gets it out. :class:`GuardedTarget` therefore runs each operation in a
worker thread (one per calling thread, so concurrent callers stay concurrent)
and waits at most ``deadline_s`` for the answer. A worker that misses its
deadline is abandoned (it is a daemon thread: it cannot keep the process alive)
and the caller gets :class:`TargetHung`.

Faults of the environment are raised as :class:`TargetFault`, which is *not* an
``OSError``: a step that expects ``EINVAL`` and catches ``OSError`` cannot
mistake a dead mount for a driver's answer and report a ``fail``. The run engine
reports a ``TargetFault`` as ``error``.

Environment faults recognised:

- the operation outlives its deadline (:class:`TargetHung`);
- ``ENOTCONN``/``ECONNABORTED``/``ESHUTDOWN``: the FUSE daemon behind the
  tree is gone or the connection was aborted (:class:`TargetLost`);
- the tree's root changed device (a FUSE mount vanished and left the empty
  mount point behind): every later ``ENOENT`` would otherwise look like a
  missing file (:class:`TargetLost`).

After ``max_hangs`` operations hung, the target is declared lost and every
later operation fails at once instead of waiting out another deadline.
"""

from __future__ import annotations

import errno
import os
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from conformance.sysfs.target import Stat, Target

DEFAULT_DEADLINE_S = 10.0
DEFAULT_MAX_HANGS = 3
LOST_ERRNOS = frozenset({errno.ENOTCONN, errno.ECONNABORTED, errno.ESHUTDOWN})

T = TypeVar("T")


class TargetFault(RuntimeError):
    """The target stopped behaving like a file system: an environment error."""


class TargetHung(TargetFault):
    """An operation did not return within its deadline."""


class TargetLost(TargetFault):
    """The tree behind the target went away (FUSE daemon died, mount vanished)."""


class _Worker:
    """A daemon thread that runs one operation at a time for one calling thread."""

    def __init__(self) -> None:
        self.jobs: queue.SimpleQueue[tuple[Callable[[], Any], queue.SimpleQueue[Any]]] = (
            queue.SimpleQueue()
        )
        self.thread = threading.Thread(target=self._serve, name="mdev-qos-sysfs", daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            job, answer = self.jobs.get()
            try:
                answer.put((True, job()))
            except BaseException as exc:  # noqa: BLE001 - handed to the caller
                answer.put((False, exc))

    def run(self, job: Callable[[], T], deadline_s: float) -> tuple[bool, T | BaseException]:
        """Run ``job``; raise ``queue.Empty`` when it misses the deadline."""
        answer: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self.jobs.put((job, answer))
        return answer.get(timeout=deadline_s)


class GuardedTarget:
    """Wraps a Target; every operation has a deadline and environment faults are named.

    ``root`` (a host directory, e.g. a FUSE mount point) enables the check that
    the mount is still there; it defaults to the inner target's ``root``.
    """

    def __init__(
        self,
        inner: Target,
        *,
        deadline_s: float = DEFAULT_DEADLINE_S,
        max_hangs: int = DEFAULT_MAX_HANGS,
        root: str | None = None,
    ) -> None:
        if deadline_s <= 0:
            raise ValueError(f"the operation deadline must be positive, not {deadline_s}")
        self.inner = inner
        self.deadline_s = deadline_s
        self.max_hangs = max_hangs
        self.root = root if root is not None else getattr(inner, "root", None)
        self.hangs = 0
        self.lost: str | None = None  # why the target is considered gone
        self._local = threading.local()
        self._root_dev = self._device_of_root()

    # -- the Target protocol ------------------------------------------------------
    @property
    def description(self) -> str:
        return self.inner.description

    @description.setter
    def description(self, value: str) -> None:
        self.inner.description = value

    @property
    def writable(self) -> bool:
        return self.inner.writable

    def read(self, path: str) -> bytes:
        return self._guard("read", path, lambda: self.inner.read(path))

    def write(self, path: str, data: bytes, *, uid: int | None = None) -> int:
        return self._guard("write", path, lambda: self.inner.write(path, data, uid=uid))

    def stat(self, path: str) -> Stat:
        return self._guard("stat", path, lambda: self.inner.stat(path))

    def listdir(self, path: str) -> list[str]:
        return self._guard("listdir", path, lambda: self.inner.listdir(path))

    def readlink(self, path: str) -> str:
        return self._guard("readlink", path, lambda: self.inner.readlink(path))

    def exists(self, path: str) -> bool:
        return self._guard("exists", path, lambda: self.inner.exists(path))

    def __getattr__(self, name: str) -> Any:
        """Anything else (``host_path``, ``kernel``) comes from the wrapped target."""
        if name == "inner":
            raise AttributeError(name)
        return getattr(self.inner, name)

    # -- the guard ------------------------------------------------------------------
    def _guard(self, op: str, path: str, job: Callable[[], T]) -> T:
        if self.lost is not None:
            raise TargetLost(f"{op} {path}: the target is gone ({self.lost})")
        worker = getattr(self._local, "worker", None)
        if worker is None:
            worker = self._local.worker = _Worker()
        try:
            ok, value = worker.run(job, self.deadline_s)
        except queue.Empty:
            self._local.worker = None  # abandoned: it is stuck in the kernel
            self.hangs += 1
            message = (
                f"{op} {path} did not return within {self.deadline_s:g} s "
                f"(the target hangs; {self.hangs} operation(s) hung so far)"
            )
            if self.hangs >= self.max_hangs:
                self.lost = f"{self.hangs} operations hung"
            raise TargetHung(message) from None
        if ok:
            return value  # type: ignore[return-value]
        assert isinstance(value, BaseException)
        if isinstance(value, OSError):
            self._check_environment(op, path, value)
        raise value

    def _check_environment(self, op: str, path: str, exc: OSError) -> None:
        """Turn an errno that only a broken environment produces into TargetLost."""
        if exc.errno in LOST_ERRNOS:
            self.lost = f"{errno.errorcode.get(exc.errno or 0, exc.errno)} from {op} {path}"
            raise TargetLost(
                f"{op} {path}: {exc.strerror} — the file system behind the target is gone "
                "(did the FUSE mount's daemon die?)"
            ) from exc
        if exc.errno == errno.ENOENT and self._root_dev is not None:
            now = self._device_of_root()
            if now != self._root_dev:
                self.lost = f"the mount at {self.root} went away"
                raise TargetLost(
                    f"{op} {path}: no such file, and the tree at {self.root} is no longer "
                    "the one the run started on (was it unmounted?)"
                ) from exc

    def _device_of_root(self) -> int | None:
        if not self.root:
            return None
        try:
            return os.stat(self.root).st_dev
        except OSError:
            return None
