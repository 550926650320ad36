"""The vendor catalogue (issue 12): mutants written the other way round.

Each is a plausible mistake of a real scheduler's design (run lists with fixed
slots, re-balancing timers, counters kept in 32 bits, changes applied at the next
period, idle detected by timeout, credit carried across idle periods, knobs
honoured in one direction only, knob combinations, the write grammar of a C
store method), written from the spec before looking at which scenario would
catch it. The ones today's suite lets through are strict xfails whose
``known_gap`` names the class of scenario the suite lacks.
"""

from __future__ import annotations

GAP_HISTORY = "history: no window after an mdev that ran goes idle, joins late or returns"
GAP_ONE_WAY = "live changes in one direction only: no raise, reset to default or demotion"
GAP_TOPOLOGY = "small topologies: never more than 4 mdevs on a parent"
GAP_COMBINATION = "knob combinations: cap with priority or weight, weights beside caps"
GAP_DISPATCH = "dispatch length checked only with two equal mdevs"
GAP_WINDOW = "one window length: a driver period that divides the window aliases"
GAP_SHORT_RUN = "short runs: no mdev accumulates more than about 0.25 s of device time"
GAP_GRAMMAR = "grammar: a valid value followed by NUL and junk is not written"
GAP_FIXED_RECREATE = "type-fixed knobs after writes, knobs after busy remove and re-create"
GAP_DELAY = "a change may apply several timeslices late: only the full window is checked"

