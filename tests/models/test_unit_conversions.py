# SPDX-License-Identifier: MIT
"""Every unit-conversion constant of every model is exactly 1 in SI.

The models carry constants such as ``pL_per_cm3 = 1e9 pL_over_cm3``: the number 1 written in
two units. libsbml's unit check and our scale check compare *units*, not the values of
these constants, so ``1e9`` typed as ``1e10`` passed both and every steady-state test (the
mutation check found it in ``pump_leak_ghk.ant``). Here the value times the SI factor of its
unit must be 1. Tolerance 1e-10: the factor is a product of powers of ten and, for atm,
101325, exact in float to ~1e-16, but ``hydropic_change.ant`` types 1/101325 as
``9.869232667e-6`` (10 digits, off by 1.6e-11); a wrong power of ten is off by 9.
"""

from __future__ import annotations

import tomllib

import libsbml
import pytest

import pumpleak_sbml as pl
from pumpleak_sbml.spec import NEW_SPEC_TEMPLATE
from pumpleak_sbml.testing import unit_definition, unit_signature

MODELS: dict[str, object] = {name: name for name in pl.list_models()}
MODELS["built-template"] = tomllib.loads(NEW_SPEC_TEMPLATE)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_conversion_constant_is_one_in_si(name: str) -> None:
    """Each ``<a>_per_<b>`` parameter in ``<a>_over_<b>`` units is 1 after conversion to SI."""
    document = libsbml.readSBMLFromString(pl.to_sbml(MODELS[name]))  # type: ignore[arg-type]
    model = document.getModel()
    conversions = [
        parameter
        for parameter in model.getListOfParameters()
        if "_per_" in parameter.getId() and "_over_" in parameter.getUnits()
    ]
    assert len(conversions) >= 3  # every model converts areas, capacitance and potentials
    for parameter in conversions:
        kinds, factor = unit_signature(unit_definition(model, parameter.getUnits()))
        assert kinds == [], f"{parameter.getId()} is not dimensionless"
        assert parameter.getValue() * factor == pytest.approx(1.0, rel=1e-10), parameter.getId()
