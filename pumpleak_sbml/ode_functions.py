# SPDX-License-Identifier: MIT
"""A model's ODEs as plain Python functions: for SciPy, for our steady-state engine, for you.

:func:`ode` returns an :class:`Ode` whose right-hand side and exact Jacobian come from the
code generated once per model (:mod:`pumpleak_sbml.ode_codegen`), so it runs anywhere NumPy
runs, with no simulator::

    >>> import pumpleak_sbml as pl
    >>> from scipy.integrate import solve_ivp
    >>> cell = pl.ode("pump_leak", g_Na=0.02)
    >>> cell.state_names
    ('cell', 'Na_i', 'K_i', 'Cl_i')
    >>> run = solve_ivp(cell.rhs, (0, 1e4), cell.y0, jac=cell.jac, method="BDF",
    ...                 rtol=1e-10, atol=1e-14)

States are amounts (fmol) of the species that reactions move and the rate-ruled volumes
(pL); ``p`` holds every quantity that is constant during a run, in the model's units.
The charge-difference membrane potential is a tiny difference of large amounts, so
integrate with a relative tolerance of 1e-10 or tighter.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, overload

import numpy as np

from .errors import ModelDefinitionError

if TYPE_CHECKING:
    from .ode_jax import JaxOde

__all__ = ["CompiledOde", "Ode", "OdeFunctions", "functions_of", "ode"]

_Function = Callable[..., Any]
_Vector = Sequence[float] | np.ndarray
"""A state or constant vector: a NumPy array (as SciPy passes it) or any sequence of floats."""

FORMAT_VERSION = 12
"""Version of the generated code's layout; a cache entry of another version is rebuilt."""


@dataclass(frozen=True)
class CompiledOde:
    """The generated source of a model's numeric functions and the names of its vectors."""

    model_id: str
    states: tuple[str, ...]
    state_kinds: tuple[str, ...]
    state_compartments: tuple[str, ...]
    constants: tuple[str, ...]
    constant_kinds: tuple[str, ...]
    constant_compartments: tuple[str, ...]
    inputs: tuple[str, ...]
    input_values: tuple[float, ...]
    observables: tuple[str, ...]
    reactions: tuple[str, ...]
    stoichiometry: tuple[tuple[tuple[int, int], ...], ...]
    """For each state, (reaction index, index of its coefficient in ``coefficients``)."""
    conservation: tuple[tuple[float, ...], ...]
    """Rows l with l · (species amounts) constant in time; one per conserved moiety."""
    dependent: tuple[int, ...]
    """For each conservation row, the state whose balance it replaces in a steady-state solve."""
    source: str

    def to_json(self) -> dict[str, object]:
        """Return a JSON-ready dict (see :meth:`from_json`)."""
        return {"format": FORMAT_VERSION, **self.__dict__}

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> CompiledOde:
        """Rebuild from :meth:`to_json` output; raise ``ValueError`` if the format differs."""
        if data.get("format") != FORMAT_VERSION:
            raise ValueError("generated code of another format version")
        fields = {k: v for k, v in data.items() if k != "format"}
        return cls(**{k: _tuples(v) for k, v in fields.items()})  # type: ignore[arg-type]


def _tuples(value: object) -> object:
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    return value


@dataclass(frozen=True)
class OdeFunctions:
    """The generated functions of one model, over plain sequences of floats.

    ``rhs``, ``jac``, ``observe``, ``observe_guarded``, ``fluxes``, ``gross`` and
    ``coefficients`` take ``(t, y, p)``; ``initial`` takes the input values ``u`` and returns
    ``(y0, p)``.
    """

    compiled: CompiledOde
    rhs: _Function
    jac: _Function
    observe: _Function
    observe_guarded: _Function
    fluxes: _Function
    gross: _Function
    coefficients: _Function
    initial: _Function

    @functools.cached_property
    def state_index(self) -> dict[str, int]:
        """Position of each state id in ``y``."""
        return {sid: i for i, sid in enumerate(self.compiled.states)}

    @functools.cached_property
    def constant_index(self) -> dict[str, int]:
        """Position of each constant id in ``p``."""
        return {sid: i for i, sid in enumerate(self.compiled.constants)}

    @functools.cached_property
    def input_index(self) -> dict[str, int]:
        """Position of each input id in ``u``."""
        return {sid: i for i, sid in enumerate(self.compiled.inputs)}

    def start(self, values: Mapping[str, float]) -> tuple[np.ndarray, np.ndarray]:
        """Return (y0, p) at t = 0 with some inputs replaced (id to value).

        Raises
        ------
        ModelDefinitionError
            If the initial values cannot be computed (e.g. a division by zero).
        """
        inputs = list(self.compiled.input_values)
        index = self.input_index
        for sid, value in values.items():
            inputs[index[sid]] = value
        try:
            states, constants = self.initial(inputs)
        except (ArithmeticError, ValueError) as err:
            raise ModelDefinitionError(
                f"{self.compiled.model_id}: the initial values cannot be computed ({err}); "
                "check the values that the initial assignments use for zeros and overflows"
            ) from err
        return np.array(states, dtype=float), np.array(constants, dtype=float)


