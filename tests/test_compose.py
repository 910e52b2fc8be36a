# SPDX-License-Identifier: MIT
"""``compose``: checked links, unit conversions, volumes, files and refusals.

The numbers checked come from the units themselves (3600 s per hour, 1000 mM per M), from
the cell's measured volume (V0 = 64.53 fL, ``models/red_cell.ant``), from conservation (one
ATP per pump cycle; ATP + ADP conserved by a reaction that turns one into the other), or from
the pathway files' own values. The real BioModels cases are in ``test_compose_biomodels.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

import libsbml
import pytest
import roadrunner

import pumpleak_sbml as pl
from pumpleak_sbml.cli import main
from pumpleak_sbml.composition import composition_issues

DATA = Path(__file__).resolve().parent / "data" / "biomodels"
HOLZHUETTER = DATA / "BIOMD0000000070_Holzhutter2004_erythrocyte.xml"
ATAULLAKHANOV = DATA / "BIOMD0000000054_Ataullakhanov1996_RBC_adenylate_ion_pump.xml"
TEUSINK = DATA / "BIOMD0000000064_Teusink2000_yeast_glycolysis.xml"
RBC_LINKS = {"ATP": "MgATP", "ADP": "MgADP", "Pi": "Phi"}
V0 = 0.06453  # pL: the red cell's initial water volume, 90 fL x 0.717 (models/red_cell.ant)
# Values that go through one or two floating-point operations: rel 1e-12 is ~1e3 ulp.
ARITHMETIC = 1e-12


def molar_pathway(folder: Path, *, extra_species: bool = False) -> Path:
    """Write a small pathway in mol/L and hours: ADP + Pi -> ATP, and a boundary glucose.

    Every floating species is meant to be linked (an unlinked one in M is refused; with
    ``extra_species`` it has one, Y).
    """
    document = libsbml.SBMLDocument(3, 1)
    model = document.createModel()
    model.setId("molar_pathway")
    hour = model.createUnitDefinition()
    hour.setId("hour")
    unit = hour.createUnit()
    unit.initDefaults()
    unit.setKind(libsbml.UNIT_KIND_SECOND)
    unit.setMultiplier(3600.0)
    per_molar_hour = model.createUnitDefinition()
    per_molar_hour.setId("per_molar_hour")
    for kind, exponent, multiplier in (
        (libsbml.UNIT_KIND_MOLE, -1, 1.0),
        (libsbml.UNIT_KIND_LITRE, 1, 1.0),
        (libsbml.UNIT_KIND_SECOND, -1, 3600.0),
    ):
        part = per_molar_hour.createUnit()
        part.initDefaults()
        part.setKind(kind)
        part.setExponent(exponent)
        part.setMultiplier(multiplier)
    for attribute, value in (
        ("SubstanceUnits", "mole"),
        ("ExtentUnits", "mole"),
        ("VolumeUnits", "litre"),
        ("TimeUnits", "hour"),
    ):
        getattr(model, f"set{attribute}")(value)
    compartment = model.createCompartment()
    compartment.setId("cyt")
    compartment.setSize(1.0)
    compartment.setConstant(True)
    compartment.setUnits("litre")
    compartment.setSpatialDimensions(3)
    species = {"ATPm": 0.0015, "ADPm": 0.0002, "Pim": 0.001, "Glc": 0.005}
    if extra_species:
        species["Y"] = 0.001
    for sid, value in species.items():
        created = model.createSpecies()
        created.setId(sid)
        created.setMetaId(f"meta_{sid}")
        created.setCompartment("cyt")
        created.setInitialConcentration(value)
        created.setHasOnlySubstanceUnits(False)
        created.setBoundaryCondition(sid == "Glc")
        created.setConstant(False)
        created.setSubstanceUnits("mole")
    reaction = model.createReaction()
    reaction.setId("regen")
    reaction.setReversible(False)
    reaction.setFast(False)  # required in Level 3 Version 1
    for sid, create in (("ADPm", reaction.createReactant), ("Pim", reaction.createReactant)):
        reference = create()
        reference.setSpecies(sid)
        reference.setStoichiometry(1.0)
        reference.setConstant(True)
    product = reaction.createProduct()
    product.setSpecies("ATPm")
    product.setStoichiometry(1.0)
    product.setConstant(True)
    law = reaction.createKineticLaw()
    rate = law.createLocalParameter()
    rate.setId("k")
    rate.setValue(100.0)
    rate.setUnits("per_molar_hour")
    law.setMath(libsbml.parseL3Formula("cyt * k * ADPm * Pim"))
    path = folder / "molar_pathway.xml"
    path.write_text(libsbml.writeSBMLToString(document), encoding="utf-8")
    return path


MOLAR_LINKS = {"ATP": "ATPm", "ADP": "ADPm", "Pi": "Pim"}


def runner_of(path: Path) -> roadrunner.RoadRunner:
    """Return a RoadRunner of a flat composed file, tolerances fit for amounts ~1e-6 fmol."""
    runner = roadrunner.RoadRunner(path.read_text(encoding="utf-8"))
    runner.integrator.setValue("relative_tolerance", 1e-10)
    runner.integrator.setValue("absolute_tolerance", 1e-18)
    return runner


# --- refusals: one line, ModelDefinitionError (exit code 2), nothing written ---------------------


@pytest.mark.parametrize(
    ("cell", "pathway", "links", "replace", "message"),
    [
        pytest.param(
            "red_cell",
            TEUSINK,
            {"ATP": "ATP"},
            (),
            r"--link ATP=ATP: ATP is set by an assignment rule \(ATP := \(P - ADP\) / 2\), so no "
            r"reaction can consume it; link the state it is computed from: P",
            id="assignment-rule",
        ),
        pytest.param(
            "red_cell",
            HOLZHUETTER,
            {"ATP": "MgATPx"},
            (),
            r"--link ATP=MgATPx: the pathway has no species 'MgATPx'; did you mean 'MgATP'\?",
            id="missing-species",
        ),
        pytest.param(
            "red_cell",
            ATAULLAKHANOV,
            {"ATP": "W2"},
            (),
            r"--link ATP=W2: W2 is a parameter; a reaction cannot consume it",
            id="parameter",
        ),
        pytest.param(
            "pump_leak",
            HOLZHUETTER,
            {"ATP": "MgATP"},
            (),
            r"--link ATP=\.\.\.: the cell pump_leak has no ATP_i \(its pump law is not 'atp'\)",
            id="cell-without-atp",
        ),
        pytest.param(
            "red_cell",
            HOLZHUETTER,
            {"ATPi": "MgATP"},
            (),
            r"the cell red_cell has no species 'ATPi'; did you mean 'ATP'\?",
            id="unknown-cell-side",
        ),
        pytest.param(
            "red_cell",
            ATAULLAKHANOV,
            {"ATP": "E"},
            ("U2",),
            r"--replace U2: U2 changes I, which no --link supplies; link I or keep U2",
            id="replace-unlinked",
        ),
        pytest.param(
            "red_cell",
            HOLZHUETTER,
            RBC_LINKS,
            ("vATPas",),
            r"--replace vATPas: the pathway has no reaction 'vATPas'; did you mean 'vATPase'\?",
            id="replace-missing",
        ),
        pytest.param(
            "red_cell",
            ATAULLAKHANOV,
            {"ATP": "E", "Na_i": "I"},
            (),
            r"--link Na_i=I: the cell's Na_i is an amount and the pathway's I is not, and the "
            r"pathway's math reads I",
            id="amount-for-concentration",
        ),
        pytest.param(
            "red_cell",
            TEUSINK,
            {"ATP": "P", "Pi": "GLCo"},
            (),
            r"the linked species lie in several compartments \(cytosol, extracellular\)",
            id="two-compartments",
        ),
        pytest.param(
            "red_cell",
            HOLZHUETTER,
            {"ATP": "MgATP", "ADP": "MgATP"},
            (),
            r"--link ADP=MgATP: MgATP or the cell's ADP_i is already linked",
            id="linked-twice",
        ),
        pytest.param(
            "red_cell",
            HOLZHUETTER,
            {},
            (),
            r"nothing to compose: give at least one --link",
            id="no-link",
        ),
    ],
)
def test_compose_refuses_in_one_line_and_writes_nothing(  # noqa: PLR0917 (parametrized)
    tmp_path: Path,
    cell: str,
    pathway: Path,
    links: dict[str, str],
    replace: tuple[str, ...],
    message: str,
) -> None:
    """Each bad link or replacement is refused with one line naming it; no file is written."""
    with pytest.raises(pl.ModelDefinitionError, match=message) as caught:
        pl.compose(cell, pathway, links, tmp_path / "out.xml", replace=replace)
    assert "\n" not in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_compose_refuses_unlinked_species_not_in_millimolar(tmp_path: Path) -> None:
    """A pathway species in M that is not linked cannot be converted consistently: refused."""
    pathway = molar_pathway(tmp_path, extra_species=True)
    with pytest.raises(pl.ModelDefinitionError, match=r"species Y is in units of 1000 mM"):
        pl.compose("red_cell", pathway, MOLAR_LINKS, tmp_path / "out.xml")


def test_compose_refuses_a_species_that_would_clash_with_the_composition(tmp_path: Path) -> None:
    """A moved species keeps its id in the top model: one named like a top element is refused."""
    pathway = molar_pathway(tmp_path)
    pathway.write_text(pathway.read_text().replace('id="Glc"', 'id="shared_volume"'))
    with pytest.raises(pl.ModelDefinitionError, match="species shared_volume would clash"):
        pl.compose("red_cell", pathway, MOLAR_LINKS, tmp_path / "out.xml")


def test_compose_refuses_a_missing_pathway_file(tmp_path: Path) -> None:
    """A pathway file that does not exist is named."""
    missing = tmp_path / "nope.xml"
    with pytest.raises(pl.ModelDefinitionError, match=rf"{missing}: no such file"):
        pl.compose("red_cell", missing, RBC_LINKS, tmp_path / "out.xml")


def test_keep_rest_needs_exactly_one_replaced_reaction(tmp_path: Path) -> None:
    """--keep-rest sizes the rest of one reaction; without --replace it is refused."""
    with pytest.raises(pl.ModelDefinitionError, match="--keep-rest needs exactly one --replace"):
        pl.compose("red_cell", HOLZHUETTER, RBC_LINKS, tmp_path / "out.xml", keep_rest=True)


def test_compose_refuses_to_replace_existing_files(tmp_path: Path) -> None:
    """An existing output (any of the five files) is refused unless overwrite is asked for."""
    (tmp_path / "out_ids.json").write_text("{}", encoding="utf-8")
    with pytest.raises(pl.OutputError, match=r"out_ids\.json already exists"):
        pl.compose("red_cell", HOLZHUETTER, RBC_LINKS, tmp_path / "out.xml")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--link", "ATP=ATP"], "ATP is set by an assignment rule"),
        (["--link", "ATPMgATP"], "malformed --link 'ATPMgATP': expected CELL=PATHWAY"),
    ],
)
def test_cli_compose_refusal_is_one_line_and_exit_code_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], arguments: list[str], message: str
) -> None:
    """``pumpleak compose`` prints one error line on stderr and exits 2 for bad input."""
    code = main(["compose", "red_cell", str(TEUSINK), *arguments, "-o", str(tmp_path / "o.xml")])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.err.count("\n") == 1
    assert captured.err.startswith("pumpleak: error: ")
    assert message in captured.err


# --- a composition: files, ids, conversion factors -----------------------------------------------


@pytest.fixture(scope="module")
def holzhuetter(tmp_path_factory: pytest.TempPathFactory) -> pl.Composition:
    """Holzhuetter's erythrocyte with the red cell: vATPase replaced, its rest kept (shared)."""
    output = tmp_path_factory.mktemp("rbc") / "rbc.xml"
    return pl.compose(
        "red_cell", HOLZHUETTER, RBC_LINKS, output, replace=("vATPase",), keep_rest=True
    )


