# SPDX-License-Identifier: MIT
"""Physics of the seed family: the vesicle, the Donnan cells, the GHK cell and the scenarios.

Models: ``proton_vesicle``, ``donnan_rigid``, ``donnan_swelling``, ``pump_leak_ghk``,
``hydropic_change`` and ``impermeant_load`` (and the resting potential of ``pump_leak``).

Every expected value is computed here from a closed form or from the equations in the
models' notes (Mitchell 1966; Donnan 1911; Keener & Sneyd 2009, sect. 2.6; Goldman 1943,
Hodgkin & Katz 1949; Mullins & Noda 1963; the seed text), never copied from a previous run.
Each tolerance is stated with its reason next to it.

Units are the models' (cell models): volumes pL, amounts fmol, concentrations mM (= fmol/pL
= mol/m³), potentials mV, current densities µA/cm², conductances mS/cm², capacitance pF,
time s. Two identities keep the conversions short: F [C/mol] × amount [fmol] is a charge in
fC, and fC / pF = mV. The proton vesicle works in fA, pS and mV (fA / pS = mV).
"""

from __future__ import annotations

import functools
import itertools
import json
import math
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pytest
from scipy import optimize

import pumpleak_sbml as pl
from pumpleak_sbml import cli

FARADAY = 96485.33212  # C/mol (CODATA 2018, exact in the 2019 SI)
GAS_CONSTANT = 8.314462618  # J/(mol K) (CODATA 2018, exact in the 2019 SI)
PASCAL_PER_ATM = 101325.0  # exact
KILOPASCAL_PER_ATM = 101.325  # exact
MILLIVOLT_PER_VOLT = 1e3
SQUARE_MICROMETRE_PER_SQUARE_CENTIMETRE = 1e8
PICOFARAD_PER_MICROFARAD = 1e6
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

NEWTON_RELATIVE = 1e-9
"""Identities that hold exactly at a steady state: RoadRunner's Newton solver (NLEQ2) polishes
the steady state to machine precision (~1e-14 here), so 1e-9 leaves five orders of margin and
still catches any real mismatch (a wrong coefficient shows at 1e-3 or more)."""

ARITHMETIC_RELATIVE = 1e-9
"""A model output recomputed from the same inputs by the same formula: only rounding differs,
plus the models' 10-significant-digit constants (e.g. ln10 = 2.302585093, atm_per_Pa =
9.869232667e-6, the 0.1 µm sphere's area and volume), each within ~1e-10 of exact."""


@functools.cache
def steady(model: str, after_events: bool = False, **overrides: float) -> pl.SteadyState:
    """Steady state, computed once per session for each (model, overrides): it is immutable."""
    return pl.steady_state(model, after_events=after_events, **overrides)


@functools.cache
def course(model: str, end: float, points: int, **overrides: float) -> pl.Trajectory:
    """Time course from the model's default start, computed once per session (read-only)."""
    return pl.simulate(model, end, points, start=None, **overrides)


def thermal_voltage(temperature: float) -> float:
    """RT/F in mV."""
    return MILLIVOLT_PER_VOLT * GAS_CONSTANT * temperature / FARADAY


def nernst(valence: int, outside: float, inside: float, temperature: float) -> float:
    """Nernst potential (mV) of an ion of the given valence: (RT/zF) ln(c_o/c_i)."""
    return thermal_voltage(temperature) / valence * math.log(outside / inside)


def cell_capacitance(values: Mapping[str, float]) -> float:
    """Membrane capacitance (pF) from C_m (µF/cm²) and A_m (µm²)."""
    return (
        values["C_m"]
        * values["A_m"]
        / SQUARE_MICROMETRE_PER_SQUARE_CENTIMETRE
        * PICOFARAD_PER_MICROFARAD
    )


# ------------------------------------------------------------------------------------------
# 1. proton_vesicle: dp = I_pump / G_H, exponential relaxation with tau = C_eff / G_H
# ------------------------------------------------------------------------------------------

VESICLE = "proton_vesicle"
VESICLE_RADIUS = 0.1e-6  # m: the model's proteoliposome (header: sphere of radius 0.1 µm)
FARAD_PER_SQUARE_METRE_PER_MICROFARAD_PER_SQUARE_CENTIMETRE = 1e-2
FARAD_PER_PICOFARAD = 1e-12
SIEMENS_PER_PICOSIEMENS = 1e-12
MOLE_PER_FEMTOMOLE = 1e-15
CUBIC_METRE_PER_PICOLITRE = 1e-15

PUMP_AND_LEAK = [
    pytest.param(0.1, 0.001, id="defaults-100mV"),
    pytest.param(0.2, 0.004, id="pump0.2fA-leak0.004pS-50mV"),
    pytest.param(0.05, 0.001, id="pump0.05fA-leak0.001pS-50mV"),
    pytest.param(0.3, 0.002, id="pump0.3fA-leak0.002pS-150mV"),
    pytest.param(1.0, 0.01, id="pump1fA-leak0.01pS-100mV"),
    pytest.param(0.02, 0.0005, id="pump0.02fA-leak0.0005pS-40mV"),
]


def vesicle_area() -> float:
    """Membrane area (m²) of the 0.1 µm sphere."""
    return 4.0 * math.pi * VESICLE_RADIUS**2


def vesicle_volume() -> float:
    """Lumen volume (m³) of the 0.1 µm sphere."""
    return 4.0 / 3.0 * math.pi * VESICLE_RADIUS**3


def vesicle_capacitance(parameters: Mapping[str, float]) -> float:
    """C_ves = C_m · 4πr², in F."""
    return (
        parameters["C_m"]
        * FARAD_PER_SQUARE_METRE_PER_MICROFARAD_PER_SQUARE_CENTIMETRE
        * vesicle_area()
    )


