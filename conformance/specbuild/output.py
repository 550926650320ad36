"""Where ``spec build`` writes: checked first, each file replaced by a rename.

A build writes :data:`FILES` and a :data:`MARKER` into its output directory. It
replaces a file only in a directory that a build wrote before (it holds the
marker) or an empty one; it never writes through a link, and a half-written file
is never left under a final name.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

FILES = ("index.html", "requirements.json")
MARKER = ".mdev-qos-spec"
_MARKER_TEXT = (
    "This directory holds an mdev-qos spec build. A later build replaces only "
    + ", ".join(FILES)
    + " and this file.\n"
)


class OutputDirError(ValueError):
    """The output directory cannot be used; the message is one line."""


def check_output(out: Path) -> None:
    """Refuse ``out`` unless a build may write there without losing anything."""
    if out.is_symlink() and not out.is_dir():
        raise OutputDirError(f"{out}: a link to something that is not a directory")
    if not out.exists():
        return
    if not out.is_dir():
        raise OutputDirError(f"{out}: not a directory")
    ours = (out / MARKER).is_file() and not (out / MARKER).is_symlink()
    for name in FILES:
        path = out / name
        if not os.path.lexists(path):
            continue
        if path.is_symlink() or not path.is_file():
            raise OutputDirError(f"{path}: exists and is not a regular file; not replaced")
        if not ours:
            raise OutputDirError(
                f"{path}: exists and was not written by 'mdev-qos spec build' "
                f"(no {MARKER} beside it); choose another directory or remove it"
            )
    if not os.access(out, os.W_OK | os.X_OK):
        raise OutputDirError(f"{out}: not writable")


def replace_file(path: Path, data: bytes) -> None:
    """Write ``data`` to a new file beside ``path``, then rename it over ``path``.

    The rename replaces a link at ``path`` rather than writing where it points.
    """
    fd, scratch = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(scratch, 0o644)
        os.replace(scratch, path)
    except BaseException:
        os.unlink(scratch)
        raise


def write_build(out: Path, files: dict[str, bytes]) -> None:
    """Create ``out`` if needed and write the build's files and its marker."""
    out.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        replace_file(out / name, data)
    replace_file(out / MARKER, _MARKER_TEXT.encode())
