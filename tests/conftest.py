# SPDX-License-Identifier: MIT
"""Shared fixtures and Hypothesis profiles.

Tests run against the *installed* package (``--import-mode=importlib``), so they check
what a user gets from ``pip install``, models shipped inside the wheel included.

Profiles: ``ci`` (default, 20 examples, the same every run), ``slow`` (1,000, the same every
run; HYPOTHESIS_PROFILE=slow), meant for the tests marked slow, and ``dev`` (10 new
examples every run; HYPOTHESIS_PROFILE=dev)::

    HYPOTHESIS_PROFILE=slow pytest -m slow

Simulation-backed properties use ``deadline=None``: RoadRunner's JIT compile time varies.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

import pumpleak_sbml as pl

# "ci" (the default: 20 examples) and "slow" (1,000, the README's slow tier) draw the same
# examples every time, so the suite passes or fails for a reason, never by chance;
# HYPOTHESIS_PROFILE=dev draws new ones on every run, to find what no run has tried yet.
settings.register_profile(
    "dev", max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "ci",
    max_examples=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "slow",
    max_examples=1000,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def pump_leak_steady_state() -> pl.SteadyState:
    """Compute the default pump_leak steady state once per session (it is immutable)."""
    return pl.steady_state("pump_leak")
