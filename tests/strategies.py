# SPDX-License-Identifier: MIT
"""Hypothesis strategies for random valid cell specs in physiological ranges.

Load this module by path (tests run with ``--import-mode=importlib``, so it is not importable
by name)::

    spec = importlib.util.spec_from_file_location("spec_strategies", path_of_this_file)

Every drawn spec is valid by construction: rate constants and concentrations are drawn
log-uniformly (they span decades), and Cl- is computed from the other ions so that the medium
and the initial cell are electroneutral exactly (to float rounding, far below the 1e-6 mM
tolerance). The ranges keep the pump strong enough against the Na+ leak for a steady state
to exist in practice; a test must still accept, and check, the one honest failure: the
volume growing without bound.
"""

from __future__ import annotations

import math
from typing import Any

from hypothesis import strategies as st

__all__ = [
    "LEAK_RANGES",
    "PUMP_RANGES",
    "cell_specs",
    "cells",
    "fixed_pump_current",
    "geometries",
    "leaks",
    "log_uniform",
    "media",
    "pumps",
]

LEAK_RANGES: dict[str, dict[str, tuple[float, float]]] = {
    # linear: chord conductance g (mS/cm²); ghk: permeability P (cm/s). The GHK ranges are
    # the linear ones converted at resting conditions (P_K 6.1e-7 cm/s ~ g_K 0.041 mS/cm²).
    "linear": {"Na": (0.005, 0.03), "K": (0.02, 0.2), "Cl": (0.002, 0.1)},
    "ghk": {"Na": (1.5e-8, 1e-7), "K": (3e-7, 3e-6), "Cl": (2e-8, 1e-6)},
}
"""Log-uniform ranges of each leak law's parameter, per ion."""

PUMP_RANGES: dict[str, dict[str, tuple[float, float]]] = {
    "fixed": {"I_max": (0.2, 1.5)},  # µA/cm²; redrawn by fixed_pump_current()
    # (Na_i/Na_o)^3 ~ 6e-4 at rest: I_max of a few hundred µA/cm² gives ~0.1-1 µA/cm².
    "na_cubic": {"I_max": (200.0, 3000.0)},
    "na_linear": {"I_max": (0.2, 1.5), "Na_ref": (5.0, 30.0)},  # Na_ref in mM
    "saturating": {"I_max": (2.0, 15.0), "K_Na": (5.0, 20.0), "K_K": (0.5, 3.0)},
}
"""Log-uniform ranges of each pump law's parameters (I_max µA/cm², constants mM)."""


def log_uniform(low: float, high: float) -> st.SearchStrategy[float]:
    """Draw a float whose logarithm is uniform between log(low) and log(high)."""
    return st.floats(math.log(low), math.log(high)).map(
        lambda value: min(max(math.exp(value), low), high)
    )


@st.composite
def geometries(draw: st.DrawFn) -> dict[str, Any]:
    """Draw a sphere (radius 2-20 µm), a cylinder or an explicit geometry (0.05-5 pL).

    A cylinder is 1-5 µm in radius and 5-100 µm long (a neurite, a myocyte); an explicit
    cell gets 1-3 times the area of a sphere of its volume (folds, processes).
    """
    shape = draw(st.sampled_from(["sphere", "cylinder", "explicit"]))
    if shape == "sphere":
        return {"shape": "sphere", "radius": draw(log_uniform(2.0, 20.0))}
    if shape == "cylinder":
        return {
            "shape": "cylinder",
            "radius": draw(log_uniform(1.0, 5.0)),
            "length": draw(log_uniform(5.0, 100.0)),
        }
    volume = draw(log_uniform(0.05, 5.0))  # pL
    sphere_area = (36 * math.pi) ** (1 / 3) * (volume * 1e3) ** (2 / 3)  # µm², from µm³
    return {
        "shape": "explicit",
        "volume": volume,
        "area": sphere_area * draw(log_uniform(1.0, 3.0)),
    }


@st.composite
def media(draw: st.DrawFn) -> dict[str, float]:
    """Draw an electroneutral medium (mM), with or without a charged impermeant solute X_o."""
    medium = {"Na": draw(log_uniform(100.0, 160.0)), "K": draw(log_uniform(2.0, 10.0))}
    if draw(st.booleans()):
        medium["X"] = draw(log_uniform(1.0, 40.0))
        medium["z_X"] = draw(st.sampled_from([0.0, -1.0, -2.0, 1.0]))
    else:
        medium["X"], medium["z_X"] = 0.0, -1.0
    # Cl- balances the cations and the impermeant charge: >= 100 + 2 - 80 = 22 mM.
    medium["Cl"] = medium["Na"] + medium["K"] + medium["z_X"] * medium["X"]
    return medium


@st.composite
def cells(draw: st.DrawFn) -> dict[str, float]:
    """Draw an electroneutral initial cell (mM): X carries 60-95% of the cation charge."""
    cell = {
        "Na": draw(log_uniform(5.0, 30.0)),
        "K": draw(log_uniform(80.0, 150.0)),
        "z_X": draw(st.floats(-2.0, -0.5)),
    }
    cations = cell["Na"] + cell["K"]
    share = draw(st.floats(0.6, 0.95))
    cell["X"] = share * cations / -cell["z_X"]
    cell["Cl"] = cations + cell["z_X"] * cell["X"]
    return cell


