# SPDX-License-Identifier: MIT
"""Tests of the yardstick: the SBML comparison helpers in :mod:`pumpleak_sbml.testing`.

The export and round-trip tests compare models through ``sbml_components``, ``cv_terms`` and
``same_unit``; a helper that returned too little (say, only the model element) would let all
of them pass. Here each helper is checked against a document built element by element with
libsbml, whose contents are therefore known without asking the helper, and against unit
identities of physics (1 mM is exactly 1 mol/m³; 1 mV is not 1 V).
"""

from __future__ import annotations

import random

import libsbml
import pytest

import pumpleak_sbml as pl
from pumpleak_sbml.testing import (
    cv_terms,
    same_unit,
    sbml_components,
    shuffled,
    unit_definition,
    unit_signature,
)


def _unit(definition: libsbml.UnitDefinition, kind: int, exponent: int, scale: int = 0) -> None:
    unit = definition.createUnit()
    unit.setKind(kind)
    unit.setExponent(exponent)
    unit.setScale(scale)
    unit.setMultiplier(1.0)


def _math(formula: str) -> libsbml.ASTNode:
    node = libsbml.parseL3Formula(formula)
    assert node is not None, formula
    return node


def built_document() -> libsbml.SBMLDocument:
    """Return an L3V2 document with two or more of every component kind, ids known here."""
    document = libsbml.SBMLDocument(3, 2)
    model = document.createModel()
    model.setId("m")
    function = model.createFunctionDefinition()
    function.setId("double_it")
    function.setMath(_math("lambda(x, 2 * x)"))
    for unit_id, scale in (("mM", -3), ("mmol", -3)):
        definition = model.createUnitDefinition()
        definition.setId(unit_id)
        _unit(definition, libsbml.UNIT_KIND_MOLE, 1, scale)
        if unit_id == "mM":
            _unit(definition, libsbml.UNIT_KIND_LITRE, -1)
    for compartment_id in ("inside", "outside"):
        compartment = model.createCompartment()
        compartment.setId(compartment_id)
        compartment.setConstant(compartment_id == "outside")
        compartment.setSize(1.0)
    for species_id, where in (("A", "inside"), ("B", "inside"), ("C", "outside")):
        species = model.createSpecies()
        species.setId(species_id)
        species.setCompartment(where)
        species.setInitialAmount(1.0)
        species.setHasOnlySubstanceUnits(True)
        species.setBoundaryCondition(False)
        species.setConstant(False)
    for parameter_id in ("k", "total", "growth"):
        parameter = model.createParameter()
        parameter.setId(parameter_id)
        parameter.setValue(1.0)
        parameter.setConstant(parameter_id == "k")
    initial = model.createInitialAssignment()
    initial.setSymbol("B")
    initial.setMath(_math("2 * A"))
    assignment = model.createAssignmentRule()
    assignment.setVariable("total")
    assignment.setMath(_math("A + B"))
    rate = model.createRateRule()
    rate.setVariable("inside")
    rate.setMath(_math("growth"))
    constraint = model.createConstraint()
    constraint.setMath(_math("A >= 0"))
    for reaction_id, source, target in (("r1", "A", "B"), ("r2", "B", "C")):
        reaction = model.createReaction()
        reaction.setId(reaction_id)
        reaction.setReversible(False)
        reactant = reaction.createReactant()
        reactant.setSpecies(source)
        reactant.setStoichiometry(1.0)
        reactant.setConstant(True)
        product = reaction.createProduct()
        product.setSpecies(target)
        product.setStoichiometry(1.0)
        product.setConstant(True)
        law = reaction.createKineticLaw()
        law.setMath(_math(f"k * {source}"))
    event = model.createEvent()
    event.setId("pulse")
    event.setUseValuesFromTriggerTime(True)
    trigger = event.createTrigger()
    trigger.setMath(_math("time >= 10"))
    trigger.setInitialValue(False)
    trigger.setPersistent(True)
    change = event.createEventAssignment()
    change.setVariable("growth")
    change.setMath(_math("0"))
    return document


EXPECTED_KEYS = {
    "model",
    "functionDefinition:double_it",
    "unitDefinition:mM",
    "unitDefinition:mmol",
    "compartment:inside",
    "compartment:outside",
    "species:A",
    "species:B",
    "species:C",
    "parameter:k",
    "parameter:total",
    "parameter:growth",
    "initialAssignment:B",
    "rule:total",
    "rule:inside",
    "constraint:",
    "reaction:r1",
    "reaction:r2",
    "event:pulse",
}


def test_sbml_components_lists_every_component_by_its_key() -> None:
    """Every component of the built document is found, under exactly the documented key."""
    document = built_document()
    found = sbml_components(document.getModel())
    assert set(found) == EXPECTED_KEYS


