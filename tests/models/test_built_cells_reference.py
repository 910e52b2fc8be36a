# SPDX-License-Identifier: MIT
"""Time courses of spec-built cells against an independent SciPy integration of their ODEs.

The right-hand side is written here from the physics (charge-difference Vm, Nernst
potentials, linear and GHK leaks, fixed and saturating Na+/K+ pumps, KCC2, NKCC1, osmotic
water flow through a fixed membrane area), in the model's units, with constants typed in
this file, and integrated with SciPy's Radau at rtol 1e-11. Nothing is read from the built
model except its time course, so a wrong sign, factor or exponent in
``models/components/*.ant`` shows up as a different trajectory (reversing the water flow or
multiplying the water molar volume by 10 both change the volume by far more than the
tolerance). The cells start hyperosmotic and away from their steady state, so the volume,
every ion amount and Vm all move.

Units: volume pL, amounts fmol, concentrations mM = fmol/pL, Vm mV, currents µA/cm²,
conductances mS/cm², permeabilities cm/s, areas µm², time s. F [C/mol] x fmol = fC and
fC / pF = mV; a current density of 1 µA/cm² over A µm² is A·1e-8 µA = A·10 fA, i.e.
A·10/F fmol/s of a monovalent ion.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Callable
from importlib import resources
from typing import Any

import numpy as np
import pytest
from scipy.integrate import solve_ivp

import pumpleak_sbml as pl

FARADAY = 96485.33212  # C/mol (CODATA 2018, exact in the 2019 SI)
GAS_CONSTANT = 8.314462618  # J/(mol K) (CODATA 2018, exact in the 2019 SI)
WATER_MOLAR_VOLUME = 1.8e-5  # pL/fmol: 18 cm³/mol
VALENCE = {"Na": 1.0, "K": 1.0, "Cl": -1.0}
IONS = ("Na", "K", "Cl")

# Both integrators run far tighter than the comparison: RoadRunner at rtol 1e-10 (the
# package's setting), SciPy at 1e-11. Amounts and volume then agree to ~1e-9; 1e-6 leaves
# a margin of 1000 and is still 1e5 times finer than any of the mutations above.
AMOUNT_REL = 1e-6
# Vm is a difference of amounts ~1e5 times the net charge, so its relative error is ~1e5
# times theirs: after the ~ms charging transient it agrees to ~1e-6 of its value; 1e-4 mV
# absolute and 1e-5 relative leave a margin of 10 over the rounding of the charge.
VM_ABS = 1e-4
VM_REL = 1e-5


def geometry(spec: dict[str, Any]) -> tuple[float, float]:
    """Return (membrane area in µm², initial volume in pL) of a sphere or cylinder."""
    shape = spec["geometry"]
    r = shape["radius"]
    if shape["shape"] == "sphere":
        return 4 * math.pi * r**2, 4 / 3 * math.pi * r**3 * 1e-3
    length = shape["length"]
    return 2 * math.pi * r * length + 2 * math.pi * r**2, math.pi * r**2 * length * 1e-3


def right_hand_side(spec: dict[str, Any]) -> tuple[Callable[..., np.ndarray], np.ndarray]:
    """Return f(t, y) and y0 for y = (Na_i, K_i, Cl_i [fmol], V [pL]), written from physics."""
    area, volume0 = geometry(spec)
    rt_f = 1e3 * GAS_CONSTANT * spec["temperature"] / FARADAY  # mV
    capacitance = spec["membrane"]["capacitance"] * area * 1e-8 * 1e6  # pF
    flux_per_current = area * 10.0 / FARADAY  # fmol/s per µA/cm² (monovalent)
    medium = spec["medium"]
    cell = spec["cell"]
    x_amount = cell["X"] * volume0
    z_x = cell.get("z_X", -1.0)
    osm_o = sum(medium[ion] for ion in IONS) + medium.get("X", 0.0)
    leaks = spec.get("leaks", {})
    pump = spec.get("pump")
    cotransporters = spec.get("cotransporters", {})
    water = 1e9 * spec["membrane"]["water_permeability"] * area * 1e-8 * WATER_MOLAR_VOLUME

    def f(_: float, y: np.ndarray) -> np.ndarray:
        amounts = dict(zip(IONS, y[:3], strict=True))
        volume = y[3]
        inside = {ion: amounts[ion] / volume for ion in IONS}
        charge = sum(VALENCE[ion] * amounts[ion] for ion in IONS) + z_x * x_amount
        vm = FARADAY * charge / capacitance
        nernst = {ion: rt_f / VALENCE[ion] * math.log(medium[ion] / inside[ion]) for ion in IONS}
        efflux = dict.fromkeys(IONS, 0.0)  # fmol/s, outward positive
        for ion, leak in leaks.items():
            z = VALENCE[ion]
            if leak["law"] == "linear":
                current = leak["g"] * (vm - nernst[ion])
            else:
                u = z * vm / rt_f
                # u/(1 - e^-u), with its limit 1 at u = 0 (Vm = 0 at an uncharged start)
                factor = 1.0 if u == 0 else u / -math.expm1(-u)
                current = (
                    leak["P"] * z * FARADAY * factor * (inside[ion] - medium[ion] * math.exp(-u))
                )
            efflux[ion] += flux_per_current * current / z
        if pump is not None:
            rate = pump["I_max"]
            if pump["law"] == "saturating":
                rate *= (inside["Na"] / (inside["Na"] + pump["K_Na"])) ** 3
                rate *= (medium["K"] / (medium["K"] + pump["K_K"])) ** 2
            cycles = flux_per_current * rate
            efflux["Na"] += 3 * cycles
            efflux["K"] -= 2 * cycles
        if "KCC2" in cotransporters:
            out = flux_per_current * cotransporters["KCC2"]["g"] * (nernst["Cl"] - nernst["K"])
            efflux["K"] += out
            efflux["Cl"] += out
        if "NKCC1" in cotransporters:
            drive = nernst["Na"] + nernst["K"] - 2 * nernst["Cl"]
            influx = flux_per_current * cotransporters["NKCC1"]["g"] * drive
            efflux["Na"] -= influx
            efflux["K"] -= influx
            efflux["Cl"] -= 2 * influx
        osm_i = (sum(amounts.values()) + x_amount) / volume
        return np.array([*(-efflux[ion] for ion in IONS), water * (osm_i - osm_o)])

    y0 = np.array([*(cell[ion] * volume0 for ion in IONS), volume0])
    return f, y0


CASES = {
    "sphere-linear-fixed-kcc2": {
        "name": "reference_a",
        "temperature": 310.15,
        "geometry": {"shape": "sphere", "radius": 5.0},
        "membrane": {"capacitance": 1.0, "water_permeability": 0.015},
        "medium": {"Na": 145.0, "K": 4.0, "Cl": 149.0},
        # hyperosmotic (380 vs 298 mOsm): the cell swells within seconds
        "cell": {"Na": 20.0, "K": 140.0, "Cl": 20.0, "X": 200.0, "z_X": -0.7},
        "leaks": {
            "Na": {"law": "linear", "g": 0.011},
            "K": {"law": "linear", "g": 0.041},
            "Cl": {"law": "linear", "g": 0.01},
        },
        "pump": {"law": "fixed", "I_max": 0.5},
        "cotransporters": {"KCC2": {"g": 0.02}},
    },
    "cylinder-ghk-saturating-nkcc1": {
        "name": "reference_b",
        "temperature": 298.15,
        "geometry": {"shape": "cylinder", "radius": 2.0, "length": 40.0},
        "membrane": {"capacitance": 0.9, "water_permeability": 0.005},
        "medium": {"Na": 140.0, "K": 5.0, "Cl": 115.0, "X": 30.0, "z_X": -1.0},
        # hypo-osmotic (250 vs 290 mOsm): the cell shrinks
        "cell": {"Na": 30.0, "K": 100.0, "Cl": 30.0, "X": 90.0, "z_X": -1.1111111111111112},
        "leaks": {
            "Na": {"law": "ghk", "P": 5e-8},
            "K": {"law": "ghk", "P": 1e-6},
            "Cl": {"law": "ghk", "P": 3e-7},
        },
        "pump": {"law": "saturating", "I_max": 6.0, "K_Na": 10.0, "K_K": 1.5},
        "cotransporters": {"NKCC1": {"g": 0.005}},
    },
}


def reference(spec: dict[str, Any], times: np.ndarray) -> np.ndarray:
    """Integrate the written-out ODEs with SciPy (Radau, rtol 1e-11); rows per time."""
    f, y0 = right_hand_side(spec)
    solution = solve_ivp(
        f,
        (0.0, float(times[-1])),
        y0,
        method="Radau",
        t_eval=times,
        rtol=1e-11,
        atol=np.concatenate([1e-13 * np.abs(y0[:3]), [1e-13 * y0[3]]]),
    )
    assert solution.success, solution.message
    return solution.y.T


@pytest.fixture(scope="module", params=sorted(CASES))
def case(request: pytest.FixtureRequest) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Return a spec with its RoadRunner and SciPy trajectories (water and ion windows)."""
    spec = CASES[request.param]
    runs: dict[str, np.ndarray] = {}
    for label, end, points in (("water", 20.0, 201), ("ions", 2e4, 201)):
        trajectory = pl.simulate(spec, end, points)
        times = trajectory["time"]
        model = np.column_stack(
            [trajectory[f"{ion}_i"] for ion in IONS] + [trajectory["cell"], trajectory["Vm"]]
        )
        runs[label] = model
        runs[f"{label}_reference"] = reference(spec, times)
        runs[f"{label}_time"] = times
    return spec, runs


