"""Output streams whose reader went away (``mdev-qos run | head -1``, ``2>&1 | head``).

Nothing more can be said on a closed pipe, and the interpreter's final flush of
what is still buffered must not fail (which would exit 120, read as anything
but a verdict): :func:`gone` points the stream at ``/dev/null``.
"""

from __future__ import annotations

import os
import sys
from typing import TextIO


def gone(stream: TextIO, *, unless_flushed: bool = False) -> None:
    """Flush ``stream``, then point its file descriptor at ``/dev/null``.

    ``unless_flushed``: leave a stream whose flush worked (its reader is still there).
    """
    try:
        stream.flush()
        if unless_flushed:
            return
    except (BrokenPipeError, ValueError):
        pass
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, stream.fileno())
    finally:
        os.close(devnull)


def stdout_gone() -> None:
    """The reader of stdout went away: silence stdout, and stderr if its reader went too."""
    gone(sys.stdout)
    gone(sys.stderr, unless_flushed=True)
