# SPDX-License-Identifier: MIT
"""SBML for tools that read initial assignments their own way: the values written in.

Our SBML states initial values by *initial assignments* (``Na_i = Na_i_init * cell``: an
amount is an initial concentration times the initial volume), so that a user who changes
``Na_i_init`` or ``cell`` gets a consistent start. Every SBML simulator should honour that,
but two we tested read it differently (measured on every library model, issue 11):

- **Myokit 1.39** (``myokit.formats.importer("sbml")``) turns the initial assignment of a
  species that no reaction moves (``X_i = X_i_init * cell``) into an equation that holds at
  all times, so X_i grows with the cell (errors of 0.2 to 8 relative in Vm); and a
  compartment whose size is set only by an initial assignment (the spec cells'
  ``cell = V_init``) gets the size 1, because Myokit evaluates it before the parameters.
- **AMICI 1.0** stops on an initial assignment that uses a rate-ruled compartment
  (``AttributeError: 'Compartment' object has no attribute 'getValue'``).

A literal value beside the initial assignment does not help: both tools take the initial
assignment over the literal. :func:`expand_initial_assignments` therefore evaluates every
initial assignment (with libsbml's ``expandInitialAssignments`` converter) and writes the
values in, overrides included. The result is the same model at t = 0 and after, and both
tools then agree with RoadRunner to the integrators' accuracy; what it loses is the
*relation*: changing ``Na_i_init`` in the other tool no longer changes the start. Export it
with ``pumpleak export MODEL --format sbml-expanded``.

:func:`current_balance` rewrites the membrane potential from the charge-difference method
(Vm = net charge / capacitance, a difference of amounts ~1e5 times larger than the charge)
into the exactly equivalent current-balance form (Vm a state, one ion from charge
conservation), which every tool integrates right at ordinary tolerances (rtol 1e-6 gives
3e-5 instead of 2e-2; measured in RoadRunner, Myokit, AMICI, COPASI and SciPy). Export it
with ``pumpleak export MODEL --format sbml-current-balance``; the library models themselves
keep the charge-difference form (see the README for why).
"""

from __future__ import annotations

from dataclasses import dataclass

import libsbml
import sympy

from .errors import ExportError
from .ode_model import SymbolicOde, read_ode_system
from .validation import check_sbml

__all__ = ["current_balance", "expand_initial_assignments"]


def expand_initial_assignments(sbml: str, name: str) -> str:
    """Return SBML text with every initial assignment evaluated into a literal value.

    Parameters
    ----------
    sbml
        Validated SBML Level 3 text (the overrides already written in).
    name
        The model's name, for error messages.

    Returns
    -------
    str
        The same model without initial assignments; it passes the same strict validation
        (libsbml with units, and the scale check).

    Raises
    ------
    ExportError
        If libsbml cannot evaluate an initial assignment.
    SBMLValidationError
        If the result does not validate (a bug: the values carry their elements' units).
    """
    document = libsbml.readSBMLFromString(sbml)
    properties = libsbml.ConversionProperties()
    properties.addOption("expandInitialAssignments", True)
    status = document.convert(properties)
    model = document.getModel()
    if status != libsbml.LIBSBML_OPERATION_SUCCESS or model.getNumInitialAssignments():
        left = ", ".join(a.getSymbol() for a in model.getListOfInitialAssignments())
        raise ExportError(
            f"{name}: libsbml could not evaluate the initial assignments"
            + (f" of {left}" if left else "")
            + "; export the model as plain SBML instead"
        )
    text = str(libsbml.writeSBMLToString(document))
    check_sbml(text, f"{name} (initial assignments expanded)")
    return text


# --- the current-balance form of the membrane potential ----------------------------------------


def _formula(expression: sympy.Basic) -> str:
    """Write a SymPy expression of sums, products and powers as an SBML L3 formula.

    Numbers are written as dimensionless (they are valences, stoichiometries and exponents
    here), so the formula passes strict unit checks.
    """
    if isinstance(expression, sympy.Symbol):
        return str(expression.name)
    if expression.is_Number:
        value = float(expression)
        text = str(int(value)) if value.is_integer() else repr(value)
        return f"({text} dimensionless)" if value < 0 else f"{text} dimensionless"
    if isinstance(expression, sympy.Add):
        return "(" + " + ".join(_formula(term) for term in expression.as_ordered_terms()) + ")"
    if isinstance(expression, sympy.Mul):
        return _product_formula(expression)
    if isinstance(expression, sympy.Pow) and expression.exp.is_Integer:
        if expression.exp < 0:
            return f"(1 dimensionless / {_formula(expression.base**-expression.exp)})"
        return f"({_formula(expression.base)} ^ {_formula(expression.exp)})"
    raise ExportError(f"cannot write {expression} in the current-balance form")


