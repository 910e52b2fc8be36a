# SPDX-License-Identifier: MIT
"""The pump law of every hand-written model, checked exactly at two different states.

Each law is written here as the model's notes state it, and evaluated from the state the
model is in (its concentrations and its own parameter values); the model's I_pump must
equal it to float rounding. Two states, far apart in [Na+]i, make every exponent and
half-activation constant count: changing the saturating pump's Na+ exponent from 3 to 2
changes I_pump by a factor [Na]/([Na]+K_Na) ~ 0.5 here, eleven orders of magnitude above
the tolerance. The flux and its stoichiometry are checked with the leaks switched off,
where d(Na_i)/dt = -3 J_pump and d(K_i)/dt = +2 J_pump exactly.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import roadrunner

import pumpleak_sbml as pl

FARADAY = 96485.33212  # C/mol (CODATA 2018, exact in the 2019 SI)
# Same arithmetic in another order: rel 1e-12 is ~1e3 ulp of float64.
ARITHMETIC = 1e-12


def fixed(runner: roadrunner.RoadRunner) -> float:
    """I_pump = I_pump_max (µA/cm²)."""
    return float(runner["I_pump_max"])


def saturating(runner: roadrunner.RoadRunner) -> float:
    """I_pump = I_max ([Na]i/([Na]i + K_Na))^3 ([K]o/([K]o + K_K))^2 (µA/cm²)."""
    na_i = runner["conc_Na_i"]
    k_o = runner["[K_o]"]
    sodium = na_i / (na_i + runner["K_Na"])
    potassium = k_o / (k_o + runner["K_K"])
    return float(runner["I_pump_max"] * sodium**3 * potassium**2)


LAWS: dict[str, Callable[[roadrunner.RoadRunner], float]] = {
    "pump_leak": fixed,
    "pump_leak_ghk": saturating,
    "hydropic_change": fixed,  # before its event (pump_on = 1)
    "impermeant_load": fixed,
}
# Leaks 1e30 times weaker than the pump: exactly 0 would make the chord-conductance
# average V_chord = 0/0, which the loader refuses (see tests/test_messages.py).
NEGLIGIBLE = 1e-30
LEAKS_OFF = {
    "pump_leak": dict.fromkeys(("g_Na", "g_K", "g_Cl"), NEGLIGIBLE),
    "pump_leak_ghk": dict.fromkeys(("P_Na", "P_K", "P_Cl"), NEGLIGIBLE),
    "hydropic_change": dict.fromkeys(("g_Na", "g_K", "g_Cl"), NEGLIGIBLE),
    "impermeant_load": dict.fromkeys(("g_Na", "g_K", "g_Cl"), NEGLIGIBLE),
}


def flux_per_current(runner: roadrunner.RoadRunner) -> float:
    """Fmol/s of a monovalent ion per µA/cm² over the membrane: A_m·1e-8 cm²/µm²·1e9 fA/µA/F."""
    return float(runner["A_m"]) * 10.0 / FARADAY


@pytest.mark.parametrize("name", sorted(LAWS))
def test_pump_current_follows_its_law_at_two_states(name: str) -> None:
    """I_pump equals the written law at the initial state and at 3x the initial Na_i."""
    runner = pl.load(name)
    law = LAWS[name]
    first = law(runner)
    assert runner["I_pump"] == pytest.approx(first, rel=ARITHMETIC)
    runner["Na_i"] = 3 * runner["Na_i"]
    second = law(runner)
    assert runner["I_pump"] == pytest.approx(second, rel=ARITHMETIC)
    if law is saturating:
        assert second / first > 1.5  # the states differ where the law is sensitive


@pytest.mark.parametrize("name", sorted(LAWS))
def test_pump_flux_is_current_times_area_over_faraday(name: str) -> None:
    """J_pump (cycles, fmol/s) is I_pump (µA/cm²) times A_m·10/F: one net charge per cycle."""
    runner = pl.load(name)
    assert runner["J_pump"] == pytest.approx(
        flux_per_current(runner) * runner["I_pump"], rel=ARITHMETIC
    )


@pytest.mark.parametrize("name", sorted(LAWS))
def test_pump_alone_moves_three_sodium_out_and_two_potassium_in(name: str) -> None:
    """With the leaks off (1e-30), d(Na_i)/dt = -3 J_pump, d(K_i)/dt = 2 J_pump, Cl- still."""
    runner = pl.load(name, **LEAKS_OFF[name])
    ids = [runner.model.getStateVectorId(i) for i in range(len(runner.getRatesOfChange()))]
    rates = dict(zip(ids, runner.getRatesOfChange(), strict=True))
    cycles = runner["J_pump"]
    assert cycles > 0
    assert rates["Na_i"] == pytest.approx(-3 * cycles, rel=ARITHMETIC)
    assert rates["K_i"] == pytest.approx(2 * cycles, rel=ARITHMETIC)
    assert abs(rates["Cl_i"]) <= 1e-20 * cycles  # the leaks' share: ~1e-30 of the pump's


def test_hydropic_pump_stops_at_its_block_time() -> None:
    """hydropic_change: I_pump = I_pump_max before t_block and exactly 0 after it."""
    runner = pl.load("hydropic_change")
    block = runner["t_block"]
    runner.simulate(0.0, 0.5 * block, 2)
    assert runner["I_pump"] == runner["I_pump_max"]
    runner.simulate(0.5 * block, 1.5 * block, 2)
    assert runner["I_pump"] == 0.0
    assert runner["J_pump"] == 0.0


def test_proton_vesicle_pump_flux_is_its_current_over_faraday() -> None:
    """proton_vesicle: a light-driven current I_pump (fA) moves I_pump/F fmol/s of H+ out."""
    runner = pl.load("proton_vesicle")
    assert runner["J_pump"] == pytest.approx(runner["I_pump"] / FARADAY, rel=ARITHMETIC)
    assert runner["I_pump"] > 0
