# SPDX-License-Identifier: MIT
"""The COPASI-ready export: the same model in aL and zmol, solved by COPASI's defaults.

``sbml-copasi`` writes the cell's volume in aL and its amounts in zmol (a pure change of
units: every concentration keeps its number in mM) and, where the leaks are GHK, Vm in the
current-balance form, integrated in uV. Three claims, each against physics or an independent
solver:

- it is valid SBML under strict unit checks, scale included (0 errors, 0 warnings);
- it is the same model: RoadRunner at rtol 1e-12 gives the same volume (1e-6 of the aL
  number in pL) and concentrations to 1e-9 at every point of a grid that resolves the 16 ms
  charging transient (tests/same_model.py explains 1e-9). Vm, to 1e-7 of its largest
  magnitude: in the charge-difference form it is a difference of amounts ~1e5 times larger
  than the charge, and in the current-balance form it follows the fast charging transient,
  so two integrations of the same equations in different units at rtol 1e-12 give Vm to a
  few 1e-9 of its range (measured 8e-9 for donnan_swelling, 2e-9 for pump_leak_ghk in the
  current-balance form); a lost conversion factor shows at 1e-6 or far more;
- COPASI's default steady-state task (Enhanced Newton, resolution 1e-9, "Distance and
  Rate") finds the steady state our engine certifies, to 1e-8 in volume and concentrations,
  on every library cell that has one, where on the plain SBML it finds none.

A species that is negative at the certified steady state (proton_vesicle's H_i, the lumenal
H+ gained since the start) is written as its deficit ``H_i_deficit = -H_i``, because COPASI
refuses a negative species; H_i stays, as an assignment rule. That rewrite is checked the
same way (RoadRunner: the same H_i, dpsi and pH_i, through an initial assignment and an
event), and against the vesicle's closed form: at steady state pump and leak currents
balance, dp = I_pump / G_H exactly.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

import libsbml
import numpy as np
import pytest
import roadrunner
import strategies
from hypothesis import given, note, settings
from same_model import SAME_MODEL_TOLERANCE, tightened
from sbml_edits import add_constant, add_timed_event

import pumpleak_sbml as pl
from pumpleak_sbml.formats import export
from pumpleak_sbml.portable import (
    copasi_ready,
    current_balance,
    negative_species_as_deficits,
    potential_in_microvolts,
    volume_in_attolitres,
)
from pumpleak_sbml.sbml_document import without_events
from pumpleak_sbml.validation import validate_sbml

_SPECS = sorted((Path(__file__).resolve().parents[2] / "models" / "specs").glob("*.toml"))
LIBRARY = pl.list_models()
MODELS: list[str | Path] = [*LIBRARY, *_SPECS]
MODEL_IDS = [*LIBRARY, *(f"spec-{path.stem}" for path in _SPECS)]
GHK = {"pump_leak_ghk", "spec-pump_leak_ghk"}
PL_PER_AL = 1e-6  # 1 aL = 1e-18 L = 1e-6 pL
FMOL_PER_ZMOL = 1e-6
POTENTIAL_TOLERANCE = 1e-7
STEADY_STATE_TOLERANCE = 1e-8
NOT_SOLVED = {
    "donnan_swelling": "it has no finite steady state (Donnan swelling, no pump), as "
    "pl.steady_state reports",
}


def _volume_id(model: str | Path) -> str:
    return "vesicle" if model == "proton_vesicle" else "cell"


def _times(model: str | Path) -> np.ndarray:
    end = 10.0 if model == "proton_vesicle" else 1e4
    return np.unique(np.concatenate([[0.0], np.logspace(-5, np.log10(end), 121)]))


def _run(sbml: str, times: np.ndarray, columns: list[str]) -> np.ndarray:
    runner = tightened(roadrunner.RoadRunner(sbml))
    runner.integrator.setValue("maximum_num_steps", 10**6)
    runner.selections = ["time", *columns]
    return np.asarray(runner.simulate(times=list(times)))[:, 1:]


def _concentrations(sbml: str) -> list[str]:
    document = libsbml.readSBMLFromString(sbml)
    model = document.getModel()
    return [
        f"conc_{species.getId()}"
        for species in model.getListOfSpecies()
        if model.getAssignmentRule(f"conc_{species.getId()}") is not None
    ]


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_copasi_ready_export_passes_strict_unit_validation(model: str | Path) -> None:
    """The export and the rescaled charge-difference form: 0 errors, 0 warnings (scale too)."""
    for text in (str(export(model, "sbml-copasi")), volume_in_attolitres(pl.to_sbml(model), "m")):
        report = validate_sbml(text)
        assert report.ok, report.format()


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_copasi_ready_export_uses_al_and_zmol(model: str | Path) -> None:
    """Every compartment in aL, the cell's amounts in zmol; a state in uV for Vm iff GHK."""
    document = libsbml.readSBMLFromString(str(export(model, "sbml-copasi")))
    sbml_model = document.getModel()
    volume = _volume_id(model)
    assert (sbml_model.getVolumeUnits(), sbml_model.getSubstanceUnits()) == ("aL", "zmol")
    assert sbml_model.getExtentUnits() == "zmol"
    assert sbml_model.getCompartment(volume).getUnits() == "aL"
    assert {c.getUnits() for c in sbml_model.getListOfCompartments()} == {"aL"}
    inside = [s for s in sbml_model.getListOfSpecies() if s.getCompartment() == volume]
    assert inside
    amounts = [s for s in inside if s.getHasOnlySubstanceUnits()]
    assert all(s.getSubstanceUnits() == "zmol" for s in amounts)
    potential = "dpsi" if model == "proton_vesicle" else "Vm"
    model_id = model if isinstance(model, str) else f"spec-{model.stem}"
    assert (sbml_model.getRateRule(f"{potential}_uV") is not None) == (model_id in GHK)
    assert sbml_model.getAssignmentRule(potential) is not None  # read in mV in every form


