# SPDX-License-Identifier: MIT
"""CellML 2.0: the model's ODEs with units, for CellML tools (OpenCOR, Myokit, libcellml).

The file is written from the symbolic ODE system (:mod:`pumpleak_sbml.ode_model`), not by
translating SBML element by element: that system already says what the SBML *means* as
ODEs (states are species amounts and rate-ruled volumes, a reaction moves amounts, a
concentration is an amount over its compartment's size), and it is the same system that the
Python and JAX right-hand sides are generated from. One component holds every variable:

- ``time`` and the states, each with ``d state/d time`` written out as the sum of its
  reaction fluxes (one variable per reaction, named by the reaction id);
- every assignment rule as an equation;
- the start: each state ``x`` takes its initial value from a constant ``x_0``, and the
  initial assignments become equations between constants (``Na_i_0 = Na_i_init * cell_0``),
  so a CellML user who changes ``Na_i_init`` or ``cell_0`` gets a consistent start, as an
  SBML user does; literal values (overrides applied) are ``initial_value`` attributes.

Every variable carries its SBML unit. CellML has no unit on a bare number, so each number
gets the unit its place in the expression demands (the unit of the terms it is added to or
compared with; dimensionless in products, powers and function arguments). The output is
valid under libcellml's Validator and Analyser (no issue at all) and runs in Myokit's CellML
importer; ``tests/formats/test_cellml.py`` checks both for every model.

CellML 2.0 has no discrete events. A scenario model is written without its events (an XML
comment at the top of the file says so and names them): the file then reproduces the model
up to its first event.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from xml.etree import ElementTree

import libsbml
import sympy

from ..built_model import BuiltModel
from ..errors import ExportError
from ..ode_model import SymbolicOde, read_ode_system
from ..sbml_document import si_factor
from ..sbml_math import TIME

__all__ = ["dumps", "to_cellml"]

_CELLML = "http://www.cellml.org/cellml/2.0#"
_MATHML = "http://www.w3.org/1998/Math/MathML"
_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_BUILT_IN_UNITS = frozenset(
    {
        "ampere",
        "becquerel",
        "candela",
        "celsius",
        "coulomb",
        "dimensionless",
        "farad",
        "gram",
        "gray",
        "henry",
        "hertz",
        "joule",
        "katal",
        "kelvin",
        "kilogram",
        "litre",
        "lumen",
        "lux",
        "metre",
        "mole",
        "newton",
        "ohm",
        "pascal",
        "radian",
        "second",
        "siemens",
        "sievert",
        "steradian",
        "tesla",
        "volt",
        "watt",
        "weber",
    }
)

Dimension = tuple[float, tuple[tuple[str, int], ...]]
"""A unit as (SI factor, SI base kinds with exponents)."""

_DIMENSIONLESS: Dimension = (1.0, ())

_FUNCTIONS: Mapping[type, str] = {
    sympy.exp: "exp",
    sympy.log: "ln",
    sympy.Abs: "abs",
    sympy.floor: "floor",
    sympy.ceiling: "ceiling",
    sympy.sin: "sin",
    sympy.cos: "cos",
    sympy.tan: "tan",
    sympy.sec: "sec",
    sympy.csc: "csc",
    sympy.cot: "cot",
    sympy.sinh: "sinh",
    sympy.cosh: "cosh",
    sympy.tanh: "tanh",
    sympy.sech: "sech",
    sympy.csch: "csch",
    sympy.coth: "coth",
    sympy.asin: "arcsin",
    sympy.acos: "arccos",
    sympy.atan: "arctan",
}
_RELATIONS: Mapping[type, str] = {
    sympy.StrictLessThan: "lt",
    sympy.LessThan: "leq",
    sympy.StrictGreaterThan: "gt",
    sympy.GreaterThan: "geq",
    sympy.Equality: "eq",
    sympy.Unequality: "neq",
}
_LOGIC: Mapping[type, str] = {sympy.And: "and", sympy.Or: "or", sympy.Xor: "xor", sympy.Not: "not"}
_OPERATORS: Mapping[type, str] = {
    **_FUNCTIONS,
    **_RELATIONS,
    **_LOGIC,
    sympy.Min: "min",
    sympy.Max: "max",
}
_CONSTANTS: Mapping[sympy.Basic, str] = {
    sympy.pi: "pi",
    sympy.E: "exponentiale",
    sympy.true: "true",
    sympy.false: "false",
}
_SAME_UNIT = (sympy.Abs, sympy.floor, sympy.ceiling)
"""Functions whose result has the unit of their argument."""


def _unit_carriers(expression: sympy.Basic) -> Iterable[sympy.Basic] | None:
    """Return the parts whose unit is the expression's unit, or None if it is dimensionless."""
    if isinstance(expression, sympy.Add | sympy.Min | sympy.Max | sympy.Abs):
        return list(expression.args)
    if isinstance(expression, sympy.floor | sympy.ceiling):
        return list(expression.args)
    if isinstance(expression, sympy.Piecewise):
        return [value for value, _ in expression.args]
    return None  # functions (exp, ln, trig), relations and logic are dimensionless


