"""The state directory: private to the user who runs the suite, never reached through a link.

Handled the way systemd handles a unit's ``StateDirectory=``: created ``0700``
whatever the umask, and trusted only when it is a real directory (not a symbolic
link), owned by the running user and closed to group and others. Anything else is
refused with one line that names the path and says how to recover; nothing is
changed. Files inside are opened relative to the checked directory's descriptor
with ``O_NOFOLLOW``, so nothing planted in a path is ever followed.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from conformance.suite.journal_check import JournalError

DEFAULT_STATE_DIR = "/var/tmp/mdev-qos"
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


class StateDirError(JournalError):
    """The state directory or a file in it cannot be trusted or used (exit 2)."""


def default_state_dir() -> Path:
    """``$XDG_STATE_HOME/mdev-qos``; else ``/var/tmp/mdev-qos`` for root, ``…-UID`` for others.

    Each user gets a directory of their own, so an unprivileged run never trips
    over root's (and cannot plant anything in it).
    """
    xdg = os.environ.get("XDG_STATE_HOME", "")
    if os.path.isabs(xdg):
        return Path(xdg) / "mdev-qos"
    uid = os.geteuid()
    return Path(DEFAULT_STATE_DIR if uid == 0 else f"{DEFAULT_STATE_DIR}-{uid}")


_PASS = "pass --state-dir DIR (a directory of your own)"
_ADVICE = f"or {_PASS}"


def open_state_dir(path: Path, *, create: bool) -> int | None:
    """A checked descriptor of the state directory; None if absent and not ``create``.

    With ``create`` the missing directory (and its missing parents) is made ``0700``.
    Raises :class:`StateDirError` when it is a link, not a directory, not the
    running user's, or open to group or others.
    """
    path = Path(os.path.abspath(path))
    if create:
        try:
            os.makedirs(path.parent, mode=0o700, exist_ok=True)
        except OSError as exc:
            raise _cannot("create", path, exc) from exc
    try:
        parent = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _cannot("open", path, exc) from exc
    made = False
    try:
        if create:
            try:
                os.mkdir(path.name, 0o700, dir_fd=parent)
                made = True
            except FileExistsError:
                pass
            except OSError as exc:
                raise _cannot("create", path, exc) from exc
        try:
            fd = os.open(path.name, _DIR_FLAGS, dir_fd=parent)
        except FileNotFoundError:
            return None
        except OSError as exc:
            link, owner = _is_link(path.name, parent), _owner(path.name, parent)
            raise _refusal(path, exc, link, owner) from exc
    finally:
        os.close(parent)
    try:
        info = os.fstat(fd)
        if made and info.st_uid == os.geteuid():
            os.fchmod(fd, 0o700)  # exactly 0700, whatever the umask was
            info = os.fstat(fd)
        check_private(info, path, "state directory", _dir_advice(path))
    except BaseException:
        os.close(fd)
        raise
    return fd


def check_private(info: os.stat_result, path: Path, what: str, advice: str) -> None:
    """Refuse a node not owned by the running user or open to group/others."""
    uid = os.geteuid()
    if info.st_uid != uid:
        raise StateDirError(
            f"{what} {path} belongs to uid {info.st_uid}, not to you (uid {uid}): "
            f"someone else made it; {advice}"
        )
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o077:
        raise StateDirError(
            f"{what} {path} is open to group or others (mode {mode:04o}): "
            f"run `chmod go= {path}` if you trust what is in it, {advice}"
        )


def _dir_advice(path: Path) -> str:
    return f"remove {path} (after checking its content) {_ADVICE}"


def _is_link(name: str, parent: int) -> bool:
    try:
        return stat.S_ISLNK(os.stat(name, dir_fd=parent, follow_symlinks=False).st_mode)
    except OSError:
        return False


def _owner(name: str, parent: int) -> int | None:
    try:
        return os.stat(name, dir_fd=parent, follow_symlinks=False).st_uid
    except OSError:
        return None


def _refusal(path: Path, exc: OSError, link: bool, owner: int | None) -> StateDirError:
    if exc.errno == errno.EACCES and owner is not None and owner != os.geteuid():
        return StateDirError(
            f"state directory {path} belongs to uid {owner}, not to you (uid {os.geteuid()}): "
            f"{_ADVICE.removeprefix('or ')}"
        )
    if link or exc.errno == errno.ELOOP:
        return StateDirError(
            f"state directory {path} is a symbolic link, which the suite never follows: "
            f"remove the link {_ADVICE}"
        )
    if exc.errno == errno.ENOTDIR:
        return StateDirError(
            f"state directory {path} is not a directory: move it away {_ADVICE}"
        )
    return _cannot("open", path, exc)


def _cannot(verb: str, path: Path, exc: OSError) -> StateDirError:
    reason = exc.strerror or str(exc)
    if exc.errno == errno.ENOTDIR:
        reason = "a component of the path is not a directory"
    return StateDirError(f"cannot {verb} state directory {path}: {reason}; {_PASS}")
