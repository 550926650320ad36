"""The test module pytest collects: one test per Gherkin scenario of the feature files.

The runner picks the directory (:mod:`scenario_source`) before each run: tests
point it at small feature files of their own; by default it is the packaged
``features/`` directory.
"""

from __future__ import annotations

from pytest_bdd import scenarios

from conformance.suite import scenario_source

scenarios(str(scenario_source.features()), features_base_dir=str(scenario_source.features()))