def _forms() -> list[Any]:
    cases = []
    for model, model_id in zip(MODELS, MODEL_IDS, strict=True):
        cases.append(pytest.param(model, "charge-difference", id=f"{model_id}-charge-difference"))
        if model_id in GHK:
            cases.append(pytest.param(model, "current-balance", id=f"{model_id}-current-balance"))
    return cases


@pytest.mark.parametrize(("model", "form"), _forms())
def test_copasi_ready_rescaling_is_the_same_model(model: str | Path, form: str) -> None:
    """RoadRunner, rtol 1e-12, 0..1e4 s: the aL volume is 1e6 x the pL one, mM unchanged."""
    reference_sbml = pl.to_sbml(model)
    if form == "current-balance":
        reference_sbml = current_balance(reference_sbml, "m")
    found_sbml = volume_in_attolitres(reference_sbml, "m")
    times = _times(model)
    volume = _volume_id(model)
    columns = [volume, *_concentrations(reference_sbml)]
    reference = _run(reference_sbml, times, columns)
    found = _run(found_sbml, times, columns)
    found[:, 0] *= PL_PER_AL
    np.testing.assert_allclose(found, reference, rtol=SAME_MODEL_TOLERANCE, atol=0)
    potential = "dpsi" if model == "proton_vesicle" else "Vm"
    found_potential = _run(found_sbml, times, [potential])[:, 0]
    reference_potential = _run(reference_sbml, times, [potential])[:, 0]
    largest = np.max(np.abs(reference_potential))
    assert np.max(np.abs(found_potential - reference_potential)) <= POTENTIAL_TOLERANCE * largest


def _rescaled_current_balance(model: str | Path | dict[str, Any]) -> str:
    """Return the current-balance form (Vm a state in mV) in aL, before the uV step."""
    name = "m"
    return volume_in_attolitres(current_balance(pl.to_sbml(model), name), name)


def test_copasi_ready_export_is_the_rescaled_current_balance_form_for_ghk() -> None:
    """For a GHK cell the export is exactly current-balance, then aL and zmol, then Vm in uV."""
    name = "pump_leak_ghk"
    expected = potential_in_microvolts(
        volume_in_attolitres(current_balance(pl.to_sbml(name), name), name), name
    )
    assert export(name, "sbml-copasi") == expected


