"""What a run is about, as a scenario's steps see it: parent, type, named devices."""

from __future__ import annotations

from dataclasses import dataclass

from conformance.oracle.tolerance import PRECISIONS, Precision
from conformance.suite.claim import Observed
from conformance.suite.mdev import Mdev, MdevType, parent_types, parents
from conformance.suite.session import SuiteSession
from conformance.sysfs import paths


@dataclass(frozen=True)
class UnderTest:
    """The parent and type under test, the other parent and type, the named mdevs."""

    session: SuiteSession

    @property
    def parent(self) -> str:
        """The parent under test."""
        return self.session.parent

    @property
    def type_id(self) -> str:
        """The type under test."""
        return self.session.type_id

    @property
    def other_parent(self) -> str | None:
        """A second parent offering the same type (isolation scenarios), if any."""
        return self.session.other_parent

    def other_parents(self) -> list[str]:
        """Every other parent offering the type under test, ``other_parent`` first."""
        target, found = self.session.target, []
        if self.other_parent is not None:
            found.append(self.other_parent)
        for parent in parents(target):
            if parent not in (self.parent, *found) and target.exists(
                paths.type_dir(parent, self.type_id)
            ):
                found.append(parent)
        return found

    @property
    def other_type(self) -> str | None:
        """Another type on the parent, if any."""
        return self.session.other_type

    @property
    def precision(self) -> Precision:
        """The run's precision: how long windows are (quick or certify)."""
        return PRECISIONS[self.session.precision]

    @property
    def observed(self) -> Observed:
        """What the run saw of the device (timeslices read, windows measured) for its claim."""
        return self.session.observed

    @property
    def mdevs(self) -> tuple[str, ...]:
        """Existing devices named with ``--mdev`` (the suite restores what it writes)."""
        return self.session.mdevs

    @property
    def writable(self) -> bool:
        """Whether the suite may change the target."""
        return self.session.writable

    def int_option(self, name: str) -> int | None:
        """A whole-number run option (``max_examples``, ``fuzz_seed``), or None."""
        value = self.session.options.get(name)
        return None if value is None else int(str(value))

    def types(self) -> list[str]:
        """The types of the parent under test, the type under test first."""
        names = parent_types(self.session.target, self.parent)
        if names is None:
            return [self.type_id]
        return [self.type_id, *[t for t in names if t != self.type_id]]

    def existing(self, type_id: str | None = None) -> list[Mdev]:
        """The mdevs named with --mdev, then those listed under the parent's types."""
        found = list(self.mdevs)
        for name in [type_id] if type_id else self.types():
            found += MdevType(self.session.target, self.parent, name).devices()
        return [Mdev(self.session.target, uuid, self.parent) for uuid in dict.fromkeys(found)]

    def named_mdevs(self) -> list[Mdev]:
        """The devices named with --mdev."""
        return [Mdev(self.session.target, uuid, self.parent) for uuid in self.mdevs]

