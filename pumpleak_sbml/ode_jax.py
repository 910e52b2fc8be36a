# SPDX-License-Identifier: MIT
"""A model's ODEs as JAX functions: jit-compiled, differentiable, ready for diffrax.

``pl.ode(model, backend="jax")`` returns a :class:`JaxOde`, the JAX twin of
:class:`~pumpleak_sbml.ode.Ode`. Its right-hand side is generated once per model from the
same SymPy system as the Python one (:mod:`pumpleak_sbml.ode_model`), printed with SymPy's
JAX printer, and jit-compiled; its Jacobian is ``jax.jacfwd`` of it::

    >>> import diffrax, jax.numpy as jnp
    >>> cell = pl.ode("pump_leak", backend="jax")
    >>> term = diffrax.ODETerm(lambda t, y, p: cell.rhs(t, y, p))
    >>> run = diffrax.diffeqsolve(term, diffrax.Kvaerno4(), 0.0, 1e4, 1e-3, cell.y0,
    ...                           args=cell.p, max_steps=100_000,
    ...                           stepsize_controller=diffrax.PIDController(rtol=1e-10, atol=1e-14))
    >>> jax.grad(lambda p: cell.observe(0.0, cell.y0, p)["Vm"])(cell.p)   # d Vm / d p

JAX computes both branches of a ``piecewise`` (``jnp.select``) and differentiates both, so
a branch that is 0/0 where it is not taken poisons values or gradients with NaN. The library
models are written so that no branch is ever non-finite (the GHK factor divides by a guarded
u, see ``models/components/leak_ghk.ant``).

Values are 64-bit: the charge-difference Vm is a difference of amounts about 1e5 times
larger, which 32-bit floats cannot resolve, so :func:`jax_ode` switches JAX to 64-bit floats
(``jax_enable_x64``) for the process. Events are not part of the ODE system (as for
:func:`pumpleak_sbml.ode`): scenario models run here without them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from . import cache
from .errors import PumpLeakError, UnsupportedSBMLError

if TYPE_CHECKING:
    import sympy

    from .built_model import BuiltModel
    from .ode_model import SymbolicOde

__all__ = ["JaxOde", "jax_ode", "jax_source"]

_FORMAT = 1
"""Version of the generated JAX source's layout (the disk cache key includes it)."""

_INSTALL = "pip install 'pumpleak_sbml[jax]'"


def _printer() -> Any:
    from sympy.printing.numpy import JaxPrinter

    class Printer(JaxPrinter):  # type: ignore[misc]
        """JAX code with exact floats (repr round-trips every double)."""

        def _print_Float(self, expr: sympy.Float) -> str:
            return repr(float(expr))

    return Printer({"fully_qualified_modules": True, "allow_unknown_functions": False})


def _names(system: SymbolicOde) -> dict[sympy.Symbol, sympy.Symbol]:
    import sympy

    from .sbml_math import TIME

    mapping = {TIME: sympy.Symbol("t", real=True)}
    for prefix, symbols in (
        ("y", system.state_symbols),
        ("p", system.constant_symbols),
        ("r", system.rule_symbols),
    ):
        mapping.update({s: sympy.Symbol(f"{prefix}{i}", real=True) for i, s in enumerate(symbols)})
    return mapping


def _function(name: str, system: SymbolicOde, outputs: Sequence[sympy.Basic]) -> str:
    """Source of ``name(t, y, p)``: unpack, the rules the outputs need, the outputs as an array."""
    printer = _printer()
    names = _names(system)
    definitions = {symbol: expression for _, symbol, expression in system.rules}
    needed: set[sympy.Symbol] = set()
    pending = [s for e in outputs for s in e.free_symbols if s in definitions]
    while pending:
        symbol = pending.pop()
        if symbol not in needed:
            needed.add(symbol)
            pending.extend(s for s in definitions[symbol].free_symbols if s in definitions)

    def code(expression: sympy.Basic) -> str:
        text: str = printer.doprint(expression.xreplace(names))
        if "# Not supported" in text:
            raise UnsupportedSBMLError(f"cannot generate JAX code for {expression}")
        return text

    lines = [f"def {name}(t, y, p):"]
    lines += [f"    y{i} = y[{i}]" for i in range(len(system.states))]
    lines += [f"    p{i} = p[{i}]" for i in range(len(system.constants))]
    for index, (_, symbol, expression) in enumerate(system.rules):
        if symbol in needed:
            lines.append(f"    r{index} = {code(expression)}")
    values = ", ".join(code(e) for e in outputs)
    lines.append(f"    return jax.numpy.stack([{values}])")
    return "\n".join(lines) + "\n\n"