def test_the_potential_in_microvolts_is_the_same_model() -> None:
    """pump_leak_ghk, RoadRunner rtol 1e-12, 0..1e4 s: Vm (mV) and mM as with Vm in mV.

    Vm to 1e-7 of its range (the tolerance of the rescaling test above), the rest to 1e-9; a
    lost factor 1e3 shows at order 1.
    """
    reference_sbml = _rescaled_current_balance("pump_leak_ghk")
    found_sbml = str(export("pump_leak_ghk", "sbml-copasi"))
    times = _times("pump_leak_ghk")
    columns = ["cell", *_concentrations(reference_sbml)]
    reference, found = _run(reference_sbml, times, columns), _run(found_sbml, times, columns)
    np.testing.assert_allclose(found, reference, rtol=SAME_MODEL_TOLERANCE, atol=0)
    reference_vm = _run(reference_sbml, times, ["Vm"])[:, 0]
    found_vm = _run(found_sbml, times, ["Vm"])[:, 0]
    largest = np.max(np.abs(reference_vm))
    assert np.max(np.abs(found_vm - reference_vm)) <= POTENTIAL_TOLERANCE * largest


def test_a_model_without_a_potential_state_is_refused_by_the_microvolt_step() -> None:
    """pump_leak's Vm is an assignment (charge difference): nothing to restate, one line."""
    with pytest.raises(
        pl.ExportError, match=r"^pump_leak: no membrane potential is a state \(a rate rule\)$"
    ):
        potential_in_microvolts(pl.to_sbml("pump_leak"), "pump_leak")


def test_ghk_leaks_are_found_by_their_exponential_not_by_their_names() -> None:
    """pump_leak_ghk with its permeabilities renamed still gets Vm as a state (a rate rule)."""
    # In the text: libsbml's element lists come back as None once libsedml is imported.
    sbml = re.sub(r"\bP_(Na|K|Cl)\b", r"permeability_\1", pl.to_sbml("pump_leak_ghk"))
    document = libsbml.readSBMLFromString(copasi_ready(sbml, "renamed"))  # owns the model
    renamed = document.getModel()
    assert renamed.getParameter("permeability_Na") is not None
    assert renamed.getParameter("P_Na") is None
    assert renamed.getRateRule("Vm_uV") is not None


def test_copasi_ready_refuses_a_model_whose_ids_it_would_overwrite() -> None:
    """A model that already has the conversion constant's id is refused in one line."""
    document = libsbml.readSBMLFromString(pl.to_sbml("pump_leak"))
    add_constant(document.getModel(), "pL_per_aL", 1.0, "dimensionless")
    with pytest.raises(pl.ExportError, match=r"^pump_leak: the id pL_per_aL is taken$"):
        volume_in_attolitres(libsbml.writeSBMLToString(document), "pump_leak")


def test_copasi_ready_refuses_a_volume_set_by_an_assignment_rule() -> None:
    """A compartment whose size is an assignment rule cannot be rescaled this way."""
    document = libsbml.readSBMLFromString(pl.to_sbml("donnan_rigid"))
    model = document.getModel()
    model.getCompartment("cell").setConstant(False)
    rule = model.createAssignmentRule()
    rule.setVariable("cell")
    rule.setMath(libsbml.parseL3Formula("0.5 pL"))
    with pytest.raises(pl.ExportError, match="the size of cell is an assignment rule"):
        volume_in_attolitres(libsbml.writeSBMLToString(document), "donnan_rigid")


# --- COPASI's default steady-state task ------------------------------------------------------


def _copasi_steady_state(sbml: str, tmp_path: Path) -> tuple[int, dict[str, float]]:
    """Run basico's default steady-state task; return its code and every value by SBML id.

    Compartments give their size, global quantities their value, species their
    concentration: particle numbers / (quantity-to-number factor * compartment size), in the
    model's substance per volume unit (zmol/aL = mM in the export; fmol/pL = mM before).
    """
    basico = pytest.importorskip("basico")
    path = tmp_path / "model.xml"
    path.write_text(sbml, encoding="utf-8")
    model = basico.load_model(str(path))
    try:
        code = int(basico.run_steadystate(model=model))
        factor = model.getModel().getQuantity2NumberFactor()
        sizes = basico.get_compartments(model=model)
        size = {row.sbml_id: float(row["size"]) for _, row in sizes.iterrows()}
        values = dict(size)
        for _, row in basico.get_parameters(model=model).iterrows():
            values[row.sbml_id] = float(row["value"])
        for _, row in basico.get_species(model=model).iterrows():
            compartment = sizes.loc[row["compartment"], "sbml_id"]
            values[row.sbml_id] = float(row["particle_number"]) / factor / size[compartment]
    finally:
        basico.remove_datamodel(model)
    return code, values


