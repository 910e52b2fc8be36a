# SPDX-License-Identifier: MIT
"""``pl.ode(model, backend="jax")``: the Python backend's ODEs, jit-compiled and differentiable.

Derivatives are finite everywhere and agree with finite differences.

Oracles: the Python backend's right-hand side and exact symbolic Jacobian (generated from the
same SymPy system by another printer; agreement to rounding, 1e-12 of the largest entry),
central finite differences of SciPy solutions (an independent integrator), and the analytic
limit of the GHK factor, d/du [u/(1 - e^-u)] = 1/2 at u = 0.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

import pumpleak_sbml as pl

jax = pytest.importorskip("jax", reason="JAX is in the [test] extra")

_SPECS = sorted((Path(__file__).resolve().parents[2] / "models" / "specs").glob("*.toml"))
LIBRARY = pl.list_models()
MODELS: list[str | Path] = [*LIBRARY, *_SPECS]
MODEL_IDS = [*LIBRARY, *(f"spec-{path.stem}" for path in _SPECS)]
# Same expressions printed for two backends: agreement to rounding, 1e-12 of the terms that
# meet in each entry. A rate is a sum of fluxes that cancel near steady state (the neuron
# preset starts there), so its rounding scales with the gross flux, not with the net rate.
SAME_MATH = 1e-12


def _close(found: object, expected: np.ndarray, gross: np.ndarray | None = None) -> None:
    found = np.asarray(found)
    scale = float(np.max(np.abs(expected if gross is None else gross))) or 1.0
    assert np.all(np.isfinite(found))
    np.testing.assert_allclose(found, expected, rtol=0.0, atol=SAME_MATH * scale)


def _later_state(python: pl.Ode, time: float = 1.0) -> np.ndarray:
    """Return the state at ``time`` (s): charged membrane, currents flowing (SciPy BDF)."""
    from scipy.integrate import solve_ivp

    run = solve_ivp(python.rhs, (0.0, time), python.y0, method="BDF", jac=python.jac, rtol=1e-10)
    assert run.success
    return np.asarray(run.y[:, -1])


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_jax_rhs_and_jacobian_are_the_python_ones(model: str | Path) -> None:
    """At the start and 1 s later, JAX's rhs and jac equal the Python backend's (rounding)."""
    cell = pl.ode(model, backend="jax")
    python = pl.ode(model)
    assert (cell.state_names, cell.parameter_names) == (python.state_names, python.parameter_names)
    np.testing.assert_array_equal(np.asarray(cell.y0), python.y0)
    for y in (python.y0, _later_state(python)):
        gross = np.asarray(python.functions.gross(0.0, y, python.p))
        _close(cell.rhs(0.0, y), python.rhs(0.0, y), gross)
        _close(cell.jac(0.0, y), python.jac(0.0, y))


def test_jax_derivatives_at_zero_potential_are_finite_and_the_limit() -> None:
    """pump_leak_ghk starts at Vm = 0: d ghk/dy is (1/2)(du/dy), the limit of the GHK factor.

    JAX differentiates both branches of the piecewise; with the unused branch computed at a
    guarded u this is finite (unguarded: NaN, 0/0).
    """
    cell = pl.ode("pump_leak_ghk", backend="jax")
    observed = cell.observe(0.0, cell.y0)
    assert float(observed["Vm"]) == 0.0  # an electroneutral start
    for ion in ("Na", "K", "Cl"):
        d_u = jax.grad(lambda y, ion=ion: cell.observe(0.0, y)[f"u_{ion}"])(cell.y0)
        # Reverse mode is where an unguarded branch shows: 0 * d(0/0) = NaN.
        for derivative in (jax.grad, jax.jacfwd):
            d_ghk = derivative(lambda y, ion=ion: cell.observe(0.0, y)[f"ghk_{ion}"])(cell.y0)
            assert np.all(np.isfinite(np.asarray(d_ghk)))
            np.testing.assert_allclose(np.asarray(d_ghk), 0.5 * np.asarray(d_u), rtol=1e-12)
    gradient = jax.grad(lambda y: cell.rhs(0.0, y)[1])(cell.y0)  # d(dNa_i/dt)/dy
    assert np.all(np.isfinite(np.asarray(gradient)))
    assert np.all(np.isfinite(np.asarray(cell.jac(0.0, cell.y0))))


def test_jax_parameter_derivatives_match_finite_differences_of_the_python_rhs() -> None:
    """JAX's d rhs/dp (forward mode) equals central differences of the Python rhs (1e-6)."""
    cell = pl.ode("pump_leak_ghk", backend="jax")
    python = pl.ode("pump_leak_ghk")
    y = _later_state(python)  # the membrane charged (Vm ~ -70 mV): every current flows
    exact = np.asarray(jax.jacfwd(lambda p: cell.rhs(0.0, y, p))(cell.p))
    for name in ("P_Na", "P_K", "I_pump_max", "K_Na", "P_f"):
        k = python.parameter_names.index(name)
        step = 1e-6 * python.p[k]
        up, down = python.p.copy(), python.p.copy()
        up[k] += step
        down[k] -= step
        central = (python.rhs(0.0, y, up) - python.rhs(0.0, y, down)) / (2 * step)
        # Central differences: truncation ~ step^2, rounding ~ 1e-16 |rhs| / step.
        scale = float(np.max(np.abs(central))) or 1.0
        np.testing.assert_allclose(exact[:, k], central, rtol=0.0, atol=1e-6 * scale)


