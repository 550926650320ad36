"""The ``fuzz`` profile: generated good and bad writes to every writable knob.

:mod:`~conformance.fuzz.inputs` generates the buffers (hypothesis),
:mod:`~conformance.fuzz.expect` says what a conforming driver behind kernfs
answers (the spec's grammar oracle plus what kernfs does before ``store``),
:mod:`~conformance.fuzz.campaign` runs one knob's campaign against any Target,
:mod:`conformance.steps.fuzz` binds it to the ``@fuzz`` scenarios, and
:mod:`~conformance.fuzz.races` runs bounded concurrent writers, readers and
create/remove cycles.
"""

from conformance.fuzz.campaign import CampaignResult, FuzzError, Mismatch, fuzz_knob
from conformance.fuzz.expect import FUZZED_KNOBS, Answer, Expectation, expect

__all__ = [
    "FUZZED_KNOBS",
    "Answer",
    "CampaignResult",
    "Expectation",
    "FuzzError",
    "Mismatch",
    "expect",
    "fuzz_knob",
]
