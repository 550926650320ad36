"""A built spec reused across runs while its sources stay the same.

Building the HTML spec (parse, link scenarios, write) is most of a short run's
fixed cost, and its output depends only on the spec, the feature files, the build
code and docutils. The build is kept under ``$XDG_CACHE_HOME/mdev-qos/spec/KEY``
(default ``~/.cache``), where KEY is a digest of all of those; a run with the same
sources copies it instead of building. Any problem with the cache (unwritable home,
a damaged entry) falls back to a fresh build: the cache only ever saves time.
``MDEV_QOS_NO_CACHE=1`` turns it off.

An entry decides which requirements a report lists, so it is trusted only as the
state directory is: every directory from ``mdev-qos/`` down and every file in the
entry must be the running user's own, not a link, and writable by nobody else.
Anything another user could have planted is ignored (and never written into).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import stat
import tempfile
from pathlib import Path

from conformance.resources import features_dir, spec_dir
from conformance.specbuild.output import FILES, write_build
from conformance.specbuild.requirements import Requirement

_BUILD_CODE = Path(__file__).resolve().parent
_MODELS_CODE = _BUILD_CODE.parent / "models"  # the models annex prints their findings
_REQUIREMENTS = "requirements.cache.json"
_FILES = FILES


def cache_root() -> Path | None:
    """Where built specs are kept; None when caching is off."""
    if os.environ.get("MDEV_QOS_NO_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mdev-qos" / "spec"


def source_key(spec: Path | None = None, features: Path | None = None) -> str:
    """Digest of everything a build reads: spec, features, build code, models, docutils."""
    import docutils

    digest = hashlib.sha256(f"docutils {docutils.__version__}\n".encode())
    roots = (("spec", spec or spec_dir()), ("features", features or features_dir()),
             ("build", _BUILD_CODE), ("models", _MODELS_CODE))
    for label, root in roots:
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            if "__pycache__" in path.parts:
                continue
            digest.update(f"{label}/{path.relative_to(root).as_posix()}\n".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:32]


def _owned(path: Path, kind: int) -> bool:
    """True when ``path`` is, without following a link, the user's own and closed to writers."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    return (
        stat.S_IFMT(info.st_mode) == kind
        and info.st_uid == os.geteuid()
        and not info.st_mode & 0o022
    )


def _trusted(*dirs: Path, files: tuple[Path, ...] = ()) -> bool:
    """Whether every one of ``dirs`` and ``files`` is the user's own and closed to writers."""
    return all(_owned(d, stat.S_IFDIR) for d in dirs) and all(
        _owned(f, stat.S_IFREG) for f in files
    )


def _load(entry: Path, out: Path) -> list[Requirement] | None:
    files = tuple(entry / name for name in (*_FILES, _REQUIREMENTS))
    if not _trusted(entry.parent.parent, entry.parent, entry, files=files):
        return None
    try:
        rows = json.loads((entry / _REQUIREMENTS).read_text(encoding="utf-8"))
        requirements = [Requirement(**row) for row in rows]
        write_build(out, {name: (entry / name).read_bytes() for name in _FILES})
    except (OSError, ValueError, TypeError):
        return None
    return requirements


def _store(entry: Path, out: Path, requirements: list[Requirement]) -> None:
    """Write the entry under a temporary name and rename it: readers never see half."""
    try:
        entry.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _trusted(entry.parent.parent, entry.parent):
            return
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=entry.parent))
        for name in _FILES:
            shutil.copyfile(out / name, staging / name)
        rows = [dataclasses.asdict(r) for r in requirements]
        (staging / _REQUIREMENTS).write_text(json.dumps(rows), encoding="utf-8")
        try:
            staging.rename(entry)
        except OSError:  # another run stored the same entry first
            shutil.rmtree(staging, ignore_errors=True)
    except OSError:
        pass


def load_cached(out: Path) -> list[Requirement] | None:
    """Copy an earlier build of the packaged spec into ``out``; None when there is none."""
    root = cache_root()
    entry = root / source_key() if root is not None else None
    if entry is not None and entry.is_dir():
        return _load(entry, out)
    return None


def build_cached(out: Path) -> list[Requirement]:
    """Build the packaged spec into ``out`` (or copy an identical earlier build)."""
    found = load_cached(out)
    if found is not None:
        return found
    root = cache_root()
    entry = root / source_key() if root is not None else None
    from conformance.specbuild.html import build

    requirements = list(build(out).trace.requirements)
    if entry is not None:
        _store(entry, out, requirements)
    return requirements
