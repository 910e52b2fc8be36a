# SPDX-License-Identifier: MIT
"""Read and edit SBML text through libsbml: quantities, their units, events, and values.

A *quantity* is a parameter, a species or a compartment of the model. It is *settable*
when its initial value is a plain number: not computed by an assignment rule or an
initial assignment, and not a constant of nature (the Faraday and gas constants, the
valences of real ions, exact unit conversions). :func:`document_facts` reads everything the
package needs in one parse; :func:`write_values` writes checked override values into the
text (for exports; runs set values on the compiled model instead).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

import libsbml

from .errors import ModelDefinitionError
from .quantities import Quantity
from .units import UNIT_LABELS

__all__ = [
    "DocumentFacts",
    "document_facts",
    "quantities",
    "rule_inputs",
    "si_factor",
    "write_values",
]

# Constants of nature that a user must not change by accident.
_NATURAL_CONSTANTS = frozenset({"F", "R", "z_Na", "z_K", "z_Cl", "z_H"})


def _read(sbml: str) -> libsbml.SBMLDocument:
    document = libsbml.readSBMLFromString(sbml)
    if document.getModel() is None:
        raise ModelDefinitionError("the SBML text contains no model")
    return document


def si_factor(definition: libsbml.UnitDefinition) -> tuple[float, libsbml.UnitDefinition]:
    """Split a unit into its SI scale factor and its SI dimension (kinds with exponents)."""
    si = libsbml.UnitDefinition.convertToSI(definition)
    factor = 1.0
    for unit in si.getListOfUnits():
        factor *= (unit.getMultiplier() * 10.0 ** unit.getScale()) ** unit.getExponent()
    return factor, si


def _readable(model: libsbml.Model, definition: libsbml.UnitDefinition | None) -> str:
    """Name a unit by the labelled unit of the model that equals it, scale included."""
    if definition is None or definition.getNumUnits() == 0:
        return ""
    factor, si = si_factor(definition)
    for unit_id, label in UNIT_LABELS.items():
        candidate = model.getUnitDefinition(unit_id)
        if candidate is None:
            continue
        candidate_factor, candidate_si = si_factor(candidate)
        if libsbml.UnitDefinition.areEquivalent(si, candidate_si) and math.isclose(
            factor, candidate_factor, rel_tol=1e-9
        ):
            return label
    return _si_label(definition)


_KIND_SYMBOLS = {
    "metre": "m",
    "meter": "m",
    "litre": "L",
    "liter": "L",
    "mole": "mol",
    "second": "s",
    "ampere": "A",
    "volt": "V",
    "farad": "F",
    "siemens": "S",
    "coulomb": "C",
    "joule": "J",
    "kelvin": "K",
    "gram": "g",
    "pascal": "Pa",
    "ohm": "Ω",
    "watt": "W",
    "newton": "N",
    "hertz": "Hz",
    "item": "item",
    "dimensionless": "",
}
_PREFIXES = {-15: "f", -12: "p", -9: "n", -6: "µ", -3: "m", -2: "c", 0: "", 3: "k", 6: "M"}
_TIMES = {60.0: "min", 3600.0: "h", 86400.0: "d"}
_POWERS = {2: "²", 3: "³"}


def _unit_symbol(unit: libsbml.Unit) -> str:
    """One unit of a definition as a symbol with its prefix, multiplier and exponent's size."""
    kind = libsbml.UnitKind_toString(unit.getKind())
    symbol = _KIND_SYMBOLS.get(kind, kind)
    multiplier, scale = unit.getMultiplier(), unit.getScale()
    if symbol == "s" and scale == 0 and multiplier in _TIMES:
        return _TIMES[multiplier]
    if multiplier != 1:
        symbol = f"({multiplier:g} {_PREFIXES.get(scale, f'1e{scale} ')}{symbol})"
    elif scale in _PREFIXES:
        symbol = f"{_PREFIXES[scale]}{symbol}"
    else:
        symbol = f"(1e{scale} {symbol})"
    power = abs(int(unit.getExponent()))
    return symbol + _POWERS.get(power, f"^{power}" if power != 1 else "")


def _si_label(definition: libsbml.UnitDefinition) -> str:
    """Write a unit the way a physiologist does: µm, mmol/L, fmol/s, 1/h."""
    top = [u for u in definition.getListOfUnits() if u.getExponent() > 0]
    bottom = [u for u in definition.getListOfUnits() if u.getExponent() < 0]
    numerator = "·".join(s for s in map(_unit_symbol, top) if s) or "1"
    denominator = "·".join(s for s in map(_unit_symbol, bottom) if s)
    return f"{numerator}/{denominator}" if denominator else numerator


def _label(model: libsbml.Model, unit_id: str) -> str:
    if not unit_id:
        return ""
    if unit_id in UNIT_LABELS:
        return UNIT_LABELS[unit_id]
    return _readable(model, model.getUnitDefinition(unit_id))


