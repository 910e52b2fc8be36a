# SPDX-License-Identifier: MIT
"""Temperature dependence of the transport rates: Q10 factors, off unless a spec asks for them.

A spec's ``[temperature_dependence]`` table multiplies the pump rate, the leak conductances
(or permeabilities) and the water permeability by phi = Q10^((T - T_ref)/10 K). Checked here:

- each factor is exactly that power at two temperatures, and it multiplies its rate;
- without the table nothing changes, and with it at T = T_ref every number of the model is
  bit for bit the one without it (phi = Q10^0 = 1 exactly, and x * 1 = x);
- a physiological consequence computed independently: cooling the core cell from 37 to 27 °C
  slows the pump (Q10 2.69) more than the leaks (Q10 1.3), so the pump's direct share of Vm,
  -I_pump/G, shrinks by Q10_leak/Q10_pump, and the cell depolarises to the Vm of the linear
  cell's closed form (Keener & Sneyd 2009, sect. 2.6.3) with the scaled rates, solved here.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import optimize

import pumpleak_sbml as pl
from pumpleak_sbml.spec import read_spec_file

FARADAY = 96485.33212  # C/mol (CODATA 2018, exact in the 2019 SI)
GAS_CONSTANT = 8.314462618  # J/(mol K) (CODATA 2018, exact in the 2019 SI)
SPECS = Path(__file__).resolve().parents[2] / "models" / "specs"
Q10 = {"pump": 2.69, "leak": 1.3, "water": 1.2}  # the documented defaults (spec.py, README)
T_REF = 310.15  # K, the default reference


def core_cell(**table: float) -> dict[str, Any]:
    """Return the core cell's spec (models/specs/pump_leak.toml) with a temperature table."""
    spec = read_spec_file(SPECS / "pump_leak.toml")
    spec["temperature_dependence"] = dict(table)
    return spec


def without_table(spec: dict[str, Any]) -> dict[str, Any]:
    """Return a copy of a spec without its temperature table."""
    spec = copy.deepcopy(spec)
    spec.pop("temperature_dependence", None)
    return spec


def volume_rate(runner: Any) -> float:
    """Return d(cell)/dt (pL/s), the water flow, at the runner's current state."""
    rates = runner.getRatesOfChange()
    ids = [runner.model.getStateVectorId(i) for i in range(len(rates))]
    return float(rates[ids.index("cell")])


@pytest.mark.parametrize("temperature", [300.15, 320.15])
def test_temperature_factor_is_q10_to_the_power_delta_t_over_ten(temperature: float) -> None:
    """Each factor is Q10^((T - T_ref)/10 K) at 27 and 47 °C, and multiplies its rate.

    The model's pow and Python's agree to a few ulp: rel 1e-14. The rates are checked at
    t = 0 (Vm = 0: the leak currents are -g E, not zero) against the unscaled formulas.
    """
    runner = pl.load(core_cell(), temperature=temperature)
    exponent = (temperature - T_REF) / 10.0
    for name, q10 in Q10.items():
        assert runner[f"phi_{name}"] == pytest.approx(q10**exponent, rel=1e-14), name
    assert runner["phi_pump"] != 1.0
    assert runner["I_pump"] == pytest.approx(Q10["pump"] ** exponent * 0.5, rel=1e-14)
    for ion, g in (("Na", 0.011), ("K", 0.041), ("Cl", 0.01)):
        unscaled = g * (runner["Vm"] - runner[f"E_{ion}"])
        assert runner[f"I_{ion}"] == pytest.approx(Q10["leak"] ** exponent * unscaled, rel=1e-14)
    scaled = volume_rate(runner)
    unscaled = volume_rate(pl.load(without_table(core_cell()), temperature=temperature))
    assert scaled == pytest.approx(Q10["water"] ** exponent * unscaled, rel=1e-14)


def test_temperature_table_values_are_used() -> None:
    """The table's own reference and Q10s replace the defaults (here: 2 at 10 K below T_ref)."""
    runner = pl.load(
        core_cell(reference=320.15, pump_q10=4.0, leak_q10=2.0, water_q10=1.5),
        temperature=310.15,
    )
    assert (runner["phi_pump"], runner["phi_leak"], runner["phi_water"]) == pytest.approx(
        (0.25, 0.5, 1 / 1.5), rel=1e-15
    )


def test_temperature_without_table_adds_nothing() -> None:
    """A spec without the table (every shipped spec but the neuron) has no Q10 quantity at all."""
    for path in sorted(SPECS.glob("*.toml")):
        spec = read_spec_file(path)
        if "temperature_dependence" in spec:
            continue
        text = pl.model_antimony(spec)
        for name in ("phi_", "Q10_", "T_ref", "dT_Q10"):
            assert name not in text, (path.name, name)


