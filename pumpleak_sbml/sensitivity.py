# SPDX-License-Identifier: MIT
"""Local sensitivities and control coefficients of a steady state, exact, from its Jacobian.

At a steady state F(y, p) = 0, so by the implicit function theorem every input's effect on
the state is one linear solve: dy/du = -M^-1 (dF/dp · dp/du), where M is the Jacobian of the
rates with each conserved moiety's law in place of its dependent balance, whose right-hand
side is the change of the moiety's total, L · dy0/du. Here p are the constants a run uses
and u the settable inputs (a radius sets an area and a volume; a medium concentration sets
the electroneutral Cl-). Every derivative is exact (generated code); an output such as Vm
follows by the chain rule::

    result = pl.sensitivities("pump_leak")
    result.absolute.loc["Vm", "g_K"]             # mV per (mS/cm²)
    result.relative.loc["cell", "I_pump_max"]    # (p/x) dx/dp: a control coefficient

``tests/test_sensitivity.py`` checks them against finite differences of the steady state.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from . import cache
from .built_model import BuiltModel, CompiledModel, Model, resolve
from .errors import ModelDefinitionError
from .identifiers import MEMBRANE_POTENTIAL

if TYPE_CHECKING:
    import pandas

    from .steady import SteadyState, SteadyStateSolver

__all__ = ["NEGLIGIBLE_COEFFICIENT", "Sensitivities", "sensitivities"]


NEGLIGIBLE_COEFFICIENT = 1e-9
"""Control coefficients smaller than this are shown as 0: rounding of an exact zero.

The derivatives come from one linear solve whose relative error is about the condition
number times 2.2e-16; 1e-9 is well above that and well below any physical effect."""


@dataclass(frozen=True)
class Sensitivities:
    """The steady state's derivatives with respect to the model's settable inputs.

    Attributes
    ----------
    state
        The certified steady state they are taken at.
    absolute
        d output / d parameter (rows: outputs, columns: parameters), in output unit per
        parameter unit.
    relative
        Control coefficients (p / x) dx/dp: dimensionless, the fractional change of an
        output per fractional change of a parameter; NaN where the output is 0.
    units
        The unit of each output, and of each parameter as it is set (a medium
        concentration in mM), by id.
    """

    state: SteadyState
    absolute: pandas.DataFrame
    relative: pandas.DataFrame
    units: dict[str, str]


def sensitivities(
    model: Model,
    parameters: Sequence[str] | None = None,
    outputs: Sequence[str] | None = None,
    **overrides: float,
) -> Sensitivities:
    """Return the local sensitivities of a model's steady state to its settable parameters.

    Parameters
    ----------
    model
        A library name, a spec or SBML file (Path), a spec dict, a CellSpec or a BuiltModel.
    parameters
        The parameters to differentiate by (default: every settable quantity).
    outputs
        The quantities to differentiate (default: Vm, the volume and every concentration
        inside the cell, ``[S]``); any state, computed quantity or constant id.
    **overrides
        Values of settable quantities, as for :func:`~pumpleak_sbml.steady_state`.

    Returns
    -------
    Sensitivities

    Raises
    ------
    SteadyStateNotFoundError
        If the model has no certified steady state at these values.
    ModelDefinitionError
        If a parameter is not settable or an output is unknown.
    """
    import pandas

    from .api import steady_state

    built = resolve(model, **overrides)
    state = steady_state(built)
    inputs = _checked_parameters(built, parameters)
    point = _Point.at(built, state)
    wanted = list(outputs) if outputs is not None else default_outputs(state)
    places = [point.place(output) for output in wanted]
    absolute = point.derivatives(places, inputs)
    values = np.array([point.value(place) for place in places], dtype=float)
    scale = np.array([built.parameters[name] for name in inputs], dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = absolute * scale[None, :] / values[:, None]
    relative = np.where(np.isfinite(relative), relative, np.nan)
    units = {name: built.compiled.units.get(name, "") for name in wanted}
    units.update({name: built.compiled.settable[name].unit for name in inputs})
    return Sensitivities(
        state,
        pandas.DataFrame(absolute, index=wanted, columns=inputs),
        pandas.DataFrame(relative, index=wanted, columns=inputs),
        units,
    )


def default_outputs(state: SteadyState) -> list[str]:
    """Vm, the cell's volume and the concentration ``[S]`` of every species that moves."""
    outputs = [MEMBRANE_POTENTIAL] if MEMBRANE_POTENTIAL in state.values else []
    outputs += [state.volume] if state.volume else []
    moving = [sid for sid in state.species if sid in state.states]
    return outputs + [f"[{sid}]" for sid in moving if f"[{sid}]" in state.values]