def _product_formula(expression: sympy.Mul) -> str:
    numerator, denominator = sympy.fraction(expression, exact=True)
    if denominator != 1:
        return f"({_formula(numerator)} / {_formula(denominator)})"
    coefficient, rest = expression.as_coeff_Mul()
    if coefficient == -1:
        return f"(-{_formula(rest)})"
    return "(" + " * ".join(_formula(factor) for factor in expression.args) + ")"


def _signed(stoichiometry: sympy.Expr, law: str) -> str:
    """Return `` + law``, `` - law`` or `` + n dimensionless * law`` for a stoichiometry."""
    if stoichiometry == 1:
        return f" + ({law})"
    if stoichiometry == -1:
        return f" - ({law})"
    if stoichiometry.is_Number and stoichiometry < 0:
        return f" - {_formula(-stoichiometry)} * ({law})"
    return f" + {_formula(stoichiometry)} * ({law})"


def _parse(model: libsbml.Model, formula: str, what: str) -> libsbml.ASTNode:
    math = libsbml.parseL3FormulaWithModel(formula, model)
    if math is None:
        raise ExportError(f"could not write {what}: {libsbml.getLastParseL3Error()}")
    return math


@dataclass(frozen=True)
class _Potential:
    """Vm as a linear function of species amounts: sum of coefficient * amount."""

    expression: sympy.Expr
    coefficients: dict[sympy.Symbol, sympy.Expr]
    derived: sympy.Symbol


def _linear_potential(system: SymbolicOde, potential: str) -> _Potential:
    rules = {sid: (symbol, expression) for sid, symbol, expression in system.rules}
    if potential not in rules:
        raise ExportError(f"the model has no assignment rule for {potential}")
    amounts = {
        symbol
        for symbol, kind in zip(system.state_symbols, system.state_kinds, strict=True)
        if kind == "amount"
    } | {
        symbol
        for symbol, kind in zip(system.constant_symbols, system.constant_kinds, strict=True)
        if kind == "amount"
    }
    definitions = {symbol: expression for _, symbol, expression in system.rules}
    expression = rules[potential][1]
    # Expand the rules that depend on amounts (Q_net), keep the others (C_cell) as symbols.
    for _ in range(len(definitions) + 1):
        expandable = {
            s
            for s in expression.free_symbols & definitions.keys()
            if _depends_on(definitions, s, amounts)
        }
        if not expandable:
            break
        expression = expression.xreplace({s: definitions[s] for s in expandable})
    coefficients = {}
    for amount in sorted(expression.free_symbols & amounts, key=str):
        coefficient = sympy.diff(expression, amount)
        if coefficient.free_symbols & amounts:
            raise ExportError(f"{potential} is not linear in the species amounts")
        coefficients[amount] = coefficient
    moved = [
        symbol
        for symbol, entries in zip(system.state_symbols, system.stoichiometry, strict=True)
        if entries and symbol in coefficients
    ]
    if not moved:
        raise ExportError(f"no species that reactions move carries charge into {potential}")
    return _Potential(expression, coefficients, moved[-1])


def _depends_on(
    definitions: dict[sympy.Symbol, sympy.Expr], symbol: sympy.Symbol, targets: set[sympy.Symbol]
) -> bool:
    pending, seen = [symbol], set()
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        used = definitions[current].free_symbols if current in definitions else set()
        if used & targets:
            return True
        pending.extend(used & definitions.keys())
    return False


def current_balance(sbml: str, name: str, potential: str | None = None) -> str:
    """Return the model with the membrane potential as a state (the current-balance form).

    The charge-difference model computes ``Vm = Q(n) / C`` from the ion amounts n, a
    difference of amounts ~1e5 times larger than the charge, so an integrator must resolve
    the amounts to ~1e-11 to get Vm to 1e-6 (rtol 1e-12 in every tool we measured). This
    form is exactly equivalent and needs ordinary tolerances:

    - ``Vm`` gets the rate rule dVm/dt = sum over ions k of (dVm/dn_k) dn_k/dt, the net
      current over the capacitance, with Vm(0) = Q(n(0)) / C;
    - the last charged species that reactions move (Cl_i in every cell here) is no longer
      integrated: its amount is the assignment rule that solves Vm = Q(n) / C for it (charge
      conservation), so it stays in its reactions as a boundary species;
    - its initial value moves to a new constant ``<species>_start``;
    - an event that changes an amount or anything else Vm depends on also sets Vm to its
      charge-difference value after the event.

    Parameters
    ----------
    sbml
        Validated SBML Level 3 text whose ``Vm`` rule is linear in species amounts.
    name
        The model's name, for messages.
    potential
        The id of the potential to make a state; default ``Vm``, or ``dpsi`` (the proton
        vesicle's membrane potential) for a model without Vm.

    Raises
    ------
    ExportError
        If the potential is not a linear function of amounts, or an event sets the species
        that becomes derived.
    """
    system = read_ode_system(sbml)
    if potential is None:
        ruled = {sid for sid, _, _ in system.rules}
        potential = next((p for p in ("Vm", "dpsi") if p in ruled), "Vm")
    try:
        found = _linear_potential(system, potential)
        return _rewrite(sbml, system, found, potential, name)
    except ExportError as err:
        raise ExportError(f"{name}: {err}") from err


