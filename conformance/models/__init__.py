"""Faithful models of real schedulers behind this ABI, certified by the suite.

Each model is a :class:`conformance.mock.QosDriver` subclass that a vendor could
have written: it maps the ABI's files onto what one real scheduler has and
schedules with that scheduler's own algorithm, ported from its public source or
documentation (cited in each module's docstring). ``mdev-qos models --run`` runs
the suite against every model through ``--mock-driver``, as a vendor would.
"""

from __future__ import annotations

from conformance.models.registry import MODELS, ModelEntry, find_model

__all__ = ["MODELS", "ModelEntry", "find_model"]