def vesicle_time_constant(parameters: Mapping[str, float]) -> float:
    """Return tau = C_eff/G_H (s): 1/C_eff = 1/C_ves + ln(10) R T/(F² beta V), beta in mol/m³/pH."""
    buffer_moles_per_ph = parameters["beta"] * vesicle_volume()  # (mol/m³)/pH × m³ = mol/pH
    inverse_effective = 1.0 / vesicle_capacitance(parameters) + math.log(
        10.0
    ) * GAS_CONSTANT * parameters["T"] / (FARADAY**2 * buffer_moles_per_ph)
    return 1.0 / inverse_effective / (parameters["G_H"] * SIEMENS_PER_PICOSIEMENS)


def test_vesicle_geometry_is_the_sphere_of_radius_0_1_micrometre() -> None:
    """The vesicle's area A_m and lumen volume are those of a sphere of radius 0.1 µm."""
    parameters = pl.parameters(VESICLE)
    # The model writes them with 10 significant digits: relative 1e-9 is their precision.
    assert parameters["A_m"] == pytest.approx(vesicle_area() * 1e12, rel=1e-9)  # m² -> µm²
    assert parameters["vesicle"] == pytest.approx(
        vesicle_volume() / CUBIC_METRE_PER_PICOLITRE, rel=1e-9
    )


@pytest.mark.parametrize(("pump_current", "leak_conductance"), PUMP_AND_LEAK)
def test_vesicle_steady_pmf_is_pump_current_over_leak_conductance(
    pump_current: float,
    leak_conductance: float,
) -> None:
    """At steady state the pump and leak currents balance: dp = I_pump/G_H (fA/pS = mV)."""
    state = steady(VESICLE, I_pump=pump_current, G_H=leak_conductance)
    assert state["dp"] == pytest.approx(pump_current / leak_conductance, rel=NEWTON_RELATIVE)
    assert state["I_leak"] == pytest.approx(pump_current, rel=NEWTON_RELATIVE)


@pytest.mark.parametrize(("pump_current", "leak_conductance"), PUMP_AND_LEAK)
def test_vesicle_pmf_is_membrane_potential_minus_ph_term(
    pump_current: float,
    leak_conductance: float,
) -> None:
    """The pmf is dp = dpsi - 2.303 (RT/F) dpH; dpsi = -F H_i/C_ves, pH_i = pH_i0 - H_i/(beta V)."""
    overrides = {"I_pump": pump_current, "G_H": leak_conductance}
    state = steady(VESICLE, **overrides)
    parameters = pl.parameters(VESICLE, **overrides)
    excess_moles = state["H_i"] * MOLE_PER_FEMTOMOLE
    membrane_potential = (
        -FARADAY * excess_moles / vesicle_capacitance(parameters) * MILLIVOLT_PER_VOLT
    )
    lumen_ph = parameters["pH_i_init"] - excess_moles / (parameters["beta"] * vesicle_volume())
    ph_difference = parameters["pH_o"] - lumen_ph
    # Geometry rounded to 10 digits in the model and ln10 = 2.302585093: ARITHMETIC_RELATIVE.
    assert state["dpsi"] == pytest.approx(membrane_potential, rel=ARITHMETIC_RELATIVE)
    assert state["pH_i"] == pytest.approx(lumen_ph, rel=ARITHMETIC_RELATIVE)
    assert state["dpH"] == pytest.approx(ph_difference, rel=1e-6)  # 7.0154 - 7: 1e-9 × 7/0.015
    ph_term = math.log(10.0) * thermal_voltage(parameters["T"]) * ph_difference
    expected = membrane_potential - ph_term
    assert state["dp"] == pytest.approx(expected, rel=ARITHMETIC_RELATIVE)
    assert state["dp"] == pytest.approx(
        state["dpsi"] - math.log(10.0) * thermal_voltage(parameters["T"]) * state["dpH"],
        rel=ARITHMETIC_RELATIVE,
    )


@pytest.mark.parametrize(("pump_current", "leak_conductance"), PUMP_AND_LEAK[:3])
def test_vesicle_signs_while_pumping_protons_out(
    pump_current: float,
    leak_conductance: float,
) -> None:
    """Pumping H+ out leaves the lumen negative and alkaline: dpsi > 0, dpH < 0, H_i < 0."""
    state = steady(VESICLE, I_pump=pump_current, G_H=leak_conductance)
    assert state["H_i"] < 0
    assert state["dpsi"] > 0
    assert state["dpH"] < 0
    assert state["pH_i"] > state.values["pH_o"]
    # Both components push the leak inward: each is a positive part of dp.
    assert 0 < state["dpsi"] < state["dp"]


@pytest.mark.parametrize(("pump_current", "leak_conductance"), PUMP_AND_LEAK[:3])
def test_vesicle_relaxes_exponentially_with_independent_time_constant(
    pump_current: float,
    leak_conductance: float,
) -> None:
    """From dp(0) = 0, dp(t) = dp_ss (1 - exp(-t/tau)) over 0..5 tau, tau = C_eff/G_H."""
    overrides = {"I_pump": pump_current, "G_H": leak_conductance}
    tau = vesicle_time_constant(pl.parameters(VESICLE, **overrides))
    trajectory = pl.simulate(VESICLE, 5 * tau, 51, I_pump=pump_current, G_H=leak_conductance)
    steady_pmf = pump_current / leak_conductance
    expected = steady_pmf * (1.0 - np.exp(-trajectory["time"] / tau))
    # CVODE runs at relative tolerance 1e-10 and tau is exact up to the model's 10-digit
    # geometry and ln10 (~1e-10): 1e-6 of dp_ss is far above both and far below any error in
    # tau (a 1e-4 error in tau moves dp by ~4e-5 dp_ss near t = tau).
    np.testing.assert_allclose(trajectory["dp"], expected, rtol=0, atol=1e-6 * steady_pmf)


# ------------------------------------------------------------------------------------------
# 2. donnan_rigid: Gibbs-Donnan equilibrium behind a rigid wall
# ------------------------------------------------------------------------------------------

