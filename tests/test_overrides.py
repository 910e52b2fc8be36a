# SPDX-License-Identifier: MIT
"""Overrides (``**overrides`` / ``--set``): what can be set, what cannot, and what it changes."""

from __future__ import annotations

import math

import libsbml
import pytest

import pumpleak_sbml as pl
from pumpleak_sbml.sbml_document import quantities

_COMPUTED = ["Cl_i_init", "Cl_o", "Na_i", "K_i", "Cl_i", "X_i", "Vm", "E_K", "conc_Na_i", "RT_F"]
_CONSTANTS = [
    "F",
    "R",
    "z_Na",
    "z_K",
    "z_Cl",
    "mV_per_V",
    "um2_per_cm2",
    "pF_per_uF",
    "fA_per_uA",
    "pL_per_cm3",
]


def _values(sbml: str) -> dict[str, float | None]:
    """Return every quantity's initial value; None where the SBML sets none (rule variables)."""
    return {sid: None if math.isnan(q.value) else q.value for sid, q in quantities(sbml).items()}


def test_to_sbml_override_sets_exactly_that_value() -> None:
    """to_sbml(g_Na=0.02) writes g_Na = 0.02 and leaves every other quantity unchanged."""
    default = _values(pl.to_sbml("pump_leak"))
    changed = _values(pl.to_sbml("pump_leak", g_Na=0.02))
    assert default["g_Na"] == 0.011
    assert changed["g_Na"] == 0.02
    assert {k: v for k, v in changed.items() if k != "g_Na"} == {
        k: v for k, v in default.items() if k != "g_Na"
    }


def test_to_sbml_override_sbml_is_still_level3_version2_pump_leak() -> None:
    """The overridden SBML is still L3V2 with model id pump_leak, readable without errors."""
    document = libsbml.readSBMLFromString(pl.to_sbml("pump_leak", g_Na=0.02))
    assert document.getNumErrors(libsbml.LIBSBML_SEV_ERROR) == 0
    assert (document.getLevel(), document.getVersion()) == (3, 2)
    assert document.getModel().getId() == "pump_leak"
    assert document.getModel().getParameter("g_Na").getValue() == 0.02


def test_override_reaches_the_loaded_runner_and_parameters() -> None:
    """An override is what RoadRunner and pl.parameters() see, not only the SBML text."""
    assert pl.parameters("pump_leak", g_Na=0.02)["g_Na"] == 0.02
    assert pl.load("pump_leak", g_Na=0.02)["g_Na"] == pytest.approx(0.02, rel=0, abs=0)


def test_override_of_several_quantities_sets_each() -> None:
    """Several overrides at once each take effect (species, compartment and parameter)."""
    values = pl.parameters("pump_leak", Na_o=140, cell=0.6, T=300.0)
    assert (values["Na_o"], values["cell"], values["T"]) == (140.0, 0.6, 300.0)


def test_override_changes_what_is_computed_from_it() -> None:
    """Overriding an input changes the quantities computed from it (Cl_o from Na_o)."""
    runner = pl.load("pump_leak", Na_o=140.0)
    assert runner["[Cl_o]"] == pytest.approx(144.0, rel=1e-12)


@pytest.mark.parametrize("name", _COMPUTED)
def test_override_of_computed_quantity_is_refused_as_computed(name: str) -> None:
    """A quantity set by an initial assignment or rule cannot be set; the message says so."""
    with pytest.raises(pl.InvalidOverrideError, match=r"computed by the model") as caught:
        pl.to_sbml("pump_leak", **{name: 1.0})
    assert f"cannot set {name} =" in str(caught.value)
    assert name not in caught.value.valid


@pytest.mark.parametrize("name", _CONSTANTS)
def test_override_of_constant_of_nature_is_refused(name: str) -> None:
    """The Faraday and gas constants, real valences and unit conversions cannot be set."""
    with pytest.raises(pl.InvalidOverrideError, match=r"constant of nature") as caught:
        pl.to_sbml("pump_leak", **{name: 1.0})
    assert f"cannot set {name} =" in str(caught.value)
    assert name not in pl.parameters("pump_leak")


def test_non_neutral_start_from_load_raises_model_definition_error_naming_Cl_i() -> None:
    """X_i_init=400 makes the electroneutral initial Cl- negative: load() says Cl_i."""
    with pytest.raises(pl.ModelDefinitionError, match=r"\bCl_i\b") as caught:
        pl.load("pump_leak", X_i_init=400)
    assert "impossible initial state" in str(caught.value)


def test_non_neutral_start_from_steady_state_raises_model_definition_error_naming_Cl_i() -> None:
    """X_i_init=400 makes steady_state() raise ModelDefinitionError naming Cl_i, not solve."""
    with pytest.raises(pl.ModelDefinitionError, match=r"\bCl_i\b"):
        pl.steady_state("pump_leak", X_i_init=400)


def test_non_neutral_override_sbml_itself_is_still_written() -> None:
    """to_sbml accepts X_i_init=400 (a valid number); only loading checks the initial state."""
    assert _values(pl.to_sbml("pump_leak", X_i_init=400))["X_i_init"] == 400.0


def test_zero_initial_concentration_is_refused_before_solving() -> None:
    """A start without Cl- (infinite E_Cl) is refused at once, not left to hang the solver.

    2 x 76 mM of divalent X balances 12 + 140 mM of cations, so Cl_i_init comes out 0.
    """
    with pytest.raises(pl.ModelDefinitionError, match="E_Cl"):
        pl.steady_state("donnan_rigid", X_i_init=76.0, z_X=-2.0)
