"""The suite's oracle: what a conforming driver does, computed from the spec alone.

- :mod:`~conformance.oracle.shares`: expected shares (strict priority, weighted
  water-filling under caps, cap ceiling);
- :mod:`~conformance.oracle.grammar`: which writes a knob accepts and the errno of
  the rest;
- :mod:`~conformance.oracle.formats`: what a read looks like;
- :mod:`~conformance.oracle.tolerance`: windows and tolerances of the measurement.

It never imports the reference mock: two independent implementations of the spec
check each other.
"""

from conformance.oracle.grammar import WriteOutcome, decode_written, knob_write
from conformance.oracle.shares import LEVELS, Member, expected_shares
from conformance.oracle.tolerance import Tolerance, share_bound

__all__ = [
    "LEVELS",
    "Member",
    "Tolerance",
    "WriteOutcome",
    "decode_written",
    "expected_shares",
    "knob_write",
    "share_bound",
]
