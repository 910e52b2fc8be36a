# SPDX-License-Identifier: MIT
"""Independent references for tests: the exact steady state of the linear-leak, fixed-pump cell.

Keener & Sneyd, Mathematical Physiology I, 2nd ed., 2009, sect. 2.6.3
(doi:10.1007/978-0-387-75847-3), with the capacitive charge kept, solved with SciPy's
``brentq``. Only the model's inputs are read from the package (as the model states them);
the solution is this file's own. Units are the models': mV, mM (= fmol/pL), pL, fmol,
µA/cm², mS/cm², µF/cm², µm², K.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize

from pumpleak_sbml.built_model import resolve
from pumpleak_sbml.steady import solver_for

FARADAY = 96485.33212  # C/mol, exact in the 2019 SI
GAS_CONSTANT = 8.314462618  # J/(mol K), exact in the 2019 SI
EPSILON = float(np.finfo(float).eps)


@dataclass(frozen=True)
class LinearCell:
    """The parameters of a pump-leak cell with ohmic leaks and a fixed pump (z_X = -1)."""

    pump: float  # I_pump_max, µA/cm²
    g_na: float  # mS/cm²
    g_k: float
    g_cl: float
    capacitance: float  # pF (C_m A_m)
    impermeant: float  # amount of X, fmol
    na_o: float  # mM
    k_o: float
    cl_o: float
    temperature: float  # K

    @classmethod
    def of(cls, model: object, **overrides: float) -> LinearCell:
        """Read the inputs of a model (library name or spec) as the model states them."""
        built = resolve(model, **overrides)
        _, p = solver_for(built.compiled).functions.start(built.overrides)
        solver = solver_for(built.compiled)
        value = dict(zip(solver.functions.compiled.constants, p, strict=True))
        return cls(
            pump=value["I_pump_max"],
            g_na=value["g_Na"],
            g_k=value["g_K"],
            g_cl=value["g_Cl"],
            capacitance=value["C_m"] * value["A_m"] * 1e-8 * 1e6,  # µF/cm² µm² -> pF
            impermeant=value["X_i"],
            na_o=value["Na_o"],
            k_o=value["K_o"],
            cl_o=value["Cl_o"],
            temperature=value["T"],
        )

    @property
    def thermal_voltage(self) -> float:
        """RT/F in mV."""
        return 1e3 * GAS_CONSTANT * self.temperature / FARADAY

    def concentrations(self, vm: float) -> tuple[float, float, float]:
        """Return [Na+]i, [K+]i, [Cl-]i (mM) at which each ion's flux balances at ``vm``.

        Na+: g_Na (Vm - E_Na) = -3 I_pump; K+: g_K (Vm - E_K) = 2 I_pump; Cl-: Vm = E_Cl.
        """
        rt = self.thermal_voltage
        e_na = vm + 3 * self.pump / self.g_na
        e_k = vm - 2 * self.pump / self.g_k
        return (
            self.na_o * math.exp(-e_na / rt),
            self.k_o * math.exp(-e_k / rt),
            self.cl_o * math.exp(vm / rt),
        )

    def pump_limit(self) -> float:
        """Return the largest pump current with a finite steady state (µA/cm²).

        With the ions balanced, [Na]i + [K]i = a exp(-F Vm/RT), a = Na_o exp(-3p/(g_Na RT/F))
        + K_o exp(2p/(g_K RT/F)), and [Cl]i = Cl_o exp(F Vm/RT); osmotic balance leaves
        [X]i = osm_o - ... > 0 for some Vm only while a < Cl_o (osm_o = 2 Cl_o here). The
        limit is the positive root of a(p) = Cl_o (a(0) = Na_o + K_o = Cl_o is the other).
        """
        rt = self.thermal_voltage

        def excess(pump: float) -> float:
            return (
                self.na_o * math.exp(-3 * pump / (self.g_na * rt))
                + self.k_o * math.exp(2 * pump / (self.g_k * rt))
                - self.cl_o
            )

        low, high = 1e-6, 1.0
        while excess(high) < 0:
            high *= 2
        return float(optimize.brentq(excess, low, high, xtol=1e-15, rtol=4 * EPSILON))

    def exact(self) -> dict[str, float]:
        """Return the steady state with the capacitive charge kept (Vm by Brent's method).

        In w = exp(-F Vm/RT): [Na]i + [K]i = a w, [Cl]i = Cl_o / w, osmotic balance gives
        [X]i = osm_o - a w - Cl_o/w, positive between the roots w1 < w2 of
        a w^2 - osm_o w + Cl_o = 0, and V = X/[X]i. The charge balance,
        (a w - Cl_o/w - [X]i) V = C Vm / F (fmol; C in pF, Vm in mV), runs from -inf to +inf
        across that interval: one root, found by bracketing.
        """
        rt = self.thermal_voltage
        osm_o = self.na_o + self.k_o + self.cl_o
        na, k, _ = self.concentrations(0.0)
        a = na + k
        root = math.sqrt(osm_o**2 - 4 * a * self.cl_o)  # raises if no steady state exists
        w1, w2 = (osm_o - root) / (2 * a), (osm_o + root) / (2 * a)

        def charge(vm: float) -> float:
            na, k, cl = self.concentrations(vm)
            x = osm_o - na - k - cl
            return (na + k - cl - x) * self.impermeant / x - self.capacitance * vm / FARADAY

        shrink = 1e-9 * (w2 - w1)
        vm = optimize.brentq(
            charge,
            -rt * math.log(w2 - shrink),
            -rt * math.log(w1 + shrink),
            xtol=1e-14,
            rtol=4 * EPSILON,
        )
        na, k, cl = self.concentrations(vm)
        x = osm_o - na - k - cl
        return {
            "Vm": vm,
            "cell": self.impermeant / x,
            "conc_Na_i": na,
            "conc_K_i": k,
            "conc_Cl_i": cl,
            "conc_X_i": x,
        }
