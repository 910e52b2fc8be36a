# SPDX-License-Identifier: MIT
"""Invariants of random valid cells along their time courses (slow: 1,000 examples in CI).

For every spec drawn by ``tests/strategies.py`` (physiological ranges, electroneutral by
construction, any geometry, leak law, pump law, cotransporters and protocol step):

* building is deterministic: the same spec gives byte-identical Antimony and SBML;
* ion amounts and the volume stay positive;
* the impermeant amount X is conserved (no reaction touches it);
* the total charge changes only by the net membrane current: at every sampled state
  F * sum(z_k dn_k/dt) = -(I_Na + I_K + I_Cl + I_pump) * A_m, because the cotransporters are
  electroneutral, the pump's net current is its one charge per cycle, and each leak's flux
  is its current over its valence. The identity is written here from those laws, in the
  model's units (F [C/mol] x fmol/s = fC/s; µA/cm² x µm² x 1e-8 cm²/µm² x 1e9 fA/µA = fC/s).

Run the 1,000-example tier with ``HYPOTHESIS_PROFILE=slow pytest -m slow``.
"""

from __future__ import annotations

import copy
import itertools
import random
from typing import Any

import pytest
import strategies
from hypothesis import given, note

import pumpleak_sbml as pl
from pumpleak_sbml.sbml_compiler import antimony_to_sbml
from pumpleak_sbml.testing import shuffled

FARADAY = 96485.33212  # C/mol (CODATA 2018, exact in the 2019 SI)
VALENCE = {"Na_i": 1.0, "K_i": 1.0, "Cl_i": -1.0}
FC_PER_S_PER_UA_CM2_UM2 = 1e-8 * 1e9  # (µA/cm²)·µm² -> fA = fC/s
# Sampled times (s): the charging transient (ms), the ion and water relaxation (s to hours).
TIMES = (0.0, 0.01, 1.0, 100.0, 1e4)
# Both sides of the charge identity come from the same model values summed in another
# order, so they agree to float rounding of the largest term (~1e-16 relative); 1e-9 of the
# gross charge flux leaves six orders of magnitude for the solver's own rounding.
CHARGE_IDENTITY = 1e-9
# X_i has no reaction: CVODE integrates a zero rate, so its amount stays put to rounding.
CONSERVED = 1e-12


def _charge_balance(runner: Any) -> tuple[float, float, float]:
    """Return (F sum z dn/dt, -I_net A_m in fC/s, gross scale) at the runner's state."""
    ids = [runner.model.getStateVectorId(i) for i in range(len(runner.getRatesOfChange()))]
    rates = dict(zip(ids, runner.getRatesOfChange(), strict=True))
    charge_rate = FARADAY * (
        sum(VALENCE[sid] * rates[sid] for sid in VALENCE) + runner["z_X"] * rates["X_i"]
    )
    rules = set(runner.getAssignmentRuleIds())
    currents = [runner[name] for name in ("I_Na", "I_K", "I_Cl", "I_pump") if name in rules]
    area = runner["A_m"]
    outward = -sum(currents) * area * FC_PER_S_PER_UA_CM2_UM2
    gross = (
        FARADAY * sum(abs(rates[sid]) for sid in VALENCE)
        + sum(abs(current) for current in currents) * area * FC_PER_S_PER_UA_CM2_UM2
    )
    return charge_rate, outward, gross


@pytest.mark.slow
@given(strategies.cell_specs())
def test_property_random_cell_keeps_its_invariants_along_a_time_course(
    data: dict[str, Any],
) -> None:
    """Deterministic build; positive amounts and volume; X conserved; dQ/dt = -I_net A."""
    spec = pl.spec_from_dict(data)
    text = pl.to_antimony(spec)
    again = pl.spec_from_dict(shuffled(copy.deepcopy(data), random.Random(0)))
    assert pl.to_antimony(again) == text
    assert antimony_to_sbml(text) == antimony_to_sbml(text)
    runner = pl.load(spec)
    initial_x = runner["X_i"]
    for start, end in itertools.pairwise(TIMES):
        runner.simulate(start, end, 2)
        for sid in ("cell", "Na_i", "K_i", "Cl_i", "X_i"):
            assert runner[sid] > 0, (sid, end)
        assert runner["X_i"] == pytest.approx(initial_x, rel=CONSERVED)
        charge_rate, outward, gross = _charge_balance(runner)
        note(f"t = {end:g} s: dQ/dt {charge_rate:.6g}, -I A {outward:.6g}, gross {gross:.3g}")
        assert abs(charge_rate - outward) <= CHARGE_IDENTITY * gross