def jax_source(system: SymbolicOde) -> str:
    """Return the JAX source of ``rhs(t, y, p)`` and ``observe(t, y, p)`` of a system.

    ``observe`` returns every assignment rule's value, in rule order.

    Raises
    ------
    UnsupportedSBMLError
        If an expression has no JAX equivalent.
    """
    source = "import jax\nimport jax.numpy\n\n"
    source += _function("rhs", system, system.rates)
    source += _function("observe", system, list(system.rule_symbols))
    return source


def _source_of(built: BuiltModel) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """Return the generated JAX source, state ids and constant ids (cached on disk)."""
    key = cache.cache_key("jax", str(_FORMAT), built.compiled.sbml)
    entry = cache.read_entry(key)
    if entry is not None and {"source", "states", "constants", "observables"} <= entry.keys():
        return entry["source"], tuple(entry["states"]), tuple(entry["constants"])
    from .ode_model import read_ode_system

    system = read_ode_system(built.compiled.sbml)
    source = jax_source(system)
    cache.write_entry(
        key,
        {
            "source": source,
            "states": list(system.states),
            "constants": list(system.constants),
            "observables": [sid for sid, _, _ in system.rules],
        },
    )
    return source, system.states, system.constants


@functools.lru_cache(maxsize=32)
def _compiled(source: str) -> tuple[Callable[..., Any], Callable[..., Any], Callable[..., Any]]:
    import jax

    namespace: dict[str, Any] = {}
    exec(compile(source, "<pumpleak_sbml generated JAX model>", "exec"), namespace)
    rhs = namespace["rhs"]
    return jax.jit(rhs), jax.jit(jax.jacfwd(rhs, argnums=1)), jax.jit(namespace["observe"])


@dataclass(frozen=True)
class JaxOde:
    """A model's ODE system as JAX functions: d y/dt = rhs(t, y, p).

    Attributes
    ----------
    state_names
        Ids of the states (species amounts in fmol, volumes in pL, ...), in ``y`` order.
    parameter_names
        Ids of the constants of a run, in ``p`` order.
    observable_names
        Ids of the computed quantities that :meth:`observe` returns.
    y0
        The initial state (overrides applied), a float64 JAX array.
    p
        The constants' values (overrides applied), a float64 JAX array.
    """

    state_names: tuple[str, ...]
    parameter_names: tuple[str, ...]
    observable_names: tuple[str, ...]
    y0: Any
    p: Any
    _functions: tuple[Callable[..., Any], ...] = field(repr=False)

    def rhs(self, t: Any, y: Any, p: Any = None) -> Any:
        """Return dy/dt (jit-compiled; differentiable in ``t``, ``y`` and ``p``)."""
        return self._functions[0](t, y, self.p if p is None else p)

    def jac(self, t: Any, y: Any, p: Any = None) -> Any:
        """Return the Jacobian d(dy/dt)/dy (``jax.jacfwd`` of :meth:`rhs`; rows: equations)."""
        return self._functions[1](t, y, self.p if p is None else p)

    def observe(self, t: Any, y: Any, p: Any = None) -> dict[str, Any]:
        """Return every computed quantity (Vm, concentrations, currents) by id."""
        values = self.observe_vector(t, y, p)
        return {sid: values[i] for i, sid in enumerate(self.observable_names)}

    def observe_vector(self, t: Any, y: Any, p: Any = None) -> Any:
        """Return every computed quantity as one array, in :attr:`observable_names` order."""
        return self._functions[2](t, y, self.p if p is None else p)


def jax_ode(built: BuiltModel, y0: np.ndarray, p: np.ndarray) -> JaxOde:
    """Return the JAX functions of a resolved model, starting from ``y0`` with constants ``p``.

    Parameters
    ----------
    built
        The resolved model (see :func:`pumpleak_sbml.resolve`).
    y0, p
        Initial state and constants, as :func:`pumpleak_sbml.ode` computes them.

    Raises
    ------
    PumpLeakError
        If JAX is not installed (the ``[jax]`` extra).
    UnsupportedSBMLError
        If the model uses math with no JAX equivalent.
    """
    try:
        import jax
    except ImportError as err:
        raise PumpLeakError(f"backend='jax' needs JAX: {_INSTALL}") from err
    jax.config.update("jax_enable_x64", True)  # type: ignore[no-untyped-call]
    source, states, constants = _source_of(built)
    if states != built.compiled.ode.states or constants != built.compiled.ode.constants:
        raise PumpLeakError(f"{built.name}: the JAX and Python ODE systems disagree (a bug)")
    observables = tuple(built.compiled.ode.observables)
    return JaxOde(
        states,
        constants,
        observables,
        jax.numpy.asarray(y0, dtype=jax.numpy.float64),
        jax.numpy.asarray(p, dtype=jax.numpy.float64),
        _compiled(source),
    )
