# SPDX-License-Identifier: MIT
"""The presets ``pumpleak new-spec --preset`` writes: each is a library model's cell, at rest.

- Each preset's steady state is that of its library model (``generic`` is the core cell
  ``pump_leak``), so the measurements checked on those models (``test_neuron.py``,
  ``test_red_cell.py``, ``test_pump_leak_physics.py``) hold for the presets too.
- The generic preset starts at its steady state: the README's complaint was a template at
  Na_i 98.6 mM that needed a pump block and 5000 s to say anything.
- The core cell's steady state obeys its closed-form identities (Keener & Sneyd 2009,
  sect. 2.6.3): Vm = E_Cl, I_Na = -3 I_pump, I_K = 2 I_pump, and osmotic balance with
  electroneutrality give [Na]i + [K]i = [Cl]o + q/2, q = C_cell Vm/(F V) the net charge.
"""

from __future__ import annotations

import tomllib

import pytest

import pumpleak_sbml as pl
from pumpleak_sbml.spec import PRESETS, preset_text

FARADAY = 96485.33212  # C/mol (CODATA 2018, exact in the 2019 SI)
LIBRARY = {"generic": "pump_leak", "neuron": "neuron", "red_cell": "red_cell"}
STEADY = ("Vm", "cell", "conc_Na_i", "conc_K_i", "conc_Cl_i", "conc_X_i")


def test_every_preset_has_a_library_model() -> None:
    """The presets are exactly generic, neuron and red_cell, each with its library model."""
    assert set(PRESETS) == set(LIBRARY)
    assert set(LIBRARY.values()) <= set(pl.list_models())


@pytest.mark.parametrize("preset", list(PRESETS))
def test_preset_steady_state_is_its_library_models(preset: str) -> None:
    """A preset's steady state is its library model's: concentrations (rel 1e-9), Vm, volume.

    Same equations; pump_leak.ant rounds the sphere's area and volume to 10 digits, which
    moves the state by ~1e-11. Vm, a difference of amounts ~1e5 times the net charge, to
    1e-8 mV. The generic cell starts at rest with 138.15 mM of X, pump_leak with 138: the
    X amount sets the volume, so pump_leak is given the preset's (the other initial values do
    not change the steady state).
    """
    spec = tomllib.loads(preset_text(preset))
    overrides = {"X_i_init": spec["cell"]["X"]} if preset == "generic" else {}
    built, library = pl.steady_state(spec), pl.steady_state(LIBRARY[preset], **overrides)
    for name in STEADY[1:]:
        assert built[name] == pytest.approx(library[name], rel=1e-9), name
    assert built["Vm"] == pytest.approx(library["Vm"], abs=1e-8)


def test_generic_preset_starts_at_rest() -> None:
    """The generic cell starts within rounding of its steady state: nothing to wait for.

    Each initial concentration is the steady value rounded to 0.01 mM (X follows from
    electroneutrality of three rounded values): within 0.02 mM. The volume then moves by
    less than 1e-4 of itself and Vm starts at 0 (charge difference of a neutral start) but
    settles at -70.0 mV within a capacitive time constant.
    """
    spec = tomllib.loads(preset_text("generic"))
    state = pl.steady_state(spec)
    for ion in ("Na", "K", "Cl", "X"):
        assert spec["cell"][ion] == pytest.approx(state[f"conc_{ion}_i"], abs=0.02), ion
    runner = pl.load(spec)
    assert state["cell"] == pytest.approx(runner["cell"], rel=1e-4)
    runner.simulate(0.0, 1.0, 2)
    assert runner["Vm"] == pytest.approx(state["Vm"], abs=0.05)


def test_generic_preset_obeys_the_core_cells_identities() -> None:
    """Vm = E_Cl, I_Na = -3 I_pump, I_K = 2 I_pump, [Na]i + [K]i = [Cl]o + q/2 at steady state.

    The certified state has every residual below 1e-10 of its gross flux, so the identities
    hold to ~1e-10 relative; 1e-8 leaves a margin.
    """
    spec = tomllib.loads(preset_text("generic"))
    state = pl.steady_state(spec)
    assert state["Vm"] == pytest.approx(state["E_Cl"], rel=1e-8)
    assert state["I_Na"] == pytest.approx(-3 * state["I_pump"], rel=1e-8)
    assert state["I_K"] == pytest.approx(2 * state["I_pump"], rel=1e-8)
    radius = spec["geometry"]["radius"]
    capacitance = spec["membrane"]["capacitance"] * 4 * 3.141592653589793 * radius**2 / 1e2  # pF
    charge = capacitance * state["Vm"] / FARADAY / state["cell"]  # mM
    cations = state["conc_Na_i"] + state["conc_K_i"]
    assert cations == pytest.approx(spec["medium"]["Cl"] + charge / 2, rel=1e-10)