def test_sbml_components_maps_each_key_to_its_own_element() -> None:
    """Each key leads to the element it names (id, rule variable or assignment symbol)."""
    document = built_document()
    found = sbml_components(document.getModel())
    assert found["model"].getId() == "m"
    assert found["species:C"].getCompartment() == "outside"
    assert found["rule:inside"].isRate()
    assert found["rule:total"].isAssignment()
    assert found["initialAssignment:B"].getSymbol() == "B"
    assert libsbml.formulaToL3String(found["reaction:r2"].getKineticLaw().getMath()) == "k * B"
    assert found["event:pulse"].getNumEventAssignments() == 1


def test_sbml_components_of_a_library_model_counts_every_listed_element() -> None:
    """For pump_leak the helper returns one entry per element of every list, plus the model."""
    document = libsbml.readSBMLFromString(pl.to_sbml("pump_leak"))
    model = document.getModel()
    expected = 1 + sum(
        (
            model.getNumFunctionDefinitions(),
            model.getNumUnitDefinitions(),
            model.getNumCompartments(),
            model.getNumSpecies(),
            model.getNumParameters(),
            model.getNumInitialAssignments(),
            model.getNumRules(),
            model.getNumConstraints(),
            model.getNumReactions(),
            model.getNumEvents(),
        )
    )
    found = sbml_components(model)
    assert len(found) == expected
    assert expected > 100  # pump_leak is a real model: units, species, rules, reactions
    assert {"species:Na_i", "rule:Vm", "reaction:J_pump", "parameter:I_pump_max"} <= set(found)


def test_cv_terms_lists_qualifier_and_resource_of_every_term_sorted() -> None:
    """Two CV terms (one with two resources) give three sorted (qualifier, URI) pairs."""
    document = built_document()
    species = document.getModel().getSpecies("A")
    species.setMetaId("meta_A")
    identity = libsbml.CVTerm(libsbml.BIOLOGICAL_QUALIFIER)
    identity.setBiologicalQualifierType(libsbml.BQB_IS)
    identity.addResource("http://identifiers.org/CHEBI:29103")
    identity.addResource("http://identifiers.org/CHEBI:29101")
    assert species.addCVTerm(identity) == libsbml.LIBSBML_OPERATION_SUCCESS
    described = libsbml.CVTerm(libsbml.MODEL_QUALIFIER)
    described.setModelQualifierType(libsbml.BQM_IS_DESCRIBED_BY)
    described.addResource("http://identifiers.org/doi/10.1000/1")
    assert species.addCVTerm(described) == libsbml.LIBSBML_OPERATION_SUCCESS
    assert cv_terms(species) == [
        ("bqbiol:is", "http://identifiers.org/CHEBI:29101"),
        ("bqbiol:is", "http://identifiers.org/CHEBI:29103"),
        ("bqmodel:isDescribedBy", "http://identifiers.org/doi/10.1000/1"),
    ]
    assert cv_terms(document.getModel().getSpecies("B")) == []


def test_same_unit_follows_unit_identities_of_physics() -> None:
    """1 mM = 1 mol/m³ exactly; mM is not mmol (a dimension); mV is not V (a scale)."""
    document = built_document()
    model = document.getModel()
    per_cubic_metre = libsbml.UnitDefinition(3, 2)
    _unit(per_cubic_metre, libsbml.UNIT_KIND_MOLE, 1)
    _unit(per_cubic_metre, libsbml.UNIT_KIND_METRE, -3)
    millimolar = unit_definition(model, "mM")
    assert same_unit(millimolar, per_cubic_metre)
    assert not same_unit(millimolar, unit_definition(model, "mmol"))
    millivolt = libsbml.UnitDefinition(3, 2)
    _unit(millivolt, libsbml.UNIT_KIND_VOLT, 1, -3)
    assert not same_unit(millivolt, unit_definition(model, "volt"))


def test_unit_signature_is_si_kinds_with_exponents_and_the_factor() -> None:
    """The unit mM is mole^1 metre^-3 with factor 1 (1e-3 mol / 1e-3 m³)."""
    document = built_document()
    kinds, factor = unit_signature(unit_definition(document.getModel(), "mM"))
    assert kinds == sorted([(libsbml.UNIT_KIND_METRE, -3.0), (libsbml.UNIT_KIND_MOLE, 1.0)])
    assert factor == pytest.approx(1.0, rel=1e-12)


def test_unit_definition_of_an_unknown_unit_is_an_error() -> None:
    """A unit id that is neither defined nor an SBML base unit raises ValueError."""
    document = built_document()
    with pytest.raises(ValueError, match="unknown unit 'furlong'"):
        unit_definition(document.getModel(), "furlong")


def test_shuffled_reorders_keys_and_keeps_content() -> None:
    """Shuffled nested mappings are equal as dicts, keep list order, and change key order."""
    value = {f"k{i}": {"a": 1, "b": [3, {"x": 1, "y": 2}], "c": 2} for i in range(20)}
    result = shuffled(value, random.Random(1))
    assert result == value
    assert list(result) != list(value)
    assert result["k0"]["b"][0] == 3