def _sub(parent: ElementTree.Element, tag: str, **attributes: str) -> ElementTree.Element:
    return ElementTree.SubElement(parent, tag, attributes)


# --- units ---------------------------------------------------------------------------------------


def _dimension(definition: libsbml.UnitDefinition) -> Dimension:
    factor, si = si_factor(definition)
    kinds: dict[str, int] = {}
    for unit in si.getListOfUnits():
        kind = libsbml.UnitKind_toString(unit.getKind())
        if kind != "dimensionless":
            kinds[kind] = kinds.get(kind, 0) + round(unit.getExponent())
    return float(factor), tuple(sorted((k, e) for k, e in kinds.items() if e))


def _same(first: Dimension, second: Dimension) -> bool:
    return first[1] == second[1] and math.isclose(first[0], second[0], rel_tol=1e-12)


@dataclass
class _Units:
    """The CellML units of one model: names, definitions, and the unit of every symbol."""

    model: libsbml.Model
    definitions: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    dimensions: dict[str, Dimension] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for definition in self.model.getListOfUnitDefinitions():
            self._declare(definition.getId(), definition)

    def _declare(self, name: str, definition: libsbml.UnitDefinition) -> str:
        parts = []
        for unit in definition.getListOfUnits():
            kind = libsbml.UnitKind_toString(unit.getKind())
            exponent = unit.getExponent()
            part = {"units": kind}
            if unit.getScale():
                part["prefix"] = str(unit.getScale())
            if exponent != 1:
                part["exponent"] = _number_text(exponent)
            # SBML: (m 10^s kind)^e; CellML: m (10^s kind)^e.
            multiplier = unit.getMultiplier() ** exponent
            if multiplier != 1:
                part["multiplier"] = _number_text(multiplier)
            parts.append(part)
        self.definitions[name] = parts
        self.dimensions[name] = _dimension(definition)
        return name

    def name_of(self, definition: libsbml.UnitDefinition | None) -> str:
        """Return the name of a declared unit equal to ``definition``, declaring one if needed."""
        if definition is None or definition.getNumUnits() == 0:
            return "dimensionless"
        return self.name_for(_dimension(definition), definition)

    def name_for(
        self, dimension: Dimension, definition: libsbml.UnitDefinition | None = None
    ) -> str:
        """Return a unit name of this SI factor and dimension (declaring one if needed)."""
        if dimension == _DIMENSIONLESS:
            return "dimensionless"
        for name, known in self.dimensions.items():
            if _same(known, dimension):
                return name
        name = f"units_{len(self.definitions) + 1}"
        while name in self.definitions:
            name += "_"
        if definition is not None:
            return self._declare(name, definition)
        factor, kinds = dimension
        parts = [{"units": kind, "exponent": str(exponent)} for kind, exponent in kinds]
        if not parts:  # a pure number with a scale (e.g. 1e-3 of a ratio)
            parts = [{"units": "dimensionless", "exponent": "1"}]
        if factor != 1:
            parts[0]["multiplier"] = _number_text(factor)
        self.definitions[name] = parts
        self.dimensions[name] = dimension
        return name

    def by_id(self, sid: str) -> str:
        """Return the unit of a model element by its SBML id."""
        element = self.model.getElementBySId(sid)
        if element is None:
            return "dimensionless"
        if isinstance(element, libsbml.Reaction):
            return self.reaction_unit()
        declared = element.getUnits() if isinstance(element, libsbml.Parameter) else ""
        if declared in self.definitions or declared in _BUILT_IN_UNITS:
            return str(declared)
        return self.name_of(element.getDerivedUnitDefinition())

    def amount_unit(self, species_id: str) -> str:
        """Return the substance unit of a species (the unit of its amount)."""
        species = self.model.getSpecies(species_id)
        units = species.getSubstanceUnits() or self.model.getSubstanceUnits()
        return self.named(units)

    def reaction_unit(self) -> str:
        """Return the unit of a reaction rate: extent per time."""
        extent = self._definition(self.model.getExtentUnits())
        time = self._definition(self.model.getTimeUnits())
        return self.name_of(libsbml.UnitDefinition.divide(extent, time))

    def _definition(self, name: str) -> libsbml.UnitDefinition:
        """Return the unit definition of a model unit id or of a built-in unit name."""
        definition = self.model.getUnitDefinition(name)
        if definition is not None:
            return definition
        kind = libsbml.UnitKind_forName(name)
        if not name or kind == libsbml.UNIT_KIND_INVALID:
            raise ExportError(f"the model's unit {name!r} is not defined (model-level units?)")
        definition = libsbml.UnitDefinition(3, 2)
        unit = definition.createUnit()
        unit.setKind(kind)
        unit.setExponent(1)
        unit.setScale(0)
        unit.setMultiplier(1)
        return definition

    def named(self, units: str) -> str:
        """Return a unit id of the model (or a built-in unit), checked to exist."""
        if units in self.definitions or units in _BUILT_IN_UNITS:
            return units
        raise ExportError(f"unit {units!r} is not defined in the model")

    def dimension_of(self, name: str) -> Dimension:
        """Return the SI factor and dimension of a unit name."""
        if name == "dimensionless":
            return _DIMENSIONLESS
        if name in self.dimensions:
            return self.dimensions[name]
        return _dimension(self._definition(name))


