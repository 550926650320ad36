"""Step definitions of ``features/fuzz.feature`` (the ``fuzz`` profile).

A knob's campaign runs once per run, in the first scenario that needs it, on an
mdev named with ``--mdev`` or else one the suite creates; the other scenarios of
that knob judge its results for their own requirement. ``--max-examples``
(``ctx.options["max_examples"]``) bounds the generated inputs per knob;
``ctx.options["fuzz_seed"]`` picks another deterministic sequence.
"""

from __future__ import annotations

from typing import Any

from pytest_bdd import given, parsers, then

from conformance import defaults
from conformance.fuzz.campaign import CampaignResult, FuzzError, fuzz_knob
from conformance.fuzz.expect import REQUIREMENTS

SHOWN_MISMATCHES = 5


def _campaigns(session: Any) -> dict[str, CampaignResult | str]:
    """Per-run cache: knob -> its campaign, or the reason it does not apply."""
    cache = vars(session).get("_fuzz_campaigns")
    if cache is None:
        cache = vars(session)["_fuzz_campaigns"] = {}
    return cache


def _run_campaign(ctx: Any, knob: str) -> CampaignResult | str:
    uuid = ctx.device()
    path = ctx.qos(uuid, knob)
    if not ctx.target.exists(path):
        return f"{knob} is not offered by type {ctx.type_id} (no qos/{knob})"
    mode = ctx.target.stat(path).mode
    if not mode & 0o222:
        return f"{knob} is fixed by type {ctx.type_id} (mode {mode:04o}): nothing to write"
    max_examples = int(ctx.options.get("max_examples", defaults.MAX_EXAMPLES))
    seed = ctx.options.get("fuzz_seed")
    ctx.progress(f"fuzzing {path} with {max_examples} generated inputs")
    try:
        return fuzz_knob(
            ctx.target,
            path,
            knob,
            max_examples=max_examples,
            seed=None if seed is None else int(seed),
            write=lambda p, d: ctx.write(p, d),
            progress=ctx.progress,
        )
    except FuzzError as exc:
        ctx.error(str(exc))
        raise  # unreachable: ctx.error raises


@given(
    parsers.parse("generated writes have been tried on the {knob} of an mdev"),
    target_fixture="fuzz_campaign",
)
def fuzz_campaign(ctx: Any, knob: str) -> CampaignResult:
    if knob not in REQUIREMENTS:
        ctx.error(f"no grammar oracle for {knob!r}")
    cache = _campaigns(ctx.session)
    if knob not in cache:
        cache[knob] = _run_campaign(ctx, knob)
    outcome = cache[knob]
    if isinstance(outcome, str):
        ctx.skip(outcome)
    assert isinstance(outcome, CampaignResult)
    ctx.evidence(
        f"generated writes to {knob}",
        expected="every answer and read-back as the grammar oracle says",
        actual=(
            f"{outcome.tried} inputs ({outcome.distinct} distinct, longest {outcome.longest} "
            f"bytes), {len(outcome.mismatches)} mismatch(es), value restored"
        ),
        note=f"{outcome.duration_s:.2f} s",
    )
    return outcome


def _judge(ctx: Any, campaign: CampaignResult, category: str) -> None:
    requirement = REQUIREMENTS[campaign.knob][category]
    tally = campaign.tally(requirement)
    if tally.tried == 0:
        ctx.error(f"no generated input exercised {requirement} on {campaign.knob}")
    found = tally.mismatches
    shown = [m.describe() for m in found[:SHOWN_MISMATCHES]]
    ctx.evidence(
        f"{category} inputs to {campaign.knob}",
        expected=0,
        actual=len(found),
        unit="mismatches",
        requirement=requirement,
        ok=not found,
        note=f"{tally.tried} inputs tried" + (": " + "; ".join(shown) if shown else ""),
    )
    if found:
        raise AssertionError(
            f"{len(found)} of {tally.tried} generated {category} writes to {campaign.path} "
            f"broke {requirement}: " + "; ".join(shown)
        )


@then("every write the grammar accepts returned its count and read back in canonical form")
def accepted_writes(ctx: Any, fuzz_campaign: CampaignResult) -> None:
    _judge(ctx, fuzz_campaign, "accepted")


@then("every malformed write failed with EINVAL")
def malformed_writes(ctx: Any, fuzz_campaign: CampaignResult) -> None:
    _judge(ctx, fuzz_campaign, "malformed")


@then("every out-of-range write failed with EINVAL, or ERANGE beyond 32 bits")
def out_of_range_writes(ctx: Any, fuzz_campaign: CampaignResult) -> None:
    _judge(ctx, fuzz_campaign, "out-of-range")


@then("every refused write left the value as it was")
def refused_writes(ctx: Any, fuzz_campaign: CampaignResult) -> None:
    _judge(ctx, fuzz_campaign, "unchanged")