@pytest.mark.slow
def test_jax_gradient_through_diffrax_matches_finite_differences_of_scipy() -> None:
    """The derivative d Vm(2000 s)/d ln P_Na through diffrax equals SciPy central differences.

    SciPy (BDF, rtol 1e-12, an independent integrator) at P_Na (1 +- 1e-4); central
    differences are exact to ~1e-8 there (measured: 1e-3 gives 1e-7, truncation). diffrax
    runs at rtol 1e-10. Accepted: 1e-6 relative.
    """
    diffrax = pytest.importorskip("diffrax", reason="diffrax is in the [test] extra")
    from scipy.integrate import solve_ivp

    end = 2000.0
    cell = pl.ode("pump_leak_ghk", backend="jax")
    python = pl.ode("pump_leak_ghk")
    k = cell.parameter_names.index("P_Na")

    def vm_after(scale: object) -> object:
        p = cell.p.at[k].multiply(scale)
        solution = diffrax.diffeqsolve(
            diffrax.ODETerm(cell.rhs),
            diffrax.Kvaerno4(),
            0.0,
            end,
            1e-6,
            cell.y0,
            args=p,
            stepsize_controller=diffrax.PIDController(rtol=1e-10, atol=1e-14),
            max_steps=100_000,
            adjoint=diffrax.ForwardMode(),
        )
        return cell.observe(end, solution.ys[-1], p)["Vm"]

    _, derivative = jax.jvp(vm_after, (1.0,), (1.0,))

    def vm_scipy(factor: float) -> float:
        p = python.p.copy()
        p[k] *= factor
        run = solve_ivp(
            python.rhs,
            (0.0, end),
            python.y0,
            method="BDF",
            jac=python.jac,
            rtol=1e-12,
            atol=1e-16,
            args=(p,),
        )
        assert run.success
        return python.observe(end, run.y[:, -1], p)["Vm"]

    h = 1e-4
    central = (vm_scipy(1 + h) - vm_scipy(1 - h)) / (2 * h)
    assert float(derivative) == pytest.approx(central, rel=1e-6)
    assert abs(central) > 1.0  # mV per unit ln P_Na: a real dependence, not noise


def test_jax_functions_are_jit_compiled() -> None:
    """rhs, jac and observe are jax.jit functions (they can be lowered to XLA)."""
    cell = pl.ode("pump_leak", backend="jax")
    for function in cell._functions:
        assert hasattr(function, "lower")
        function.lower(0.0, cell.y0, cell.p)


def test_unknown_backend_is_refused() -> None:
    """backend='julia' raises ModelDefinitionError naming both backends."""
    with pytest.raises(pl.ModelDefinitionError, match="'python' or 'jax'"):
        pl.ode("pump_leak", backend="julia")  # type: ignore[call-overload]


def test_missing_jax_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without JAX, backend='jax' raises PumpLeakError naming pip install 'pumpleak_sbml[jax]'."""
    monkeypatch.setitem(sys.modules, "jax", None)
    with pytest.raises(pl.PumpLeakError, match=r"pip install 'pumpleak_sbml\[jax\]'"):
        pl.ode("pump_leak", backend="jax")