def test_compose_writes_five_files_named_after_the_output(holzhuetter: pl.Composition) -> None:
    """OUT.xml, OUT_cell.xml, OUT_pathway.xml, OUT_flat.xml and OUT_ids.json exist."""
    folder = holzhuetter.hierarchical.parent
    assert sorted(path.name for path in folder.iterdir()) == [
        "rbc.xml",
        "rbc_cell.xml",
        "rbc_flat.xml",
        "rbc_ids.json",
        "rbc_pathway.xml",
    ]
    assert json.loads(holzhuetter.id_map.read_text(encoding="utf-8")) == dict(holzhuetter.ids)


def test_compose_conversion_factors_follow_from_the_units(holzhuetter: pl.Composition) -> None:
    """Time: 3600 s per h; extent and volume: V0 per 1 (relabelled) pL of pathway; mM: 1."""
    assert holzhuetter.factors["pathway_time_factor"] == 3600.0
    assert holzhuetter.factors["pathway_volume_factor"] == pytest.approx(V0, rel=ARITHMETIC)
    assert holzhuetter.factors["pathway_extent_factor"] == pytest.approx(V0, rel=ARITHMETIC)
    assert holzhuetter.factors["pathway_concentration_factor"] == 1.0


def test_compose_id_map_points_at_the_flat_model(holzhuetter: pl.Composition) -> None:
    """Every mapped id exists in the flat model; links, the volume and deletions map as designed."""
    document = libsbml.readSBMLFromFile(str(holzhuetter.flat))
    model = document.getModel()
    ids = holzhuetter.ids
    assert all(model.getElementBySId(flat) is not None for flat in ids.values() if flat)
    assert ids["cell/ATP_i"] == ids["pathway/MgATP"] == "MgATP"
    assert ids["cell/Pi_i"] == ids["pathway/Phi"] == "Phi"
    assert ids["cell/cell"] == ids["pathway/compartment"] == "shared_volume"
    assert ids["cell/Na_i"] == "cell__Na_i"
    assert ids["pathway/Glc6P"] == "pathway__Glc6P"
    assert ids["pathway/Glcout"] == "Glcout"  # moved to the fixed compartment
    assert ids["pathway/vATPase"] is None
    assert model.getSpecies("Glcout").getCompartment() == "pathway_boundary"


