"""Step definitions of ``features/fuzz.feature`` (the ``fuzz`` profile).

A knob's campaign runs once per run, in the first scenario that needs it, on an
mdev named with ``--mdev`` or else one the suite creates; the other scenarios of
that knob judge its results for their own requirement. ``--max-examples``
bounds the generated inputs per knob; ``--fuzz-seed`` picks another
deterministic sequence.
"""

from __future__ import annotations

import re

import pytest
from pytest_bdd import given, parsers, then

from conformance import defaults
from conformance.fuzz.campaign import CampaignResult, FuzzError, fuzz_knob
from conformance.fuzz.expect import REQUIREMENTS
from conformance.suite.outcome import Outcome
from conformance.suite.registry import Resources
from conformance.suite.under_test import UnderTest

SHOWN_MISMATCHES = 5

Campaigns = dict[str, CampaignResult | str]


@pytest.fixture(scope="session")
def fuzz_campaigns() -> Campaigns:
    """Per run: knob -> its campaign, or the reason it does not apply."""
    return {}


def _run_campaign(
    resources: Resources, outcome: Outcome, under_test: UnderTest, knob: str
) -> CampaignResult | str:
    mdev = resources.device()
    path = mdev.path(knob)
    if not mdev.has(knob):
        return f"{knob} is not offered by type {under_test.type_id} (no qos/{knob})"
    mode = mdev.stat(knob).mode
    if not mode & 0o222:
        return f"{knob} is fixed by type {under_test.type_id} (mode {mode:04o}): nothing to write"
    max_examples = under_test.int_option("max_examples") or defaults.MAX_EXAMPLES
    seed = under_test.int_option("fuzz_seed")
    outcome.progress(f"fuzzing {path} with {max_examples} generated inputs")
    try:
        return fuzz_knob(
            resources.target,
            path,
            knob,
            max_examples=max_examples,
            seed=seed,
            write=resources.writer(mdev, knob),
            progress=outcome.progress,
        )
    except FuzzError as exc:
        outcome.error(str(exc))


@given(
    parsers.parse("generated writes have been tried on the {knob} of an mdev"),
    target_fixture="fuzz_campaign",
)
def fuzz_campaign(
    resources: Resources,
    outcome: Outcome,
    under_test: UnderTest,
    fuzz_campaigns: Campaigns,
    knob: str,
) -> CampaignResult:
    """The knob's campaign: run now if this run has not run it yet."""
    if knob not in REQUIREMENTS:
        outcome.error(f"no grammar oracle for {knob!r}")
    if knob not in fuzz_campaigns:
        fuzz_campaigns[knob] = _run_campaign(resources, outcome, under_test, knob)
    campaign = fuzz_campaigns[knob]
    if isinstance(campaign, str):
        outcome.skip(campaign)
    outcome.evidence(
        f"generated writes to {knob}",
        expected="every answer and read-back as the grammar oracle says",
        actual=(
            f"{campaign.tried} inputs ({campaign.distinct} distinct, longest "
            f"{campaign.longest} bytes), {len(campaign.mismatches)} mismatch(es), value restored"
        ),
        note=f"{campaign.duration_s:.2f} s",
    )
    return campaign


JUDGED = {
    "every write the grammar accepts returned its count and read back in canonical form":
        "accepted",
    "every malformed write failed with EINVAL": "malformed",
    "every out-of-range write failed with EINVAL, or ERANGE beyond 32 bits": "out-of-range",
    "every refused write left the value as it was": "unchanged",
}


@then(parsers.re("(?P<text>" + "|".join(re.escape(text) for text in JUDGED) + ")"))
def _judged(fuzz_campaign: CampaignResult, outcome: Outcome, text: str) -> None:
    """The campaign's inputs of one category all got the grammar oracle's answer."""
    _judge(outcome, fuzz_campaign, JUDGED[text])


def _judge(outcome: Outcome, campaign: CampaignResult, category: str) -> None:
    requirement = REQUIREMENTS[campaign.knob][category]
    tally = campaign.tally(requirement)
    if tally.tried == 0:
        outcome.error(f"no generated input exercised {requirement} on {campaign.knob}")
    found = tally.mismatches
    shown = [m.describe() for m in found[:SHOWN_MISMATCHES]]
    outcome.evidence(
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
