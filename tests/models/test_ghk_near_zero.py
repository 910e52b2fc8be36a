# SPDX-License-Identifier: MIT
"""GHK currents within microvolts of 0 mV, where the models switch to the series of u/(1 - e^-u).

Near u = zFVm/RT = 0 the GHK factor u/(1 - e^-u) is 0/0, so the models use 1 + u/2 for
|u| < 1e-6. The series must be the right one: at Vm = 1e-5 mV (u ~ 4e-7) the factor is
1 + u/2 to 1e-13, and a wrong sign (1 - u/2) is off by u ~ 4e-7, while every other test
runs at potentials where the exact branch is used. The state is set by moving 1e-5 mV worth
of Na+ into an uncharged cell (Vm = F q / C); the expected current is computed here with
``expm1``, which is accurate at small u.
"""

from __future__ import annotations

import math

import pytest

import pumpleak_sbml as pl

FARADAY = 96485.33212  # C/mol (CODATA 2018, exact in the 2019 SI)
GAS_CONSTANT = 8.314462618  # J/(mol K)
VALENCE = {"Na": 1, "K": 1, "Cl": -1}
# The model's series 1 + u/2 differs from u/(1 - e^-u) by u²/12 ~ 1e-14 at u ~ 4e-7; the
# rest is float rounding. 1e-10 is far below the u ~ 4e-7 of a wrong series.
NEAR_ZERO = 1e-10


@pytest.mark.parametrize("ion", sorted(VALENCE))
def test_ghk_current_at_a_few_microvolts_uses_the_right_series(ion: str) -> None:
    """pump_leak_ghk at Vm = 1e-5 mV: I_ion = P z F u/(1 - e^-u) (c_i - c_o e^-u) to 1e-10."""
    runner = pl.load("pump_leak_ghk")
    assert runner["Vm"] == pytest.approx(0.0, abs=1e-9)  # the seed state is uncharged
    target = 1e-5  # mV
    runner["Na_i"] = runner["Na_i"] + target * runner["C_cell"] / FARADAY  # fmol = mV pF / F
    vm = runner["Vm"]
    # q is ~1e-11 of the amounts, so Vm carries their rounding: ~1e-5 relative
    assert vm == pytest.approx(target, rel=1e-3)
    z = VALENCE[ion]
    u = z * vm / (1e3 * GAS_CONSTANT * runner["T"] / FARADAY)
    assert 0 < abs(u) < 1e-6  # inside the series branch
    factor = u / -math.expm1(-u)
    inside, outside = runner[f"conc_{ion}_i"], runner[f"[{ion}_o]"]
    expected = runner[f"P_{ion}"] * z * FARADAY * factor * (inside - outside * math.exp(-u))
    assert runner[f"I_{ion}"] == pytest.approx(expected, rel=NEAR_ZERO)