@st.composite
def leaks(draw: st.DrawFn) -> dict[str, dict[str, Any]]:
    """Draw a leak for each of Na+, K+ and Cl-, each linear or GHK."""
    drawn = {}
    for ion in ("Na", "K", "Cl"):
        law = draw(st.sampled_from(["linear", "ghk"]))
        key = "g" if law == "linear" else "P"
        drawn[ion] = {"law": law, key: draw(log_uniform(*LEAK_RANGES[law][ion]))}
    return drawn


def fixed_pump_current(
    draw: st.DrawFn, sodium_leak: dict[str, Any], sodium_out: float, *, bounded: bool = True
) -> float:
    """Draw the I_max (µA/cm²) of a fixed pump against the Na+ leak.

    A fixed pump does not slow down as [Na+]i falls, so it can outrun the leak:

    * linear leak: at steady state E_Na - Vm = 3 I_max/g_Na, so [Na+]i ~ [Na+]o
      exp(-(Vm + 3 I_max/g_Na)/(RT/F)); 3 I_max/g_Na is drawn in 90-200 mV ([Na+]i ~ 1-80
      mM), or, unbounded, in 50-400 mV (down to ~1e-5 mM, where some cells have no finite
      volume: the K+ the pump brings in cannot leak out).
    * GHK leak: the Na+ influx saturates as [Na+]i -> 0, at P F [Na+]o u e^-u/(e^-u - 1),
      ~2.8 P F [Na+]o at -70 mV but only P F [Na+]o at 0 mV (P F c is µA/cm² exactly). A
      pump above it drives [Na+]i negative. The cell depolarises as Na+ runs down (the
      slow profile found a cell at 75 % of the -70 mV value whose Na_i went negative), so
      3 I_max is drawn at 15-35 % of the -70 mV value: below the 0 mV capacity (36 %);
      unbounded, at 30-150 %.
    """
    if sodium_leak["law"] == "linear":
        drive = log_uniform(90.0, 200.0) if bounded else log_uniform(50.0, 400.0)
        return draw(drive) * float(sodium_leak["g"]) / 3
    saturated_influx = 2.8 * float(sodium_leak["P"]) * 96485.33212 * sodium_out
    share = st.floats(0.15, 0.35) if bounded else st.floats(0.3, 1.5)
    return draw(share) * saturated_influx / 3


@st.composite
def pumps(
    draw: st.DrawFn, sodium_leak: dict[str, Any], sodium_out: float, *, bounded: bool = True
) -> dict[str, Any]:
    """Draw a Na+/K+ pump of any law with its constants; a fixed one sized against the leak.

    The laws other than ``fixed`` slow down as [Na+]i falls and are drawn from their ranges.
    With ``bounded=False`` a fixed pump is drawn against the leak over a wider range, so that
    some cells swell without bound and some drive Na+ below zero.
    """
    law = draw(st.sampled_from(sorted(PUMP_RANGES)))
    pump = {
        "law": law,
        **{key: draw(log_uniform(*bounds)) for key, bounds in PUMP_RANGES[law].items()},
    }
    if law == "fixed":
        pump["I_max"] = fixed_pump_current(draw, sodium_leak, sodium_out, bounded=bounded)
    return pump


@st.composite
def cell_specs(
    draw: st.DrawFn, *, protocol: bool = True, bounded_pump: bool = True
) -> dict[str, Any]:
    """Draw a complete valid spec dict; optionally with cotransporters and a protocol step.

    The protocol step (if any) swaps medium Na+ for K+ (so the medium stays neutral) and
    may also change the pump's I_max; steady states before events do not depend on it.
    """
    medium = draw(media())
    spec: dict[str, Any] = {
        "name": draw(st.sampled_from(["random_cell", "Cell_2", "_neuron"])),
        "temperature": draw(st.floats(288.15, 313.15)),
        "geometry": draw(geometries()),
        "membrane": {
            "capacitance": draw(log_uniform(0.5, 2.0)),
            "water_permeability": draw(log_uniform(1e-3, 0.05)),
        },
        "medium": medium,
        "cell": draw(cells()),
        "leaks": draw(leaks()),
    }
    spec["pump"] = draw(pumps(spec["leaks"]["Na"], medium["Na"], bounded=bounded_pump))
    cotransporters = {}
    if draw(st.booleans()):
        cotransporters["KCC2"] = {"g": draw(log_uniform(0.002, 0.05))}
    if draw(st.booleans()):
        cotransporters["NKCC1"] = {"g": draw(log_uniform(0.001, 0.02))}
    if cotransporters:
        spec["cotransporters"] = cotransporters
    if protocol and draw(st.booleans()):
        swap = draw(st.floats(0.5, 20.0))
        settings = {"K_o": medium["K"] + swap, "Na_o": medium["Na"] - swap}
        if draw(st.booleans()):
            settings["I_max"] = spec["pump"]["I_max"] * draw(st.floats(0.0, 2.0))
        spec["protocol"] = [{"at": draw(st.floats(0.0, 1e4)), "set": settings}]
    return spec
