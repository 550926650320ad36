"""Whether the suite killed a mutant, and the mutation score per feature and area."""

from __future__ import annotations

from collections import defaultdict

from mqos_mutants import MutantInfo
from mutant_runs import Outcome, run_key

REFERENCE = "conformance.mock:QosDriver"
SCORE_FILE = "mutation-score.txt"


class NoMutantRun(ValueError):
    """A score was asked of a session that ran no mutant (``-k`` selected none)."""


def outcome_of(entry: MutantInfo, outcomes: dict[str, Outcome]) -> Outcome:
    """The run of this catalogue entry."""
    return outcomes[run_key(entry.spec, entry.run_options)]


def killed(entry: MutantInfo, outcome: Outcome) -> bool:
    """The suite caught the mutant: its named requirement failed as the level demands
    (for a mutant just inside a bound: the suite called it conformant)."""
    if entry.expect == "conform":
        return outcome.verdict == "conformant" and not outcome.failed
    if entry.expect == "warning":
        return outcome.verdict == "conformant" and entry.breaks in outcome.warnings
    return outcome.verdict == "non-conformant" and entry.breaks in outcome.failed


def score_table(entries: list[MutantInfo], outcomes: dict[str, Outcome],
                features: dict[str, str]) -> list[str]:
    """Killed/total per feature of the broken requirement and per area.

    Raises :class:`NoMutantRun` when ``entries`` is empty: no mutant, no score.
    """
    if not entries:
        raise NoMutantRun("no mutant of the catalogue was run (the -k selection names "
                          "none), so there is no mutation score")
    by_feature: dict[str, list[bool]] = defaultdict(list)
    by_area: dict[str, list[bool]] = defaultdict(list)
    for entry in entries:
        hit = killed(entry, outcome_of(entry, outcomes))
        by_feature[features.get(entry.breaks, "?")].append(hit)
        by_area[entry.area].append(hit)
    lines = ["mutation score (killed/total)"]
    for title, table in (("feature", by_feature), ("area", by_area)):
        for key in sorted(table):
            hits = table[key]
            lines.append(f"  {title:<8}{key:<14}{sum(hits):>3}/{len(hits):<3}"
                         f" {100 * sum(hits) / len(hits):5.1f}%")
    everything = [killed(e, outcome_of(e, outcomes)) for e in entries]
    lines.append(f"  total{'':<17}{sum(everything):>3}/{len(everything):<3}"
                 f" {100 * sum(everything) / len(everything):5.1f}%")
    survivors = [e for e in entries if not killed(e, outcome_of(e, outcomes))]
    for entry in survivors:
        gap = f" [known gap: {entry.known_gap}]" if entry.known_gap else ""
        lines.append(f"  SURVIVED {entry.spec} ({entry.breaks}){gap}: "
                     f"{outcome_of(entry, outcomes).describe()}")
    return lines