def test_compose_counts_and_flattens_every_reaction(holzhuetter: pl.Composition) -> None:
    """4 cell + 38 pathway reactions - vATPase + vATPase_rest = 42, in the flat file too."""
    model_document = libsbml.readSBMLFromFile(str(holzhuetter.flat))  # owns the model (SWIG)
    model = model_document.getModel()
    assert holzhuetter.reactions == 42
    assert model.getNumReactions() == 42
    assert model.getReaction("vATPase_rest") is not None
    assert model.getReaction("pathway__vATPase") is None


def test_pathway_copy_is_level3_and_simulates_like_the_original(
    holzhuetter: pl.Composition,
) -> None:
    """The relabelled L3V2 copy runs exactly like BIOMD0000000070 (mmol -> fmol, L -> pL).

    Same equations and numbers, only the unit labels differ: the trajectories agree to the
    integrator's tolerance (rel 1e-10; compared at 1e-8).
    """
    copy = libsbml.readSBMLFromFile(str(holzhuetter.modules[1]))
    assert (copy.getLevel(), copy.getVersion()) == (3, 2)
    columns = ["time", "[MgATP]", "[Glc6P]", "[GSH]", "[Lac]"]
    runs = []
    for text in (holzhuetter.modules[1].read_text(encoding="utf-8"), HOLZHUETTER.read_text()):
        runner = roadrunner.RoadRunner(text)
        runner.integrator.setValue("relative_tolerance", 1e-10)
        runs.append(runner.simulate(0.0, 100.0, 11, columns))
    assert runs[0] == pytest.approx(runs[1], rel=1e-8)


