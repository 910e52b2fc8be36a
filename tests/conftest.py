# SPDX-License-Identifier: MIT
"""Shared fixtures and Hypothesis profiles.

Tests run against the *installed* package (``--import-mode=importlib``), so they check
what a user gets from ``pip install``, models shipped inside the wheel included.

Profiles: ``dev`` (default, 10 examples), ``ci`` (20; HYPOTHESIS_PROFILE=ci) and ``slow``
(1,000 examples; HYPOTHESIS_PROFILE=slow), meant for the tests marked slow::

    HYPOTHESIS_PROFILE=slow pytest -m slow

Simulation-backed properties use ``deadline=None``: RoadRunner's JIT compile time varies.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

import pumpleak_sbml as pl

settings.register_profile(
    "dev", max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "ci", max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "slow", max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(scope="session")
def pump_leak_steady_state() -> pl.SteadyState:
    """Compute the default pump_leak steady state once per session (it is immutable)."""
    return pl.steady_state("pump_leak")