def _number_text(value: float) -> str:
    if float(value).is_integer() and abs(value) < 2**53:
        return str(int(value))
    return repr(float(value))


# --- math ----------------------------------------------------------------------------------------


@dataclass
class _MathWriter:
    """Writes SymPy expressions as CellML MathML, giving every number a unit."""

    units: _Units
    symbol_units: dict[sympy.Symbol, str]
    names: dict[sympy.Symbol, str]

    def dimension(self, expression: sympy.Basic) -> Dimension | None:
        """Return the unit of an expression; None for a pure number (it takes its context's)."""
        if isinstance(expression, sympy.Symbol):
            return self.units.dimension_of(self.symbol_units[expression])
        if expression.is_Number or expression in _CONSTANTS:
            return None
        if isinstance(expression, sympy.Mul):
            return self._product_dimension(expression)
        if isinstance(expression, sympy.Pow):
            return self._power_dimension(expression)
        carriers = _unit_carriers(expression)
        return _DIMENSIONLESS if carriers is None else self._first(carriers)

    def _product_dimension(self, expression: sympy.Mul) -> Dimension:
        factor, kinds = 1.0, dict[str, int]()
        for argument in expression.args:
            found = self.dimension(argument)
            if found is not None:
                factor *= found[0]
                for kind, exponent in found[1]:
                    kinds[kind] = kinds.get(kind, 0) + exponent
        return factor, tuple(sorted((k, e) for k, e in kinds.items() if e))

    def _power_dimension(self, expression: sympy.Pow) -> Dimension | None:
        base = self.dimension(expression.base)
        if base is None:
            return None
        if not expression.exp.is_Number:
            return _DIMENSIONLESS  # x^y with a symbolic y: x must be dimensionless
        power = float(expression.exp)
        return base[0] ** power, tuple((k, round(e * power)) for k, e in base[1])

    def _first(self, expressions: Iterable[sympy.Basic]) -> Dimension | None:
        for expression in expressions:
            found = self.dimension(expression)
            if found is not None:
                return found
        return None

    def write(
        self, parent: ElementTree.Element, expression: sympy.Basic, context: Dimension | None
    ) -> None:
        """Append ``expression`` to ``parent``; a bare number takes the unit ``context``."""
        if isinstance(expression, sympy.Symbol):
            _sub(parent, "ci").text = self.names[expression]
        elif expression in _CONSTANTS:
            _sub(parent, _CONSTANTS[expression])
        elif expression.is_Number:
            self._number(parent, expression, context)
        elif isinstance(expression, sympy.Mul):
            self._product(parent, expression, context)
        elif isinstance(expression, sympy.Pow):
            self._power(parent, expression)
        elif isinstance(expression, sympy.Piecewise):
            self._piecewise(parent, expression, context)
        elif isinstance(expression, sympy.Add):
            terms = expression.as_ordered_terms()
            self._apply(parent, "plus", terms, self.dimension(expression) or context)
        elif type(expression) in _OPERATORS:
            tag = _OPERATORS[type(expression)]
            self._apply(parent, tag, expression.args, self._inner(expression, context))
        else:
            raise ExportError(
                f"CellML export cannot write {type(expression).__name__}: {expression}"
            )

    def _inner(self, expression: sympy.Basic, context: Dimension | None) -> Dimension | None:
        """Return the unit that a bare-number argument of ``expression`` takes."""
        if isinstance(expression, sympy.Min | sympy.Max):
            return self.dimension(expression) or context
        if isinstance(expression, _SAME_UNIT):
            return context
        if type(expression) in _RELATIONS:
            return self._first(expression.args)
        return None  # function arguments, logic: dimensionless

    def _apply(
        self,
        parent: ElementTree.Element,
        operator: str,
        arguments: Iterable[sympy.Basic],
        context: Dimension | None,
    ) -> None:
        apply = _sub(parent, "apply")
        _sub(apply, operator)
        for argument in arguments:
            self.write(apply, argument, context)

    def _number(
        self, parent: ElementTree.Element, number: sympy.Basic, context: Dimension | None
    ) -> None:
        unit = self.units.name_for(context) if context is not None else "dimensionless"
        if isinstance(number, sympy.Rational) and not isinstance(number, sympy.Integer):
            apply = _sub(parent, "apply")
            _sub(apply, "divide")
            self._number(apply, sympy.Integer(number.p), context)
            self._number(apply, sympy.Integer(number.q), _DIMENSIONLESS)
            return
        value = float(number)
        if not math.isfinite(value):
            _sub(parent, "infinity" if value > 0 else "notanumber")
            return
        text = _number_text(value)
        if "e" in text:
            # CellML 2.0's basic real numbers have no exponent: MathML's e-notation instead.
            mantissa, exponent = text.split("e")
            element = _sub(parent, "cn", **{"cellml:units": unit, "type": "e-notation"})
            element.text = mantissa
            _sub(element, "sep").tail = str(int(exponent))
        else:
            _sub(parent, "cn", **{"cellml:units": unit}).text = text

    def _product(
        self, parent: ElementTree.Element, expression: sympy.Mul, context: Dimension | None
    ) -> None:
        numerator, denominator = sympy.fraction(expression, exact=True)
        if denominator != 1:
            apply = _sub(parent, "apply")
            _sub(apply, "divide")
            self.write(apply, numerator, None)
            self.write(apply, denominator, None)
            return
        coefficient, rest = expression.as_coeff_Mul()
        if coefficient == -1:
            apply = _sub(parent, "apply")
            _sub(apply, "minus")
            self.write(apply, rest, context)
            return
        self._apply(parent, "times", expression.args, None)

    def _power(self, parent: ElementTree.Element, expression: sympy.Pow) -> None:
        base, exponent = expression.args
        if exponent == -1:
            apply = _sub(parent, "apply")
            _sub(apply, "divide")
            self._number(apply, sympy.Integer(1), None)
            self.write(apply, base, None)
            return
        if exponent == sympy.Rational(1, 2):
            self._apply(parent, "root", [base], None)
            return
        apply = _sub(parent, "apply")
        _sub(apply, "power")
        self.write(apply, base, None)
        self.write(apply, exponent, None)

    def _piecewise(
        self, parent: ElementTree.Element, expression: sympy.Piecewise, context: Dimension | None
    ) -> None:
        own = self.dimension(expression) or context
        element = _sub(parent, "piecewise")
        for value, condition in expression.args:
            if condition is sympy.true:
                self.write(_sub(element, "otherwise"), value, own)
                break
            piece = _sub(element, "piece")
            self.write(piece, value, own)
            self.write(piece, condition, None)

    def equation(self, parent: ElementTree.Element, left: sympy.Symbol, right: sympy.Basic) -> None:
        """Append ``left = right``."""
        apply = _sub(parent, "apply")
        _sub(apply, "eq")
        self.write(apply, left, None)
        self.write(apply, right, self.dimension(left))

    def derivative(
        self,
        parent: ElementTree.Element,
        state: sympy.Symbol,
        time: sympy.Symbol,
        rate: sympy.Basic,
    ) -> None:
        """Append ``d state / d time = rate``."""
        apply = _sub(parent, "apply")
        _sub(apply, "eq")
        derivative = _sub(apply, "apply")
        _sub(derivative, "diff")
        self.write(_sub(derivative, "bvar"), time, None)
        self.write(derivative, state, None)
        state_dimension = self.dimension(state) or _DIMENSIONLESS
        time_dimension = self.dimension(time) or _DIMENSIONLESS
        rate_kinds = dict(state_dimension[1])
        for kind, exponent in time_dimension[1]:
            rate_kinds[kind] = rate_kinds.get(kind, 0) - exponent
        context = (
            state_dimension[0] / time_dimension[0],
            tuple(sorted((k, e) for k, e in rate_kinds.items() if e)),
        )
        self.write(apply, rate, context)