def _species_unit(model: libsbml.Model, species: libsbml.Species) -> str:
    return _readable(model, species.getDerivedUnitDefinition())


def _is_unit_conversion(model: libsbml.Model, parameter: libsbml.Parameter) -> bool:
    """Tell whether a parameter is a unit conversion (dimensionless, value times scale is 1)."""
    definition = model.getUnitDefinition(parameter.getUnits())
    if definition is None:
        return False
    factor, si = si_factor(definition)
    dimensionless = all(u.getKind() == libsbml.UNIT_KIND_DIMENSIONLESS for u in si.getListOfUnits())
    return dimensionless and math.isclose(parameter.getValue() * factor, 1.0, rel_tol=1e-12)


def _how_derived(model: libsbml.Model, sid: str) -> str:
    """Say what computes a quantity's initial value ("" if its written value is the input).

    A rate rule changes a value over time, not at the start: its initial value stays an
    input, as for the rate-ruled cell volume.
    """
    rule = model.getRuleByVariable(sid)
    if rule is not None and rule.isAssignment():
        return "assignment rule"
    if model.getInitialAssignmentBySymbol(sid) is not None:
        return "initial assignment"
    return ""


def quantities(sbml: str) -> dict[str, Quantity]:
    """Return every parameter, species and compartment of an SBML model by id.

    Parameters
    ----------
    sbml
        An SBML document as text.

    Returns
    -------
    dict of str to Quantity
        Values are the initial values written in the SBML (before initial assignments).
    """
    document = _read(sbml)  # keep the document alive while its model is in use (SWIG)
    return _quantities(document.getModel())


def _quantities(model: libsbml.Model) -> dict[str, Quantity]:
    found: dict[str, Quantity] = {}
    for parameter in model.getListOfParameters():
        sid = parameter.getId()
        derived = _how_derived(model, sid)
        natural = sid in _NATURAL_CONSTANTS or _is_unit_conversion(model, parameter)
        found[sid] = Quantity(
            sid,
            parameter.getName(),
            parameter.getValue(),
            _label(model, parameter.getUnits()),
            "parameter",
            settable=not derived and not natural,
            derived_by=derived or ("constant of nature" if natural else ""),
        )
    for species in model.getListOfSpecies():
        sid = species.getId()
        derived = _how_derived(model, sid)
        value = (
            species.getInitialAmount()
            if species.isSetInitialAmount()
            else species.getInitialConcentration()
        )
        found[sid] = Quantity(
            sid,
            species.getName(),
            value,
            _species_unit(model, species),
            "species",
            settable=not derived,
            derived_by=derived,
            measure="amount" if species.isSetInitialAmount() else "concentration",
        )
    for compartment in model.getListOfCompartments():
        sid = compartment.getId()
        derived = _how_derived(model, sid)
        found[sid] = Quantity(
            sid,
            compartment.getName(),
            compartment.getSize(),
            _label(model, compartment.getUnits() or model.getVolumeUnits()),
            "compartment",
            settable=not derived,
            derived_by=derived,
        )
    return found


@dataclass(frozen=True)
class DocumentFacts:
    """What the rest of the package needs to know of an SBML document, read in one parse."""

    model_id: str
    quantities: dict[str, Quantity]
    units: dict[str, str]
    events: tuple[tuple[float, str], ...]
    event_targets: tuple[str, ...]
    has_events: bool


def _unit_definition(model: libsbml.Model, unit_id: str) -> libsbml.UnitDefinition | None:
    """Return a unit id as a definition: the model's own, or a base unit such as ``mole``."""
    if not unit_id:
        return None
    definition = model.getUnitDefinition(unit_id)
    if definition is not None:
        return definition
    kind = libsbml.UnitKind_forName(unit_id)
    if kind == libsbml.UNIT_KIND_INVALID:
        return None
    definition = libsbml.UnitDefinition(model.getLevel(), model.getVersion())
    unit = definition.createUnit()
    unit.initDefaults()
    unit.setKind(kind)
    return definition


def _species_units(model: libsbml.Model) -> dict[str, str]:
    """Amount (``S``) and concentration (``[S]``) unit of every species, as labels."""
    labels = {}
    for species in model.getListOfSpecies():
        # Level 2 defaults: the built-in "substance" and "volume" (mole and litre unless the
        # model redefines them).
        substance = species.getSubstanceUnits() or model.getSubstanceUnits() or "substance"
        compartment = model.getCompartment(species.getCompartment())
        size = (compartment.getUnits() if compartment is not None else "") or model.getVolumeUnits()
        amount = _unit_definition(model, substance) or _unit_definition(model, "mole")
        volume = _unit_definition(model, size or "volume") or _unit_definition(model, "litre")
        labels[species.getId()] = _readable(model, amount)
        if amount is not None and volume is not None:
            labels[f"[{species.getId()}]"] = _readable(
                model, libsbml.UnitDefinition.divide(amount, volume)
            )
    return labels


