# SPDX-License-Identifier: MIT
"""Read an SBML model into a symbolic ODE system: states, constants, rules and rates (SymPy).

This is the one place that decides what an SBML model *means* as ordinary differential
equations, for every consumer that does not run RoadRunner (the steady-state engine, the
SciPy and JAX right-hand sides, the CellML export)::

    system = read_ode_system(sbml_text)
    system.states          # ('cell', 'Na_i', 'K_i', 'Cl_i')
    system.rates           # d(state)/dt, SymPy expressions

Semantics, following SBML Level 3:

- The state of a species changed by reactions is its **amount** (a reaction's rate is an
  extent per time; ``d amount/dt = conversion factor * sum(stoichiometry * rate)``). Where the
  species stands for its concentration in math (``hasOnlySubstanceUnits = false``), the
  symbol is bound to ``amount / compartment size`` by an implicit rule.
- A species, compartment or parameter with a rate rule is a state whose value is the rule's
  variable itself.
- A floating species that no reaction and no rule changes keeps its amount: it is a constant
  of the run (its concentration follows the volume).
- Everything else that no rule changes is a constant of the run; initial assignments and the
  literal values of the SBML (the *inputs*, which overrides replace) give its value at t = 0.
- Events are ignored here: this is the event-free model (scenario models run their events in
  RoadRunner). Algebraic rules, ``delay`` and ``rateOf`` raise
  :class:`~pumpleak_sbml.errors.UnsupportedSBMLError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import libsbml
import sympy

from .errors import ModelDefinitionError, UnsupportedSBMLError
from .sbml_math import TIME, FunctionDefinition, mathml_to_sympy, read_function_definition

__all__ = ["SymbolicOde", "read_ode_system"]


@dataclass(frozen=True)
class SymbolicOde:
    """An SBML model as ODEs: every definition is a SymPy expression.

    Attributes
    ----------
    model_id
        The SBML model id.
    states
        Ids of the state variables, in order: rate-ruled compartments, species amounts,
        other rate-ruled quantities.
    state_symbols
        The symbol of each state (an amount symbol ``<id>__amount`` for species whose math
        symbol is a concentration).
    rates
        d(state)/dt for each state, in terms of states, constants, rule symbols and time.
    constants
        Ids of the quantities constant during a run (parameters, constant compartments,
        medium species, fixed amounts, local parameters as ``reaction.parameter``).
    constant_symbols
        Their symbols.
    rules
        (id, symbol, expression) of every assignment rule, implicit concentration rules
        included, in an order where each depends only on earlier ones.
    inputs
        Ids of the literal values of the SBML (what overrides replace), with their symbols
        and values.
    initial
        (symbol, expression) definitions at t = 0 of states and constants, in dependency
        order, in terms of input symbols and earlier definitions.
    reactions
        Reaction ids and their rate expressions (extent per time).
    stoichiometry
        For each state index, (reaction index, coefficient) pairs, conversion factors
        included.
    state_compartments, constant_compartments
        The compartment of each species ("" for other quantities).
    state_kinds, constant_kinds
        What each value is: ``compartment`` (a size), ``amount`` or ``concentration`` (a
        species, as its symbol means it in math; species moved by reactions are always
        amounts), or ``parameter``.
    """

    model_id: str
    states: tuple[str, ...]
    state_symbols: tuple[sympy.Symbol, ...]
    rates: tuple[sympy.Expr, ...]
    constants: tuple[str, ...]
    constant_symbols: tuple[sympy.Symbol, ...]
    rules: tuple[tuple[str, sympy.Symbol, sympy.Expr], ...]
    inputs: tuple[str, ...]
    input_symbols: tuple[sympy.Symbol, ...]
    input_values: tuple[float, ...]
    initial: tuple[tuple[sympy.Symbol, sympy.Expr], ...]
    reactions: tuple[str, ...]
    reaction_rates: tuple[sympy.Expr, ...]
    stoichiometry: tuple[tuple[tuple[int, sympy.Expr], ...], ...]
    state_kinds: tuple[str, ...] = field(default=())
    constant_kinds: tuple[str, ...] = field(default=())
    state_compartments: tuple[str, ...] = field(default=())
    constant_compartments: tuple[str, ...] = field(default=())

    @property
    def rule_symbols(self) -> tuple[sympy.Symbol, ...]:
        """The symbol of every rule, in rule order."""
        return tuple(symbol for _, symbol, _ in self.rules)


class _Builder:
    """Collect the parts of one model; see :func:`read_ode_system`."""

    def __init__(self, model: libsbml.Model) -> None:
        self.model = model
        self.symbols: dict[str, sympy.Symbol] = {}
        self.functions: dict[str, FunctionDefinition] = {}
        self.rules: dict[str, sympy.Expr] = {}
        self.rule_ids: dict[sympy.Symbol, str] = {}
        self.rate_rules: dict[str, sympy.Expr] = {}
        self.initial_assignments: dict[str, sympy.Expr] = {}
        self.inputs: dict[str, tuple[sympy.Symbol, float]] = {}

    def symbol(self, sid: str) -> sympy.Symbol:
        if sid not in self.symbols:
            self.symbols[sid] = sympy.Symbol(sid, real=True)
        return self.symbols[sid]

    def refused(self, where: str, err: UnsupportedSBMLError) -> UnsupportedSBMLError:
        """Return the error with the model and the element it came from in front."""
        return UnsupportedSBMLError(f"{self.model.getId()}: {where}: {err}")

    def math(
        self,
        node: libsbml.ASTNode,
        where: str,
        local: Mapping[str, sympy.Symbol] | None = None,
    ) -> sympy.Expr:
        try:
            return self._math(node, local)
        except UnsupportedSBMLError as err:
            raise self.refused(where, err) from err

    def _math(self, node: libsbml.ASTNode, local: Mapping[str, sympy.Symbol] | None) -> sympy.Expr:
        text = libsbml.writeMathMLToString(node)
        if local:
            scope = dict(self.symbols)
            scope.update(local)
            expression = mathml_to_sympy(text, scope, self.functions)
            self.symbols.update({k: v for k, v in scope.items() if k not in local})
            return expression
        return mathml_to_sympy(text, self.symbols, self.functions)

    def input(self, sid: str, value: float) -> sympy.Symbol:
        symbol = sympy.Symbol(f"{sid}__input", real=True)
        self.inputs[sid] = (symbol, float(value))
        return symbol


def _read_functions(builder: _Builder) -> None:
    for definition in builder.model.getListOfFunctionDefinitions():
        if definition.getMath() is None:
            raise ModelDefinitionError(f"function definition {definition.getId()} has no math")
        try:
            builder.functions[definition.getId()] = read_function_definition(
                libsbml.writeMathMLToString(definition.getMath()),
                builder.symbols,
                builder.functions,
            )
        except UnsupportedSBMLError as err:
            raise builder.refused(f"function definition {definition.getId()}", err) from err


def _read_rules(builder: _Builder) -> None:
    for rule in builder.model.getListOfRules():
        if rule.isAlgebraic():
            raise UnsupportedSBMLError(
                f"{builder.model.getId()}: the model has an algebraic rule; the ODE engine "
                "needs explicit rules (RoadRunner cannot solve them either)"
            )
        if rule.getMath() is None:
            raise ModelDefinitionError(f"the rule for {rule.getVariable()} has no math")
        kind = "assignment" if rule.isAssignment() else "rate"
        expression = builder.math(rule.getMath(), f"{kind} rule for {rule.getVariable()}")
        if rule.isAssignment():
            builder.rules[rule.getVariable()] = expression
        else:
            builder.rate_rules[rule.getVariable()] = expression
    for assignment in builder.model.getListOfInitialAssignments():
        if assignment.getMath() is not None:
            symbol = assignment.getSymbol()
            builder.initial_assignments[symbol] = builder.math(
                assignment.getMath(), f"initial assignment to {symbol}"
            )


@dataclass
class _Species:
    sid: str
    compartment: str
    only_substance: bool
    boundary: bool
    constant: bool
    value: float
    declared_amount: bool
    conversion: str


def _species(model: libsbml.Model) -> list[_Species]:
    found = []
    default_conversion = model.getConversionFactor() if model.isSetConversionFactor() else ""
    for species in model.getListOfSpecies():
        declared_amount = species.isSetInitialAmount()
        value = (
            species.getInitialAmount()
            if declared_amount
            else species.getInitialConcentration()
            if species.isSetInitialConcentration()
            else float("nan")
        )
        conversion = (
            species.getConversionFactor() if species.isSetConversionFactor() else default_conversion
        )
        found.append(
            _Species(
                species.getId(),
                species.getCompartment(),
                bool(species.getHasOnlySubstanceUnits()),
                bool(species.getBoundaryCondition()),
                bool(species.getConstant()),
                value,
                declared_amount,
                conversion,
            )
        )
    return found


def _stoichiometry(reference: libsbml.SpeciesReference) -> float:
    if reference.isSetId() and reference.getModel() is not None:
        model = reference.getModel()
        sid = reference.getId()
        if model.getRuleByVariable(sid) or model.getInitialAssignmentBySymbol(sid):
            raise UnsupportedSBMLError(
                f"the stoichiometry {sid} is set by a rule; "
                "only fixed stoichiometries are supported"
            )
    if reference.isSetStoichiometryMath():
        raise UnsupportedSBMLError("stoichiometryMath is not supported; use fixed stoichiometries")
    return float(reference.getStoichiometry()) if reference.isSetStoichiometry() else 1.0


def _read_reactions(
    builder: _Builder,
) -> tuple[list[str], list[sympy.Expr], dict[str, list[tuple[int, float]]], dict[str, float]]:
    """Return reaction ids, rates, net stoichiometry per species, and local parameter values."""
    ids, rates = [], []
    net: dict[str, list[tuple[int, float]]] = {}
    local_values: dict[str, float] = {}
    for index, reaction in enumerate(builder.model.getListOfReactions()):
        rid = reaction.getId()
        law = reaction.getKineticLaw()
        if law is None or law.getMath() is None:
            raise ModelDefinitionError(f"reaction {rid} has no kinetic law")
        local: dict[str, sympy.Symbol] = {}
        parameters = (
            law.getListOfLocalParameters()
            if builder.model.getLevel() >= 3
            else law.getListOfParameters()
        )
        for parameter in parameters:
            name = f"{rid}.{parameter.getId()}"
            local[parameter.getId()] = builder.symbol(name)
            local_values[name] = parameter.getValue()
        rates.append(builder.math(law.getMath(), f"kinetic law of {rid}", local))
        ids.append(rid)
        changes: dict[str, float] = {}
        for reference in reaction.getListOfReactants():
            sid = reference.getSpecies()
            changes[sid] = changes.get(sid, 0.0) - _stoichiometry(reference)
        for reference in reaction.getListOfProducts():
            sid = reference.getSpecies()
            changes[sid] = changes.get(sid, 0.0) + _stoichiometry(reference)
        for sid, change in changes.items():
            if change:
                net.setdefault(sid, []).append((index, change))
    return ids, rates, net, local_values


def _order(definitions: Mapping[sympy.Symbol, sympy.Expr], what: str) -> list[sympy.Symbol]:
    """Order symbols so that each definition uses only symbols defined before it."""
    remaining = dict(definitions)
    ordered: list[sympy.Symbol] = []
    done: set[sympy.Symbol] = set()
    while remaining:
        ready = [
            s
            for s, e in remaining.items()
            if not (e.free_symbols & remaining.keys()) - {s} and s not in e.free_symbols
        ]
        if not ready:
            cycle = ", ".join(sorted(str(s) for s in remaining))
            raise ModelDefinitionError(f"the {what} depend on each other in a cycle: {cycle}")
        for symbol in sorted(ready, key=str):
            ordered.append(symbol)
            done.add(symbol)
            del remaining[symbol]
    return ordered


def read_ode_system(sbml: str) -> SymbolicOde:
    """Read SBML text into a :class:`SymbolicOde`.

    Parameters
    ----------
    sbml
        An SBML document (any level and version libsbml reads), without comp submodels.

    Returns
    -------
    SymbolicOde

    Raises
    ------
    ModelDefinitionError
        If the document has no model, or definitions depend on each other in a cycle.
    UnsupportedSBMLError
        For algebraic rules, ``delay``, ``rateOf`` or stoichiometries set by rules.
    """
    document = libsbml.readSBMLFromString(sbml)
    model = document.getModel()
    if model is None:
        raise ModelDefinitionError("the SBML text contains no model")
    builder = _Builder(model)
    _read_functions(builder)
    _read_rules(builder)
    reaction_ids, reaction_rates, net, local_values = _read_reactions(builder)
    assembly = _Assembly(builder)
    assembly.add_compartments()
    for item in _species(model):
        assembly.add_species(item, net.get(item.sid, []), reaction_rates)
    assembly.add_parameters(local_values)
    return assembly.result(model.getId(), reaction_ids, reaction_rates)


def _exact(number: float) -> sympy.Expr:
    """Return a stoichiometry as an exact integer where it is one."""
    return sympy.Integer(int(number)) if number == int(number) else sympy.Float(number)


def _start_value(builder: _Builder, item: _Species, volume: sympy.Symbol) -> sympy.Expr:
    """Return the species' value at t = 0 as its symbol means it (amount or concentration)."""
    if item.sid in builder.initial_assignments:
        return builder.initial_assignments[item.sid]
    declared = builder.input(item.sid, item.value)
    if item.declared_amount:
        return declared if item.only_substance else declared / volume
    return declared * volume if item.only_substance else declared