def _checked_parameters(built: BuiltModel, parameters: Sequence[str] | None) -> list[str]:
    settable = built.parameters
    chosen = list(parameters) if parameters is not None else list(settable)
    unknown = [name for name in chosen if name not in settable]
    if unknown:
        raise ModelDefinitionError(
            f"cannot take sensitivities to {', '.join(map(repr, unknown))}: not a settable "
            f"quantity of {built.name}; settable: {', '.join(sorted(settable))}"
        )
    return chosen


@functools.lru_cache(maxsize=16)
def _derivative_code(compiled: CompiledModel) -> dict[str, Any]:
    """Return the model's generated derivative functions (made once, cached like its code)."""
    key = cache.cache_key("sensitivity", compiled.sbml)
    entry = cache.read_entry(key)
    source = entry.get("source") if entry else None
    if not isinstance(source, str):
        from .ode_codegen import generate_sensitivities
        from .ode_model import read_ode_system

        source = generate_sensitivities(read_ode_system(compiled.sbml))
        cache.write_entry(key, {"source": source})
    namespace: dict[str, Any] = {"math": math}
    exec(compile(source, "<pumpleak_sbml sensitivities>", "exec"), namespace)
    return namespace


_Place = tuple[str, int]
"""Where an output lives: ("state" | "constant" | "observable", index)."""


@dataclass(frozen=True)
class _Point:
    """A steady state as vectors (t, y, p, u), with the model's derivative code."""

    built: BuiltModel
    solver: SteadyStateSolver
    t: float
    y: np.ndarray
    y0: np.ndarray
    p: np.ndarray
    u: list[float]

    @classmethod
    def at(cls, built: BuiltModel, state: SteadyState) -> _Point:
        from .steady import solver_for

        solver = solver_for(built.compiled)
        functions = solver.functions
        y0, p = functions.start(built.overrides)
        u = list(built.compiled.ode.input_values)
        for sid, value in built.overrides.items():
            u[functions.input_index[sid]] = value
        return cls(built, solver, state.time, state.state_vector, y0, p, u)

    def place(self, output: str) -> _Place:
        """Find an output by id; ``[S]`` also names a species held as a concentration."""
        ode = self.built.compiled.ode
        for kind, ids, kinds in (
            ("observable", ode.observables, None),
            ("state", ode.states, ode.state_kinds),
            ("constant", ode.constants, ode.constant_kinds),
        ):
            for index, sid in enumerate(ids):
                held = kinds[index] if kinds else ""
                name = f"[{sid}]" if held == "concentration" else sid
                if name == output:
                    return kind, index
        raise ModelDefinitionError(
            f"{self.built.name} has no quantity {output!r} to take sensitivities of; "
            "name a state, a computed quantity (Vm, [S]) or a constant"
        )

    def value(self, place: _Place) -> float:
        kind, index = place
        if kind == "state":
            return float(self.y[index])
        if kind == "constant":
            return float(self.p[index])
        observe = self.solver.functions.observe(self.t, self.y, self.p)
        return float(observe[index])

    def derivatives(self, places: Sequence[_Place], inputs: Sequence[str]) -> np.ndarray:
        """Return d output / d input, a row per output: the chain rule through states, constants."""
        code = _derivative_code(self.built.compiled)
        n = len(self.y)
        columns = [self.solver.functions.input_index[name] for name in inputs]
        initial = np.array(code["initial_jac"](self.u), dtype=float).reshape(-1, len(self.u))
        initial = initial[:, columns]
        d_start, d_constants = initial[:n], initial[n:]
        d_states = self._state_derivatives(code, d_start, d_constants)
        observe = np.array(
            code["observe_jac"](self.t, self.y.tolist(), self.p.tolist()), dtype=float
        ).reshape(-1, n + len(self.p))
        rows = []
        for kind, index in places:
            if kind == "state":
                rows.append(d_states[index])
            elif kind == "constant":
                rows.append(d_constants[index])
            else:
                rows.append(observe[index, :n] @ d_states + observe[index, n:] @ d_constants)
        return np.array(rows, dtype=float).reshape(len(places), len(inputs))

    def _state_derivatives(
        self, code: Mapping[str, Any], d_start: np.ndarray, d_constants: np.ndarray
    ) -> np.ndarray:
        """dy*/du by the implicit function theorem (conserved totals move with the start)."""
        n = len(self.y)
        system = self.solver.system(self.y0, self.p, self.t)
        matrix = system.matrix(system.jacobian(self.y))
        by_constant = np.array(
            code["jac_p"](self.t, self.y.tolist(), self.p.tolist()), dtype=float
        ).reshape(n, len(self.p))
        right = by_constant @ d_constants
        for row, dependent in enumerate(system.dependent):
            right[dependent] = -(system.laws[row] @ d_start)
        solved: np.ndarray = -np.linalg.solve(matrix, right)
        return solved
