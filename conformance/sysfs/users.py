"""Acting as another user: one operation in a child process that dropped to a uid.

Used by :class:`~conformance.sysfs.target.FsTarget` (the suite's unprivileged
writes, through the resource registry) and by the guest checks of ``kmod/``;
the errno comes back intact.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable

NOBODY = 65534  # the unprivileged user the suite acts as


def write_once(host: str, data: bytes) -> int:
    """open/write/close of a host file with one write() of ``data``; write()'s count."""
    fd = os.open(host, os.O_WRONLY)
    try:
        return os.write(fd, data)
    finally:
        os.close(fd)


def act_as(uid: int, operation: Callable[[], int], name: str) -> int:
    """Run ``operation`` as ``uid`` in a forked child; its result, or its OSError.

    ``name`` is the file the error names.
    """
    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(rfd)
        try:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            result = b"ok %d" % operation()
        except OSError as exc:
            result = b"err %d" % (exc.errno or errno.EIO)
        except BaseException:  # noqa: BLE001 - the child must always exit
            result = b"err %d" % errno.EIO
        os.write(wfd, result)
        os._exit(0)
    os.close(wfd)
    with os.fdopen(rfd, "rb") as pipe:
        answer = pipe.read().decode()
    os.waitpid(pid, 0)
    kind, value = answer.split()
    if kind == "ok":
        return int(value)
    code = int(value)
    raise OSError(code, os.strerror(code), name)


def write_as(uid: int, host: str, data: bytes) -> int:
    """Write ``data`` to the host file ``host`` as ``uid``; the count, or the OSError."""
    return act_as(uid, lambda: write_once(host, data), host)