def test_composed_flat_model_adds_no_validation_issue(holzhuetter: pl.Composition) -> None:
    """The libsbml checks (strict units) and the scale check find nothing new."""
    flat = holzhuetter.flat.read_text(encoding="utf-8")
    pathway = holzhuetter.modules[1].read_text(encoding="utf-8")
    assert composition_issues(flat, pathway) == []


# --- what the links and the volume modes mean ----------------------------------------------------


@pytest.mark.parametrize("volume", ["shared", "separate"])
def test_linked_values_are_converted_from_molar(tmp_path: Path, volume: str) -> None:
    """Linked species in M enter at 1000 times their value in mM (comp conversion factor)."""
    pathway = molar_pathway(tmp_path)
    result = pl.compose("red_cell", pathway, MOLAR_LINKS, tmp_path / "m.xml", volume=volume)
    assert result.factors["pathway_concentration_factor_1000_0"] == 1000.0
    assert result.factors["pathway_time_factor"] == 3600.0
    runner = runner_of(result.flat)
    assert runner["[ATPm]"] == pytest.approx(1.5, rel=ARITHMETIC)
    assert runner["[Pim]"] == pytest.approx(1.0, rel=ARITHMETIC)
    # Shared: the boundary glucose moves to the fixed compartment, converted to mM; separate:
    # it stays in the pathway's own compartment, in the pathway's unit (M).
    glucose = runner[f"[{result.ids['pathway/Glc']}]"]
    assert glucose == pytest.approx(5.0 if volume == "shared" else 0.005, rel=ARITHMETIC)