RIGID = "donnan_rigid"
CLOSED_FORM_RELATIVE = 1e-4
"""The textbook closed form assumes strict electroneutrality; the model keeps the capacitive
charge C_cell·Vm/F, ~5e-6 (z_X = -1) to ~1e-5 (z_X = -2) of the impermeant charge here, which
shifts r by at most that much relative. 1e-4 covers it with a factor ~10 to spare; the exact
version (with the capacitive charge) is checked separately at NEWTON_RELATIVE."""

# (z_X, X_i_init in mM); the initial composition must stay electroneutral with Cl_i_init > 0:
# -z_X · X_i_init < Na_i_init + K_i_init = 152 mM (at equality Cl_i starts at 0; see report).
DONNAN_CASES = [
    pytest.param(-1.0, 138.0, id="zX-1-X138mM"),
    pytest.param(-1.0, 100.0, id="zX-1-X100mM"),
    pytest.param(-1.0, 20.0, id="zX-1-X20mM"),
    pytest.param(-2.0, 50.0, id="zX-2-X50mM"),
    pytest.param(-2.0, 20.0, id="zX-2-X20mM"),
]


def donnan_closed_form(valence: float, impermeant: float, medium_salt: float) -> float:
    """Return r from c r - c/r + z x = 0: r = -z x/(2c) + sqrt((z x/(2c))² + 1)."""
    half = valence * impermeant / (2.0 * medium_salt)
    return -half + math.sqrt(half * half + 1.0)


def donnan_exact(
    valence: float, impermeant: float, medium_salt: float, parameters: Mapping[str, float]
) -> float:
    """Return r with the capacitive charge kept: F V (c r - c/r + z x)/C_cell = -(RT/F) ln r."""
    volume = parameters["cell"]
    capacitance = cell_capacitance(parameters)
    voltage = thermal_voltage(parameters["T"])

    def residual(ratio: float) -> float:
        charge = (
            FARADAY * volume * (medium_salt * ratio - medium_salt / ratio + valence * impermeant)
        )  # fC
        return charge / capacitance + voltage * math.log(ratio)  # mV; increasing in r

    guess = donnan_closed_form(valence, impermeant, medium_salt)
    return float(optimize.brentq(residual, guess / 2.0, guess * 2.0, xtol=1e-15, rtol=1e-15))


def donnan_setup(
    valence: float, impermeant: float
) -> tuple[pl.SteadyState, dict[str, float], float]:
    """Return the steady state, parameters and medium salt c = [Cl-]o = [Na+]o + [K+]o (mM)."""
    overrides = {"z_X": valence, "X_i_init": impermeant}
    parameters = pl.parameters(RIGID, **overrides)
    return steady(RIGID, **overrides), parameters, parameters["Na_o"] + parameters["K_o"]


@pytest.mark.parametrize(("valence", "impermeant"), DONNAN_CASES)
def test_donnan_ratios_of_all_permeant_ions_agree(valence: float, impermeant: float) -> None:
    """[K+]i/[K+]o = [Na+]i/[Na+]o = [Cl-]o/[Cl-]i = donnan_ratio; Vm = E_Na = E_K = E_Cl."""
    state, parameters, salt = donnan_setup(valence, impermeant)
    potassium = state["conc_K_i"] / parameters["K_o"]
    sodium = state["conc_Na_i"] / parameters["Na_o"]
    chloride = salt / state["conc_Cl_i"]
    assert sodium == pytest.approx(potassium, rel=NEWTON_RELATIVE)
    assert chloride == pytest.approx(potassium, rel=NEWTON_RELATIVE)
    assert state["donnan_ratio"] == pytest.approx(potassium, rel=NEWTON_RELATIVE)
    # Every leak current vanishes at equilibrium; 1e-6 mV is ~4e-8 of RT/F.
    for ion in ("Na", "K", "Cl"):
        assert state[f"E_{ion}"] == pytest.approx(state["Vm"], abs=1e-6)


@pytest.mark.parametrize(("valence", "impermeant"), DONNAN_CASES)
def test_donnan_ratio_matches_closed_form(valence: float, impermeant: float) -> None:
    """The ratio is r = -z_X x/(2c) + sqrt((z_X x/(2c))² + 1) (strict electroneutrality)."""
    state, _, salt = donnan_setup(valence, impermeant)
    ratio = donnan_closed_form(valence, impermeant, salt)
    assert state["donnan_ratio"] == pytest.approx(ratio, rel=CLOSED_FORM_RELATIVE)
    assert state["conc_K_i"] / state["[K_o]"] == pytest.approx(ratio, rel=CLOSED_FORM_RELATIVE)
    # Vm = -(RT/F) ln r: a relative error e in r is RT/F·e mV.
    voltage = thermal_voltage(state.values["T"])
    assert state["Vm"] == pytest.approx(
        -voltage * math.log(ratio), abs=voltage * CLOSED_FORM_RELATIVE
    )


@pytest.mark.parametrize(("valence", "impermeant"), DONNAN_CASES)
def test_donnan_ratio_matches_exact_equilibrium_with_capacitive_charge(
    valence: float,
    impermeant: float,
) -> None:
    """The ratio solves F V (c r - c/r + z x)/C_cell = -(RT/F) ln r = Vm = V_donnan."""
    state, parameters, salt = donnan_setup(valence, impermeant)
    ratio = donnan_exact(valence, impermeant, salt, parameters)
    assert state["donnan_ratio"] == pytest.approx(ratio, rel=NEWTON_RELATIVE)
    voltage = thermal_voltage(parameters["T"])
    # NEWTON_RELATIVE of r is RT/F·1e-9 ≈ 3e-8 mV; 1e-6 mV leaves margin.
    assert state["Vm"] == pytest.approx(-voltage * math.log(ratio), abs=1e-6)
    assert state["V_donnan"] == pytest.approx(-voltage * math.log(ratio), abs=1e-6)
    assert state["V_donnan"] == pytest.approx(
        -voltage * math.log(state["donnan_ratio"]), abs=1e-9
    )  # same formula: rounding only