def _rewrite(sbml: str, system: SymbolicOde, found: _Potential, potential: str, name: str) -> str:
    document = libsbml.readSBMLFromString(sbml)
    model = document.getModel()
    derived = found.derived.name
    species = model.getSpecies(derived)
    start = f"{derived}_start"
    if model.getElementBySId(start) is not None:
        raise ExportError(f"the id {start} is taken")
    # The derived species' initial value moves to a constant.
    parameter = model.createParameter()
    parameter.setId(start)
    parameter.setName(f"initial {species.getName() or derived}")
    parameter.setConstant(True)
    parameter.setUnits(species.getSubstanceUnits() or model.getSubstanceUnits())
    parameter.setSBOTerm(2)
    assignment = model.getInitialAssignmentBySymbol(derived)
    if assignment is not None:
        assignment.setSymbol(start)
    else:
        parameter.setValue(species.getInitialAmount())
    species.unsetInitialAmount()
    species.setBoundaryCondition(True)
    # Vm: rate rule (net charge flux over capacitance) and its start.
    laws = {
        reaction.getId(): libsbml.formulaToL3String(reaction.getKineticLaw().getMath())
        for reaction in model.getListOfReactions()
    }
    terms = []
    for amount, coefficient in found.coefficients.items():
        entries = dict(zip(system.state_symbols, system.stoichiometry, strict=True)).get(amount, ())
        if not entries:
            continue
        flux = "".join(
            _signed(stoichiometry, laws[system.reactions[j]]) for j, stoichiometry in entries
        )
        terms.append(f"{_formula(coefficient)} * ({flux.removeprefix(' + ')})")
    model.removeRuleByVariable(potential)
    rate_rule = model.createRateRule()
    rate_rule.setVariable(potential)
    rate_rule.setMath(_parse(model, " + ".join(terms), f"d{potential}/dt"))
    initial = model.createInitialAssignment()
    initial.setSymbol(potential)
    start_symbol = sympy.Symbol(start, real=True)
    initial.setMath(
        _parse(model, _formula(found.expression.xreplace({found.derived: start_symbol})), potential)
    )
    # The derived species: charge conservation solved for its amount.
    others = found.expression - found.coefficients[found.derived] * found.derived
    amount_rule = model.createAssignmentRule()
    amount_rule.setVariable(derived)
    value = (sympy.Symbol(potential, real=True) - others) / found.coefficients[found.derived]
    amount_rule.setMath(_parse(model, _formula(sympy.simplify(value)), derived))
    _events(model, system, found, potential, derived)
    _note(model, potential, derived)
    text = str(libsbml.writeSBMLToString(document))
    check_sbml(text, f"{name} (current-balance form)")
    return text


def _events(
    model: libsbml.Model, system: SymbolicOde, found: _Potential, potential: str, derived: str
) -> None:
    """Make every event that changes what Vm depends on set Vm to its new charge value."""
    from .sbml_math import mathml_to_sympy

    definitions = {symbol: expression for _, symbol, expression in system.rules}
    full = found.expression
    for _ in range(len(definitions) + 1):
        rules = full.free_symbols & definitions.keys()
        if not rules:
            break
        full = full.xreplace({s: definitions[s] for s in rules})
    symbols = {s.name: s for s in full.free_symbols}
    for event in model.getListOfEvents():
        changes = {}
        for assignment in event.getListOfEventAssignments():
            variable = assignment.getVariable()
            if variable == derived:
                raise ExportError(
                    f"event {event.getId()} sets {derived}, which the current-balance form "
                    "computes from charge conservation"
                )
            if variable in symbols:
                text = libsbml.writeMathMLToString(assignment.getMath())
                changes[symbols[variable]] = mathml_to_sympy(text, dict(symbols), {})
        if changes:
            new = event.createEventAssignment()
            new.setVariable(potential)
            new.setMath(
                _parse(model, _formula(full.xreplace(changes)), f"{potential} after an event")
            )


def _note(model: libsbml.Model, potential: str, derived: str) -> None:
    model.appendNotes(
        '<p xmlns="http://www.w3.org/1999/xhtml">Written by pumpleak_sbml in the '
        f"current-balance form: {potential} is a state whose rate is the net charge flux over "
        f"the membrane capacitance, and the amount of {derived} follows from charge "
        f"conservation. This is exactly equivalent to the charge-difference method "
        f"({potential} = net charge / capacitance) and needs only ordinary integrator "
        "tolerances.</p>"
    )
