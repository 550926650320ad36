"""Hypothesis draws that depend on the run's seed alone and leave nothing behind.

The random sequences and the fuzz profile draw their inputs with hypothesis under
a seed, so that ``--seed N`` replays what a report recorded. Two habits of
hypothesis get in the way:

- it caches what it learns in ``./.hypothesis``: a run must leave nothing in the
  working directory, so the cache goes to a scratch directory;
- it mixes into its draws the literals of every loaded module installed outside
  ``site-packages`` ("local constants", hypothesis 6.13x and later), read from
  their source. The same seed then drew other sequences from a checkout
  (``pip install -e``) than from a wheel, depended on the ``--mock-driver``
  module's source, and changed after any edit that added a number anywhere in
  the suite; the scan also re-read every local module's source in each run. Here
  no module counts as local, as in a wheel install.

If hypothesis no longer has the names the second relies on, nothing is patched
(:func:`seed_only` yields False) and the draws are what hypothesis makes them.
"""

from __future__ import annotations

import importlib
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def private_home() -> Iterator[None]:
    """Point hypothesis' cache (``./.hypothesis`` by default) at a scratch directory."""
    from hypothesis import configuration

    previous = getattr(configuration, "__hypothesis_home_directory", None)
    scratch = tempfile.mkdtemp(prefix="mdev-qos-hypothesis-")
    configuration.set_hypothesis_home_dir(scratch)
    try:
        yield
    finally:
        configuration.set_hypothesis_home_dir(previous)
        shutil.rmtree(scratch, ignore_errors=True)


def _constants_hooks() -> tuple[Any, Any] | None:
    """The provider module of hypothesis and its empty-constants factory, or None."""
    try:
        providers = importlib.import_module("hypothesis.internal.conjecture.providers")
        constants = importlib.import_module("hypothesis.internal.constants_ast")
    except ImportError:
        return None
    cache = getattr(getattr(providers, "CONSTANTS_CACHE", None), "cache", None)
    if not (hasattr(providers, "_get_local_constants") and hasattr(constants, "Constants")
            and hasattr(cache, "clear")):
        return None
    return providers, constants.Constants


@contextmanager
def no_local_constants() -> Iterator[bool]:
    """No module's literals in hypothesis' draws for the ``with`` block; yields whether set."""
    hooks = _constants_hooks()
    if hooks is None:
        yield False
        return
    providers, empty = hooks
    original = providers._get_local_constants
    providers.CONSTANTS_CACHE.cache.clear()  # pools drawn from local modules before
    providers._get_local_constants = empty
    try:
        yield True
    finally:
        providers._get_local_constants = original
        providers.CONSTANTS_CACHE.cache.clear()


@contextmanager
def seed_only() -> Iterator[bool]:
    """Both: a scratch cache and no local constants; yields whether the second holds."""
    with private_home(), no_local_constants() as patched:
        yield patched
