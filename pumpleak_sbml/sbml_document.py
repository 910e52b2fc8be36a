# SPDX-License-Identifier: MIT
"""Read and edit SBML text through libsbml: quantities, their units, and value overrides.

A *quantity* is a parameter, a species or a compartment of the model. It is *settable*
when its initial value is a plain number: not computed by an assignment rule or an
initial assignment, and not a constant of nature (the Faraday and gas constants, the
valences of real ions, exact unit conversions). :func:`apply_overrides` sets such values
and checks their type and physical domain before anything is simulated.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Mapping
from dataclasses import dataclass

import libsbml
import numpy as np

from .errors import InvalidOverrideError, ModelDefinitionError
from .quantities import Quantity
from .units import UNIT_LABELS

__all__ = [
    "DocumentFacts",
    "Quantity",
    "apply_overrides",
    "check_overrides",
    "document_facts",
    "event_targets",
    "event_times",
    "has_events",
    "quantities",
    "settable_quantities",
    "si_factor",
    "timed_events",
    "unit_labels",
    "without_events",
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
    return str(libsbml.UnitDefinition.printUnits(definition, True))


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
    rule = model.getRuleByVariable(sid)
    if rule is not None:
        return "assignment rule" if rule.isAssignment() else "rate rule"
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
        derived = "initial assignment" if model.getInitialAssignmentBySymbol(sid) else ""
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


def settable_quantities(sbml: str) -> dict[str, Quantity]:
    """Return the quantities whose initial value a user may override, by id."""
    return {sid: q for sid, q in quantities(sbml).items() if q.settable}


def unit_labels(sbml: str) -> dict[str, str]:
    """Return the readable unit of every quantity and rule variable of a model, by id."""
    labels = {sid: q.unit for sid, q in quantities(sbml).items()}
    labels["time"] = "s"
    return labels


@dataclass(frozen=True)
class DocumentFacts:
    """What the rest of the package needs to know of an SBML document, read in one parse."""

    model_id: str
    quantities: dict[str, Quantity]
    units: dict[str, str]
    events: tuple[tuple[float, str], ...]
    event_targets: tuple[str, ...]
    has_events: bool


def document_facts(sbml: str) -> DocumentFacts:
    """Return the id, quantities, units and events of an SBML document (one libsbml parse)."""
    document = _read(sbml)
    model = document.getModel()
    found = _quantities(model)
    units = {sid: q.unit for sid, q in found.items()}
    units["time"] = "s"
    return DocumentFacts(
        model_id=model.getId(),
        quantities=found,
        units=units,
        events=tuple(_timed_events(model)),
        event_targets=tuple(_event_targets(model)),
        has_events=bool(model.getNumEvents()),
    )


# Units whose quantities must be strictly positive, or may take any sign.
_POSITIVE_UNITS = frozenset({"K", "pL", "µm²", "µF/cm²", "µm", "nm"})
_SIGNED_UNITS = frozenset({"mV", "1", "pH"})


def _check_value(quantity: Quantity, value: object) -> float:
    # numbers.Real admits numpy's integer and float scalars (parameter sweeps use them).
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise InvalidOverrideError(quantity.id, value, "expected a number")
    number = float(value)
    if not math.isfinite(number):
        raise InvalidOverrideError(quantity.id, value, "expected a finite number")
    unit = quantity.unit
    if quantity.kind == "compartment" or unit in _POSITIVE_UNITS:
        if number <= 0:
            raise InvalidOverrideError(quantity.id, value, f"must be positive (in {unit})")
    elif unit not in _SIGNED_UNITS and number < 0:
        raise InvalidOverrideError(quantity.id, value, f"must not be negative (in {unit})")
    return number


def _refuse(quantity: Quantity | None, name: str, value: object, valid: list[str]) -> None:
    if quantity is None:
        raise InvalidOverrideError(name, value, "the model has no such quantity", valid)
    if quantity.derived_by == "constant of nature":
        raise InvalidOverrideError(name, value, "it is a constant of nature or a unit conversion")
    raise InvalidOverrideError(
        name, value, f"it is computed by the model ({quantity.derived_by}); set its inputs", valid
    )


def check_overrides(
    known: Mapping[str, Quantity], overrides: Mapping[str, object]
) -> dict[str, float]:
    """Return overrides as checked numbers: settable names, finite values in their domain.

    Parameters
    ----------
    known
        The model's quantities by id (see :func:`quantities`).
    overrides
        Quantity id to new value, in the quantity's own unit.

    Raises
    ------
    InvalidOverrideError
        If a name is not settable, a value is not a finite number, or it lies outside the
        quantity's physical domain (negative concentrations, non-positive volumes, ...).
    """
    valid = sorted(sid for sid, q in known.items() if q.settable)
    checked: dict[str, float] = {}
    for name, value in overrides.items():
        quantity = known.get(name)
        if quantity is None or not quantity.settable:
            _refuse(quantity, name, value, valid)
            continue
        checked[name] = _check_value(quantity, value)
    return checked


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


def apply_overrides(sbml: str, overrides: Mapping[str, object]) -> str:
    """Return SBML text with the initial values of some quantities replaced.

    Parameters
    ----------
    sbml
        An SBML document as text.
    overrides
        Quantity id to new value, in the quantity's own unit (see :func:`quantities`).

    Returns
    -------
    str
        The edited SBML text (unchanged if ``overrides`` is empty).

    Raises
    ------
    InvalidOverrideError
        If a name is not settable, a value is not a finite number, or it lies outside the
        quantity's physical domain (negative concentrations, non-positive volumes, ...).
    """
    if not overrides:
        return sbml
    known = quantities(sbml)
    valid = sorted(sid for sid, q in known.items() if q.settable)
    document = _read(sbml)
    model = document.getModel()
    for name, value in overrides.items():
        quantity = known.get(name)
        if quantity is None or not quantity.settable:
            _refuse(quantity, name, value, valid)
            continue
        number = _check_value(quantity, value)
        element = model.getElementBySId(name)
        if quantity.kind == "parameter":
            element.setValue(number)
        elif quantity.kind == "compartment":
            element.setSize(number)
        elif element.isSetInitialAmount():
            element.setInitialAmount(number)
        else:
            element.setInitialConcentration(number)
    return str(libsbml.writeSBMLToString(document))


def has_events(sbml: str) -> bool:
    """Return True if the model has events (a *scenario* model)."""
    document = _read(sbml)
    return bool(document.getModel().getNumEvents())


def without_events(sbml: str) -> str:
    """Return the SBML text with every event removed: the model before its scenario starts.

    RoadRunner refuses steady-state analysis on models with events; the steady state of a
    scenario model is that of its event-free part, from which the scenario's time course starts.
    """
    document = _read(sbml)
    events = document.getModel().getListOfEvents()
    while events.size():
        events.remove(0)
    return str(libsbml.writeSBMLToString(document))


# A trigger "time >= t" (or ">"), as libsbml writes it; t is a parameter id or a number,
# possibly followed by its unit.
_TIME_TRIGGER = re.compile(
    r"^time\s*>=?\s*([A-Za-z_][A-Za-z0-9_]*|[-+0-9.eE]+)(\s+[A-Za-z_][A-Za-z0-9_]*)?$"
)  # the optional last word is the unit of a literal: "time >= 10 second"


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


def timed_events(sbml: str) -> list[tuple[float, str]]:
    """Return (time in s, name) of the events whose triggers are ``time >= t``, by time."""
    document = _read(sbml)
    return _timed_events(document.getModel())


def _timed_events(model: libsbml.Model) -> list[tuple[float, str]]:
    found = []
    for event in model.getListOfEvents():
        time = _trigger_time(model, event)
        if time is not None:
            found.append((time, event.getName() or event.getId()))
    return sorted(found)


def event_times(sbml: str) -> list[float]:
    """Return the times (s) of the model's events whose triggers are ``time >= t``, sorted."""
    return [time for time, _ in timed_events(sbml)]


def event_targets(sbml: str) -> list[str]:
    """Return the ids of every quantity that an event assigns, in model order."""
    document = _read(sbml)
    return _event_targets(document.getModel())


def _event_targets(model: libsbml.Model) -> list[str]:
    targets = (
        assignment.getVariable()
        for event in model.getListOfEvents()
        for assignment in event.getListOfEventAssignments()
    )
    return list(dict.fromkeys(targets))