@pytest.mark.parametrize(("valence", "impermeant"), DONNAN_CASES)
def test_donnan_wall_pressure_is_van_t_hoff(valence: float, impermeant: float) -> None:
    """Pi = RT(osm_i - osm_o), osm_i = c r + c/r + x, osm_o = 2c, in kPa and atm."""
    state, parameters, salt = donnan_setup(valence, impermeant)
    temperature = parameters["T"]

    def pressure_kilopascal(ratio: float) -> float:
        excess = salt * ratio + salt / ratio + impermeant - 2.0 * salt  # mM = mol/m³
        return GAS_CONSTANT * temperature * excess / 1e3  # Pa -> kPa

    closed = pressure_kilopascal(donnan_closed_form(valence, impermeant, salt))
    exact = pressure_kilopascal(donnan_exact(valence, impermeant, salt, parameters))
    assert state["osm_o"] == pytest.approx(2.0 * salt, rel=1e-12)
    assert state["Pi_kPa"] == pytest.approx(closed, rel=CLOSED_FORM_RELATIVE)
    assert state["Pi_atm"] == pytest.approx(closed / KILOPASCAL_PER_ATM, rel=CLOSED_FORM_RELATIVE)
    # The exact pressure differs from the model only through r (NEWTON_RELATIVE), amplified at
    # most by c(r + 1/r)/(osm excess) <= ~10 here.
    assert state["Pi_kPa"] == pytest.approx(exact, rel=10 * NEWTON_RELATIVE)
    assert state["Pi_atm"] == pytest.approx(
        state["Pi_kPa"] / KILOPASCAL_PER_ATM, rel=ARITHMETIC_RELATIVE
    )
    assert state["Pi_kPa"] > 0  # the trapped anions always make the inside hyperosmotic


def test_donnan_ratio_depends_only_on_the_impermeant_charge() -> None:
    """The ratio depends on X only through z_X·[X]i: (-2, 50 mM) and (-1, 100 mM) agree."""
    divalent, _, _ = donnan_setup(-2.0, 50.0)
    monovalent, _, _ = donnan_setup(-1.0, 100.0)
    # Same equations (capacitive term included) for both: only Newton's precision differs.
    assert divalent["donnan_ratio"] == pytest.approx(
        monovalent["donnan_ratio"], rel=NEWTON_RELATIVE
    )
    assert divalent["Vm"] == pytest.approx(monovalent["Vm"], abs=1e-6)
    # ... but the osmotic excess counts particles: the divalent load has 50 mM fewer.
    excess_difference = (monovalent["osm_i"] - monovalent["osm_o"]) - (
        divalent["osm_i"] - divalent["osm_o"]
    )
    assert excess_difference == pytest.approx(50.0, rel=1e-6)


def test_donnan_ratio_tends_to_one_as_impermeant_vanishes() -> None:
    """The ratio falls monotonically to 1 as [X]i -> 0, with r - 1 -> x/(2c) (first order)."""
    impermeants = (138.0, 60.0, 20.0, 5.0, 1.0, 0.2)
    ratios = []
    for impermeant in impermeants:
        state, _, salt = donnan_setup(-1.0, impermeant)
        ratios.append(state["donnan_ratio"])
    assert all(later < earlier for earlier, later in itertools.pairwise(ratios))
    assert all(ratio > 1.0 for ratio in ratios)
    # r - 1 = x/(2c) + x²/(8c²) + ...: the first-order term is within x/(4c) ≈ 3e-4 relative.
    assert ratios[-1] - 1.0 == pytest.approx(impermeants[-1] / (2.0 * salt), rel=1e-3)
    assert ratios[-1] - 1.0 < 1e-3


# ------------------------------------------------------------------------------------------
# 3. donnan_swelling: no wall, no pump: unbounded swelling
# ------------------------------------------------------------------------------------------

SWELLING = "donnan_swelling"


def test_donnan_swelling_has_no_steady_state() -> None:
    """steady_state raises SteadyStateNotFoundError saying the volume grows without bound."""
    with pytest.raises(pl.SteadyStateNotFoundError, match="grows without bound"):
        pl.steady_state(SWELLING)


