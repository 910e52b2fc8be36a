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

:func:`copasi_ready` writes the cell's volume in aL and its amounts in zmol (the same mM), a
pure change of units after which COPASI's default steady-state task finds the steady state
(in pL its least-squares distance test refuses even the exact one), and uses the
current-balance Vm, integrated in uV, where the leaks are GHK, and writes a species whose
steady amount is negative (a signed excess such as ``proton_vesicle``'s H_i) as its positive
deficit (:func:`negative_species_as_deficits`), because COPASI refuses a negative species.
Export it with ``--format sbml-copasi``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection
from dataclasses import dataclass

import libsbml
import sympy

from .errors import ExportError
from .ode_model import SymbolicOde, read_ode_system
from .sbml_document import _unit_definition, si_factor
from .validation import check_sbml

__all__ = [
    "copasi_ready",
    "current_balance",
    "expand_initial_assignments",
    "negative_species_as_deficits",
    "potential_in_microvolts",
    "volume_in_attolitres",
]


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


# --- the cell's volume in aL and its amounts in zmol, for COPASI ------------------------------

_ATTOLITRE = 1e-21  # m^3 (1e-18 L): the volume unit COPASI's steady-state tests need
_VOLUME_UNIT = "aL"


def _substitute(node: libsbml.ASTNode, replacements: dict[str, libsbml.ASTNode]) -> None:
    """Replace (in place) every name in ``replacements`` below ``node`` by a copy of its value."""
    for index in range(node.getNumChildren()):
        child = node.getChild(index)
        if child.isName() and child.getName() in replacements:
            node.replaceChild(index, replacements[child.getName()].deepCopy(), True)
        else:
            _substitute(child, replacements)


def _rewritten(
    math: libsbml.ASTNode,
    replacements: dict[str, libsbml.ASTNode],
    target: libsbml.ASTNode | None,
) -> libsbml.ASTNode:
    """Return ``math`` with names replaced, divided by ``target`` (the conversion) if given."""
    copy = math.deepCopy()
    if copy.isName() and copy.getName() in replacements:
        copy = replacements[copy.getName()].deepCopy()
    else:
        _substitute(copy, replacements)
    if target is None:
        return copy
    quotient = _name(f"numerator / {target.getName()}")
    quotient.replaceChild(0, copy, True)
    return quotient


def _si_unit(model: libsbml.Model, unit_id: str, what: str) -> tuple[float, libsbml.UnitDefinition]:
    definition = _unit_definition(model, unit_id)
    if definition is None:
        raise ExportError(f"{what} has no unit to rescale")
    return si_factor(definition)


def _free_id(model: libsbml.Model, wanted: str) -> str:
    if model.getElementBySId(wanted) is not None or model.getUnitDefinition(wanted) is not None:
        raise ExportError(f"the id {wanted} is taken")
    return wanted


def _scaled_unit(
    model: libsbml.Model, unit_id: str, factor: float, wanted: str
) -> libsbml.UnitDefinition:
    """Add a unit that is ``factor`` times the unit ``unit_id`` (a power of ten: its scale)."""
    old = _unit_definition(model, unit_id)
    if old is None:
        raise ExportError(f"the unit {unit_id} is not defined")
    new = libsbml.UnitDefinition(model.getLevel(), model.getVersion())
    new.setId(_free_id(model, wanted))
    exponent = round(math.log10(factor))
    for index, unit in enumerate(old.getListOfUnits()):
        copy = unit.clone()
        if index == 0:
            if abs(math.log10(factor) - exponent) < 1e-12 and unit.getExponent() == 1:
                copy.setScale(unit.getScale() + exponent)
            else:
                copy.setMultiplier(unit.getMultiplier() * factor ** (1 / unit.getExponent()))
        new.addUnit(copy)
    model.addUnitDefinition(new)
    return model.getUnitDefinition(new.getId())


def _conversion(
    model: libsbml.Model, old_unit: str, new_unit: str, value: float
) -> libsbml.ASTNode:
    """Add the constant ``<old>_per_<new>`` (the number 1 written in two units); return its name."""
    ratio = libsbml.UnitDefinition(model.getLevel(), model.getVersion())
    ratio.setId(_free_id(model, f"{old_unit}_over_{new_unit}"))
    old = _unit_definition(model, old_unit)
    if old is None:
        raise ExportError(f"the unit {old_unit} is not defined")
    for unit in old.getListOfUnits():
        ratio.addUnit(unit.clone())
    for unit in model.getUnitDefinition(new_unit).getListOfUnits():
        inverted = unit.clone()
        inverted.setExponent(-unit.getExponent())
        ratio.addUnit(inverted)
    model.addUnitDefinition(ratio)
    parameter = model.createParameter()
    parameter.setId(_free_id(model, f"{old_unit}_per_{new_unit}"))
    parameter.setName(f"{old_unit} per {new_unit}")
    parameter.setValue(value)
    parameter.setUnits(ratio.getId())
    parameter.setConstant(True)
    parameter.setSBOTerm(2)
    return _name(parameter.getId())


def _name(formula: str) -> libsbml.ASTNode:
    """Parse a formula of names (no ``ASTNode(type)``: the type enum is not int-safe).

    Once libsedml is imported (the OMEX export), libsbml's ``getType()`` returns SWIG
    objects instead of ints, so this module never compares or passes node types.
    """
    node = libsbml.parseL3Formula(formula)
    if node is None:
        raise ExportError(f"could not write {formula}: {libsbml.getLastParseL3Error()}")
    return node


def _transformed(
    sbml: str, name: str, what: str, transform: Callable[[libsbml.Model], None]
) -> str:
    """Apply ``transform`` to the model in place; return the text, validated strictly.

    Its errors are prefixed with the model's name; a result that does not validate (a bug of
    the transform) raises :class:`~pumpleak_sbml.errors.SBMLValidationError`.
    """
    document = libsbml.readSBMLFromString(sbml)  # owns the model: keep it alive (SWIG)
    try:
        transform(document.getModel())
    except ExportError as err:
        raise ExportError(f"{name}: {err}") from err
    text = str(libsbml.writeSBMLToString(document))
    check_sbml(text, f"{name} ({what})")
    return text


def _interior(model: libsbml.Model) -> list[libsbml.Compartment]:
    """Return the compartments whose size is a state or that hold non-boundary species."""
    moving = {
        species.getCompartment()
        for species in model.getListOfSpecies()
        if not species.getBoundaryCondition()
    }
    return [
        compartment
        for compartment in model.getListOfCompartments()
        if compartment.getId() in moving or model.getRateRule(compartment.getId()) is not None
    ]


def volume_in_attolitres(sbml: str, name: str) -> str:
    """Return the same model with the cell's volume in aL and its amounts in zmol.

    A pure change of units. Every three-dimensional compartment (the cell, whose size is a state
    or which holds species that reactions move, and the medium) gets the unit aL (1e-18 L), and
    each species in it a substance unit scaled by the same factor (fmol -> zmol beside pL ->
    aL), so every concentration keeps its number. Each use of a rescaled quantity ``q`` in a
    rule, initial assignment, kinetic law, trigger or event assignment becomes ``q *
    <old>_per_<new>`` (a new constant, exactly 1 in its units), math that sets ``q`` is divided
    by that constant, and literal sizes and amounts are multiplied. The reactions' extent unit
    becomes the species' new unit (each kinetic law divided by ``<old extent>_per_<new>``), and
    the model's default volume and substance units become aL and zmol (elements that relied on
    the old defaults get them written out), because COPASI reads every number in the model's
    default units.

    Parameters
    ----------
    sbml
        Validated SBML Level 3 text.
    name
        The model's name, for messages.

    Returns
    -------
    str
        The rescaled SBML; it passes the same strict validation (units and scale).

    Raises
    ------
    ExportError
        If no compartment qualifies, one is set by an assignment rule or is not
        three-dimensional, the model has an algebraic rule, reactions move species whose new
        units differ, or an id the transform adds is taken.
    """
    return _transformed(sbml, name, "volume in aL", _rescale)


def _rescale(model: libsbml.Model) -> None:
    interior = _interior(model)
    if not interior:
        raise ExportError("no compartment has a variable volume or moving species")
    # The medium too: COPASI reads every size in the model's default unit, aL.
    compartments = interior + [
        compartment
        for compartment in model.getListOfCompartments()
        if compartment.getId() not in {inner.getId() for inner in interior}
        and compartment.getSpatialDimensions() == 3
    ]
    if any(rule.isAlgebraic() for rule in model.getListOfRules()):
        raise ExportError("an algebraic rule cannot be rescaled")
    rescaling = _Rescaling(model)
    for compartment in compartments:
        factor = rescaling.compartment(compartment)
        for species in model.getListOfSpecies():
            if species.getCompartment() == compartment.getId():
                rescaling.species(species, factor)
    _rewrite_math(model, rescaling.replacements, rescaling.targets)
    _convert_reactions(model, rescaling.reacting, rescaling.conversions)
    _model_defaults(model, _VOLUME_UNIT, set(rescaling.reacting.values()))


class _Rescaling:
    """What the rescaled quantities become: ``q -> q * conversion``, targets divided by it."""

    def __init__(self, model: libsbml.Model) -> None:
        self.model = model
        self.replacements: dict[str, libsbml.ASTNode] = {}
        self.targets: dict[str, libsbml.ASTNode] = {}
        self.conversions: dict[tuple[str, str], libsbml.ASTNode] = {}
        self.reacting: dict[str, str] = {}  # non-boundary species id -> its new substance unit

    def _convert(self, sid: str, old: str, new: str, factor: float) -> None:
        key = (old, new)
        if key not in self.conversions:
            self.conversions[key] = _conversion(self.model, old, new, 1 / factor)
        self.replacements[sid] = _product(sid, self.conversions[key])
        self.targets[sid] = self.conversions[key]

    def compartment(self, compartment: libsbml.Compartment) -> float:
        """Put a compartment in aL; return the factor its numbers are multiplied by."""
        model, cid = self.model, compartment.getId()
        if model.getAssignmentRule(cid) is not None:
            raise ExportError(f"the size of {cid} is an assignment rule")
        if compartment.getSpatialDimensions() != 3:
            raise ExportError(f"compartment {cid} is not three-dimensional")
        old = compartment.getUnits() or model.getVolumeUnits()
        old_factor, old_si = _si_unit(model, old, f"compartment {cid}")
        if not libsbml.UnitDefinition.areEquivalent(old_si, _si_unit(model, "litre", "")[1]):
            raise ExportError(f"the unit {old} of compartment {cid} is not a volume")
        factor = old_factor / _ATTOLITRE  # new number = factor * old number
        _ensure_unit(model, "litre", 1e-18, _VOLUME_UNIT)
        self._convert(cid, old, _VOLUME_UNIT, factor)
        compartment.setUnits(_VOLUME_UNIT)
        if compartment.isSetSize():
            compartment.setSize(compartment.getSize() * factor)
        return factor

    def species(self, species: libsbml.Species, factor: float) -> None:
        """Scale a species' substance unit like its compartment's volume (same concentration)."""
        model, sid = self.model, species.getId()
        substance = species.getSubstanceUnits() or model.getSubstanceUnits()
        wanted = _substance_name(model, substance, factor)
        _ensure_unit(model, substance, 1 / factor, wanted)
        species.setSubstanceUnits(wanted)
        if species.isSetInitialAmount():
            species.setInitialAmount(species.getInitialAmount() * factor)
        if not species.getBoundaryCondition():
            self.reacting[sid] = wanted
        # A concentration keeps its number; an amount is converted wherever it is used.
        if species.getHasOnlySubstanceUnits():
            self._convert(sid, substance, wanted, factor)


def _ensure_unit(model: libsbml.Model, unit_id: str, factor: float, wanted: str) -> None:
    """Add ``wanted`` = factor * ``unit_id`` unless the model has it (then it must agree)."""
    if model.getUnitDefinition(wanted) is None:
        _scaled_unit(model, unit_id, factor, wanted)
        return
    found, found_si = _si_unit(model, wanted, f"unit {wanted}")
    expected, expected_si = _si_unit(model, unit_id, f"unit {unit_id}")
    if not libsbml.UnitDefinition.areEquivalent(found_si, expected_si) or not math.isclose(
        found, factor * expected, rel_tol=1e-12
    ):
        raise ExportError(f"the model's unit {wanted} is not {factor:g} {unit_id}")


def _model_defaults(model: libsbml.Model, volume: str, substances: set[str]) -> None:
    """Make aL and zmol the model's default units: COPASI takes those for every element.

    COPASI 4.48 ignores the units of single compartments and species and reads every number
    in the model's volume and substance units, so those defaults must be the rescaled ones.
    Elements that relied on the old defaults get them written out first.
    """
    if len(substances) != 1:
        raise ExportError("the rescaled species do not share one substance unit")
    (substance,) = substances
    for compartment in model.getListOfCompartments():
        if not compartment.isSetUnits() and model.getVolumeUnits():
            compartment.setUnits(model.getVolumeUnits())
    for species in model.getListOfSpecies():
        if not species.isSetSubstanceUnits() and model.getSubstanceUnits():
            species.setSubstanceUnits(model.getSubstanceUnits())
    model.setVolumeUnits(volume)
    model.setSubstanceUnits(substance)


def _substance_name(model: libsbml.Model, substance: str, factor: float) -> str:
    """Name the substance unit ``substance / factor``: zmol if it is 1e-21 mol."""
    old_factor, old_si = _si_unit(model, substance, f"substance unit {substance}")
    is_amount = libsbml.UnitDefinition.areEquivalent(old_si, _si_unit(model, "mole", "")[1])
    if is_amount and abs(old_factor / factor / 1e-21 - 1) < 1e-12:
        return "zmol"
    return f"{substance}_in_aL"


def _product(sid: str, conversion: libsbml.ASTNode) -> libsbml.ASTNode:
    return _name(f"{sid} * {conversion.getName()}")


def _rewrite_math(
    model: libsbml.Model,
    replacements: dict[str, libsbml.ASTNode],
    targets: dict[str, libsbml.ASTNode],
) -> None:
    def rewrite(element: libsbml.SBase, target: str | None) -> None:
        if element is not None and element.isSetMath():
            element.setMath(_rewritten(element.getMath(), replacements, targets.get(target or "")))

    for rule in model.getListOfRules():
        rewrite(rule, rule.getVariable())
    for assignment in model.getListOfInitialAssignments():
        rewrite(assignment, assignment.getSymbol())
    for reaction in model.getListOfReactions():
        law = reaction.getKineticLaw()
        if law is None:
            continue
        for local in law.getListOfLocalParameters():
            if local.getId() in replacements:
                raise ExportError(f"a local parameter of {reaction.getId()} hides {local.getId()}")
        rewrite(law, None)
    for event in model.getListOfEvents():
        for part in (event.getTrigger(), event.getDelay(), event.getPriority()):
            rewrite(part, None)
        for assignment in event.getListOfEventAssignments():
            rewrite(assignment, assignment.getVariable())


def _convert_reactions(
    model: libsbml.Model,
    reacting: dict[str, str],
    conversions: dict[tuple[str, str], libsbml.ASTNode],
) -> None:
    """Put the reactions' extent in the rescaled species' unit (zmol), laws divided to match.

    SBML's species ``conversionFactor`` would say the same, but COPASI 4.48 ignores it (its
    time courses then move the ions 1e6 times too slowly), so the extent itself changes.
    """
    moved = {
        reference.getSpecies()
        for reaction in model.getListOfReactions()
        for references in (reaction.getListOfReactants(), reaction.getListOfProducts())
        for reference in references
        if not model.getSpecies(reference.getSpecies()).getBoundaryCondition()
    }
    if not moved:
        return
    units = {reacting.get(sid, "") for sid in moved}
    if len(units) != 1 or "" in units:
        raise ExportError(
            "reactions move species of different substance units after rescaling: "
            + ", ".join(sorted(moved))
        )
    (unit,) = units
    extent = model.getExtentUnits()
    if not extent:
        raise ExportError("the model has no extent unit")
    key = (extent, unit)
    if key not in conversions:
        extent_factor, _ = _si_unit(model, extent, "the extent unit")
        unit_factor, _ = _si_unit(model, unit, f"the unit {unit}")
        conversions[key] = _conversion(model, extent, unit, unit_factor / extent_factor)
    for reaction in model.getListOfReactions():
        law = reaction.getKineticLaw()
        if law is not None and law.isSetMath():
            law.setMath(_rewritten(law.getMath(), {}, conversions[key]))
    model.setExtentUnits(unit)


def _exponential_in_potential(system: SymbolicOde) -> bool:
    """Tell whether a rate depends on the membrane potential through ``exp`` (GHK leaks).

    Such a rate changes e-fold over RT/F ~ 26 mV, and COPASI's default derivation factor
    cannot resolve it in the charge-difference form; the rules are followed from the rates
    down to the potential (``Vm``, or the vesicle's ``dpsi``).
    """
    definitions = {symbol: expression for _, symbol, expression in system.rules}
    ruled = {sid: symbol for sid, symbol, _ in system.rules}
    potential = ruled.get("Vm", ruled.get("dpsi"))
    if potential is None:
        return False
    pending, seen = list(system.rates), set[sympy.Symbol]()
    while pending:
        expression = pending.pop()
        for exponential in expression.atoms(sympy.exp):
            if any(
                symbol == potential or _depends_on(definitions, symbol, {potential})
                for symbol in exponential.args[0].free_symbols
            ):
                return True
        for symbol in (expression.free_symbols & definitions.keys()) - seen:
            seen.add(symbol)
            pending.append(definitions[symbol])
    return False


def copasi_ready(sbml: str, name: str, negative: Collection[str] = ()) -> str:
    """Return SBML whose steady states COPASI's default settings find.

    The volume in aL and the amounts in zmol (:func:`volume_in_attolitres`); where the leaks are
    GHK (a rate exponential in Vm), Vm in the current-balance form (:func:`current_balance`)
    integrated in uV (:func:`potential_in_microvolts`); and the species in ``negative`` (those
    negative at steady state) as their deficits (:func:`negative_species_as_deficits`), since
    COPASI's steady-state task refuses a state with a negative species unless "Accept Negative
    Concentrations" is set. COPASI's default steady-state task (Enhanced Newton, resolution
    1e-9, "Distance and Rate") judges a state by a least-squares distance on particle numbers
    (~4e9) beside the compartment sizes: with the volume in pL (~0.5) the Jacobian's condition
    number is ~1e18, the volume's row is lost and even the exact steady state is refused; in aL
    (~5e5) it is found to ~1e-13. GHK leaks in the charge-difference form still fail (their Vm
    derivative is too steep for the default derivation factor); in the current-balance form,
    with the potential integrated in uV (:func:`potential_in_microvolts`), they are found.

    Raises
    ------
    ExportError
        As :func:`volume_in_attolitres`, for GHK cells :func:`current_balance`, and for
        negative species :func:`negative_species_as_deficits`.
    """
    ghk = _exponential_in_potential(read_ode_system(sbml))
    if ghk:
        sbml = current_balance(sbml, name)
    sbml = volume_in_attolitres(sbml, name)
    if ghk:
        sbml = potential_in_microvolts(sbml, name)
    return negative_species_as_deficits(sbml, name, negative) if negative else sbml


# --- the rate-ruled potential as a state in uV ---------------------------------------------

_MICROVOLT = "uV"
_MICROVOLTS_PER_MILLIVOLT = 1e3


def potential_in_microvolts(sbml: str, name: str) -> str:
    """Return the same model with its rate-ruled potential integrated in uV, read in mV.

    COPASI's state is particle numbers (~1e10 in a cell) beside the potential. With the
    potential in mV (~50), the Jacobian COPASI's distance test solves by least squares
    (LAPACK dgelsy, rank cut at a condition number of 1/(100 eps) = 4.5e13) has a condition
    number of ~6e12 (median over random GHK spec cells; up to 4e15) at the exact steady
    state, and the steady state is refused; in uV it is ~8e7 (up to 9e9). So the state
    becomes ``Vm_uV`` (rate rule divided by ``mV_per_uV``, start and event assignments
    moved to it), and ``Vm`` keeps its id and mV as the assignment ``Vm_uV * mV_per_uV``.

    Raises
    ------
    ExportError
        If no potential (``Vm`` or ``dpsi``) has a rate rule, or its unit is not mV.
    """
    return _transformed(sbml, name, "potential in uV", _restate_in_microvolts)


def _restate_in_microvolts(model: libsbml.Model) -> None:
    potential = next((p for p in ("Vm", "dpsi") if model.getRateRule(p) is not None), None)
    if potential is None:
        raise ExportError("no membrane potential is a state (a rate rule)")
    parameter = model.getParameter(potential)
    if parameter.getUnits() != "mV":
        raise ExportError(f"{potential} is not in mV")
    _ensure_unit(model, "mV", 1 / _MICROVOLTS_PER_MILLIVOLT, _MICROVOLT)
    conversion = _conversion(model, "mV", _MICROVOLT, 1 / _MICROVOLTS_PER_MILLIVOLT)
    state = model.createParameter()
    state.setId(_free_id(model, f"{potential}_uV"))
    state.setName(f"{parameter.getName() or potential} in uV (the integrated state)")
    state.setUnits(_MICROVOLT)
    state.setConstant(False)
    state.setSBOTerm(parameter.getSBOTerm())
    if parameter.isSetValue():
        state.setValue(parameter.getValue() * _MICROVOLTS_PER_MILLIVOLT)
        parameter.unsetValue()

    def in_microvolts(math: libsbml.ASTNode) -> libsbml.ASTNode:
        return _rewritten(math, {}, conversion)

    rate = model.getRateRule(potential)
    rate.setVariable(state.getId())
    rate.setMath(in_microvolts(rate.getMath()))
    _retarget(model, potential, state.getId(), in_microvolts)
    rule = model.createAssignmentRule()
    rule.setVariable(potential)
    rule.setMath(_product(state.getId(), conversion))


# --- a signed excess written as its positive deficit ----------------------------------------

_QUANTITY_OF_AN_ENTITY_POOL = 360  # SBO term of a parameter that is an amount of an entity


def negative_species_as_deficits(sbml: str, name: str, species: Collection[str]) -> str:
    """Return the same model with each listed species ``S`` moved by its deficit ``S_deficit``.

    Some states are *excesses* over a reference, not amounts of matter, and are negative in
    normal operation (``proton_vesicle``'s H_i: the lumenal H+ gained since the start,
    negative once the pump has worked). SBML allows a negative species, but COPASI's
    steady-state task refuses one by default. This writes the state as the deficit
    ``S_deficit = -S``, a species in the same compartment whose reactions are those of ``S``
    with reactants and products swapped (its start and event assignments negated), and keeps
    ``S`` as a quantity with the assignment rule ``S = -S_deficit``, so every rate law and
    rule reads the same value and a user still finds ``S``. The quantity's MIRIAM ``is``
    terms become ``isPropertyOf`` (an amount is a property of the entity, not the entity).

    Parameters
    ----------
    sbml
        Validated SBML Level 3 text.
    name
        The model's name, for messages.
    species
        Ids of amount (``hasOnlySubstanceUnits``) species that only reactions move.

    Returns
    -------
    str
        The rewritten SBML; it passes the same strict validation (units and scale).

    Raises
    ------
    ExportError
        If a listed id is not such a species, its deficit's id is taken, or a reaction
        moves it with a stoichiometry that is not a constant.
    """

    def negate_each(model: libsbml.Model) -> None:
        for sid in species:
            try:
                _negate(model, sid)
            except ExportError as err:
                raise ExportError(f"cannot write {sid} as its deficit: {err}") from err

    return _transformed(sbml, name, "deficits", negate_each)


def _negate(model: libsbml.Model, sid: str) -> None:
    """Replace the species ``sid`` by its deficit (see the caller)."""
    species = model.getSpecies(sid)
    if species is None or species.getBoundaryCondition() or model.getRule(sid) is not None:
        raise ExportError("it is not a species that only reactions move")
    if not species.getHasOnlySubstanceUnits() or species.isSetInitialConcentration():
        raise ExportError("it is a concentration, not an amount")
    if species.isSetConversionFactor():
        raise ExportError("it has a conversion factor")
    deficit = species.clone()
    deficit.setId(_free_id(model, f"{sid}_deficit"))
    deficit.setName(f"minus ({species.getName() or sid})")
    deficit.setMetaId(f"{species.getMetaId() or sid}_deficit")
    if species.isSetInitialAmount():
        deficit.setInitialAmount(0.0 - species.getInitialAmount())  # never -0
    deficit.appendNotes(
        f'<p xmlns="http://www.w3.org/1999/xhtml">Written by pumpleak_sbml: the deficit -{sid} '
        f"of the excess {sid}, which is negative at steady state; COPASI's steady-state task "
        f"refuses a negative species. {sid} = -{deficit.getId()}.</p>"
    )
    _swap_sides(model, sid, deficit.getId())
    _retarget(model, sid, deficit.getId(), _negated)
    quantity = _quantity_of(species, model.getSubstanceUnits())
    model.removeSpecies(sid)
    model.addSpecies(deficit)
    model.addParameter(quantity)
    rule = model.createAssignmentRule()
    rule.setVariable(sid)
    rule.setMath(_name(f"-{deficit.getId()}"))


def _swap_sides(model: libsbml.Model, sid: str, deficit: str) -> None:
    """Make each reaction that makes ``sid`` consume ``deficit`` instead, and the reverse."""
    for reaction in model.getListOfReactions():
        sides = (reaction.getListOfReactants(), reaction.getListOfProducts())
        moved: list[tuple[libsbml.ListOf, libsbml.SpeciesReference]] = []
        for side, other in (sides, sides[::-1]):
            for index in reversed(range(side.size())):
                if side.get(index).getSpecies() == sid:
                    reference = side.remove(index)
                    if not reference.getConstant() or reference.isSetId():
                        raise ExportError(
                            f"its stoichiometry in {reaction.getId()} is not a constant"
                        )
                    reference.setSpecies(deficit)
                    moved.append((other, reference))
        for other, reference in moved:
            other.append(reference)
        for modifier in reaction.getListOfModifiers():
            if modifier.getSpecies() == sid:
                modifier.setSpecies(deficit)


def _retarget(
    model: libsbml.Model,
    sid: str,
    new: str,
    restate: Callable[[libsbml.ASTNode], libsbml.ASTNode],
) -> None:
    """Move the start and event assignments of ``sid`` to ``new``, their math restated."""
    targets = [model.getInitialAssignmentBySymbol(sid)] + [
        assignment
        for event in model.getListOfEvents()
        for assignment in event.getListOfEventAssignments()
        if assignment.getVariable() == sid
    ]
    for target in targets:
        if target is None:
            continue
        target.setMath(restate(target.getMath()))
        if isinstance(target, libsbml.InitialAssignment):
            target.setSymbol(new)
        else:
            target.setVariable(new)


def _negated(math: libsbml.ASTNode) -> libsbml.ASTNode:
    negated = _name("-x")
    negated.replaceChild(0, math.deepCopy(), True)
    return negated


def _quantity_of(species: libsbml.Species, default_units: str) -> libsbml.Parameter:
    """Return a parameter with the species' id, name, unit, notes and MIRIAM terms."""
    quantity = libsbml.Parameter(species.getLevel(), species.getVersion())
    quantity.setId(species.getId())
    quantity.setName(species.getName())
    quantity.setConstant(False)
    quantity.setUnits(species.getSubstanceUnits() or default_units)
    quantity.setSBOTerm(_QUANTITY_OF_AN_ENTITY_POOL)
    if species.isSetMetaId():
        quantity.setMetaId(species.getMetaId())
    if species.isSetNotes():
        quantity.setNotes(species.getNotes())
    for index in range(species.getNumCVTerms()):
        term = species.getCVTerm(index)
        copy = libsbml.CVTerm(libsbml.BIOLOGICAL_QUALIFIER)
        qualifier = term.getBiologicalQualifierType()
        copy.setBiologicalQualifierType(
            libsbml.BQB_IS_PROPERTY_OF if qualifier == libsbml.BQB_IS else qualifier
        )
        for resource in range(term.getNumResources()):
            copy.addResource(term.getResourceURI(resource))
        quantity.addCVTerm(copy)
    return quantity
