"""A Target wrapper with a deadline on every operation: the suite never hangs.

A read from a FUSE mount whose daemon stopped answering, or from a driver whose
``show`` blocks, can sleep in the kernel for ever, uninterruptibly: once a FUSE
request is in the daemon's hands even SIGKILL waits for its answer, and a
process cannot exit while one of its threads sleeps like that. So for a real
tree (:class:`~conformance.sysfs.target.FsTarget`) :class:`GuardedTarget` runs
the file operations in a helper *process* (``python -m conformance.sysfs.guarded``,
one per calling thread so concurrent callers stay concurrent) and waits at most
``deadline_s`` for each answer. A helper that misses its deadline is abandoned:
it is killed and left to the kernel, and the suite itself stays free to report
and exit. Other targets (the in-process mock) get the same deadline with a
worker thread. The caller gets :class:`TargetHung`.

Faults of the environment are raised as :class:`TargetFault`, which is *not* an
``OSError``: a step that expects ``EINVAL`` and catches ``OSError`` cannot
mistake a dead mount for a driver's answer and report a ``fail``. The run engine
reports a ``TargetFault`` as ``error``.

Environment faults recognised:

- the operation outlives its deadline (:class:`TargetHung`);
- ``ENOTCONN``/``ECONNABORTED``/``ESHUTDOWN``: the FUSE daemon behind the
  tree is gone or the connection was aborted (:class:`TargetLost`);
- the tree's root changed device or cannot be reached (a FUSE mount vanished
  and left the empty mount point behind, or its daemon died): checked after
  every answer of absence (``ENOENT``, ``exists`` False, an empty listing), which
  would otherwise look like a missing file or an empty directory (:class:`TargetLost`).

A tree that cannot say whether a path exists raises; ``exists`` is False only
when the tree answered that it is absent (:meth:`FsTarget.exists`).

After ``max_hangs`` operations hung, the target is declared lost and every
later operation fails at once instead of waiting out another deadline.
"""

from __future__ import annotations

import argparse
import errno
import os
import pickle
import queue
import select
import signal
import struct
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, TypeVar, cast

from conformance import defaults
from conformance.sysfs.target import FsTarget, Stat, Target

DEFAULT_MAX_HANGS = 3
LOST_ERRNOS = frozenset({errno.ENOTCONN, errno.ECONNABORTED, errno.ESHUTDOWN})

T = TypeVar("T")


class TargetFault(RuntimeError):
    """The target stopped behaving like a file system: an environment error.

    ``attempted`` is False when the operation was refused without reaching the
    target (it was lost before): then it certainly changed nothing.
    """

    def __init__(self, message: str, *, attempted: bool = True) -> None:
        super().__init__(message)
        self.attempted = attempted


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
        answer: queue.SimpleQueue[tuple[bool, T | BaseException]] = queue.SimpleQueue()
        self.jobs.put((job, answer))
        return answer.get(timeout=deadline_s)


_HEADER = struct.Struct("!I")
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])


def _send(stream: IO[bytes], message: Any) -> None:
    body = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(body)) + body)
    stream.flush()


def _receive(stream: IO[bytes]) -> Any:
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError("the other side closed the pipe")
    (size,) = _HEADER.unpack(header)
    body = stream.read(size)
    if len(body) < size:
        raise EOFError("the other side closed the pipe")
    return pickle.loads(body)


