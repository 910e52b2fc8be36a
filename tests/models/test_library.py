# SPDX-License-Identifier: MIT
"""Every model in the library compiles, validates (strict units and scale) and is fully annotated.

The checks run on the SBML compiled straight from each shipped ``.ant`` file, so they describe
what a user gets from :func:`pumpleak_sbml.to_sbml` without any override.
"""

from __future__ import annotations

import functools
import importlib.resources
import re
from pathlib import Path

import libsbml
import pytest

import pumpleak_sbml as pl
from pumpleak_sbml.sbml_compiler import antimony_to_sbml
from pumpleak_sbml.units import FARADAY, GAS_CONSTANT

MODELS = pl.list_models()
_REPOSITORY_MODELS = Path(__file__).resolve().parents[2] / "models"
_ION_NAMES = ("Na+", "K+", "Cl-", "H+")
_CHEBI = "http://identifiers.org/CHEBI:"


@functools.cache
def _sbml(name: str) -> str:
    """Compile the shipped Antimony text of one model to SBML (once per session)."""
    return antimony_to_sbml(pl.antimony(name), source=Path("models") / f"{name}.ant")


class _Document:
    """A parsed SBML document that keeps libsbml's owner alive while its model is used."""

    def __init__(self, sbml: str) -> None:
        self.document = libsbml.readSBMLFromString(sbml)
        self.model = self.document.getModel()


@functools.cache
def _document(name: str) -> _Document:
    """Parse one model's SBML once; kept for the session so its libsbml objects stay valid."""
    return _Document(_sbml(name))


def _elements(model: libsbml.Model) -> list[tuple[str, libsbml.SBase]]:
    return [
        *(("species", s) for s in model.getListOfSpecies()),
        *(("parameter", p) for p in model.getListOfParameters()),
        *(("compartment", c) for c in model.getListOfCompartments()),
        *(("reaction", r) for r in model.getListOfReactions()),
    ]


def _resources(element: libsbml.SBase, kind: int, qualifier: int) -> list[str]:
    """URIs of the element's CV terms of one qualifier (kind: model or biology qualifier)."""
    found = []
    for term in element.getCVTerms() or []:
        if term.getQualifierType() != kind:
            continue
        actual = (
            term.getModelQualifierType()
            if kind == libsbml.MODEL_QUALIFIER
            else term.getBiologicalQualifierType()
        )
        if actual == qualifier:
            found.extend(term.getResourceURI(i) for i in range(term.getNumResources()))
    return found


def test_library_is_not_empty() -> None:
    """The library ships at least the core pump_leak model."""
    assert "pump_leak" in MODELS
    assert sorted(MODELS) == MODELS


def test_library_ships_every_repository_model() -> None:
    """The installed package lists exactly the .ant files of the repository's models/ folder."""
    assert sorted(path.stem for path in _REPOSITORY_MODELS.glob("*.ant")) == MODELS


@pytest.mark.parametrize("name", MODELS)
def test_model_file_ships_inside_installed_package(name: str) -> None:
    """``pumpleak_sbml.models`` (importlib.resources) contains ``<name>.ant`` with its text."""
    resource = importlib.resources.files("pumpleak_sbml.models").joinpath(f"{name}.ant")
    assert resource.is_file()
    assert resource.read_text(encoding="utf-8") == pl.antimony(name)


@pytest.mark.parametrize("name", MODELS)
def test_model_file_stem_equals_sbml_model_id(name: str) -> None:
    """The .ant file stem is the main model's id, both in Antimony and in the compiled SBML."""
    assert re.search(rf"^model \*{re.escape(name)}\(\)", pl.antimony(name), re.MULTILINE)
    document = _document(name)
    assert document.model.getId() == name
    assert libsbml.SyntaxChecker.isValidSBMLSId(name)


@pytest.mark.parametrize("name", MODELS)
def test_model_sbml_is_level3_version2(name: str) -> None:
    """The compiled SBML is Level 3 Version 2."""
    document = _document(name).document
    assert (document.getLevel(), document.getVersion()) == (3, 2)


@pytest.mark.parametrize("name", MODELS)
def test_model_validates_with_zero_errors_and_zero_warnings(name: str) -> None:
    """The libsbml checks (strict units, good practice) and the scale check find no issue."""
    report = pl.validate_sbml(_sbml(name))
    assert report.ok, report.format()
    assert (len(report.errors), len(report.warnings)) == (0, 0)


