# SPDX-License-Identifier: MIT
"""Helpers for comparing SBML documents, for tests of exports and round trips.

They read libsbml objects into plain, comparable Python values, so a test can state "the
L2V4 export keeps every annotation" as an equality::

    from pumpleak_sbml.testing import cv_terms, sbml_components, same_unit

    before, after = sbml_components(model_l3), sbml_components(model_l2)
    assert {key: cv_terms(e) for key, e in before.items()} == {
        key: cv_terms(e) for key, e in after.items()}
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from typing import Any

import libsbml

from .sbml_document import si_factor

__all__ = ["cv_terms", "same_unit", "sbml_components", "unit_definition", "unit_signature"]

_COMPONENT_LISTS = (
    "getListOfFunctionDefinitions",
    "getListOfUnitDefinitions",
    "getListOfCompartments",
    "getListOfSpecies",
    "getListOfParameters",
    "getListOfInitialAssignments",
    "getListOfRules",
    "getListOfConstraints",
    "getListOfReactions",
    "getListOfEvents",
)


def sbml_components(model: libsbml.Model) -> dict[str, libsbml.SBase]:
    """Return every component of a model by a stable key (``species:Na_i``, ``rule:Vm``, ...)."""
    found: dict[str, libsbml.SBase] = {"model": model}
    for getter in _COMPONENT_LISTS:
        for element in getattr(model, getter)():
            if isinstance(element, libsbml.Rule):
                key = f"rule:{element.getVariable()}"
            elif isinstance(element, libsbml.InitialAssignment):
                key = f"initialAssignment:{element.getSymbol()}"
            else:
                key = f"{element.getElementName()}:{element.getId()}"
            found[key] = element
    return found


def cv_terms(element: libsbml.SBase) -> list[tuple[str, str]]:
    """Return (qualifier, resource URI) of every CV term of an element, sorted, bags flattened."""
    found = []
    for index in range(element.getNumCVTerms()):
        term = element.getCVTerm(index)
        if term.getQualifierType() == libsbml.MODEL_QUALIFIER:
            qualifier = "bqmodel:" + libsbml.ModelQualifierType_toString(
                term.getModelQualifierType()
            )
        else:
            qualifier = "bqbiol:" + libsbml.BiolQualifierType_toString(
                term.getBiologicalQualifierType()
            )
        found += [(qualifier, term.getResourceURI(i)) for i in range(term.getNumResources())]
    return sorted(found)


def unit_signature(definition: libsbml.UnitDefinition) -> tuple[list[tuple[int, float]], float]:
    """Return a unit as (SI base kinds with exponents, overall factor): equal units, equal value."""
    factor, si = si_factor(definition)
    kinds = sorted(
        (unit.getKind(), unit.getExponentAsDouble())
        for unit in si.getListOfUnits()
        if unit.getKind() != libsbml.UNIT_KIND_DIMENSIONLESS
    )
    return kinds, factor


def unit_definition(model: libsbml.Model, unit_id: str) -> libsbml.UnitDefinition:
    """Return the definition of a unit id: a unitDefinition of the model, or a base unit."""
    definition = model.getUnitDefinition(unit_id)
    if definition is not None:
        return definition
    kind = libsbml.UnitKind_forName(unit_id)
    if kind == libsbml.UNIT_KIND_INVALID:
        raise ValueError(f"unknown unit {unit_id!r}")
    definition = libsbml.UnitDefinition(model.getLevel(), model.getVersion())
    unit = definition.createUnit()
    unit.setKind(kind)
    unit.setExponent(1)
    unit.setScale(0)
    unit.setMultiplier(1.0)
    return definition


def same_unit(first: libsbml.UnitDefinition, second: libsbml.UnitDefinition) -> bool:
    """Tell whether two units are the same, dimension and scale (to 1e-12 relative)."""
    kinds, factor = unit_signature(first)
    other_kinds, other_factor = unit_signature(second)
    return kinds == other_kinds and math.isclose(factor, other_factor, rel_tol=1e-12)


def shuffled(value: Any, rng: random.Random) -> Any:
    """Return ``value`` with the keys of every (nested) mapping in a random order.

    For checking that output does not depend on key order (the builder's determinism).
    """
    if isinstance(value, Mapping):
        keys = list(value)
        rng.shuffle(keys)
        return {key: shuffled(value[key], rng) for key in keys}
    if isinstance(value, list):
        return [shuffled(item, rng) for item in value]
    return value
