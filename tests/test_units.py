# SPDX-License-Identifier: MIT
"""The constants and conversions of :mod:`pumpleak_sbml.units`, against physics."""

from __future__ import annotations

import pytest

import pumpleak_sbml as pl
from pumpleak_sbml import units


def test_constants_are_codata_2018_exact_values() -> None:
    """F, R and 0 °C are the exact values of the 2019 SI (CODATA 2018)."""
    assert units.FARADAY == 96485.33212  # C/mol = e N_A, exact
    assert units.GAS_CONSTANT == 8.314462618  # J/(mol K) = k N_A, exact to its 10 digits
    assert units.ZERO_CELSIUS == 273.15  # K, exact by definition
    assert units.PASCAL_PER_ATM == 101325.0  # Pa, exact by definition


def test_osmotic_pressure_is_van_t_hoff() -> None:
    """Π = Δc R T: 40 mOsm/L (= 40 mol/m³) at 310.15 K is 103,144 Pa = 1.0180 atm."""
    expected = 40.0 * 8.314462618 * 310.15 / 101325.0
    assert pl.osmotic_pressure(40.0, 310.15) == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize("temperature", [0.0, -1.0, float("nan")])
def test_osmotic_pressure_refuses_a_non_positive_temperature(temperature: float) -> None:
    """Zero, negative or NaN kelvin is a ModelDefinitionError, not a pressure."""
    with pytest.raises(pl.ModelDefinitionError, match="temperature must be positive"):
        pl.osmotic_pressure(40.0, temperature)
