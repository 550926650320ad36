"""The report directory: checked before the run, written aside, moved into place.

The reports (and the HTML spec they link to) are written into a fresh private
directory created next to the destination, then moved into place with
``rename``. Nothing the suite did not create is ever deleted or overwritten:

- a destination that does not exist is created by renaming the staging
  directory onto it;
- an existing empty directory, or one holding a previous run's reports
  (recognised by the :data:`MARKER` file the suite writes), gets the suite's
  own entries (:data:`OWN`) replaced one by one; anything else in it is kept;
- any other destination (a file, a non-empty directory of someone else's,
  a place the user cannot write) is refused before the run starts.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

REPORT_FILES = ("report.json", "junit.xml", "results.ktap", "report.html")
MARKER = ".mdev-qos-report"
OWN = frozenset((*REPORT_FILES, "spec", MARKER))
STAGING_PREFIX = ".mdev-qos-staging-"
_MARKER_TEXT = (
    "This directory holds mdev-qos reports. A later run replaces only "
    + ", ".join(sorted(OWN - {MARKER}))
    + " and this file; anything else here is left alone.\n"
)
# report.json written by a version without the marker starts with its format
_LEGACY_HEAD = re.compile(rb'\A\{\s*"format":\s*"mdev-qos-report/')


class ReportDirError(ValueError):
    """The report directory cannot be used; the message is one line."""


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def is_report_directory(directory: Path) -> bool:
    """True when ``directory`` was written by mdev-qos (marker, or an older run's reports)."""
    try:
        entries = set(os.listdir(directory))
    except OSError:
        return False
    if MARKER in entries:
        return os.path.isfile(directory / MARKER) and not os.path.islink(directory / MARKER)
    if not entries <= OWN or "report.json" not in entries:
        return False
    try:
        fd = os.open(directory / "report.json", os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return False
    try:
        return bool(_LEGACY_HEAD.match(os.read(fd, 256)))
    except OSError:
        return False
    finally:
        os.close(fd)


class ReportDirectory:
    """A checked destination and the staging directory the reports are written into."""

    def __init__(self, destination: Path | str) -> None:
        """Check ``destination`` and create the staging directory; ReportDirError if unusable."""
        self.destination = Path(destination)
        self._created: list[Path] = []  # missing parents made for the staging directory
        self.committed = False
        where = f"--report-dir {self.destination}"
        dest = self.destination
        if os.path.lexists(dest) and not os.path.isdir(dest):
            kind = "a dangling symbolic link" if os.path.islink(dest) else "not a directory"
            raise ReportDirError(f"{where}: {kind}; name a new or empty directory")
        if os.path.isdir(dest):
            try:
                entries = os.listdir(dest)
            except OSError as exc:
                raise ReportDirError(f"{where}: cannot list it: {_reason(exc)}") from exc
            if entries and not is_report_directory(dest):
                raise ReportDirError(
                    f"{where}: not empty and not an mdev-qos report directory (no {MARKER}); "
                    "name a new or empty directory"
                )
            self.update = True
            home = dest
        else:
            self.update = False
            home = dest.absolute().parent
            self._make_parents(home, where)
        try:
            self.staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=home))
        except OSError as exc:
            self._remove_parents()
            raise ReportDirError(f"{where}: cannot write there: {_reason(exc)}") from exc
        try:
            (self.staging / MARKER).write_text(_MARKER_TEXT, encoding="utf-8")
        except OSError as exc:
            self.discard()
            raise ReportDirError(f"{where}: cannot write there: {_reason(exc)}") from exc
        except BaseException:  # interrupted: the caller never gets the object to discard
            self.discard()
            raise

    def _make_parents(self, home: Path, where: str) -> None:
        missing = []
        probe = home
        while not os.path.lexists(probe) and probe != probe.parent:
            missing.append(probe)
            probe = probe.parent
        if not os.path.isdir(probe):
            raise ReportDirError(f"{where}: {probe} is not a directory")
        for path in reversed(missing):
            try:
                os.mkdir(path)
            except OSError as exc:
                self._remove_parents()
                raise ReportDirError(f"{where}: cannot create {path}: {_reason(exc)}") from exc
            self._created.append(path)

    def _remove_parents(self) -> None:
        for path in reversed(self._created):
            try:
                os.rmdir(path)
            except OSError:
                break
        self._created = []

    def commit(self) -> Path:
        """Move the staged entries into the destination; OSError when that fails.

        On failure the staged reports stay in :attr:`staging`.
        """
        umask = os.umask(0)
        os.umask(umask)
        if not self.update:
            os.chmod(self.staging, 0o777 & ~umask)
            os.rename(self.staging, self.destination)
            self.committed = True
            return self.destination
        old = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=self.destination))
        try:
            names = sorted(os.listdir(self.staging), key=lambda n: n == MARKER)
            for name in names:  # the marker last: it vouches for a complete directory
                target = self.destination / name
                if os.path.lexists(target):
                    os.rename(target, old / name)
                os.rename(self.staging / name, target)
            os.rmdir(self.staging)
        finally:
            shutil.rmtree(old, ignore_errors=True)
        self.committed = True
        return self.destination

    def keep(self) -> Path:
        """Leave the staging directory (and the reports in it) where it is; return it."""
        self.committed = True
        return self.staging

    def discard(self) -> None:
        """Remove the staging directory (and any parents made for it); keep a committed run."""
        if not self.committed:
            shutil.rmtree(self.staging, ignore_errors=True)
        self._remove_parents()
