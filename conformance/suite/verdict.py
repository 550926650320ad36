"""From scenario results to requirement results, per-feature claims and the verdict.

Rules (spec, "Conformance"):
- a requirement's status aggregates its scenarios: fail > error > pass > skip;
- a skip for the requirement's stated condition (``outcome.skip``) is sanctioned;
- a scenario outside the profile, a random one that reached nothing
  (``outcome.not_reached``) or one of a run whose random sequences are off
  (``outcome.random_off``) counts only when no other scenario of the requirement ran;
  any other skip (profile, random sequences off, no workload, read-only target)
  leaves claims incomplete;
- a claim for a feature holds when every MUST of ``base`` and of that feature
  passed or was skipped for its condition; a feature whose every MUST was skipped
  for its condition is not offered by the target, and so is one whose knob the
  type under test lacks or fixes: a requirement of it that passed anyway (its
  scenario needed only the knob's default) is a skip for its condition, never a
  claim;
- SHOULD and MAY failures are warnings: reported, never hidden, never fatal;
- verdict: ``non-conformant`` if any MUST failed, else ``not-applicable`` when the
  type has no ``qos/`` (no claim is made), else ``error`` if anything errored or
  the suite could not run, else ``conformant``. Exit 1, 0, 2, 0;
- an unconditional requirement that the run could not exercise (no workload, no
  second parent...) is an ``error``, never a ``skip``;
- a run that could not undo its changes to the target is never ``conformant``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from conformance.results import FEATURES, Claim, RequirementResult, ScenarioResult, Verdict

if TYPE_CHECKING:
    from conformance.specbuild.requirements import Requirement

SEVERITY = ("fail", "error", "pass", "skip")  # first present wins
# skips that leave a requirement to its other scenarios
UNCOUNTED = ("profile", "not-reached", "random-off")


def aggregate(
    requirement: Requirement, scenarios: Sequence[ScenarioResult], *, selected: bool = False
) -> RequirementResult:
    """The status of one requirement from its scenarios."""
    result = RequirementResult(
        id=requirement.id,
        level=requirement.level,
        feature=requirement.feature,
        condition=requirement.condition,
        text=requirement.text,
        section=requirement.section,
        status="error",
        scenarios=list(scenarios),
    )
    if not scenarios:
        if selected:
            result.status, result.skip_kind = "skip", "not-selected"
            result.reason = "no scenario of this requirement was selected (-k)"
        else:
            result.reason = "no scenario checks this requirement (the suite is incomplete)"
        return result
    ran = [s for s in scenarios if s.skip_kind not in UNCOUNTED]
    considered = ran or list(scenarios)  # extra checks that did not run do not count
    statuses = {s.status for s in considered}
    result.status = next(s for s in SEVERITY if s in statuses)
    deciding = [s for s in considered if s.status == result.status]
    reasons = dict.fromkeys(s.reason for s in deciding if s.reason)
    result.reason = "; ".join(reasons)
    if result.status == "skip":
        kinds = {s.skip_kind for s in deciding}
        result.skip_kind = "condition" if kinds == {"condition"} else _worst_skip(kinds)
        if result.skip_kind == "unsupported" and not requirement.condition:
            # silence must not look like conformance (spec, "Result statuses")
            result.status, result.skip_kind = "error", ""
            result.reason = f"this run could not exercise it: {result.reason}"
    return result


def _worst_skip(kinds: Iterable[str]) -> str:
    for kind in ("unsupported", "profile", "random-off", "not-reached", "not-selected"):
        if kind in kinds:
            return kind
    return "unsupported"


def not_offered(
    results: Sequence[RequirementResult], knobs_offered: Mapping[str, bool] | None
) -> None:
    """Turn the passes of a feature whose knob the type lacks or fixes into skips.

    Such a pass only shows that the driver behaves with the knob's default (for
    instance an idle peer dilutes nobody when every weight is 100); it says nothing
    about the feature. Failures stay failures: nothing is hidden.
    """
    for result in results:
        offered = (knobs_offered or {}).get(result.feature)
        if offered is False and result.status == "pass":
            result.status, result.skip_kind = "skip", "condition"
            result.reason = (f"the type under test offers no writable {result.feature} "
                             f"(absent or fixed by the type): the {result.feature} feature "
                             "is not offered")


def claim_for(
    feature: str, results: Sequence[RequirementResult], *, qos_offered: bool | None = None,
    offered: bool | None = None,
) -> Claim:
    """The claim for ``feature``: base MUSTs plus the feature's own MUSTs.

    A type without ``qos/`` (``qos_offered`` False) makes no claim at all, and
    neither does a feature whose knob the type lacks or fixes (``offered`` False)
    unless one of its MUSTs failed.
    """
    own = [r for r in results if r.level == "MUST" and r.feature == feature]
    scope = [r for r in results if r.level == "MUST" and r.feature in ("base", feature)]
    claim = Claim(feature=feature, status="holds", checked=len(scope))
    if qos_offered is False and not any(r.status == "fail" for r in scope):
        claim.status = "not-offered"
        return claim
    if (feature != "base" and offered is False
            and not any(r.status == "fail" for r in scope)):
        claim.status = "not-offered"
        claim.blocking = [r.id for r in own]
        return claim
    if feature != "base" and own and all(r.sanctioned_skip for r in own):
        claim.status = "not-offered"
        claim.blocking = [r.id for r in own]
        return claim
    for status, label in (("fail", "fails"), ("error", "error")):
        hits = [r.id for r in scope if r.status == status]
        if hits:
            claim.status, claim.blocking = label, hits
            return claim
    unchecked = [r.id for r in scope if r.status == "skip" and not r.sanctioned_skip]
    if unchecked:
        claim.status, claim.blocking = "incomplete", unchecked
    return claim


def decide(
    requirements: Sequence[Requirement],
    scenarios: Sequence[ScenarioResult],
    *,
    engine_errors: Sequence[str] = (),
    selected: bool = False,
    qos_offered: bool | None = None,
    left_behind: Sequence[str] = (),
    knobs_offered: Mapping[str, bool] | None = None,
) -> Verdict:
    """Requirement results, claims and the verdict of a run.

    ``qos_offered`` False (the type has no ``qos/``): the verdict is
    ``not-applicable`` unless a MUST failed or the run itself broke.
    ``knobs_offered``: feature → whether the type under test offers its knob
    writable (absent: unknown); a feature not offered makes no claim.
    ``left_behind``: changes to the target the run could not undo; they turn
    ``conformant`` into ``error`` and are counted among the errors.
    """
    by_id: dict[str, list[ScenarioResult]] = {r.id: [] for r in requirements}
    errors = list(engine_errors)
    for scenario in scenarios:
        unknown = [rid for rid in scenario.requirements if rid not in by_id]
        for rid in scenario.requirements:
            by_id.get(rid, []).append(scenario)
        if unknown:
            errors.append(f"{scenario.location}: tagged with unknown requirement(s) {unknown}")
        if not scenario.requirements:
            errors.append(f"{scenario.location}: scenario names no requirement")
    results = [aggregate(r, by_id[r.id], selected=selected) for r in requirements]
    not_offered(results, knobs_offered)
    claims = [claim_for(f, results, qos_offered=qos_offered,
                        offered=(knobs_offered or {}).get(f)) for f in FEATURES]
    warnings = [r for r in results if r.warning]
    failed = [r.id for r in results if r.status == "fail" and r.level == "MUST"]
    errored = [r.id for r in results if r.status == "error"]
    if failed:
        verdict, reason = "non-conformant", f"{len(failed)} MUST requirement(s) failed"
    elif qos_offered is False and not errors:
        verdict = "not-applicable"
        reason = "the mdev type offers no QoS (no qos/ directory): no claim is made"
    elif errored or errors:
        verdict = "error"
        parts = [f"{len(errored)} requirement(s) could not be checked"] if errored else []
        parts += errors[:1]
        reason = "; ".join(parts)
    elif not scenarios:
        verdict, reason = "error", "no scenario ran"
    else:
        verdict, reason = "conformant", "no MUST requirement failed and nothing broke"
    if left_behind:
        errors.append(f"{len(left_behind)} change(s) could not be undone; see cleanup")
        if verdict == "conformant":
            verdict, reason = "error", "changes to the target could not be undone"
    return Verdict(verdict, reason, results, claims, warnings, errors)