def vm_of(spec: dict[str, Any], states: np.ndarray) -> np.ndarray:
    """Charge-difference Vm (mV) of reference states, from the same physics as the RHS."""
    area, volume0 = geometry(spec)
    capacitance = spec["membrane"]["capacitance"] * area * 1e-8 * 1e6
    x_charge = spec["cell"].get("z_X", -1.0) * spec["cell"]["X"] * volume0
    charge = states[:, 0] + states[:, 1] - states[:, 2] + x_charge
    return FARADAY * charge / capacitance


@pytest.mark.parametrize("window", ["water", "ions"])
def test_built_cell_amounts_and_volume_follow_the_reference(
    case: tuple[dict[str, Any], dict[str, np.ndarray]], window: str
) -> None:
    """Na_i, K_i, Cl_i and the volume follow SciPy's solution of the written ODEs (1e-6)."""
    _, runs = case
    model, expected = runs[window], runs[f"{window}_reference"]
    for column, name in enumerate(("Na_i", "K_i", "Cl_i", "cell")):
        np.testing.assert_allclose(
            model[:, column], expected[:, column], rtol=AMOUNT_REL, err_msg=name
        )


@pytest.mark.parametrize("window", ["water", "ions"])
def test_built_cell_membrane_potential_follows_the_reference(
    case: tuple[dict[str, Any], dict[str, np.ndarray]], window: str
) -> None:
    """Vm follows the reference after the ~ms charging transient (t >= 0.1 s)."""
    spec, runs = case
    after = runs[f"{window}_time"] >= 0.1
    model = runs[window][after, 4]
    expected = vm_of(spec, runs[f"{window}_reference"][after])
    np.testing.assert_allclose(model, expected, rtol=VM_REL, atol=VM_ABS)