@dataclass(frozen=True)
class _State:
    sid: str
    symbol: sympy.Symbol
    rate: sympy.Expr
    kind: str
    compartment: str = ""
    stoichiometry: tuple[tuple[int, sympy.Expr], ...] = ()


@dataclass(frozen=True)
class _Constant:
    sid: str
    symbol: sympy.Symbol
    kind: str
    compartment: str = ""


class _Assembly:
    """States, constants, initial definitions and rules, as the model's parts are added."""

    def __init__(self, builder: _Builder) -> None:
        self.builder = builder
        self.rules = {builder.symbol(sid): e for sid, e in builder.rules.items()}
        self.rule_ids = {builder.symbol(sid): sid for sid in builder.rules}
        self.initial: dict[sympy.Symbol, sympy.Expr] = {}
        self.states: list[_State] = []
        self.constants: list[_Constant] = []

    def _literal(self, sid: str, value: float) -> sympy.Expr:
        assignment = self.builder.initial_assignments.get(sid)
        return assignment if assignment is not None else self.builder.input(sid, value)

    def _quantity(self, sid: str, value: float, kind: str) -> None:
        """Add a compartment or parameter: a state if a rate rule changes it, else a constant."""
        if sid in self.builder.rules:
            return
        symbol = self.builder.symbol(sid)
        self.initial[symbol] = self._literal(sid, value)
        if sid in self.builder.rate_rules:
            self.states.append(_State(sid, symbol, self.builder.rate_rules[sid], kind))
        else:
            self.constants.append(_Constant(sid, symbol, kind))

    def add_compartments(self) -> None:
        for compartment in self.builder.model.getListOfCompartments():
            size = compartment.getSize() if compartment.isSetSize() else 1.0
            self._quantity(compartment.getId(), size, "compartment")

    def add_parameters(self, local_values: Mapping[str, float]) -> None:
        for parameter in self.builder.model.getListOfParameters():
            value = parameter.getValue() if parameter.isSetValue() else float("nan")
            self._quantity(parameter.getId(), value, "parameter")
        for name, value in local_values.items():
            symbol = self.builder.symbol(name)
            self.initial[symbol] = self.builder.input(name, value)
            self.constants.append(_Constant(name, symbol, "parameter"))

    def add_species(
        self,
        item: _Species,
        changes: list[tuple[int, float]],
        reaction_rates: list[sympy.Expr],
    ) -> None:
        builder = self.builder
        sid, volume = item.sid, builder.symbol(item.compartment)
        if sid in builder.rules:
            return
        symbol = builder.symbol(sid)
        start = _start_value(builder, item, volume)
        kind = "amount" if item.only_substance else "concentration"
        if sid in builder.rate_rules:
            self.initial[symbol] = start
            rate = builder.rate_rules[sid]
            self.states.append(_State(sid, symbol, rate, kind, item.compartment))
            return
        if item.constant or item.boundary or not changes:
            self._unchanged(item, symbol, start, volume, kind)
            return
        amount = symbol if item.only_substance else sympy.Symbol(f"{sid}__amount", real=True)
        self.initial[amount] = start if item.only_substance else start * volume
        if not item.only_substance:
            # the concentration of a species whose state is its amount: '[S]', as RoadRunner
            # and tellurium name it ('S' is the amount)
            self.rules[symbol] = amount / volume
            self.rule_ids[symbol] = f"[{sid}]"
        else:
            self._concentration(sid, amount, volume)
        factor = builder.symbol(item.conversion) if item.conversion else sympy.Integer(1)
        entries = tuple((j, factor * _exact(c)) for j, c in changes)
        rate = sympy.Add(*(c * reaction_rates[j] for j, c in entries))
        self.states.append(_State(sid, amount, rate, "amount", item.compartment, entries))

    def _concentration(self, sid: str, amount: sympy.Symbol, volume: sympy.Symbol) -> None:
        """Report the concentration of a species whose symbol is its amount, as ``[S]``."""
        concentration = sympy.Symbol(f"{sid}__concentration", real=True)
        self.rules[concentration] = amount / volume
        self.rule_ids[concentration] = f"[{sid}]"

    def _unchanged(
        self,
        item: _Species,
        symbol: sympy.Symbol,
        start: sympy.Expr,
        volume: sympy.Symbol,
        kind: str,
    ) -> None:
        """Add a species that no reaction and no rule changes: a constant of the run.

        Its amount stays put (SBML): in a compartment whose size changes, a species that
        stands for its concentration in math follows the volume, ``[S] = amount / size``.
        Only a species declared ``constant`` keeps its concentration.
        """
        compartment = item.compartment
        varies = compartment in self.builder.rate_rules or compartment in self.builder.rules
        if item.only_substance or item.constant or not varies:
            self.initial[symbol] = start
            self.constants.append(_Constant(item.sid, symbol, kind, compartment))
            if item.only_substance:
                self._concentration(item.sid, symbol, volume)
            return
        amount = sympy.Symbol(f"{item.sid}__amount", real=True)
        self.initial[amount] = start * volume
        self.constants.append(_Constant(item.sid, amount, "amount", compartment))
        self.rules[symbol] = amount / volume
        self.rule_ids[symbol] = f"[{item.sid}]"

    def result(self, model_id: str, reactions: list[str], rates: list[sympy.Expr]) -> SymbolicOde:
        # Rules hold at t = 0 too: they define their symbols for the initial values.
        t0_definitions = dict(self.initial)
        t0_definitions.update({s: e.subs(TIME, 0) for s, e in self.rules.items()})
        t0_order = _order(t0_definitions, "initial assignments and rules")
        rule_order = _order(self.rules, "assignment rules")
        volumes = [s for s in self.states if s.kind == "compartment"]
        states = [*volumes, *(s for s in self.states if s.kind != "compartment")]
        inputs = list(self.builder.inputs.items())
        return SymbolicOde(
            model_id=model_id,
            states=tuple(s.sid for s in states),
            state_symbols=tuple(s.symbol for s in states),
            rates=tuple(s.rate for s in states),
            state_kinds=tuple(s.kind for s in states),
            state_compartments=tuple(s.compartment for s in states),
            stoichiometry=tuple(s.stoichiometry for s in states),
            constants=tuple(c.sid for c in self.constants),
            constant_symbols=tuple(c.symbol for c in self.constants),
            constant_kinds=tuple(c.kind for c in self.constants),
            constant_compartments=tuple(c.compartment for c in self.constants),
            rules=tuple((self.rule_ids[s], s, self.rules[s]) for s in rule_order),
            inputs=tuple(sid for sid, _ in inputs),
            input_symbols=tuple(sym for _, (sym, _) in inputs),
            input_values=tuple(value for _, (_, value) in inputs),
            initial=tuple((s, t0_definitions[s]) for s in t0_order),
            reactions=tuple(reactions),
            reaction_rates=tuple(rates),
        )


