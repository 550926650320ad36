"""A random sequence as Gherkin: the step lines it is made of, and the scenario printed.

Each operation of :mod:`conformance.stateful.machine` is one ``When`` line that
:mod:`conformance.steps.stateful` replays; the printed scenario is tagged with the
requirement that failed and ``@scheduling``, so a vendor saves it in a directory
and runs ``mdev-qos run --features DIR`` to see the same failure.
"""

from __future__ import annotations

from collections.abc import Sequence

from conformance.stateful.explorer import OTHER_TYPE, Slot

FEATURE = "Random sequences"


def created(name: str, slot: Slot) -> str:
    """``mdev A is created on the parent under test`` (``of the other type``...)."""
    kind = " of the other type" if slot.kind == OTHER_TYPE else ""
    return f"mdev {name}{kind} is created on {slot.where}"


def removed(name: str) -> str:
    """``mdev A is removed``."""
    return f"mdev {name} is removed"


def knob_set(name: str, knob: str, value: str) -> str:
    """``the cap of A is set to "30"``."""
    return f'the {knob} of {name} is set to "{value}"'


def load_set(name: str, load: str) -> str:
    """``the load of A becomes "backlog"``."""
    return f'the load of {name} becomes "{load}"'


def window_passes(permille: int) -> str:
    """``a window of 1.370 W passes`` (W: the run's measurement window)."""
    return f"a window of {permille // 1000}.{permille % 1000:03d} W passes"


GIVEN = "a random sequence found with seed {seed}"
THEN = "every window and dispatch of the sequence met the oracle's checks"


def scenario(lines: Sequence[str], *, requirement: str, seed: int, message: str,
             feature: bool = True) -> str:
    """The shrunk sequence as a scenario (with its ``Feature:`` header by default)."""
    head = [f"Feature: {FEATURE}", "",
            "  A sequence the random tester found and shrank; replay it with",
            "  mdev-qos run --features DIR (DIR holding this file).", ""] if feature else []
    body = [f"  @scheduling @{requirement}",
            f"  Scenario: Shrunk random sequence (seed {seed}) breaks {requirement}",
            f"    # {_comment(message)}",
            f"    Given {GIVEN.format(seed=seed)}"]
    body += [f"    {'When' if i == 0 else 'And'} {line}" for i, line in enumerate(lines)]
    body.append(f"    Then {THEN}")
    return "\n".join(head + body) + "\n"


def _comment(message: str) -> str:
    """One printable line for a ``#`` comment."""
    text = " ".join(message.split())
    return "".join(c if c.isprintable() else "?" for c in text)[:300]
