# SPDX-License-Identifier: MIT
"""The export formats: deterministic output, valid SBML, and what the L2V4 export keeps.

Every library model and one cell spec file (models/specs/pump_leak.toml) go through every
format. The SBML Level 2 Version 4 export is compared element by element with the Level 3
Version 2 document it is converted from: history, references, SBO terms, ChEBI and other CV
terms, names, units, species semantics, rules, reactions and events must all survive.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import libsbml
import numpy as np
import pytest
from same_model import tightened

import pumpleak_sbml as pl
from pumpleak_sbml import api
from pumpleak_sbml.cli import main
from pumpleak_sbml.formats import FORMATS, export, save_export
from pumpleak_sbml.formats.antimony import importable
from pumpleak_sbml.simulation import load
from pumpleak_sbml.testing import (
    cv_terms,
    same_unit,
    sbml_components,
    unit_definition,
)

_REPO = Path(__file__).resolve().parents[2]
_MODELS_DIR = _REPO / "models"
SPEC = _MODELS_DIR / "specs" / "pump_leak.toml"
LIBRARY = pl.list_models()
MODELS: list[str | Path] = [*LIBRARY, SPEC]
MODEL_IDS = [*LIBRARY, "spec-pump_leak"]

# libsbml 99505: a literal number (or parameter) without declared units. Level 2 numbers
# cannot carry units, so every literal that had units in Level 3 loses them.
LITERAL_WITHOUT_UNITS = 99505
# libsbml 99404: the model history annotation cannot be read as a valid ModelHistory.
INVALID_MODEL_HISTORY = 99404


# The spec's Level 3 history has a creator but no creation date. Level 2 needs both dates, so
# the L2V4 export of a spec has no model history (and no invalid one: libsbml 99404).
MODELS_AND_SPEC = [*LIBRARY, pytest.param(SPEC, id="spec-pump_leak")]


def _read(text: str) -> libsbml.SBMLDocument:
    document = libsbml.readSBMLFromString(text)
    assert document.getModel() is not None
    return document


def _documents(model: str | Path) -> tuple[libsbml.SBMLDocument, libsbml.SBMLDocument]:
    """Return the documents of the L3V2 export and of the L2V4 export.

    Callers keep the documents referenced while they use their models: a libsbml Model does
    not keep its document alive.
    """
    level3 = _read(export(model, "sbml"))
    level2 = _read(export(model, "sbml-l2v4"))
    assert (level3.getLevel(), level3.getVersion()) == (3, 2)
    assert (level2.getLevel(), level2.getVersion()) == (2, 4)
    return level3, level2


def formula(node: libsbml.ASTNode | None) -> str:
    """Return the infix text of a math element, without literal units (L2 has none)."""
    return "" if node is None else str(libsbml.formulaToString(node))


def _ast_nodes(node: libsbml.ASTNode) -> Iterator[libsbml.ASTNode]:
    yield node
    for index in range(node.getNumChildren()):
        yield from _ast_nodes(node.getChild(index))


def _maths(model: libsbml.Model) -> Iterator[libsbml.ASTNode]:
    """Every math element of a model.

    (Not through Model.getListOfAllElements: once libsedml is imported, e.g. by the omex
    export, that returns a libsedml.SBaseList whose iteration never ends.)
    """
    owners: list[libsbml.SBase] = [
        *model.getListOfFunctionDefinitions(),
        *model.getListOfInitialAssignments(),
        *model.getListOfRules(),
        *model.getListOfConstraints(),
        *(r.getKineticLaw() for r in model.getListOfReactions() if r.isSetKineticLaw()),
    ]
    for event in model.getListOfEvents():
        owners += [event.getTrigger(), event.getDelay(), event.getPriority()]
        owners += list(event.getListOfEventAssignments())
    for owner in owners:
        if owner is not None and owner.isSetMath():
            yield owner.getMath()


def has_unit_literals(model: libsbml.Model) -> bool:
    """Tell whether any math of the model has a literal number carrying units."""
    return any(node.isSetUnits() for math in _maths(model) for node in _ast_nodes(math))


def _issue_ids(text: str) -> tuple[list[int], list[int]]:
    """(error ids, warning ids) that libsbml reports reading the text and checking it."""
    document = libsbml.readSBMLFromString(text)
    document.checkConsistency()
    errors, warnings = [], []
    for index in range(document.getNumErrors()):
        issue = document.getError(index)
        if issue.getSeverity() >= libsbml.LIBSBML_SEV_ERROR:
            errors.append(issue.getErrorId())
        else:
            warnings.append(issue.getErrorId())
    return errors, warnings


def _clear_api_caches() -> None:
    """Forget every cached compiled model, so that the next export really builds it again."""
    for value in vars(api).values():
        if callable(getattr(value, "cache_clear", None)):
            value.cache_clear()


# --- every format -----------------------------------------------------------------------------


def test_the_library_is_every_ant_file_in_models() -> None:
    """The library models exported here are exactly the models/*.ant files."""
    ant_files = sorted(path.stem for path in _MODELS_DIR.glob("*.ant"))
    assert ant_files == LIBRARY


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_every_format_is_deterministic(model: str | Path, fmt: str) -> None:
    """Two exports of the same model, built afresh each time, are byte-identical."""
    first = export(model, fmt)
    _clear_api_caches()
    second = export(model, fmt)
    assert isinstance(first, str | bytes)
    assert len(first) > 0
    assert first == second


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_sbml_export_is_valid_l3v2(model: str | Path) -> None:
    """The ``sbml`` export is SBML Level 3 Version 2 that pumpleak's validator accepts."""
    text = export(model, "sbml")
    document = _read(text)
    assert (document.getLevel(), document.getVersion()) == (3, 2)
    report = pl.validate_sbml(text)
    assert report.ok, report.format()
    assert text == pl.to_sbml(model)


# --- sbml-l2v4: a valid Level 2 document ------------------------------------------------------


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_l2v4_export_reads_as_level_2_version_4_without_errors(model: str | Path) -> None:
    """The ``sbml-l2v4`` export reads in libsbml as L2V4 with no error, consistency included."""
    text = export(model, "sbml-l2v4")
    document = _read(text)
    assert (document.getLevel(), document.getVersion()) == (2, 4)
    errors, _ = _issue_ids(text)
    assert errors == []


@pytest.mark.parametrize("model", MODELS_AND_SPEC)
def test_l2v4_warnings_are_only_the_expected_literal_unit_losses(model: str | Path) -> None:
    """The only L2V4 warning is 99505 (unitless literal), exactly where L3 literals had units."""
    level3 = _read(export(model, "sbml"))
    _, warnings = _issue_ids(export(model, "sbml-l2v4"))
    assert set(warnings) <= {LITERAL_WITHOUT_UNITS}, warnings
    assert (LITERAL_WITHOUT_UNITS in warnings) == has_unit_literals(level3.getModel())


def _sbml_has_unit_literals(text: str) -> bool:
    document = _read(text)
    return has_unit_literals(document.getModel())


def test_l2v4_literal_unit_warnings_occur_in_some_models() -> None:
    """The 99505 expectation is exercised: some models have literals with units, some not."""
    with_literals = {name for name in LIBRARY if _sbml_has_unit_literals(export(name, "sbml"))}
    assert {"hydropic_change", "pump_leak_ghk"} <= with_literals
    assert "pump_leak" not in with_literals


# --- sbml-l2v4: what it keeps -----------------------------------------------------------------


def _history(model: libsbml.Model) -> tuple[list[tuple[str, ...]], str | None, list[str]]:
    history = model.getModelHistory()
    assert history is not None, "no model history"
    creators = [
        (c.getFamilyName(), c.getGivenName(), c.getOrganization(), c.getEmail())
        for c in (history.getCreator(i) for i in range(history.getNumCreators()))
    ]
    created = history.getCreatedDate().getDateAsString() if history.isSetCreatedDate() else None
    modified = [
        history.getModifiedDate(i).getDateAsString() for i in range(history.getNumModifiedDates())
    ]
    return creators, created, modified


@pytest.mark.parametrize("model", LIBRARY)
def test_l2v4_keeps_the_creator_and_dates_as_a_valid_level_2_history(model: str | Path) -> None:
    """The L2V4 model history has the L3 creators and creation date, and is valid Level 2."""
    documents = _documents(model)
    level3, level2 = (document.getModel() for document in documents)
    creators, created, modified = _history(level3)
    assert creators, "the L3 export has no creator to keep"
    assert level2.isSetModelHistory()
    # Level 2 requires a modification date: the export uses the creation date if L3 has none.
    expected_modified = modified or ([created] if created else [])
    assert _history(level2) == (creators, created, expected_modified)
    _, warnings = _issue_ids(export(model, "sbml-l2v4"))
    assert INVALID_MODEL_HISTORY not in warnings


def test_l2v4_of_a_spec_without_dates_has_no_history_rather_than_an_invalid_one() -> None:
    """A built model has no creation date, so its L2V4 export carries no (invalid) history."""
    documents = _documents(SPEC)
    level2 = documents[1].getModel()
    assert not level2.isSetModelHistory()
    _, warnings = _issue_ids(export(SPEC, "sbml-l2v4"))
    assert INVALID_MODEL_HISTORY not in warnings


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_l2v4_keeps_every_model_reference(model: str | Path) -> None:
    """Every ``bqmodel:isDescribedBy`` (and other model CV term) of L3 is in the L2V4 export."""
    documents = _documents(model)
    level3, level2 = (document.getModel() for document in documents)
    references = [term for term in cv_terms(level3) if term[0] == "bqmodel:isDescribedBy"]
    assert references, "the L3 export has no isDescribedBy reference to keep"
    assert cv_terms(level2) == cv_terms(level3)


def _compare(model: str | Path, describe: Callable[[libsbml.SBase], object]) -> None:
    """Check describe(element) is the same for every L3 component and its L2V4 counterpart."""
    documents = _documents(model)
    level3, level2 = (document.getModel() for document in documents)
    old, new = sbml_components(level3), sbml_components(level2)
    missing = sorted(set(old) - set(new))
    assert missing == [], f"components lost in L2V4: {missing}"
    changed = {
        key: (describe(element), describe(new[key]))
        for key, element in old.items()
        if describe(element) != describe(new[key])
    }
    assert changed == {}, f"changed in L2V4 (L3, L2): {changed}"


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_l2v4_keeps_every_id_and_sbo_term(model: str | Path) -> None:
    """Every L3 component id is in the L2V4 export with the same SBO term."""
    _compare(model, lambda element: element.getSBOTerm())


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_l2v4_keeps_chebi_and_every_cv_annotation(model: str | Path) -> None:
    """Every component keeps its metaid and CV terms (ChEBI identities of the ions included)."""
    document, _ = _documents(model)
    chebi = [
        uri
        for element in document.getModel().getListOfSpecies()
        for qualifier, uri in cv_terms(element)
        if qualifier == "bqbiol:is" and "CHEBI:" in uri
    ]
    assert chebi, "the L3 export has no ChEBI annotation to keep"
    _compare(model, lambda element: (element.getMetaId(), cv_terms(element)))


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_l2v4_keeps_display_names(model: str | Path) -> None:
    """Every component keeps its display name (``name`` attribute)."""
    _compare(model, lambda element: element.getName())


def _units(element: libsbml.SBase) -> object:
    if isinstance(element, libsbml.UnitDefinition):
        return sorted(
            (u.getKind(), u.getExponentAsDouble(), u.getScale(), u.getMultiplier())
            for u in element.getListOfUnits()
        )
    if isinstance(element, libsbml.Species):
        return element.getSubstanceUnits()
    if isinstance(element, libsbml.Parameter | libsbml.Compartment):
        return element.getUnits()
    return None


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_l2v4_keeps_units_of_parameters_species_compartments(model: str | Path) -> None:
    """Units attributes and unit definitions are kept exactly; the model units by meaning."""
    _compare(model, _units)
    documents = _documents(model)
    level3, level2 = (document.getModel() for document in documents)
    # Level 2 has no model-level unit attributes: it redefines the built-in units instead.
    # A reaction's extent is in `substance` units in Level 2.
    for level3_id, builtin in (
        (level3.getSubstanceUnits(), "substance"),
        (level3.getExtentUnits(), "substance"),
        (level3.getVolumeUnits(), "volume"),
        (level3.getTimeUnits(), "time"),
    ):
        assert level3_id, f"the L3 export does not set the model's {builtin} units"
        redefined = level2.getUnitDefinition(builtin)
        assert redefined is not None, f"L2V4 does not redefine {builtin}"
        assert same_unit(unit_definition(level3, level3_id), redefined), builtin


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_l2v4_keeps_species_semantics(model: str | Path) -> None:
    """hasOnlySubstanceUnits, boundary and constant flags and compartments are kept."""

    def semantics(element: libsbml.SBase) -> object:
        if isinstance(element, libsbml.Species):
            return (
                element.getCompartment(),
                element.getHasOnlySubstanceUnits(),
                element.getBoundaryCondition(),
                element.getConstant(),
                element.getInitialAmount() if element.isSetInitialAmount() else None,
                element.getInitialConcentration() if element.isSetInitialConcentration() else None,
            )
        if isinstance(element, libsbml.Compartment):
            return (
                element.getConstant(),
                element.getSpatialDimensionsAsDouble(),
                element.getSize() if element.isSetSize() else None,
            )
        if isinstance(element, libsbml.Parameter):
            return element.getConstant(), element.getValue() if element.isSetValue() else None
        return None

    document, _ = _documents(model)
    species = document.getModel().getListOfSpecies()
    assert any(s.getHasOnlySubstanceUnits() for s in species)
    _compare(model, semantics)


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_l2v4_keeps_rules_initial_assignments_and_reactions(model: str | Path) -> None:
    """Every rule (type, variable, math), initial assignment and reaction is kept."""

    def equations(element: libsbml.SBase) -> object:
        if isinstance(element, libsbml.Rule):
            return element.getElementName(), formula(element.getMath())
        if isinstance(element, libsbml.InitialAssignment):
            return formula(element.getMath())
        if isinstance(element, libsbml.Reaction):
            return (
                element.getReversible(),
                [(r.getSpecies(), r.getStoichiometry()) for r in element.getListOfReactants()],
                [(p.getSpecies(), p.getStoichiometry()) for p in element.getListOfProducts()],
                [m.getSpecies() for m in element.getListOfModifiers()],
                formula(element.getKineticLaw().getMath()),
            )
        return None

    document, _ = _documents(model)
    assert document.getModel().getNumRules() > 0
    _compare(model, equations)


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_l2v4_keeps_events(model: str | Path) -> None:
    """Every event keeps its trigger, assignments and useValuesFromTriggerTime."""

    def event(element: libsbml.SBase) -> object:
        if not isinstance(element, libsbml.Event):
            return None
        return (
            formula(element.getTrigger().getMath()),
            element.getUseValuesFromTriggerTime(),
            formula(element.getDelay().getMath()) if element.isSetDelay() else None,
            [
                (assignment.getVariable(), formula(assignment.getMath()))
                for assignment in element.getListOfEventAssignments()
            ],
        )

    _compare(model, event)


def test_the_event_models_are_covered() -> None:
    """Two library models have events, so the event comparison above is exercised."""
    documents = {name: _read(export(name, "sbml")) for name in LIBRARY}
    with_events = [name for name, doc in documents.items() if doc.getModel().getNumEvents()]
    assert with_events == ["hydropic_change", "impermeant_load"]


def _trajectory(sbml: str, name: str, end: float) -> tuple[list[str], np.ndarray]:
    runner = tightened(load(sbml, name))
    selections = [
        "time",
        *runner.model.getCompartmentIds(),
        *runner.model.getFloatingSpeciesIds(),
        *runner.getAssignmentRuleIds(),
    ]
    return selections, np.asarray(runner.simulate(0.0, end, 21, selections), dtype=float)


@pytest.mark.parametrize(
    ("name", "override"), [("hydropic_change", "t_block"), ("impermeant_load", "t_load")]
)
def test_l2v4_export_of_an_event_at_time_zero_is_refused(name: str, override: str) -> None:
    """An event at t = 0 (L3 trigger initialValue false) cannot fire in L2V4: export refuses."""
    with pytest.raises(pl.ExportError, match="fires at t = 0"):
        export(name, "sbml-l2v4", **{override: 0.0})


def test_l2v4_export_applies_overrides() -> None:
    """``export(..., "sbml-l2v4", g_Cl=0.05)`` writes the overridden value into L2V4."""
    document = _read(export("pump_leak", "sbml-l2v4", g_Cl=0.05))
    assert (document.getLevel(), document.getVersion()) == (2, 4)
    assert document.getModel().getParameter("g_Cl").getValue() == 0.05


# --- antimony ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", LIBRARY)
def test_antimony_export_of_a_library_model_is_its_ant_file(name: str) -> None:
    """The ``antimony`` export is models/<name>.ant byte for byte, but the main-model mark."""
    text = (_MODELS_DIR / f"{name}.ant").read_text(encoding="utf-8")
    assert export(name, "antimony") == importable(text)


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_antimony_export_compiles_to_the_sbml_export(model: str | Path) -> None:
    """The ``antimony`` export compiles (libAntimony) into exactly the ``sbml`` export."""
    import antimony

    antimony.clearPreviousLoads()
    try:
        assert antimony.loadAntimonyString(export(model, "antimony")) >= 0
        compiled = antimony.getSBMLString(antimony.getMainModuleName())
    finally:
        antimony.clearPreviousLoads()
    assert compiled == export(model, "sbml")


def test_antimony_export_of_a_library_model_refuses_overrides() -> None:
    """A library model's Antimony is its source file, so overrides are refused, not ignored."""
    with pytest.raises(pl.ModelDefinitionError, match="overrides"):
        export("pump_leak", "antimony", g_Cl=0.05)


# --- errors, files, command line --------------------------------------------------------------


def test_unknown_format_raises_export_error_listing_the_formats() -> None:
    """``export(model, "nope")`` raises ExportError whose message names every format."""
    with pytest.raises(pl.ExportError) as caught:
        export("pump_leak", "nope")
    message = str(caught.value)
    assert "nope" in message
    for fmt in FORMATS:
        assert fmt in message


def test_cli_unknown_format_exits_2_listing_the_formats(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``pumpleak export pump_leak --format nope`` exits 2 and lists the formats on stderr."""
    code = main(["export", "pump_leak", "--format", "nope"])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert "Traceback" not in captured.err
    for fmt in FORMATS:
        assert fmt in captured.err


def test_save_export_refuses_to_overwrite(tmp_path: Path) -> None:
    """save_export refuses an existing file (OutputError, file untouched) unless overwrite=True."""
    path = tmp_path / "pump_leak.xml"
    path.write_text("precious", encoding="utf-8")
    with pytest.raises(pl.OutputError, match="already exists"):
        save_export("pump_leak", path, "sbml-l2v4")
    assert path.read_text(encoding="utf-8") == "precious"
    assert save_export("pump_leak", path, "sbml-l2v4", overwrite=True) == path
    assert path.read_text(encoding="utf-8") == export("pump_leak", "sbml-l2v4")


@pytest.mark.parametrize("fmt", ["sbml", "sbml-l2v4", "antimony"])
def test_save_export_writes_the_export(tmp_path: Path, fmt: str) -> None:
    """save_export writes exactly what export returns, to a new file."""
    path = tmp_path / f"out{FORMATS[fmt].suffix}"
    assert save_export(SPEC, path, fmt) == path
    assert path.read_text(encoding="utf-8") == export(SPEC, fmt)


def test_cli_export_l2v4_writes_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``export pump_leak --format sbml-l2v4 -o FILE`` writes the L2V4 export and says so."""
    path = tmp_path / "pump_leak_l2v4.xml"
    code = main(["export", "pump_leak", "--format", "sbml-l2v4", "-o", str(path)])
    captured = capsys.readouterr()
    assert (code, captured.err) == (0, "")
    assert captured.out.startswith(f"wrote {path} (")
    text = path.read_text(encoding="utf-8")
    assert text == export("pump_leak", "sbml-l2v4")
    document = _read(text)
    assert (document.getLevel(), document.getVersion()) == (2, 4)


def test_cli_export_keeps_an_existing_file_unless_forced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``export -o FILE`` on an existing file exits 2 and leaves it; ``--force`` replaces it."""
    path = tmp_path / "pump_leak.ant"
    path.write_text("precious", encoding="utf-8")
    code = main(["export", "pump_leak", "--format", "antimony", "-o", str(path)])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.err.startswith("pumpleak: error: ")
    assert captured.err.count("\n") == 1
    assert path.read_text(encoding="utf-8") == "precious"
    code = main(["export", "pump_leak", "--format", "antimony", "-o", str(path), "--force"])
    assert code == 0
    assert path.read_text(encoding="utf-8") == importable(pl.antimony("pump_leak"))


def test_cli_export_of_a_spec_file_prints_its_antimony(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``export SPEC.toml --format antimony`` prints the Antimony built from the spec."""
    code = main(["export", str(SPEC), "--format", "antimony"])
    captured = capsys.readouterr()
    assert (code, captured.err) == (0, "")
    assert captured.out == importable(pl.model_antimony(SPEC))