def initial_values(system: SymbolicOde) -> dict[sympy.Symbol, float]:
    """Evaluate the t = 0 definitions at the SBML's own input values (for structure analysis)."""
    values: dict[sympy.Symbol, sympy.Expr] = {
        symbol: sympy.Float(value)
        for symbol, value in zip(system.input_symbols, system.input_values, strict=True)
    }
    for symbol, expression in system.initial:
        values[symbol] = sympy.sympify(expression.xreplace(values)).evalf()
    return {symbol: float(value) for symbol, value in values.items()}


def conservation_laws(
    system: SymbolicOde,
) -> tuple[tuple[tuple[float, ...], ...], tuple[int, ...]]:
    """Return the conserved moieties of the reaction network and the state each replaces.

    A row l (over all states; zero outside species moved only by reactions) satisfies
    l · N = 0 for the stoichiometry N (conversion factors included), so l · amounts stays at
    its initial value. The rows are in reduced row-echelon form; the pivot of each row is the
    *dependent* state whose balance a steady-state solve replaces by the conservation law
    (the Jacobian is singular otherwise). Found with exact rational arithmetic.
    """
    values = initial_values(system)
    rows = [i for i, entries in enumerate(system.stoichiometry) if entries]
    if not rows:
        return (), ()
    reactions = len(system.reactions)
    matrix = sympy.zeros(reactions, len(rows))
    for column, state in enumerate(rows):
        for reaction, coefficient in system.stoichiometry[state]:
            number = float(sympy.sympify(coefficient.xreplace(values)).evalf())
            matrix[reaction, column] += sympy.nsimplify(number, rational=True)
    basis = matrix.nullspace()
    if not basis:
        return (), ()
    echelon, pivots = sympy.Matrix.hstack(*basis).T.rref()
    laws = []
    for k in range(len(pivots)):
        full = [0.0] * len(system.states)
        for column, state in enumerate(rows):
            full[state] = float(echelon[k, column])
        laws.append(tuple(full))
    return tuple(laws), tuple(rows[p] for p in pivots)