@pytest.mark.parametrize("spec_file", ["pump_leak.toml", "pump_leak_ghk.toml", "red_cell.toml"])
def test_temperature_table_at_reference_changes_nothing_bit_for_bit(spec_file: str) -> None:
    """At T = T_ref the table changes no number: the same steady state and time course, exactly.

    phi = Q10^0 is exactly 1 and multiplying by 1 is exact, so equality is exact (==), not
    approximate. Each law is covered: linear and GHK leaks, the fixed, saturating and ATP pumps.
    """
    spec = read_spec_file(SPECS / spec_file)
    table = copy.deepcopy(spec)
    table["temperature_dependence"] = {"reference": spec["temperature"]}
    plain, scaled = pl.steady_state(spec), pl.steady_state(table)
    assert scaled["phi_pump"] == scaled["phi_leak"] == scaled["phi_water"] == 1.0
    for name in ("Vm", "cell", "conc_Na_i", "conc_K_i", "conc_Cl_i", "I_pump"):
        assert scaled[name] == plain[name], name
    quantities = ["time", "Vm", "cell", "conc_Na_i", "conc_K_i", "conc_Cl_i"]
    runs = [pl.simulate(model, end=2000.0, points=41) for model in (spec, table)]
    for name in quantities:
        assert np.array_equal(runs[0][name], runs[1][name]), name


def closed_form_state(temperature: float) -> dict[str, float]:
    """Return the core cell's steady state at a temperature, solved here from its equations.

    Linear leaks, a fixed pump, Vm = E_Cl (Cl- moves only through its leak), z_X = -1 and no
    medium impermeant: I_Na = -3 I_pump and I_K = 2 I_pump give [Na]i = [Na]o exp(-(Vm +
    3p/g_Na)/v) and [K]i = [K]o exp(-(Vm - 2p/g_K)/v), with p = phi_pump I_max/phi_leak and
    v = RT/F. [X]i follows from the net charge q = C_cell Vm/(F V) (Na + K - Cl - X = q), the
    volume from the fixed X amount; osmotic balance leaves one unknown, Vm, found by brentq.
    """
    v = 1e3 * GAS_CONSTANT * temperature / FARADAY  # mV
    steps = (temperature - T_REF) / 10.0
    pump = Q10["pump"] ** steps * 0.5 / Q10["leak"] ** steps  # p, µA/cm² per leak factor
    na_o, k_o, cl_o = 145.0, 4.0, 149.0
    radius = 5.0  # µm
    volume0 = 4 / 3 * math.pi * radius**3 / 1e3  # pL
    capacitance = 1.0 * 4 * math.pi * radius**2 / 1e8 * 1e6  # pF
    x_amount = 138.0 * volume0  # fmol

    def state(vm: float) -> dict[str, float]:
        na = na_o * math.exp(-(vm + 3 * pump / 0.011) / v)
        k = k_o * math.exp(-(vm - 2 * pump / 0.041) / v)
        cl = cl_o * math.exp(vm / v)
        # x from neutrality with the charge q: na + k - cl - x = q, with q = C Vm/(F V), V = X/x
        x = (na + k - cl) / (1 + capacitance * vm / (FARADAY * x_amount))
        volume = x_amount / x
        return {"Vm": vm, "conc_Na_i": na, "conc_K_i": k, "conc_Cl_i": cl, "cell": volume}

    def osmotic_excess(vm: float) -> float:
        s = state(vm)
        return s["conc_Na_i"] + s["conc_K_i"] + s["conc_Cl_i"] + x_amount / s["cell"] - 298.0

    vm = optimize.brentq(osmotic_excess, -120.0, -20.0, xtol=1e-14, rtol=1e-15)
    return state(vm)


def test_temperature_cooling_shrinks_the_pumps_share_of_vm() -> None:
    """27 °C vs 37 °C: the engine's steady states equal the closed form with the scaled rates.

    The pump's direct share of Vm, -I_pump/(g_Na + g_K + g_Cl) with both scaled, falls by
    exactly Q10_leak/Q10_pump (0.483): from -7.1 to -3.4 mV. Tolerances: the engine certifies
    residuals to 1e-10 of the fluxes and the brentq root is exact to ~1e-14; Vm, a difference
    of ion amounts ~1e5 times the net charge, agrees to ~1e-10 mV; 1e-8 leaves a margin.
    """
    shares = {}
    for temperature in (300.15, 310.15):
        state = pl.steady_state(core_cell(), temperature=temperature)
        expected = closed_form_state(temperature)
        for name, value in expected.items():
            assert state[name] == pytest.approx(value, rel=1e-8), (temperature, name)
        conductance = state["phi_leak"] * (0.011 + 0.041 + 0.01)
        shares[temperature] = -state["I_pump"] / conductance
    assert shares[300.15] / shares[310.15] == pytest.approx(Q10["leak"] / Q10["pump"], rel=1e-12)
    assert shares[310.15] == pytest.approx(-0.5 / 0.062, rel=1e-12)
    cold, warm = closed_form_state(300.15), closed_form_state(310.15)
    assert cold["Vm"] > warm["Vm"]  # the cooled cell depolarises
    assert cold["conc_Na_i"] > warm["conc_Na_i"]  # and gains Na+: the pump slowed most
