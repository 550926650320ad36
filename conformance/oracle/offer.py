"""What the spec requires of the offer of a type (the ``qos/`` of a type directory).

Pure functions over what was read: the steps read the type's files and one of its
mdevs, these say what is wrong (an empty list: nothing).
"""

from __future__ import annotations

from dataclasses import dataclass

from conformance.oracle.formats import (
    KNOBS,
    QOS_FILES,
    FormatError,
    domain,
    sharing,
    single_value,
    unsigned,
)
from conformance.oracle.shares import LEVELS

REQUIRED = ("files", "domain", "timeslice_us")
STATED = ("sharing", "cap_period_us")
"""Files of an mdev's ``qos/`` the offer repeats exactly when ``files`` names them."""
OFFER_FILES = ("files", "levels", "domain", "timeslice_us", *STATED, *KNOBS)
READ_ONLY = 0o444


@dataclass(frozen=True)
class MdevView:
    """One mdev of the type as the offer must describe it."""

    files: tuple[str, ...]  # its qos/ entries
    fixed: dict[str, str]  # knob -> value (active level for priority) of its 0444 knobs
    levels: tuple[str, ...] | None  # its priority levels, None without priority
    domain: str  # its qos/domain, else its parent's name
    timeslice_us: str | None
    sharing: str | None = None  # its qos/sharing, None without the file
    cap_period_us: str | None = None  # its qos/cap_period_us, None without the file


def word_list(raw: bytes, vocabulary: tuple[str, ...]) -> tuple[str, ...]:
    """Names from ``vocabulary``, single spaces, in the vocabulary's order, a newline."""
    words = tuple(single_value(raw).split(" "))
    if "" in words:
        raise FormatError(f"{raw!r}: names are separated by single spaces")
    unknown = [w for w in words if w not in vocabulary]
    if unknown:
        raise FormatError(f"{raw!r}: {', '.join(unknown)} not among {' '.join(vocabulary)}")
    if list(words) != sorted(words, key=vocabulary.index) or len(set(words)) != len(words):
        raise FormatError(f"{raw!r}: not in the order {' '.join(vocabulary)}, each once")
    return words


def layout_problems(entries: dict[str, tuple[str, int]], files: tuple[str, ...]) -> list[str]:
    """QOS-DISC-002: which files the type's ``qos/`` holds, given what ``files`` names.

    ``entries``: name -> (kind, mode) of each entry of the type's ``qos/``;
    ``files``: the names ``files`` lists. Which knobs are fixed is not known here:
    any of ``cap``, ``weight``, ``priority`` may be present.
    """
    problems = [f"no {name}" for name in REQUIRED if name not in entries]
    if "priority" in files and "levels" not in entries:
        problems.append("files names priority but there is no levels")
    if "priority" not in files and "levels" in entries:
        problems.append("levels without priority in files")
    for name in STATED:
        if name in files and name not in entries:
            problems.append(f"files names {name} but there is no {name}")
        if name not in files and name in entries:
            problems.append(f"{name} without {name} in files")
    for knob in KNOBS:
        if knob in entries and knob not in files:
            problems.append(f"{knob} is fixed but files does not name it")
    problems += [f"{name} is not a file of a type's offer" for name in entries
                 if name not in OFFER_FILES]
    for name, (kind, mode) in entries.items():
        if kind != "file":
            problems.append(f"{name} is a {kind}, not a regular file")
        elif mode & 0o7777 != READ_ONLY:
            problems.append(f"{name} has mode {mode & 0o7777:04o}, not 0444")
    return problems


def fixed_value(knob: str, raw: bytes) -> str:
    """A fixed knob of the offer: one value of the knob's range or vocabulary."""
    text = single_value(raw)
    if knob == "priority":
        if text not in LEVELS:
            raise FormatError(f"{raw!r} is not a level of {' '.join(LEVELS)}")
        return text
    return str(unsigned(raw))


def agreement_problems(offer: dict[str, bytes], mdev: MdevView) -> list[str]:
    """QOS-DISC-003: where the offer (name -> raw read) and one mdev disagree."""
    problems = []
    try:
        files = word_list(offer["files"], QOS_FILES)
        if set(files) != set(mdev.files):
            problems.append(f"files names {' '.join(files)}; the mdev has "
                            f"{' '.join(sorted(mdev.files, key=QOS_FILES.index))}")
    except (FormatError, KeyError, ValueError) as exc:
        problems.append(f"files: {exc}")
    offered = {}
    for knob in KNOBS:
        if knob in offer:
            try:
                offered[knob] = fixed_value(knob, offer[knob])
            except FormatError as exc:
                problems.append(f"{knob}: {exc}")
    if set(offered) != set(mdev.fixed):
        problems.append(f"the offer fixes {sorted(offered) or 'nothing'}; the mdev's "
                        f"read-only knobs are {sorted(mdev.fixed) or 'none'}")
    for knob, value in offered.items():
        if knob in mdev.fixed and mdev.fixed[knob] != value:
            problems.append(f"the offer fixes {knob} at {value}; the mdev's reads "
                            f"{mdev.fixed[knob]}")
    if mdev.levels is not None and "levels" in offer:
        try:
            levels = word_list(offer["levels"], LEVELS)
            if levels != mdev.levels:
                problems.append(f"levels lists {' '.join(levels)}; the mdev's priority "
                                f"{' '.join(mdev.levels)}")
        except FormatError as exc:
            problems.append(f"levels: {exc}")
    stated = (("domain", mdev.domain), ("timeslice_us", mdev.timeslice_us),
              ("sharing", mdev.sharing), ("cap_period_us", mdev.cap_period_us))
    for name, theirs in stated:
        if name not in offer or theirs is None:
            continue
        try:
            ours = (domain(offer[name]) if name == "domain" else
                    sharing(offer[name]) if name == "sharing" else str(unsigned(offer[name])))
        except FormatError as exc:
            problems.append(f"{name}: {exc}")
            continue
        if ours != theirs:
            problems.append(f"{name} reads {ours}; the mdev's reads {theirs}")
    return problems
