"""Model-based random testing of the scheduling semantics (hypothesis stateful testing).

A campaign draws random sequences of operations on the target — create and remove
mdevs on both parents and of both types, set knobs in every direction, change
loads, let windows of random lengths pass — and after every window the oracle
checks shares, counter invariants and, when an mdev wakes above everyone else,
its dispatch latency. A failure shrinks to a minimal sequence, printed as a
Gherkin scenario (:mod:`.gherkin`) whose steps (:mod:`conformance.steps.stateful`)
replay it, and names the requirement of the check that failed.

- :mod:`.checks`   what the oracle expects of one window (pure: no target);
- :mod:`.explorer` the operations on the target, through the resource registry;
- :mod:`.machine`  the ``RuleBasedStateMachine`` drawing the operations;
- :mod:`.campaign` seeds, the device-time budget, shrinking and the result;
- :mod:`.gherkin`  a sequence as a scenario a vendor can re-run.
"""