@pytest.mark.parametrize("name", MODELS)
def test_model_every_element_has_sbo_term_and_name(name: str) -> None:
    """Every species, parameter, compartment and reaction has an SBO term and a display name."""
    missing = [
        f"{kind} {element.getId()}: sbo={element.getSBOTerm()} name={element.getName()!r}"
        for kind, element in _elements(_document(name).model)
        if not element.isSetSBOTerm() or not element.getName().strip()
    ]
    assert missing == []


@pytest.mark.parametrize("name", MODELS)
def test_model_every_quantity_has_units(name: str) -> None:
    """Every parameter and compartment declares units; every species its substance units."""
    model = _document(name).model
    missing = [f"parameter {p.getId()}" for p in model.getListOfParameters() if not p.isSetUnits()]
    missing += [
        f"compartment {c.getId()}" for c in model.getListOfCompartments() if not c.isSetUnits()
    ]
    missing += [
        f"species {s.getId()}" for s in model.getListOfSpecies() if not s.isSetSubstanceUnits()
    ]
    assert missing == []


@pytest.mark.parametrize("name", MODELS)
def test_model_every_ion_species_has_chebi_identity(name: str) -> None:
    """Each ion species (named Na+, K+, Cl- or H+) is annotated bqbiol:is a ChEBI entity."""
    model = _document(name).model
    ions = [s for s in model.getListOfSpecies() if any(ion in s.getName() for ion in _ION_NAMES)]
    assert ions, f"{name} has no species named as an ion"
    unannotated = [
        s.getId()
        for s in ions
        if not any(
            uri.startswith(_CHEBI)
            for uri in _resources(s, libsbml.BIOLOGICAL_QUALIFIER, libsbml.BQB_IS)
        )
    ]
    assert unannotated == []


@pytest.mark.parametrize("name", MODELS)
def test_model_has_notes_creator_and_reference(name: str) -> None:
    """The model has notes, a dcterms:creator and at least one bqmodel:isDescribedBy reference."""
    model = _document(name).model
    assert model.isSetNotes()
    assert model.getNotesString().strip()
    assert model.isSetModelHistory()
    assert model.getModelHistory().getNumCreators() >= 1
    assert "<dcterms:creator>" in _sbml(name)
    references = _resources(model, libsbml.MODEL_QUALIFIER, libsbml.BQM_IS_DESCRIBED_BY)
    assert references
    assert all(uri.startswith("http://identifiers.org/") for uri in references)


@pytest.mark.parametrize("name", MODELS)
def test_model_declares_model_level_units(name: str) -> None:
    """The model sets substanceUnits, timeUnits, volumeUnits and extentUnits."""
    model = _document(name).model
    assert model.isSetSubstanceUnits()
    assert model.isSetTimeUnits()
    assert model.isSetVolumeUnits()
    assert model.isSetExtentUnits()


@pytest.mark.parametrize("name", MODELS)
def test_model_physical_constants_equal_units_module(name: str) -> None:
    """F and R in the model are exactly units.FARADAY and units.GAS_CONSTANT."""
    model = _document(name).model
    faraday, gas = model.getParameter("F"), model.getParameter("R")
    assert faraday is not None
    assert gas is not None
    assert faraday.getValue() == FARADAY
    assert gas.getValue() == GAS_CONSTANT
    assert faraday.getConstant()
    assert gas.getConstant()


@pytest.mark.parametrize("name", MODELS)
def test_model_info_summary_is_non_empty(name: str) -> None:
    """model_info gives each model a one-line summary from its ``// <name>:`` header."""
    info = pl.model_info(name)
    assert info.name == name
    assert info.summary.strip()
    assert "\n" not in info.summary
    assert f"// {name}: {info.summary}" in pl.antimony(name)


def test_unknown_model_raises_unknown_model_error_listing_models() -> None:
    """Asking the library for a model it lacks raises UnknownModelError listing every model."""
    with pytest.raises(pl.UnknownModelError) as caught:
        pl.antimony("no_such_model")
    assert isinstance(caught.value, LookupError)
    for name in MODELS:
        assert name in str(caught.value)