def test_reference_cells_really_move(case: tuple[dict[str, Any], dict[str, np.ndarray]]) -> None:
    """The comparison is not vacuous: volume changes by >5 % and every amount by >1 %."""
    _, runs = case
    water, ions = runs["water_reference"], runs["ions_reference"]
    assert abs(water[-1, 3] / water[0, 3] - 1) > 0.05
    for column in range(3):
        assert abs(ions[-1, column] / ions[0, column] - 1) > 0.01


# --- hand-written models against the reference of the spec that describes them ----------------

SPECS = resources.files("pumpleak_sbml.models") / "specs"


@pytest.mark.parametrize("name", ["pump_leak", "pump_leak_ghk"])
def test_hand_written_model_follows_the_reference_of_its_spec(name: str) -> None:
    """The library model's time course (from its own initial state) follows the written ODEs.

    ``models/specs/<name>.toml`` describes the same cell; the reference is integrated from
    that description. Both start close to their steady state, so the window is the first
    20 s (charging, the water transient: the volume moves by ~1e-3) and then 2e4 s.
    """
    spec = tomllib.loads((SPECS / f"{name}.toml").read_text(encoding="utf-8"))
    for end in (20.0, 2e4):
        trajectory = pl.simulate(name, end, 201)
        times = trajectory["time"]
        expected = reference(spec, times)
        for column, quantity in enumerate(("Na_i", "K_i", "Cl_i", "cell")):
            np.testing.assert_allclose(
                trajectory[quantity], expected[:, column], rtol=AMOUNT_REL, err_msg=quantity
            )
        after = times >= 0.1
        np.testing.assert_allclose(
            trajectory["Vm"][after], vm_of(spec, expected[after]), rtol=VM_REL, atol=VM_ABS
        )
        if end == 20.0:  # not vacuous: the volume moves by far more than the tolerance
            assert abs(expected[-1, 3] / expected[0, 3] - 1) > 1000 * AMOUNT_REL
