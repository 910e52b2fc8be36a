# SPDX-License-Identifier: MIT
"""Generate the numeric functions of a model's ODEs as Python source, once per model.

:func:`generate` turns a :class:`~pumpleak_sbml.ode_model.SymbolicOde` into the source of a
small Python module (plain :mod:`math` on floats, no SymPy at run time) and the metadata
that names its vectors. The source is cached on disk with the model (see
:mod:`pumpleak_sbml.cache`), so SymPy runs only the first time a model is seen::

    compiled = generate(read_ode_system(sbml))
    compiled.source          # 'import math ... def rhs(t, y, p): ...'

The module defines, over positional vectors (``y`` states, ``p`` constants, ``u`` inputs):

- ``rhs(t, y, p)``: d(state)/dt, one value per state;
- ``jac(t, y, p)``: the Jacobian d rhs / d y, exact (symbolic), as rows;
- ``observe(t, y, p)``: every assignment rule's value, in rule order;
- ``observe_guarded(t, y, p)``: the same, with NaN for a rule whose arithmetic fails (a log
  of zero) instead of an exception: for saying which quantity is impossible;
- ``fluxes(t, y, p)``: every reaction's rate (extent per time);
- ``gross(t, y, p)``: for each state, the *gross* rate that meets in it: the sum of the
  magnitudes of the terms whose balance is its rate (influx and efflux of an ion, water
  flow against each osmotic side). Rules are expanded into their terms, except potentials,
  which are the physical scale of a driving force (``Vm`` is a tiny difference of large
  charges; its own terms are not fluxes);
- ``initial(u)``: the states and constants at t = 0 from the inputs (literal values).

Piecewise expressions become Python conditional expressions, so only the branch taken is
evaluated (no 0/0 in an unused GHK branch).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import sympy
from sympy.printing.pycode import PythonCodePrinter

from .errors import UnsupportedSBMLError
from .identifiers import is_potential
from .ode_functions import CompiledOde
from .ode_model import SymbolicOde
from .sbml_math import TIME

__all__ = ["generate", "generate_sensitivities"]


class _Printer(PythonCodePrinter):  # type: ignore[misc]
    """Python code with exact floats (repr round-trips every double)."""

    def _print_Float(self, expr: sympy.Float) -> str:
        return repr(float(expr))

    def _print_Infinity(self, expr: sympy.Basic) -> str:
        return "math.inf"

    def _print_NegativeInfinity(self, expr: sympy.Basic) -> str:
        return "(-math.inf)"

    def _print_NaN(self, expr: sympy.Basic) -> str:
        return "math.nan"

    def _print_Heaviside(self, expr: sympy.Basic) -> str:
        x = self._print(expr.args[0])
        return f"(1.0 if {x} > 0 else 0.0 if {x} < 0 else 0.5)"


_PRINTER = _Printer({"fully_qualified_modules": True, "allow_unknown_functions": False})


def _code(expression: sympy.Basic) -> str:
    text: str = _PRINTER.doprint(expression)
    if "# Not supported" in text or "Derivative(" in text:
        raise UnsupportedSBMLError(f"cannot generate code for {expression}")
    return text


@dataclass(frozen=True)
class _Names:
    """Positional names: states y<i>, constants p<i>, inputs u<i>, rules r<i>, time t."""

    mapping: dict[sympy.Symbol, sympy.Symbol]

    def __call__(self, expression: sympy.Basic) -> sympy.Basic:
        return expression.xreplace(self.mapping)


def _positional(system: SymbolicOde) -> _Names:
    mapping: dict[sympy.Symbol, sympy.Symbol] = {TIME: sympy.Symbol("t", real=True)}
    for prefix, symbols in (
        ("y", system.state_symbols),
        ("p", system.constant_symbols),
        ("u", system.input_symbols),
        ("r", system.rule_symbols),
    ):
        mapping.update(
            {symbol: sympy.Symbol(f"{prefix}{i}", real=True) for i, symbol in enumerate(symbols)}
        )
    return _Names(mapping)


def _unpack(prefix: str, count: int, vector: str) -> str:
    if count == 0:
        return ""
    names = ", ".join(f"{prefix}{i}" for i in range(count))
    return f"    ({names},) = {vector}\n"


def _header(system: SymbolicOde) -> str:
    return _unpack("y", len(system.states), "y") + _unpack("p", len(system.constants), "p")


def _rules(system: SymbolicOde, names: _Names, needed: set[sympy.Symbol] | None = None) -> str:
    lines = []
    for index, (_, symbol, expression) in enumerate(system.rules):
        if needed is None or symbol in needed:
            lines.append(f"    r{index} = {_code(names(expression))}\n")
    return "".join(lines)


def _rules_needed(system: SymbolicOde, expressions: Sequence[sympy.Basic]) -> set[sympy.Symbol]:
    """Return the rule symbols that ``expressions`` use, directly or through other rules."""
    definitions = {symbol: expression for _, symbol, expression in system.rules}
    needed: set[sympy.Symbol] = set()
    pending = [s for e in expressions for s in e.free_symbols if s in definitions]
    while pending:
        symbol = pending.pop()
        if symbol not in needed:
            needed.add(symbol)
            pending.extend(s for s in definitions[symbol].free_symbols if s in definitions)
    return needed


def _function(name: str, system: SymbolicOde, names: _Names, outputs: Sequence[sympy.Basic]) -> str:
    body = _header(system) + _rules(system, names, _rules_needed(system, outputs))
    values = ", ".join(_code(names(e)) for e in outputs)
    return f"def {name}(t, y, p):\n{body}    return [{values}]\n\n"


def _guarded_observe(system: SymbolicOde, names: _Names) -> str:
    """``observe`` with each rule guarded: a rule whose arithmetic fails gives NaN (diagnostics)."""
    body = _header(system)
    for index, (_, _, expression) in enumerate(system.rules):
        body += (
            f"    try:\n        r{index} = {_code(names(expression))}\n"
            f"    except (ArithmeticError, ValueError):\n        r{index} = math.nan\n"
        )
    values = ", ".join(f"r{i}" for i in range(len(system.rules)))
    return f"def observe_guarded(t, y, p):\n{body}    return [{values}]\n\n"


def _derivative(
    expression: sympy.Expr,
    derivatives: Mapping[sympy.Symbol, Mapping[int, sympy.Expr]],
    column: int,
) -> sympy.Expr:
    """D expression / d y_column by the chain rule through the symbols that depend on y."""
    terms = [
        expression.diff(symbol) * by_state[column]
        for symbol, by_state in derivatives.items()
        if column in by_state and symbol in expression.free_symbols
    ]
    return sympy.Add(*terms)


def _forward(
    system: SymbolicOde,
    names: _Names,
    function: str,
    independents: Sequence[sympy.Symbol],
    outputs: Sequence[sympy.Expr],
) -> str:
    """Write ``function(t, y, p)``: d outputs / d independents, as rows, by the chain rule.

    Forward mode, one rule at a time: each rule's derivative is written next to it, so a
    piecewise rule's derivative is a piecewise expression too and only the branch taken is
    ever evaluated (common subexpression elimination across branches would evaluate the
    others: 0/0 in GHK). Only the rules the outputs use are evaluated, so the derivative is
    defined wherever the outputs are (a Nernst potential is infinite at a zero
    concentration that no rate minds).
    """
    n = len(independents)
    derivatives: dict[sympy.Symbol, dict[int, sympy.Expr]] = {
        names(symbol): {j: sympy.Integer(1)} for j, symbol in enumerate(independents)
    }
    needed = _rules_needed(system, outputs)
    body = _header(system)
    for index, (_, symbol, expression) in enumerate(system.rules):
        if symbol not in needed:
            continue
        rule = names(expression)
        body += f"    r{index} = {_code(rule)}\n"
        by_column: dict[int, sympy.Expr] = {}
        for j in range(n):
            value = _derivative(rule, derivatives, j)
            if value != 0:
                name = sympy.Symbol(f"d{index}_{j}", real=True)
                body += f"    {name} = {_code(value)}\n"
                by_column[j] = name
        if by_column:
            derivatives[names(symbol)] = by_column
    rows = []
    for output in outputs:
        expression = names(output)
        row = ", ".join(_code(_derivative(expression, derivatives, j)) for j in range(n))
        rows.append(f"[{row}]")
    return f"def {function}(t, y, p):\n{body}    return [{', '.join(rows)}]\n\n"


def _jacobian(system: SymbolicOde, names: _Names) -> str:
    """Write ``jac(t, y, p)``: d rates / d states (see :func:`_forward`)."""
    return _forward(system, names, "jac", system.state_symbols, system.rates)


def _initial_jacobian(system: SymbolicOde, names: _Names) -> str:
    """Write ``initial_jac(u)``: d (y0, p) / d u through the t = 0 definitions, as rows."""
    n = len(system.inputs)
    body = _unpack("u", n, "u")
    derivatives: dict[sympy.Symbol, dict[int, sympy.Expr]] = {
        names(symbol): {j: sympy.Integer(1)} for j, symbol in enumerate(system.input_symbols)
    }
    local: dict[sympy.Symbol, sympy.Symbol] = {}
    for index, (symbol, expression) in enumerate(system.initial):
        value = names(expression)
        by_column: dict[int, sympy.Expr] = {}
        for j in range(n):
            derivative = _derivative(value, derivatives, j)
            if derivative != 0:
                by_column[j] = derivative
        value = value.xreplace(local)
        name = sympy.Symbol(f"v{index}", real=True)
        body += f"    v{index} = {_code(value)}\n"
        columns: dict[int, sympy.Expr] = {}
        for j, derivative in by_column.items():
            column = sympy.Symbol(f"w{index}_{j}", real=True)
            body += f"    {column} = {_code(derivative.xreplace(local))}\n"
            columns[j] = column
        local[names(symbol)] = name
        if columns:
            derivatives[names(symbol)] = columns
    rows = []
    for symbol in (*system.state_symbols, *system.constant_symbols):
        by_column = derivatives.get(names(symbol), {})
        rows.append(
            "[" + ", ".join(_code(by_column.get(j, sympy.Integer(0))) for j in range(n)) + "]"
        )
    return f"def initial_jac(u):\n{body}    return [{', '.join(rows)}]\n\n"


def generate_sensitivities(system: SymbolicOde) -> str:
    """Return the source of the derivatives that steady-state sensitivities need.

    ``jac_p(t, y, p)`` (d rates / d constants), ``observe_jac(t, y, p)`` (d rules / d (y,
    p)) and ``initial_jac(u)`` (d (y0, p) / d inputs), all exact, as rows. Generated on demand
    (only sensitivities use them) and cached like the model's own code.
    """
    names = _positional(system)
    both = (*system.state_symbols, *system.constant_symbols)
    source = "import math\n\n"
    source += _forward(system, names, "jac_p", system.constant_symbols, system.rates)
    source += _forward(system, names, "observe_jac", both, list(system.rule_symbols))
    source += _initial_jacobian(system, names)
    return source


def _gross_term(
    expression: sympy.Basic,
    expand: Mapping[sympy.Symbol, sympy.Expr],
    memo: dict[sympy.Basic, sympy.Expr],
) -> sympy.Expr:
    """Return the sum of the magnitudes of an expression's terms (see the module docstring)."""
    if expression in memo:
        return memo[expression]
    if expression.is_Symbol and expression in expand:
        result = _gross_term(expand[expression], expand, memo)
    elif expression.is_Add:
        result = sympy.Add(*(_gross_term(a, expand, memo) for a in expression.args))
    elif expression.is_Mul:
        result = sympy.Mul(*(_gross_term(a, expand, memo) for a in expression.args))
    elif expression.is_Pow and expression.exp.is_Integer and expression.exp > 0:
        result = _gross_term(expression.base, expand, memo) ** expression.exp
    elif isinstance(expression, sympy.Piecewise):
        result = sympy.Piecewise(
            *((_gross_term(value, expand, memo), condition) for value, condition in expression.args)
        )
    else:
        result = sympy.Abs(expression)
    memo[expression] = result
    return result