class _ProcessWorker:
    """A helper process doing one FsTarget's file operations, one at a time."""

    def __init__(self, root: str, writable: bool) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [_PACKAGE_ROOT, env.get("PYTHONPATH")]))
        argv = [sys.executable, "-m", "conformance.sysfs.guarded", "--serve", root]
        self.proc = subprocess.Popen(
            argv + ([] if writable else ["--read-only"]),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # a helper stuck in the kernel must not hold our pipes
            env=env,
            start_new_session=True,  # a ^C meant for the suite must not stop its I/O
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.requests: IO[bytes] = self.proc.stdin
        self.answers: IO[bytes] = self.proc.stdout

    def run(
        self, op: str, args: tuple[Any, ...], kwargs: dict[str, Any], deadline_s: float
    ) -> tuple[bool, Any]:
        """Run ``op`` in the helper; raise ``queue.Empty`` when it misses the deadline."""
        try:
            _send(self.requests, (op, args, kwargs))
        except (BrokenPipeError, OSError) as exc:
            raise EOFError(f"the I/O helper is gone ({exc})") from exc
        poller = select.poll()  # not select(): the suite may hold more than 1024 fds
        poller.register(self.answers, select.POLLIN)
        if not poller.poll(deadline_s * 1000):
            raise queue.Empty
        ok, value = _receive(self.answers)  # the whole answer follows its first byte
        if not ok:
            code, message, filename = value
            return False, OSError(code, message, filename) if filename else OSError(code, message)
        return True, value

    def abandon(self) -> None:
        """Give up on a helper stuck in the kernel: kill it, never wait for it."""
        try:
            self.proc.kill()
        except OSError:
            pass
        for stream in (self.requests, self.answers):
            try:
                stream.close()
            except OSError:
                pass

    def close(self) -> None:
        """Stop an idle helper (end of its input)."""
        try:
            self.requests.close()
            self.proc.wait(2)
            self.answers.close()
        except (OSError, subprocess.TimeoutExpired):
            self.abandon()


def serve(root: str, writable: bool) -> None:
    """The helper's loop: requests on stdin, answers on stdout, until stdin closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    target = FsTarget(root, writable=writable)
    requests, answers = sys.stdin.buffer, sys.stdout.buffer
    while True:
        try:
            op, args, kwargs = _receive(requests)
        except EOFError:
            return
        try:
            if op == "root_device":
                answer: tuple[bool, Any] = (True, os.stat(root).st_dev)
            else:
                answer = (True, getattr(target, op)(*args, **kwargs))
        except OSError as exc:
            answer = (False, (exc.errno or errno.EIO, exc.strerror or str(exc), exc.filename))
        except Exception as exc:  # noqa: BLE001 - reported to the suite as EIO
            answer = (False, (errno.EIO, f"{type(exc).__name__}: {exc}", None))
        _send(answers, answer)


class GuardedTarget:
    """Wraps a Target; every operation has a deadline and environment faults are named.

    ``root`` (a host directory, e.g. a FUSE mount point) enables the check that
    the mount is still there; it defaults to the inner target's ``root``.
    """

    def __init__(
        self,
        inner: Target,
        *,
        deadline_s: float = defaults.OP_TIMEOUT_S,
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
        self.isolated = isinstance(inner, FsTarget)  # file I/O in helper processes
        self._local = threading.local()
        self._helpers: list[_ProcessWorker] = []
        self._lock = threading.Lock()
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
        return cast(bytes, self._guard("read", path, (path,)))

    def write(self, path: str, data: bytes, *, uid: int | None = None) -> int:
        return cast(int, self._guard("write", path, (path, data), {"uid": uid}))

    def stat(self, path: str) -> Stat:
        return cast(Stat, self._guard("stat", path, (path,)))

    def listdir(self, path: str) -> list[str]:
        names = cast("list[str]", self._guard("listdir", path, (path,)))
        if not names:  # empty, or the empty mount point a vanished mount left?
            self._check_same_tree("listdir", path)
        return names

    def readlink(self, path: str) -> str:
        return cast(str, self._guard("readlink", path, (path,)))

    def exists(self, path: str) -> bool:
        found = cast(bool, self._guard("exists", path, (path,)))
        if not found:
            self._check_same_tree("exists", path)  # absent, or the whole tree went away?
        return found

    def check_alive(self) -> str | None:
        """Why the target is gone, or None: it answers, and is the tree the run started on.

        Asks the tree once (unless it is known to be lost). The run asks before it
        blames the driver for what a scenario read.
        """
        if self.lost is None:
            try:
                if self._root_dev is not None:
                    self._check_same_tree("stat", "/")
                else:
                    self.stat("/")
            except TargetHung as exc:
                return self.lost or str(exc)
            except TargetFault:
                pass  # self.lost says why
            except OSError:
                pass  # the tree answered
        return self.lost

    def close(self) -> None:
        """Stop the idle I/O helpers (they also stop by themselves when the suite exits)."""
        with self._lock:
            helpers, self._helpers = self._helpers, []
        for helper in helpers:
            helper.close()

    def __getattr__(self, name: str) -> Any:
        """Anything else (``host_path``, ``kernel``) comes from the wrapped target."""
        if name == "inner":
            raise AttributeError(name)
        return getattr(self.inner, name)

    # -- the guard ------------------------------------------------------------------
    def _worker(self) -> _Worker | _ProcessWorker:
        worker = getattr(self._local, "worker", None)
        if worker is None:
            if self.isolated:
                inner: Any = self.inner
                worker = _ProcessWorker(inner.root, inner.writable)
                with self._lock:
                    self._helpers.append(worker)
            else:
                worker = _Worker()
            self._local.worker = worker
        return worker

    def _drop_worker(self, worker: _Worker | _ProcessWorker) -> None:
        self._local.worker = None
        if isinstance(worker, _ProcessWorker):
            worker.abandon()
            with self._lock:
                if worker in self._helpers:
                    self._helpers.remove(worker)

    def _guard(
        self, op: str, path: str, args: tuple[Any, ...], kwargs: dict[str, Any] | None = None
    ) -> Any:
        if self.lost is not None:
            raise TargetLost(f"{op} {path}: the target is gone ({self.lost})", attempted=False)
        kwargs = kwargs or {}
        worker = self._worker()
        try:
            if isinstance(worker, _ProcessWorker):
                ok, value = worker.run(op, args, kwargs, self.deadline_s)
            else:
                method = getattr(self.inner, op)
                ok, value = worker.run(lambda: method(*args, **kwargs), self.deadline_s)
        except EOFError as exc:
            self._drop_worker(worker)
            raise TargetFault(f"{op} {path}: the suite's I/O helper process died ({exc})") from exc
        except queue.Empty:
            self._drop_worker(worker)  # abandoned: it is stuck in the kernel
            self.hangs += 1
            message = (
                f"{op} {path} did not return within {self.deadline_s:g} s "
                f"(the target hangs; {self.hangs} operation(s) hung so far)"
            )
            if self.hangs >= self.max_hangs:
                self.lost = f"{self.hangs} operations hung"
            raise TargetHung(message) from None
        except BaseException:
            # interrupted (^C, SIGTERM) between request and answer: the helper's late
            # answer would be taken for the next request's, so it goes
            if isinstance(worker, _ProcessWorker):
                self._drop_worker(worker)
            raise
        if ok:
            return value
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
        if exc.errno == errno.ENOENT:
            try:
                self._check_same_tree(op, path)
            except TargetLost as lost:
                raise lost from exc

    def _check_same_tree(self, op: str, path: str) -> None:
        """After an answer that says "nothing there": TargetLost if the tree itself went.

        A FUSE mount whose daemon stopped and unmounted leaves its empty mount point,
        where every path is absent and every directory empty; a dead one cannot even
        be stat'ed. Either way the root is no longer the device the run started on.
        """
        if self._root_dev is None or self._device_of_root() == self._root_dev:
            return
        self.lost = f"the mount at {self.root} went away"
        raise TargetLost(
            f"{op} {path}: nothing there, and the target is gone: the tree at {self.root} "
            "is no longer the one the run started on (was it unmounted, or did its daemon die?)"
        )

    def _device_of_root(self) -> int | None:
        """The device of the tree's root (None: unknown, gone or hung)."""
        if not self.root:
            return None
        if not self.isolated:
            try:
                return os.stat(self.root).st_dev
            except OSError:
                return None
        worker = self._worker()
        try:
            assert isinstance(worker, _ProcessWorker)
            ok, value = worker.run("root_device", (), {}, self.deadline_s)
        except (queue.Empty, EOFError):
            self._drop_worker(worker)
            return None
        except BaseException:
            self._drop_worker(worker)
            raise
        return value if ok else None


def target_gone(target: object) -> str | None:
    """Why ``target`` is gone (it asks a guarded tree once), or None: it still answers.

    Ask before blaming the driver for what was read: a tree that went away
    (a FUSE daemon killed, a mount gone) explains any odd answer before it.
    Targets that cannot go away (the in-process mock) are never gone.
    """
    check = getattr(target, "check_alive", None)
    return check() if callable(check) else None


def main(argv: list[str] | None = None) -> int:
    """``python -m conformance.sysfs.guarded --serve ROOT``: the I/O helper process."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--serve", metavar="ROOT", required=True)
    parser.add_argument("--read-only", action="store_true")
    args = parser.parse_args(argv)
    serve(args.serve, writable=not args.read_only)
    return 0


if __name__ == "__main__":
    sys.exit(main())