def test_cli_steady_donnan_swelling_fails_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    """`pumpleak steady donnan_swelling` exits 1 with a one-line error on stderr."""
    assert cli.main(["steady", SWELLING]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("pumpleak: error:")
    assert "grows without bound" in lines[0]


def test_donnan_swelling_volume_grows_and_ratio_falls_to_one() -> None:
    """Over 0..1e6 s the volume rises strictly and the Donnan ratio falls towards 1."""
    trajectory = course(SWELLING, 1e6, 101)  # 1e4 s grid: index 1 is t = 1e4 s
    assert trajectory["time"][1] == pytest.approx(1e4)
    volume = trajectory["cell"]
    assert np.all(np.diff(volume) > 0)
    ratio = trajectory["donnan_ratio"]
    assert np.all(ratio[1:] > 1.0)  # anionic X: always a Donnan excess of cations
    assert np.all(np.diff(ratio[1:]) < 0)
    assert ratio[-1] - 1.0 < ratio[1] - 1.0
    # The cause: the cell stays hyperosmotic (osm_i > osm_o) the whole time.
    assert np.all(trajectory["osm_i"][1:] > trajectory["osm_o"][1:])


# ------------------------------------------------------------------------------------------
# 4. pump_leak_ghk: GHK leaks, saturating pump, Mullins-Noda resting potential
# ------------------------------------------------------------------------------------------

GHK = "pump_leak_ghk"
PUMP_COUPLING = 1.5  # 3 Na+ out per 2 K+ in
GHK_ION = {  # ion -> (valence, permeability id, medium concentration id)
    "Na": (1, "P_Na", "Na_o"),
    "K": (1, "P_K", "K_o"),
    "Cl": (-1, "P_Cl", "Cl_o"),
}


@functools.cache
def ghk_parameters() -> dict[str, float]:
    """Return the GHK cell's settable and fixed quantities (the latter from its steady state).

    The medium's species are given by concentration (mM), as the equations use them: a
    steady state holds them as ``[S]`` (``S`` is the amount, as in RoadRunner).
    """
    state = steady(GHK)
    medium = {sid: value for sid, value in state.concentrations.items() if sid.endswith("_o")}
    return {**state.values, **medium, **pl.parameters(GHK)}


def ghk_current(
    valence: int,
    permeability: float,
    *,
    inside: float,
    outside: float,
    potential: float,
    temperature: float,
) -> float:
    """GHK current density (µA/cm², outward positive): P z F u (c_i - c_o e^-u)/(1 - e^-u).

    P in cm/s, c in mM: P F c is (1e-2 m/s)(C/mol)(mol/m³) = 1e-2 A/m² = 1 µA/cm².
    """
    u = valence * potential / thermal_voltage(temperature)
    if u == 0.0:
        return permeability * valence * FARADAY * (inside - outside)
    return (
        permeability
        * valence
        * FARADAY
        * u
        * (inside - outside * math.exp(-u))
        / (1.0 - math.exp(-u))
    )


def steady_state_current_tolerance(state: pl.SteadyState, amount_id: str) -> float:
    """Largest current density (µA/cm²) left when amount_id changes by 1e-10 of itself per s.

    That is the steady-state solver's acceptance criterion, so the flux balance holds at
    least this well; the ion flux of 1 µA/cm² is A_m/(1e8 µm²/cm²)·1e9 fA/µA / F fmol/s.
    """
    flux_per_current = state.values["A_m"] / SQUARE_MICROMETRE_PER_SQUARE_CENTIMETRE * 1e9 / FARADAY
    return 1e-10 * abs(state[amount_id]) / flux_per_current


def test_ghk_steady_potential_is_mullins_noda() -> None:
    """Vm = (RT/F) ln((r P_K K_o + P_Na Na_o + P_Cl Cl_i)/(r P_K K_i + P_Na Na_i + P_Cl Cl_o))."""
    state = steady(GHK)
    values = ghk_parameters()
    numerator = (
        PUMP_COUPLING * values["P_K"] * values["K_o"]
        + values["P_Na"] * values["Na_o"]
        + values["P_Cl"] * state["conc_Cl_i"]
    )
    denominator = (
        PUMP_COUPLING * values["P_K"] * state["conc_K_i"]
        + values["P_Na"] * state["conc_Na_i"]
        + values["P_Cl"] * values["Cl_o"]
    )
    expected = thermal_voltage(values["T"]) * math.log(numerator / denominator)
    # Exact when I_Na = -3 I_pump, I_K = 2 I_pump, I_Cl = 0; 0.001 mV (the brief's tolerance)
    # is ~1e5 times what the steady-state residual currents can shift Vm by.
    assert state["Vm"] == pytest.approx(expected, abs=1e-3)
    assert state["V_MN"] == pytest.approx(expected, abs=1e-9)  # same formula: rounding only


def test_ghk_steady_leaks_balance_the_pump() -> None:
    """At steady state I_Na = -3 I_pump, I_K = 2 I_pump, I_Cl = 0 and Vm = E_Cl."""
    state = steady(GHK)
    pump = state["I_pump"]
    assert pump > 0
    assert state["I_Na"] == pytest.approx(
        -3.0 * pump, abs=steady_state_current_tolerance(state, "Na_i")
    )
    assert state["I_K"] == pytest.approx(
        2.0 * pump, abs=steady_state_current_tolerance(state, "K_i")
    )
    assert state["I_Cl"] == pytest.approx(0.0, abs=steady_state_current_tolerance(state, "Cl_i"))
    chloride_nernst = nernst(
        -1, ghk_parameters()["Cl_o"], state["conc_Cl_i"], ghk_parameters()["T"]
    )
    assert state["E_Cl"] == pytest.approx(chloride_nernst, abs=1e-9)  # rounding only
    assert state["Vm"] == pytest.approx(chloride_nernst, abs=1e-3)  # I_Cl ~ 0: see above


@pytest.mark.parametrize("ion", ["Na", "K", "Cl"])
def test_ghk_steady_currents_follow_the_flux_equation(ion: str) -> None:
    """The reported GHK currents equal P z F u (c_i - c_o e^-u)/(1 - e^-u) at steady state."""
    state = steady(GHK)
    values = ghk_parameters()
    valence, permeability, outside = GHK_ION[ion]
    expected = ghk_current(
        valence,
        values[permeability],
        inside=state[f"conc_{ion}_i"],
        outside=values[outside],
        potential=state["Vm"],
        temperature=values["T"],
    )
    # Same formula and inputs: rounding only. I_Cl ~ 0 is a difference of ~0.1 µA/cm² terms,
    # so it gets an absolute floor of 1e-12 µA/cm² (1e-11 of the terms).
    assert state[f"I_{ion}"] == pytest.approx(expected, rel=ARITHMETIC_RELATIVE, abs=1e-12)


def test_ghk_initial_nernst_potentials_are_the_seeds() -> None:
    """At t = 0 (Na 12/145, K 140/4 mM, 37 °C) E_K = -95.0 mV and E_Na = +66.6 mV."""
    start = course(GHK, 1.0, 2)
    values = ghk_parameters()
    potassium, sodium = start["E_K"][0], start["E_Na"][0]
    # The issue quotes them rounded to 0.1 mV: 0.05 mV is half a unit of its last digit.
    assert potassium == pytest.approx(-95.0, abs=0.05)
    assert sodium == pytest.approx(66.6, abs=0.05)
    assert potassium == pytest.approx(nernst(1, 4.0, 140.0, values["T"]), abs=1e-9)
    assert sodium == pytest.approx(nernst(1, 145.0, 12.0, values["T"]), abs=1e-9)


def test_ghk_currents_at_zero_potential_take_their_limit() -> None:
    """At t = 0 Vm = 0 (electroneutral start) and I_ion = P z F (c_i - c_o), finite."""
    start = course(GHK, 1.0, 2)
    values = ghk_parameters()
    # Amounts are ~70 fmol rounded at ~1e-14 fmol; F × 1e-14 fmol / 3.14 pF ≈ 3e-10 mV.
    assert start["Vm"][0] == pytest.approx(0.0, abs=1e-9)
    for ion, (valence, permeability, outside) in GHK_ION.items():
        current = start[f"I_{ion}"][0]
        assert math.isfinite(current)
        limit = (
            values[permeability] * valence * FARADAY * (start[f"conc_{ion}_i"][0] - values[outside])
        )
        # |u| <= 1e-11 there, so the limit is exact to ~1e-11: 1e-9 relative.
        assert current == pytest.approx(limit, rel=1e-9)


def test_ghk_steady_state_meets_the_seed_targets() -> None:
    """[K+]i within 3 % of 140 mM, [Na+]i within 3 % of 12 mM and Vm within 3 mV of -70 mV."""
    state = steady(GHK)
    # The seed's numbers are round illustrative values, hence the loose targets.
    assert state["conc_K_i"] == pytest.approx(140.0, rel=0.03)
    assert state["conc_Na_i"] == pytest.approx(12.0, rel=0.03)
    assert state["Vm"] == pytest.approx(-70.0, abs=3.0)


# ------------------------------------------------------------------------------------------
# 5. hydropic_change: pump failure
# ------------------------------------------------------------------------------------------

HYDROPIC = "hydropic_change"
HYDROPIC_END = 20000.0  # s
HYDROPIC_POINTS = 2001  # a 10 s grid: fine enough to see the transient after the block


def hydropic_course() -> pl.Trajectory:
    """Return the hydropic scenario from its pre-block steady state, 0..20000 s, 10 s grid."""
    return course(HYDROPIC, HYDROPIC_END, HYDROPIC_POINTS)


def block_time() -> float:
    """t_block (s)."""
    return pl.parameters(HYDROPIC)["t_block"]


def test_seed_pump_failure_example_is_about_one_atmosphere() -> None:
    """+30 Na+, +30 Cl-, -20 K+ mM is +40 mOsm/L: RT·Δc = 1.02 atm at 37 °C (seed text)."""
    excess = 30.0 + 30.0 - 20.0  # mM = mol/m³
    temperature = 273.15 + 37.0
    expected = GAS_CONSTANT * temperature * excess / PASCAL_PER_ATM
    assert pl.osmotic_pressure(excess, temperature) == pytest.approx(expected, rel=1e-12)
    assert round(pl.osmotic_pressure(excess, temperature), 2) == 1.02


def test_hydropic_pre_block_state_is_the_pump_leak_steady_state() -> None:
    """Before the block the scenario sits at pump_leak's steady state."""
    before = steady(HYDROPIC)
    core = steady("pump_leak")
    for quantity in ("cell", "Na_i", "K_i", "Cl_i", "Vm", "conc_Na_i", "conc_K_i", "conc_Cl_i"):
        # Same equations, start and solver: only Newton's precision can differ.
        assert before[quantity] == pytest.approx(core[quantity], rel=NEWTON_RELATIVE)
    trajectory = hydropic_course()
    before_block = trajectory["time"] < block_time()
    # The steady state drifts by at most 1e-10 of itself per s (solver criterion): <= 1e-7.
    np.testing.assert_allclose(trajectory["cell"][before_block], before["cell"], rtol=1e-7)
    np.testing.assert_allclose(trajectory["Vm"][before_block], before["Vm"], rtol=1e-7)


def test_hydropic_event_is_at_the_block_time() -> None:
    """The trajectory's events contain the block at t_block = 1000 s."""
    assert block_time() == 1000.0
    assert block_time() in hydropic_course().event_times


def test_hydropic_cell_swells_monotonically_after_the_block() -> None:
    """After the block the volume grows strictly (pump gone: Donnan swelling)."""
    trajectory = hydropic_course()
    after = trajectory["time"] >= block_time()
    assert np.all(np.diff(trajectory["cell"][after]) > 0)
    assert trajectory["relative_volume"][-1] > 1.5  # visibly swollen after ~5 h
    np.testing.assert_allclose(
        trajectory["relative_volume"][after],
        trajectory["cell"][after] / steady(HYDROPIC)["cell"],
        rtol=1e-7,
    )


def test_hydropic_block_removes_the_pump_potential_at_once() -> None:
    """0.1 s after the block Vm has jumped by -V_pump = I_pump/(g_K + g_Na + g_Cl)."""
    before = steady(HYDROPIC)
    # 0.1 s grid up to t_block + 0.1 s: the membrane time constant C_m/g = 16 ms has passed
    # ~6 times (residual 8 mV × e^-6 ≈ 0.02 mV) while the concentrations have barely moved
    # (Na_i by ~1e-3 relative, E_Na by ~0.02 mV): 0.1 mV tolerance.
    trajectory = pl.simulate(HYDROPIC, block_time() + 0.1, 10002)
    assert trajectory["time"][-1] == pytest.approx(block_time() + 0.1)
    parameters = pl.parameters(HYDROPIC)
    conductance = parameters["g_K"] + parameters["g_Na"] + parameters["g_Cl"]
    jump = trajectory["Vm"][-1] - before["Vm"]
    assert jump == pytest.approx(parameters["I_pump_max"] / conductance, abs=0.1)
    # More precisely, Vm is the chord average without the pump of the present concentrations.
    chord = (
        sum(parameters[f"g_{ion}"] * trajectory[f"E_{ion}"][-1] for ion in ("K", "Na", "Cl"))
        / conductance
    )
    assert trajectory["Vm"][-1] == pytest.approx(chord, abs=0.05)  # residual ~0.02 mV


def test_hydropic_cell_depolarises_towards_zero() -> None:
    """After a short hyperpolarising transient (< 5 min) Vm rises monotonically above -15 mV."""
    trajectory = hydropic_course()
    after = trajectory["time"] > block_time()
    time, potential = trajectory["time"][after], trajectory["Vm"][after]
    # The transient: Na+ entry makes E_Na fall faster than K+ loss makes E_K rise (the Na+ pool
    # is small), so Vm first dips; the minimum comes within 5 minutes of the block.
    lowest = int(np.argmin(potential))
    assert time[lowest] - block_time() <= 300.0
    assert np.all(np.diff(potential[lowest:]) > 0)
    assert np.all(potential < 0)
    assert potential[-1] > -15.0


def test_hydropic_gains_signs_and_sum() -> None:
    """After the block gain_Na > 0, gain_Cl > 0, gain_K < 0 and osm_excess is their sum."""
    trajectory = hydropic_course()
    after = trajectory["time"] > block_time()
    assert np.all(trajectory["gain_Na"][after] > 0)
    assert np.all(trajectory["gain_Cl"][after] > 0)
    assert np.all(trajectory["gain_K"][after] < 0)
    total = trajectory["gain_Na"] + trajectory["gain_K"] + trajectory["gain_Cl"]
    np.testing.assert_allclose(trajectory["osm_excess"], total, rtol=1e-12, atol=1e-12)
    assert np.all(trajectory["osm_excess"][after] > 0)  # a net osmotic gain: hence swelling


def test_hydropic_gains_are_zero_before_the_block() -> None:
    """gain_Na, gain_K, gain_Cl, osm_excess and Pi_atm are exactly 0 before t_block."""
    trajectory = hydropic_course()
    before = trajectory["time"] < block_time()
    for quantity in ("gain_Na", "gain_K", "gain_Cl", "osm_excess", "Pi_atm"):
        assert np.all(trajectory[quantity][before] == 0.0)


@pytest.mark.parametrize("ion", ["Na", "K", "Cl"])
def test_hydropic_gains_are_amount_changes_per_pre_block_volume(ion: str) -> None:
    """gain_ion(t) = (amount(t) - amount at the block)/(volume at the block)."""
    trajectory = hydropic_course()
    before = steady(HYDROPIC)
    after = trajectory["time"] > block_time()
    expected = (trajectory[f"{ion}_i"][after] - before[f"{ion}_i"]) / before["cell"]
    # The amounts at the block differ from the steady state by the allowed drift (<= 1e-10/s
    # × 1000 s × ~70 fmol ≈ 7e-6 fmol, i.e. ~1e-5 mM): absolute 1e-5 mM.
    np.testing.assert_allclose(trajectory[f"gain_{ion}"][after], expected, rtol=0, atol=1e-5)


def test_hydropic_pressure_is_van_t_hoff_of_the_excess() -> None:
    """Pi_atm = R T osm_excess / 101325 Pa, as pl.osmotic_pressure computes it."""
    trajectory = hydropic_course()
    temperature = pl.parameters(HYDROPIC)["T"]
    expected = GAS_CONSTANT * temperature * trajectory["osm_excess"] / PASCAL_PER_ATM
    np.testing.assert_allclose(trajectory["Pi_atm"], expected, rtol=ARITHMETIC_RELATIVE)
    final_excess = trajectory["osm_excess"][-1]
    assert trajectory["Pi_atm"][-1] == pytest.approx(
        pl.osmotic_pressure(final_excess, temperature), rel=ARITHMETIC_RELATIVE
    )


def test_hydropic_has_no_steady_state_after_the_block() -> None:
    """With the pump gone no finite steady state exists: after_events=True raises."""
    with pytest.raises(pl.SteadyStateNotFoundError, match="grows without bound"):
        pl.steady_state(HYDROPIC, after_events=True)


# ------------------------------------------------------------------------------------------
# 6. impermeant_load: the volume scales with X, the concentrations and Vm return
# ------------------------------------------------------------------------------------------

LOAD = "impermeant_load"
LOAD_RELATIVE = 1e-5  # the tolerance
LOADS = [
    pytest.param(36.0, id="default-36fmol"),
    pytest.param(10.0, id="load10fmol"),
    pytest.param(72.0, id="load72fmol"),
]


def capacitive_bound(before: pl.SteadyState, load: float) -> float:
    """Bound on the relative shift of the post-load state caused by the capacitive charge.

    Electroneutrality holds only up to q = C_cell Vm/(F V) (mM), which does not scale with X:
    when V grows by (X + X_load)/X, q falls by the fraction X_load/(X + X_load), and each
    concentration shifts by ~Δq/osm_o < Δq/[X]i, i.e. by less than
    C_cell |Vm|/(F X) × X_load/(X + X_load) relative (X the amount in fmol).
    """
    impermeant = before["X_i"]
    per_impermeant = before["C_cell"] * abs(before["Vm"]) / (FARADAY * impermeant)
    return per_impermeant * load / (impermeant + load)


@pytest.mark.parametrize("load", LOADS)
def test_load_scales_the_steady_volume(load: float) -> None:
    """After the load the steady volume is (X + X_load)/X times the former one."""
    before = steady(LOAD, X_load=load)
    after = steady(LOAD, after_events=True, X_load=load)
    impermeant = before["X_i"]
    assert after["X_i"] == pytest.approx(impermeant + load, rel=1e-12)  # X is conserved
    expected = (impermeant + load) / impermeant
    deviation = abs(after["cell"] / before["cell"] / expected - 1.0)
    assert deviation < LOAD_RELATIVE
    assert deviation < capacitive_bound(before, load)


@pytest.mark.parametrize("load", LOADS)
@pytest.mark.parametrize("quantity", ["conc_Na_i", "conc_K_i", "conc_Cl_i", "conc_X_i", "Vm"])
def test_load_restores_concentrations_and_potential(quantity: str, load: float) -> None:
    """After the load the concentrations and Vm return to their pre-load values."""
    before = steady(LOAD, X_load=load)
    after = steady(LOAD, after_events=True, X_load=load)
    deviation = abs(after[quantity] / before[quantity] - 1.0)
    assert deviation < LOAD_RELATIVE
    assert deviation < capacitive_bound(before, load)


def test_load_capacitive_bound_is_of_the_expected_size() -> None:
    """C_cell |Vm|/(F X) is ~3e-5 for the default cell (the size the issue quotes)."""
    before = steady(LOAD)
    per_impermeant = before["C_cell"] * abs(before["Vm"]) / (FARADAY * before["X_i"])
    # C_cell = 1 µF/cm² × 4π(5 µm)², X = 138 mM × 4/3π(5 µm)³ and the seed's Vm = -70 mV:
    # 3.14 pF × 70 mV / (96485 C/mol × 72.3 fmol) = 3.2e-5; Vm is within 1 % of -70 mV.
    capacitance = 1.0 * 4.0 * math.pi * 5.0**2 / SQUARE_MICROMETRE_PER_SQUARE_CENTIMETRE * 1e6
    impermeant = 138.0 * 4.0 / 3.0 * math.pi * 5.0**3 / 1e3  # µm³ -> pL
    assert per_impermeant == pytest.approx(capacitance * 70.0 / (FARADAY * impermeant), rel=0.01)


def test_load_time_course_approaches_the_post_load_steady_state() -> None:
    """The time course jumps at t_load and relaxes to the post-load steady state."""
    before = steady(LOAD)
    after = steady(LOAD, after_events=True)
    trajectory = course(LOAD, 20000.0, 201)
    load_time = pl.parameters(LOAD)["t_load"]
    assert load_time in trajectory.event_times
    time = trajectory["time"]
    np.testing.assert_allclose(trajectory["X_i"][time > load_time], after["X_i"], rtol=1e-12)
    jump = after["cell"] - before["cell"]
    distance = np.abs(trajectory["cell"] - after["cell"]) / abs(jump)
    # The slowest relaxation (ion exchange) has a time constant of ~1e3 s, so after 19000 s
    # the remaining distance is far below 1e-4 of the jump.
    assert distance[-1] < 1e-4
    soon_after = int(np.argmin(np.abs(time - (load_time + 1000.0))))
    assert distance[-1] < distance[soon_after] < 1.0
    assert trajectory["Vm"][-1] == pytest.approx(after["Vm"], abs=1e-3)
    for ion in ("Na", "K", "Cl"):
        assert trajectory[f"conc_{ion}_i"][-1] == pytest.approx(after[f"conc_{ion}_i"], rel=1e-5)


# ------------------------------------------------------------------------------------------
# 7. pump_leak: the resting potential is the chord-conductance average
# ------------------------------------------------------------------------------------------

CORE = "pump_leak"
RESTING_CASES = [
    pytest.param({}, id="defaults"),
    pytest.param({"g_Cl": 0.05}, id="gCl0.05"),
    pytest.param({"I_pump_max": 0.3}, id="pump0.3"),
    pytest.param({"g_K": 0.06, "g_Na": 0.02}, id="gK0.06-gNa0.02"),
    pytest.param({"I_pump_max": 0.8, "g_Na": 0.008}, id="pump0.8-gNa0.008"),
]


@pytest.mark.parametrize("overrides", RESTING_CASES)
def test_resting_potential_is_chord_conductance_average(overrides: dict[str, float]) -> None:
    """Vm = (g_K E_K + g_Na E_Na + g_Cl E_Cl - I_pump)/(g_K + g_Na + g_Cl) at steady state."""
    state = steady(CORE, **overrides)
    parameters = pl.parameters(CORE, **overrides)
    temperature = parameters["T"]
    potentials = {
        "Na": nernst(1, parameters["Na_o"], state["conc_Na_i"], temperature),
        "K": nernst(1, parameters["K_o"], state["conc_K_i"], temperature),
        "Cl": nernst(-1, parameters["Na_o"] + parameters["K_o"], state["conc_Cl_i"], temperature),
    }
    conductance = sum(parameters[f"g_{ion}"] for ion in potentials)
    chord = (
        sum(parameters[f"g_{ion}"] * potentials[ion] for ion in potentials)
        - parameters["I_pump_max"]
    ) / conductance
    # Exact when the net membrane current is 0; the solver's residual currents (<~1e-7 µA/cm²)
    # shift Vm by <~1e-5 mV: 0.001 mV.
    assert state["Vm"] == pytest.approx(chord, abs=1e-3)
    assert state["V_chord"] == pytest.approx(chord, abs=1e-9)  # same formula: rounding only
    assert state["V_pump"] == pytest.approx(-parameters["I_pump_max"] / conductance, rel=1e-12)


def test_cli_steady_json_reports_the_pump_potential(capsys: pytest.CaptureFixture[str]) -> None:
    """`pumpleak steady pump_leak --json` lists V_pump (and V_chord) under resting_potential."""
    assert cli.main(["steady", CORE, "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    parameters = pl.parameters(CORE)
    conductance = parameters["g_K"] + parameters["g_Na"] + parameters["g_Cl"]
    resting = summary["resting_potential"]
    # JSON floats round-trip exactly; the formula is evaluated in another order: 1e-12.
    assert resting["V_pump"] == pytest.approx(-parameters["I_pump_max"] / conductance, rel=1e-12)
    assert resting["V_chord"] == pytest.approx(summary["Vm"], abs=1e-3)


# ------------------------------------------------------------------------------------------
# 8. The command line on the scenario models
# ------------------------------------------------------------------------------------------

SCENARIOS = [pytest.param(HYDROPIC, id=HYDROPIC), pytest.param(LOAD, id=LOAD)]


@pytest.mark.parametrize("model", SCENARIOS)
def test_cli_steady_scenario_reports_the_pre_event_state(
    model: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`pumpleak steady MODEL` exits 0 and prints the pre-event steady state."""
    assert cli.main(["steady", model]) == 0
    output = capsys.readouterr().out
    assert f"steady state of {model}" in output
    assert "Vm" in output


@pytest.mark.parametrize("model", SCENARIOS)
def test_cli_simulate_scenario_writes_a_png(
    model: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`pumpleak simulate MODEL --end 3000 --points 31 --plot FILE.png` writes a PNG."""
    figure = tmp_path / f"{model}.png"
    arguments = ["simulate", model, "--end", "3000", "--points", "31", "--plot", str(figure)]
    assert cli.main(arguments) == 0
    assert figure.read_bytes()[:8] == PNG_SIGNATURE
    assert capsys.readouterr().err == ""