def _gross(system: SymbolicOde) -> list[sympy.Expr]:
    expand = {
        symbol: expression for sid, symbol, expression in system.rules if not is_potential(sid)
    }
    memo: dict[sympy.Basic, sympy.Expr] = {}
    gross = []
    for rate, entries in zip(system.rates, system.stoichiometry, strict=True):
        if entries:
            terms = [
                sympy.Abs(coefficient) * _gross_term(system.reaction_rates[j], expand, memo)
                for j, coefficient in entries
            ]
            gross.append(sympy.Add(*terms))
        else:
            gross.append(_gross_term(rate, expand, memo))
    return gross


def _initial(system: SymbolicOde, names: _Names) -> str:
    """``initial(u)``: the t = 0 definitions that the states and constants need, in order.

    Rules that no initial value uses are left out, so an impossible start (a negative
    concentration) is reported by the check of the start, not by a math error here.
    """
    definitions = dict(system.initial)
    needed: set[sympy.Symbol] = set()
    pending = [*system.state_symbols, *system.constant_symbols]
    while pending:
        symbol = pending.pop()
        if symbol not in needed and symbol in definitions:
            needed.add(symbol)
            pending.extend(definitions[symbol].free_symbols)
    body = _unpack("u", len(system.inputs), "u")
    local: dict[sympy.Symbol, sympy.Symbol] = {}
    for index, (symbol, expression) in enumerate(system.initial):
        if symbol not in needed:
            continue
        value = names(expression).xreplace(local)
        local[names(symbol)] = sympy.Symbol(f"v{index}", real=True)
        body += f"    v{index} = {_code(value)}\n"
    states = ", ".join(str(local[names(s)]) for s in system.state_symbols)
    constants = ", ".join(str(local[names(s)]) for s in system.constant_symbols)
    return f"def initial(u):\n{body}    return [{states}], [{constants}]\n\n"