def document_facts(sbml: str) -> DocumentFacts:
    """Return the id, quantities, units and events of an SBML document (one libsbml parse).

    ``units`` labels every quantity, with species as RoadRunner reads them: ``S`` is the
    amount, ``[S]`` the concentration.
    """
    document = _read(sbml)
    model = document.getModel()
    found = _quantities(model)
    units = {sid: q.unit for sid, q in found.items()}
    units.update(_species_units(model))
    units["time"] = "s"
    return DocumentFacts(
        model_id=model.getId(),
        quantities=found,
        units=units,
        events=tuple(_timed_events(model)),
        event_targets=tuple(_event_targets(model)),
        has_events=bool(model.getNumEvents()),
    )


def write_values(sbml: str, values: Mapping[str, float]) -> str:
    """Return SBML text with the initial values of settable quantities replaced.

    ``values`` must come from :func:`check_overrides` (ids of settable quantities).
    """
    if not values:
        return sbml
    document = _read(sbml)
    model = document.getModel()
    for name, number in values.items():
        element = model.getElementBySId(name)
        if isinstance(element, libsbml.Parameter):
            element.setValue(number)
        elif isinstance(element, libsbml.Compartment):
            element.setSize(number)
        elif element.isSetInitialAmount():
            element.setInitialAmount(number)
        else:
            element.setInitialConcentration(number)
    return str(libsbml.writeSBMLToString(document))


# A trigger "time >= t" (or ">"), as libsbml writes it; t is a parameter id or a number,
# possibly followed by its unit.
_TIME_TRIGGER = re.compile(
    r"^time\s*>=?\s*([A-Za-z_][A-Za-z0-9_]*|[-+0-9.eE]+)(\s+[A-Za-z_][A-Za-z0-9_]*)?$"
)  # the optional last word is the unit of a literal: "time >= 10 second"


def rule_inputs(sbml: str, sid: str) -> list[str]:
    """Return the ids a rule's value is computed from, followed through other assignment rules.

    The ids are species, parameters and compartments that no assignment rule sets (sorted);
    an id without an assignment rule gives an empty list. Used to name the cause of a
    non-finite value.
    """
    document = _read(sbml)  # keep the document alive while its model is in use (SWIG)
    model = document.getModel()
    inputs: set[str] = set()
    pending, seen = [sid], {sid}
    while pending:
        rule = model.getAssignmentRuleByVariable(pending.pop())
        if rule is None or rule.getMath() is None:
            continue
        for name in _names_in(rule.getMath()):
            if name in seen or model.getElementBySId(name) is None:
                continue
            seen.add(name)
            if model.getAssignmentRuleByVariable(name) is None:
                inputs.add(name)
            else:
                pending.append(name)
    return sorted(inputs)


def _names_in(node: libsbml.ASTNode) -> set[str]:
    """Return every identifier named in a math expression."""
    names = {node.getName()} if node.isName() else set()
    for child in range(node.getNumChildren()):
        names |= _names_in(node.getChild(child))
    return names


def without_events(sbml: str) -> str:
    """Return the SBML text with every event removed: the model before its scenario starts.

    Tools that ignore events (Myokit) or whose steady states refuse them (RoadRunner) are
    compared on the event-free model, from whose steady state the scenario's time course starts.
    """
    document = _read(sbml)
    events = document.getModel().getListOfEvents()
    while events.size():
        events.remove(0)
    return str(libsbml.writeSBMLToString(document))


def _trigger_time(model: libsbml.Model, event: libsbml.Event) -> float | None:
    """Return the time of a trigger of the form ``time >= t`` (or ``>``), else None.

    The trigger is read from libsbml's formula text, not from ``ASTNode.getType()``: once
    libsedml has been imported, libsbml's ``getType()`` returns an opaque SWIG object instead
    of an int (both bundle the same SWIG type), and every comparison with it is silently false.
    """
    math_node = event.getTrigger().getMath() if event.isSetTrigger() else None
    if math_node is None:
        return None
    match = _TIME_TRIGGER.match(libsbml.formulaToL3String(math_node).strip())
    if match is None:
        return None
    bound = match.group(1)
    parameter = model.getParameter(bound)
    if parameter is not None:
        return float(parameter.getValue())
    try:
        return float(bound)
    except ValueError:
        return None


def _timed_events(model: libsbml.Model) -> list[tuple[float, str]]:
    found = []
    for event in model.getListOfEvents():
        time = _trigger_time(model, event)
        if time is not None:
            found.append((time, event.getName() or event.getId()))
    return sorted(found)


def _event_targets(model: libsbml.Model) -> list[str]:
    targets = (
        assignment.getVariable()
        for event in model.getListOfEvents()
        for assignment in event.getListOfEventAssignments()
    )
    return list(dict.fromkeys(targets))