@functools.lru_cache(maxsize=64)
def _load(source: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {"math": math}
    exec(compile(source, "<pumpleak_sbml generated model>", "exec"), namespace)
    return namespace


def _on_floats(raw: _Function) -> _Function:
    """Wrap generated code to be called with Python floats.

    NumPy scalars are slower, and they warn instead of raising on a division by zero.
    """

    def call(t: float, y: _Vector, p: _Vector) -> Any:
        y_list = y.tolist() if isinstance(y, np.ndarray) else list(y)
        p_list = p.tolist() if isinstance(p, np.ndarray) else list(p)
        return raw(float(t), y_list, p_list)

    return call


def functions_of(compiled: CompiledOde) -> OdeFunctions:
    """Return the callable functions of a compiled model (the code is loaded once)."""
    namespace = _load(compiled.source)
    on_floats = {
        name: _on_floats(namespace[name])
        for name in ("rhs", "jac", "observe", "observe_guarded", "fluxes", "gross", "coefficients")
    }
    return OdeFunctions(compiled, initial=namespace["initial"], **on_floats)


@dataclass(frozen=True)
class Ode:
    """A model's ODE system: d y/dt = rhs(t, y, p), with its exact Jacobian.

    Attributes
    ----------
    state_names
        Ids of the states (species amounts in fmol, volumes in pL, ...), in ``y`` order.
    parameter_names
        Ids of the constants of a run, in ``p`` order.
    y0
        The initial state (overrides applied).
    p
        The constants' values (overrides applied; initial assignments evaluated).
    """

    state_names: tuple[str, ...]
    parameter_names: tuple[str, ...]
    y0: np.ndarray
    p: np.ndarray
    functions: OdeFunctions

    def rhs(self, t: float, y: _Vector, p: _Vector | None = None) -> np.ndarray:
        """Return dy/dt at time ``t`` (s) and state ``y`` (default constants: :attr:`p`)."""
        return np.array(self.functions.rhs(t, y, self.p if p is None else p), dtype=float)

    def jac(self, t: float, y: _Vector, p: _Vector | None = None) -> np.ndarray:
        """Return the exact Jacobian d(dy/dt)/dy, a square array (rows: equations)."""
        return np.array(self.functions.jac(t, y, self.p if p is None else p), dtype=float)

    def observe(self, t: float, y: _Vector, p: _Vector | None = None) -> dict[str, float]:
        """Return every computed quantity (Vm, concentrations, currents) by id."""
        values = self.functions.observe(t, y, self.p if p is None else p)
        return dict(zip(self.functions.compiled.observables, values, strict=True))


@overload
def ode(model: Any, backend: Literal["python"] = ..., **overrides: float) -> Ode: ...


@overload
def ode(model: Any, backend: Literal["jax"], **overrides: float) -> JaxOde: ...


def ode(model: Any, backend: str = "python", **overrides: float) -> Ode | JaxOde:
    """Return a model's ODE system as plain Python functions, for SciPy or your own solver.

    Parameters
    ----------
    model
        A library name, a spec or SBML file (Path), a spec dict or a CellSpec.
    backend
        ``"python"`` (default): an :class:`Ode` over NumPy arrays. ``"jax"``: a
        :class:`~pumpleak_sbml.ode_jax.JaxOde`, jit-compiled and differentiable (needs the
        ``[jax]`` extra; see :mod:`pumpleak_sbml.ode_jax`).
    **overrides
        New initial values of settable quantities, in their own units.

    Returns
    -------
    Ode or JaxOde
        ``rhs``/``jac`` ready for ``scipy.integrate.solve_ivp(ode.rhs, ..., jac=ode.jac)``
        (or, for JAX, for ``diffrax``).

    Raises
    ------
    ModelDefinitionError
        If the backend is not ``"python"`` or ``"jax"``.
    """
    from .built_model import resolve

    if backend not in ("python", "jax"):
        raise ModelDefinitionError(f"backend must be 'python' or 'jax', not {backend!r}")
    built = resolve(model, **overrides)
    functions = functions_of(built.compiled.ode)
    y0, p = functions.start(built.overrides)
    if backend == "jax":
        from .ode_jax import jax_ode

        return jax_ode(built, y0, p)
    return Ode(built.compiled.ode.states, built.compiled.ode.constants, y0, p, functions)