# --- the model -----------------------------------------------------------------------------------


def _cellml_name(sid: str, taken: set[str]) -> str:
    """Return a CellML identifier for an SBML id (local parameters, '[S]' concentrations)."""
    name = sid
    if sid.startswith("[") and sid.endswith("]"):
        name = f"{sid[1:-1]}_concentration"
    name = name.replace(".", "__")
    if not _IDENTIFIER.fullmatch(name):
        raise ExportError(f"the id {sid!r} cannot be written as a CellML identifier")
    while name in taken:
        name += "_"
    taken.add(name)
    return name


def _event_note(model: libsbml.Model) -> str:
    events = [event.getId() or "(unnamed)" for event in model.getListOfEvents()]
    if not events:
        return ""
    return (
        f" This model has events ({', '.join(events)}) that are NOT in this file: CellML 2.0"
        " has no discrete events, so the file reproduces the model up to its first event."
    )


def to_cellml(sbml: str, name: str) -> str:
    """Return CellML 2.0 text for SBML text (see the module docstring).

    Parameters
    ----------
    sbml
        Validated SBML (overrides written in).
    name
        The model's name, for error messages.

    Raises
    ------
    ExportError
        If the model uses math or ids that CellML cannot express.
    """
    document = libsbml.readSBMLFromString(sbml)
    model = document.getModel()
    system = read_ode_system(sbml)
    try:
        return _Document(system, model).text()
    except ExportError as err:
        raise ExportError(f"{name}: {err}") from err