def _solved_cells() -> list[Any]:
    cases = []
    for model, model_id in zip(MODELS, MODEL_IDS, strict=True):
        marks = [pytest.mark.skip(reason=NOT_SOLVED[model_id])] if model_id in NOT_SOLVED else []
        cases.append(pytest.param(model, id=model_id, marks=marks))
    return cases


@pytest.mark.parametrize("model", _solved_cells())
def test_copasi_defaults_find_the_steady_state_of_the_export(
    model: str | Path, tmp_path: Path
) -> None:
    """COPASI's default task finds our engine's steady state (1e-8), scenarios without events.

    A species written as its deficit is compared by its amount, which the export keeps as a
    quantity (zmol) under the species' id.
    """
    code, values = _copasi_steady_state(without_events(str(export(model, "sbml-copasi"))), tmp_path)
    assert code in (1, 2)  # CSteadyStateMethod: found, or found an equilibrium (no fluxes)
    reference = pl.steady_state(model)
    volume = _volume_id(model)
    document = libsbml.readSBMLFromString(pl.to_sbml(model))
    for compartment in document.getModel().getListOfCompartments():  # the medium's size too
        cid = compartment.getId()
        found_size = values[cid] * PL_PER_AL
        assert found_size == pytest.approx(reference[cid], rel=STEADY_STATE_TOLERANCE), cid
    inside = [
        species
        for species in document.getModel().getListOfSpecies()
        if species.getCompartment() == volume
    ]
    assert inside
    for species in inside:
        sid = species.getId()
        if f"{sid}_deficit" in values:
            found, expected = values[sid] * FMOL_PER_ZMOL, reference[sid]
        else:
            found, expected = values[sid], reference[f"[{sid}]"]
        assert found == pytest.approx(expected, rel=STEADY_STATE_TOLERANCE), sid


# A cell drawn by tests/strategies.py (a K+ GHK leak, a fixed pump) whose steady state
# COPASI's defaults refused with the potential integrated in mV.
GHK_CYLINDER: dict[str, Any] = {
    "name": "ghk_cylinder",
    "temperature": 313.0505859137748,
    "geometry": {"shape": "cylinder", "radius": 2.77866644396318, "length": 29.742266111718283},
    "membrane": {"capacitance": 0.8034155613288619, "water_permeability": 0.00349644478122555},
    "medium": {
        "Na": 149.90473614904667,
        "K": 7.953746997056,
        "X": 4.7325013588255365,
        "z_X": -1.0,
        "Cl": 153.1259817872771,
    },
    "cell": {
        "Na": 14.73167592044257,
        "K": 93.79159143794419,
        "z_X": -1.0427849917774958,
        "X": 95.23071778292861,
        "Cl": 9.21810409815052,
    },
    "leaks": {
        "Na": {"law": "linear", "g": 0.01396607272025487},
        "K": {"law": "ghk", "P": 7.164707235702138e-07},
        "Cl": {"law": "linear", "g": 0.010630947918228998},
    },
    "pump": {"law": "fixed", "I_max": 0.2541739112514261},
}


def test_copasi_defaults_need_the_potential_in_microvolts(tmp_path: Path) -> None:
    """With Vm a state in mV COPASI's defaults refuse this cell; in uV they find ours (1e-8)."""
    code, _ = _copasi_steady_state(_rescaled_current_balance(GHK_CYLINDER), tmp_path)
    assert code == 0
    code, values = _copasi_steady_state(str(export(GHK_CYLINDER, "sbml-copasi")), tmp_path)
    assert code == 1
    reference = pl.steady_state(GHK_CYLINDER)
    found = values["cell"] * PL_PER_AL
    assert found == pytest.approx(reference["cell"], rel=STEADY_STATE_TOLERANCE)
    assert values["Vm"] == pytest.approx(reference["Vm"], rel=STEADY_STATE_TOLERANCE)


