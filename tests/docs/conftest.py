# SPDX-License-Identifier: MIT
"""The documentation generator (docs/scripts/) is importable by the tests of this folder."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pumpleak_sbml import simulation

SCRIPTS = Path(__file__).resolve().parents[2] / "docs" / "scripts"
sys.path.insert(0, str(SCRIPTS))


@pytest.fixture(autouse=True, scope="module")
def _no_live_simulators_left_behind() -> Iterator[None]:
    """Drop the RoadRunner instances these tests leave in the process's simulator cache.

    The pages simulate every model. A RoadRunner instance kept alive by
    ``simulation.simulator_for`` changes, by about 1e-9 relative, what a *new* RoadRunner of
    the same SBML computes (libroadrunner 2.10 shares compiled models between instances), and
    later tests that compare two fresh instances to 1e-9 (tests/formats) would see it.
    """
    yield
    simulation.simulator_for.cache_clear()
    gc.collect()