class _Document:
    """The CellML document of one model: variable names and units, equations, XML."""

    def __init__(self, system: SymbolicOde, model: libsbml.Model) -> None:
        self.system = system
        self.model = model
        self.units = _Units(model)
        self.taken: set[str] = set()
        self.names: dict[sympy.Symbol, str] = {}
        self.symbol_units: dict[sympy.Symbol, str] = {}
        self.reactions = [sympy.Symbol(f"reaction {rid}", real=True) for rid in system.reactions]
        self.starts = {s: sympy.Symbol(f"{s} start", real=True) for s in system.state_symbols}
        self.initial_values: dict[sympy.Symbol, str] = {}
        self.inputs_used: list[sympy.Symbol] = []  # settable values a start expression uses
        self._name_variables()

    def _add(self, symbol: sympy.Symbol, sid: str, unit: str) -> None:
        self.names[symbol] = _cellml_name(sid, self.taken)
        self.symbol_units[symbol] = unit

    def _unit_of(self, sid: str, kind: str) -> str:
        if "." in sid:  # a local parameter, reaction.parameter
            return "dimensionless"
        return self.units.amount_unit(sid) if kind == "amount" else self.units.by_id(sid)

    def _name_inputs(self, symbols: set[sympy.Basic]) -> None:
        """Declare the inputs a start expression uses, as variables with their own units.

        A bare number would take no unit in a product (``ADP_i = 0.1369 mM * cell_0``).
        """
        by_symbol = dict(zip(self.system.input_symbols, self.system.inputs, strict=True))
        for symbol in sorted(symbols - set(self.inputs_used), key=str):
            sid = by_symbol[symbol]
            self._add(symbol, f"{sid}_value", self._input_unit(sid))
            self.inputs_used.append(symbol)

    def _input_unit(self, sid: str) -> str:
        """Return the unit of a settable value: a species' as declared (concentration, amount)."""
        species = self.model.getSpecies(sid)
        if species is None:
            return self.units.by_id(sid)
        if species.isSetInitialConcentration():
            return self.units.name_of(self._concentration_unit(sid))
        return self.units.amount_unit(sid)

    def _concentration_unit(self, sid: str) -> libsbml.UnitDefinition:
        """Return the unit of ``[S]``: the species' own, or its amount per compartment size."""
        species = self.model.getSpecies(sid)
        unit = species.getDerivedUnitDefinition()
        if not species.getHasOnlySubstanceUnits():
            return unit
        size = self.model.getCompartment(species.getCompartment()).getDerivedUnitDefinition()
        return libsbml.UnitDefinition.divide(unit, size)

    def _name_variables(self) -> None:
        system, units = self.system, self.units
        self._add(TIME, "time", units.named(self.model.getTimeUnits()))
        for sid, symbol, kind in zip(
            system.states, system.state_symbols, system.state_kinds, strict=True
        ):
            self._add(symbol, sid, self._unit_of(sid, kind))
        for sid, symbol, kind in zip(
            system.constants, system.constant_symbols, system.constant_kinds, strict=True
        ):
            self._add(symbol, sid, self._unit_of(sid, kind))
        for sid, symbol, _ in system.rules:
            if sid.startswith("["):
                self._add(symbol, sid, units.name_of(self._concentration_unit(sid[1:-1])))
            else:
                self._add(symbol, sid, units.by_id(sid))
        for rid, symbol in zip(system.reactions, self.reactions, strict=True):
            self._add(symbol, rid, units.reaction_unit())
        # The start: x_0 for each state; initial definitions of constants refer to them.
        for state, start in self.starts.items():
            self._add(start, f"{self.names[state]}_0", self.symbol_units[state])

    def _start_value(self, expression: sympy.Basic) -> sympy.Basic:
        """Write a t = 0 definition in constants and starts only (rules at t = 0 expanded)."""
        at_start = dict(self.system.initial)
        rules = set(self.system.rule_symbols)
        for _ in range(len(rules) + 1):
            used = expression.free_symbols & rules
            if not used:
                break
            expression = expression.xreplace({s: at_start[s] for s in used})
        return expression.xreplace(self.starts)

    def math(self) -> ElementTree.Element:
        """Return the equations: the start, the rules, the reaction fluxes, the ODEs."""
        system = self.system
        writer = _MathWriter(self.units, self.symbol_units, self.names)
        element = ElementTree.Element("math", {"xmlns": _MATHML})
        inputs = dict(zip(system.input_symbols, system.input_values, strict=True))
        defined = set(system.state_symbols) | set(system.constant_symbols)
        for symbol, expression in system.initial:
            if symbol not in defined:
                continue  # a rule's value at t = 0: the rule's own equation holds then too
            target = self.starts.get(symbol, symbol)
            if expression in inputs:
                self.initial_values[target] = _number_text(inputs[expression])
            else:
                value = self._start_value(expression)
                self._name_inputs(value.free_symbols & inputs.keys())
                writer.equation(element, target, value)
        for state, start in self.starts.items():
            self.initial_values[state] = self.names[start]
        for symbol in self.inputs_used:
            self.initial_values[symbol] = _number_text(inputs[symbol])
        for _, symbol, expression in system.rules:
            writer.equation(element, symbol, expression)
        for symbol, rate in zip(self.reactions, system.reaction_rates, strict=True):
            writer.equation(element, symbol, rate)
        for state, rate, entries in zip(
            system.state_symbols, system.rates, system.stoichiometry, strict=True
        ):
            flux = sympy.Add(*(c * self.reactions[j] for j, c in entries)) if entries else rate
            writer.derivative(element, state, TIME, flux)
        return element

    def text(self) -> str:
        """Return the whole document as text."""
        math_element = self.math()
        root = ElementTree.Element(
            "model",
            {"xmlns": _CELLML, "xmlns:cellml": _CELLML, "name": _model_name(self.system.model_id)},
        )
        for unit_name, parts in self.units.definitions.items():
            element = _sub(root, "units", name=unit_name)
            for part in parts:
                _sub(element, "unit", **part)
        component = _sub(root, "component", name="main")
        system = self.system
        ordered = [TIME, *system.state_symbols, *self.starts.values(), *system.constant_symbols]
        for symbol in [*ordered, *self.inputs_used, *system.rule_symbols, *self.reactions]:
            attributes = {"name": self.names[symbol], "units": self.symbol_units[symbol]}
            if symbol in self.initial_values:
                attributes["initial_value"] = self.initial_values[symbol]
            _sub(component, "variable", **attributes)
        component.append(math_element)
        ElementTree.indent(root, space="  ")
        body = ElementTree.tostring(root, encoding="unicode")
        note = (
            f"<!-- {system.model_id}: written by pumpleak_sbml from the model's SBML; units are"
            f" the model's own.{_event_note(self.model)} -->"
        )
        return f"<?xml version='1.0' encoding='UTF-8'?>\n{note}\n{body}\n"


def _model_name(model_id: str) -> str:
    if not _IDENTIFIER.fullmatch(model_id):
        raise ExportError(f"the model id {model_id!r} is not a CellML identifier")
    return model_id


def dumps(built: BuiltModel) -> str:
    """Return the model as CellML 2.0 text (overrides applied; see the module docstring)."""
    return to_cellml(built.sbml, built.name)