@pytest.mark.slow
@settings(max_examples=min(settings.default.max_examples, 100))
@given(strategies.cell_specs(protocol=False))
def test_property_copasi_never_finds_another_steady_state(data: dict[str, Any]) -> None:
    """On random spec cells COPASI's defaults, when they answer, give our steady state (1e-8).

    Not every steady state is found (README: ~5-10 % of random cells, all with GHK leaks),
    but an answer is never a different state: the export keeps the steady state of every
    kind of cell the specs can describe (GHK in uV, KCC2, NKCC1, each pump law, geometry).
    """
    try:
        reference = pl.steady_state(data)
    except pl.SteadyStateNotFoundError:
        return
    with tempfile.TemporaryDirectory() as folder:
        code, values = _copasi_steady_state(str(export(data, "sbml-copasi")), Path(folder))
    note(f"COPASI's code: {code}")
    if code != 1:
        return
    assert values["cell"] * PL_PER_AL == pytest.approx(
        reference["cell"], rel=STEADY_STATE_TOLERANCE
    )
    for ion in ("Na_i", "K_i", "Cl_i", "X_i"):
        assert values[ion] == pytest.approx(reference[f"[{ion}]"], rel=STEADY_STATE_TOLERANCE)


def test_copasi_defaults_refuse_the_plain_sbml(tmp_path: Path) -> None:
    """The control: on the plain SBML (pL, fmol) the same task finds no steady state (issue 8)."""
    code, _ = _copasi_steady_state(pl.to_sbml("pump_leak"), tmp_path)
    assert code == 0


# --- a negative species written as its deficit -------------------------------------------


@pytest.mark.parametrize("pump_current", [0.05, 0.1, 0.3])
def test_copasi_finds_the_vesicle_pmf_of_the_closed_form(
    pump_current: float, tmp_path: Path
) -> None:
    """proton_vesicle: COPASI's defaults give dp = I_pump / G_H (pump and leak balance).

    The closed form is exact (the leak is ohmic in dp); COPASI's Newton resolution is 1e-9,
    so 1e-8 of dp is the tolerance. Before the deficit, COPASI refused this steady state.
    """
    sbml = str(export("proton_vesicle", "sbml-copasi", I_pump=pump_current))
    code, values = _copasi_steady_state(sbml, tmp_path)
    assert code == 1  # found (the pump and the leak carry flux: not an equilibrium)
    assert values["H_i_deficit"] > 0
    assert values["H_i"] < 0
    assert values["dp"] == pytest.approx(pump_current / values["G_H"], rel=STEADY_STATE_TOLERANCE)


def test_only_species_negative_at_the_steady_state_become_deficits() -> None:
    """A vesicle loaded alkaline (pH_i 9) gains H+ (H_i > 0): its export has no deficit."""
    assert pl.steady_state("proton_vesicle").amounts["H_i"] < 0
    assert "H_i_deficit" in str(export("proton_vesicle", "sbml-copasi"))
    assert pl.steady_state("proton_vesicle", pH_i_init=9.0).amounts["H_i"] > 0
    alkaline = str(export("proton_vesicle", "sbml-copasi", pH_i_init=9.0))
    assert alkaline == volume_in_attolitres(
        pl.to_sbml("proton_vesicle", pH_i_init=9.0), "proton_vesicle"
    )


def test_the_deficit_keeps_the_excess_as_a_quantity_with_its_annotations() -> None:
    """H_i = -H_i_deficit (SBO:0000360, isPropertyOf H+); the reactions swap their sides."""
    document = libsbml.readSBMLFromString(str(export("proton_vesicle", "sbml-copasi")))
    model = document.getModel()
    assert model.getSpecies("H_i") is None
    excess = model.getParameter("H_i")
    assert excess.getSBOTerm() == 360
    assert libsbml.formulaToL3String(model.getAssignmentRule("H_i").getMath()) == "-H_i_deficit"
    qualifiers = {
        (term.getBiologicalQualifierType(), term.getResourceURI(0)) for term in excess.getCVTerms()
    }
    assert qualifiers == {(libsbml.BQB_IS_PROPERTY_OF, "http://identifiers.org/CHEBI:15378")}
    deficit = model.getSpecies("H_i_deficit")
    assert (deficit.getCompartment(), deficit.getInitialAmount()) == ("vesicle", 0.0)
    pump, leak = model.getReaction("J_pump"), model.getReaction("J_leak")
    assert "H_i_deficit" in {r.getSpecies() for r in pump.getListOfProducts()}
    assert "H_i_deficit" in {r.getSpecies() for r in leak.getListOfReactants()}