def test_pump_hydrolyses_one_linked_atp_per_cycle(tmp_path: Path) -> None:
    """d[ATP]/dt = regeneration - J_pump/V at t = 0, each term from its own formula.

    Regeneration is the pathway's k [ADP][Pi] (100 /(M h)) in M/h, times 1000/3600 for mM/s;
    the pump takes one ATP per cycle: J_pump (fmol/s) / V (pL) in mM/s.
    """
    result = pl.compose("red_cell", molar_pathway(tmp_path), MOLAR_LINKS, tmp_path / "m.xml")
    runner = runner_of(result.flat)
    values = runner.getRatesOfChange()
    rates = {runner.model.getStateVectorId(i): float(v) for i, v in enumerate(values)}
    volume = runner["shared_volume"]
    regeneration = 100.0 * 0.0002 * 0.001 * 1000.0 / 3600.0  # mM/s
    pump = runner["cell__J_pump"] / volume  # mM/s
    # RoadRunner's rates are amounts (fmol/s); at t = 0 the volume is not changing (the red
    # cell starts isotonic), so d[x]/dt = d(amount)/dt / V.
    assert rates["ATPm"] / volume == pytest.approx(regeneration - pump, rel=1e-9)
    assert rates["ADPm"] / volume == pytest.approx(pump - regeneration, rel=1e-9)
    assert rates["Pim"] / volume == pytest.approx(pump - regeneration, rel=1e-9)


@pytest.mark.parametrize("volume", ["shared", "separate"])
def test_swelling_dilutes_metabolites_only_in_a_shared_volume(tmp_path: Path, volume: str) -> None:
    """Pump off, the volume changes: ([ATP] + [ADP]) V holds if shared, [ATP] + [ADP] if not.

    The pathway only turns ADP into ATP, so their sum is conserved in the pathway's volume;
    the moved boundary glucose keeps its concentration in both modes.
    """
    result = pl.compose(
        "red_cell", molar_pathway(tmp_path), MOLAR_LINKS, tmp_path / "m.xml", volume=volume
    )
    runner = runner_of(result.flat)
    runner["cell__I_pump_max"] = 0.0
    cell_volume = "shared_volume" if volume == "shared" else "cell__cell"
    pool_volume = "shared_volume" if volume == "shared" else "pathway_volume"
    before = (runner["[ATPm]"] + runner["[ADPm]"]) * runner[pool_volume]
    start_volume = runner[cell_volume]
    runner.simulate(0.0, 2e5, 2)
    # Pump off, the red cell first shrinks (KCl leaves faster than NaCl enters), then swells.
    assert abs(runner[cell_volume] / start_volume - 1) > 0.1
    after = (runner["[ATPm]"] + runner["[ADPm]"]) * runner[pool_volume]
    assert after == pytest.approx(before, rel=1e-8)  # CVODE at rel 1e-10 over 2e5 s
    assert runner[pool_volume] == (runner[cell_volume] if volume == "shared" else start_volume)
    glucose = runner[f"[{result.ids['pathway/Glc']}]"]
    assert glucose == pytest.approx(5.0 if volume == "shared" else 0.005, rel=1e-12)


def test_top_model_is_annotated(holzhuetter: pl.Composition) -> None:
    """The top model has notes, a creator and MIRIAM provenance; its elements, names and SBO.

    Provenance: bqmodel:isDerivedFrom the pathway's BioModels entry.
    """
    document = libsbml.readSBMLFromFile(str(holzhuetter.hierarchical))
    model = document.getModel()
    assert model.isSetNotes()
    assert model.getModelHistory().getNumCreators() == 1
    derived = [
        term.getResourceURI(i)
        for term in model.getCVTerms()
        if term.getModelQualifierType() == libsbml.BQM_IS_DERIVED_FROM
        for i in range(term.getNumResources())
    ]
    assert any("BIOMD0000000070" in uri for uri in derived)
    elements = [
        *model.getListOfCompartments(),
        *model.getListOfSpecies(),
        *model.getListOfParameters(),
        *model.getListOfReactions(),
    ]
    assert elements
    for element in elements:
        assert element.isSetSBOTerm(), element.getId()
        assert element.getName(), element.getId()
