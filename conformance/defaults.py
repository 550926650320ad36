"""Defaults of a run: the one place the options, the config file and the engine take them from."""

from __future__ import annotations

PROFILE = "full"
PRECISION = "quick"  # quick (every commit) or certify (conformance claims)
WORKLOAD = "auto"
REPORT_DIR = "mdev-qos-report"
LOAD_DIR = "/sys/kernel/debug/mqos"  # debugfs load control (informative annex of the spec)
EXEC_TIMEOUT_S = 30.0  # longest one --exec-load command may take
OP_TIMEOUT_S = 10.0  # longest one read or write on a --sysfs-root tree may take
MAX_EXAMPLES = 200  # fuzz: generated inputs per writable file
MAX_EXAMPLES_LIMIT = 100_000  # the most --max-examples may ask: ~8 min per knob on the mock
RANDOM_BUDGET_SLICES = 1200  # random sequences: device-time budget in timeslices (both seeds)
SEED_LIMIT = 2**32 - 1  # random sequences: the largest --seed
TIMEOUT_LIMIT_S = 3600.0  # the longest --op-timeout / --exec-timeout (run-config schema)
MOCK_PARENT = "mqos0"  # the device under test on the embedded mock
MOCK_TYPE = "mqos-full"
SPEC_URL = "spec/index.html"  # the reports link here; the engine builds the spec there