def _kicked_vesicle() -> str:
    """proton_vesicle starting with an excess H_0 of lumenal H+, set back to H_0 at t = 1 s."""
    document = libsbml.readSBMLFromString(pl.to_sbml("proton_vesicle"))
    model = document.getModel()
    add_constant(model, "H_0", 5e-7, "fmol")
    assignment = model.createInitialAssignment()
    assignment.setSymbol("H_i")
    assignment.setMath(libsbml.parseL3Formula("H_0"))
    add_timed_event(model, "time >= 1 second", "H_i", "H_0")
    return str(libsbml.writeSBMLToString(document))


def test_the_deficit_is_the_same_model_through_a_start_and_an_event() -> None:
    """RoadRunner, rtol 1e-12, 0..10 s: H_i, dpsi, pH_i unchanged to 1e-9 (same_model.py).

    The start (+5e-7 fmol, an excess) and the event that restores it are written negated
    on the deficit; a sign lost there shows at order 1.
    """
    sbml = _kicked_vesicle()
    times = np.linspace(0.0, 10.0, 201)  # tau = C_eff / G_H ~ 1.3 s
    columns = ["H_i", "dpsi", "pH_i"]
    reference = _run(sbml, times, columns)
    found = _run(negative_species_as_deficits(sbml, "kicked", ["H_i"]), times, columns)
    assert reference[0, 0] == pytest.approx(5e-7)
    assert reference[-1, 0] < 0
    largest = np.max(np.abs(reference), axis=0)
    assert np.all(np.abs(found - reference) <= SAME_MODEL_TOLERANCE * largest)


def test_the_export_with_a_deficit_is_the_same_model() -> None:
    """The whole export of proton_vesicle: H_i (zmol -> fmol), dpsi, pH_i to 1e-9, 0..10 s."""
    times = _times("proton_vesicle")
    reference = _run(pl.to_sbml("proton_vesicle"), times, ["H_i", "dpsi", "pH_i"])
    found = _run(str(export("proton_vesicle", "sbml-copasi")), times, ["H_i", "dpsi", "pH_i"])
    found[:, 0] *= FMOL_PER_ZMOL
    largest = np.max(np.abs(reference), axis=0)
    assert np.all(np.abs(found - reference) <= SAME_MODEL_TOLERANCE * largest)


def test_a_modifier_of_the_excess_becomes_a_modifier_of_the_deficit() -> None:
    """A reaction the species only modifies names the deficit, which the export keeps."""
    document = libsbml.readSBMLFromString(pl.to_sbml("proton_vesicle"))
    document.getModel().getReaction("J_pump").createModifier().setSpecies("H_i")
    found = negative_species_as_deficits(libsbml.writeSBMLToString(document), "m", ["H_i"])
    document = libsbml.readSBMLFromString(found)  # keeps the reaction alive (SWIG)
    pump = document.getModel().getReaction("J_pump")
    assert [modifier.getSpecies() for modifier in pump.getListOfModifiers()] == ["H_i_deficit"]


@pytest.mark.parametrize(
    ("species", "error"),
    [
        ("H_o", "H_o as its deficit: it is not a species that only reactions move"),
        ("G_H", "G_H as its deficit: it is not a species that only reactions move"),
    ],
)
def test_a_deficit_is_refused_for_what_is_not_a_moved_amount(species: str, error: str) -> None:
    """A boundary species or a parameter has no deficit: one line naming it."""
    with pytest.raises(pl.ExportError, match=rf"^proton_vesicle: cannot write {error}$"):
        negative_species_as_deficits(pl.to_sbml("proton_vesicle"), "proton_vesicle", [species])


def test_a_deficit_whose_id_is_taken_is_refused() -> None:
    """The deficit's id must be free."""
    document = libsbml.readSBMLFromString(pl.to_sbml("proton_vesicle"))
    add_constant(document.getModel(), "H_i_deficit", 0.0, "fmol")
    with pytest.raises(
        pl.ExportError, match=r"^m: cannot write H_i as its deficit: the id H_i_deficit is taken$"
    ):
        negative_species_as_deficits(libsbml.writeSBMLToString(document), "m", ["H_i"])