def _coefficients(
    system: SymbolicOde,
) -> tuple[list[sympy.Expr], tuple[tuple[tuple[int, int], ...], ...]]:
    coefficients: list[sympy.Expr] = []
    layout = []
    for entries in system.stoichiometry:
        row = []
        for reaction, coefficient in entries:
            row.append((reaction, len(coefficients)))
            coefficients.append(coefficient)
        layout.append(tuple(row))
    return coefficients, tuple(layout)


def generate(
    system: SymbolicOde,
    conservation: tuple[tuple[tuple[float, ...], ...], tuple[int, ...]] = ((), ()),
) -> CompiledOde:
    """Return the generated numeric functions of a symbolic ODE system.

    Parameters
    ----------
    system
        From :func:`~pumpleak_sbml.ode_model.read_ode_system`.
    conservation
        Conservation rows and the state each replaces (see :class:`CompiledOde`).

    Raises
    ------
    UnsupportedSBMLError
        If an expression has no Python equivalent.
    """
    names = _positional(system)
    coefficients, layout = _coefficients(system)
    source = "import math\n\n"
    source += _function("rhs", system, names, system.rates)
    source += _jacobian(system, names)
    source += _function("observe", system, names, list(system.rule_symbols))
    source += _guarded_observe(system, names)
    source += _function("fluxes", system, names, system.reaction_rates)
    source += _function("gross", system, names, _gross(system))
    source += _function("coefficients", system, names, coefficients)
    source += _initial(system, names)
    return CompiledOde(
        model_id=system.model_id,
        states=system.states,
        state_kinds=system.state_kinds,
        state_compartments=system.state_compartments,
        constants=system.constants,
        constant_kinds=system.constant_kinds,
        constant_compartments=system.constant_compartments,
        inputs=system.inputs,
        input_values=system.input_values,
        observables=tuple(sid for sid, _, _ in system.rules),
        reactions=system.reactions,
        stoichiometry=layout,
        conservation=conservation[0],
        dependent=conservation[1],
        source=source,
    )
