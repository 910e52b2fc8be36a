# SPDX-License-Identifier: MIT
"""The COPASI-ready export: the same model in aL and zmol, solved by COPASI's defaults.

``sbml-copasi`` writes the cell's volume in aL and its amounts in zmol (a pure change of
units: every concentration keeps its number in mM) and, where the leaks are GHK, Vm in the
current-balance form. Three claims, each against physics or an independent solver:

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
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import libsbml
import numpy as np
import pytest
import roadrunner
from same_model import SAME_MODEL_TOLERANCE, tightened

import pumpleak_sbml as pl
from pumpleak_sbml.formats import export
from pumpleak_sbml.portable import current_balance, volume_in_attolitres
from pumpleak_sbml.sbml_document import without_events
from pumpleak_sbml.validation import validate_sbml

_SPECS = sorted((Path(__file__).resolve().parents[2] / "models" / "specs").glob("*.toml"))
LIBRARY = pl.list_models()
MODELS: list[str | Path] = [*LIBRARY, *_SPECS]
MODEL_IDS = [*LIBRARY, *(f"spec-{path.stem}" for path in _SPECS)]
GHK = {"pump_leak_ghk", "spec-pump_leak_ghk"}
PL_PER_AL = 1e-6  # 1 aL = 1e-18 L = 1e-6 pL
POTENTIAL_TOLERANCE = 1e-7
STEADY_STATE_TOLERANCE = 1e-8
NOT_SOLVED = {
    "proton_vesicle": "its steady state has a negative H_i amount by design (dpsi drives H+ "
    "out); COPASI refuses negative concentrations unless told to accept them (out of scope)",
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
    """Model defaults, the cell and its species are in aL and zmol; Vm a state iff GHK leaks."""
    document = libsbml.readSBMLFromString(str(export(model, "sbml-copasi")))
    sbml_model = document.getModel()
    volume = _volume_id(model)
    assert (sbml_model.getVolumeUnits(), sbml_model.getSubstanceUnits()) == ("aL", "zmol")
    assert sbml_model.getExtentUnits() == "zmol"
    assert sbml_model.getCompartment(volume).getUnits() == "aL"
    inside = [s for s in sbml_model.getListOfSpecies() if s.getCompartment() == volume]
    assert inside
    amounts = [s for s in inside if s.getHasOnlySubstanceUnits()]
    assert all(s.getSubstanceUnits() == "zmol" for s in amounts)
    potential = "dpsi" if model == "proton_vesicle" else "Vm"
    model_id = model if isinstance(model, str) else f"spec-{model.stem}"
    assert (sbml_model.getRateRule(potential) is not None) == (model_id in GHK)


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


def test_copasi_ready_export_is_the_rescaled_current_balance_form_for_ghk() -> None:
    """For a GHK cell the export is exactly current-balance, then aL and zmol."""
    expected = volume_in_attolitres(
        current_balance(pl.to_sbml("pump_leak_ghk"), "pump_leak_ghk"), "pump_leak_ghk"
    )
    assert export("pump_leak_ghk", "sbml-copasi") == expected


def test_copasi_ready_refuses_a_model_whose_ids_it_would_overwrite() -> None:
    """A model that already has the conversion constant's id is refused in one line."""
    document = libsbml.readSBMLFromString(pl.to_sbml("pump_leak"))
    parameter = document.getModel().createParameter()
    parameter.setId("pL_per_aL")
    parameter.setConstant(True)
    parameter.setValue(1.0)
    parameter.setUnits("dimensionless")
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
    """Run basico's default steady-state task; return its code and sizes/concentrations.

    Concentrations are particle numbers / (quantity-to-number factor * compartment size), in
    the model's substance per volume unit (zmol/aL = mM in the export; fmol/pL = mM before).
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
    """COPASI's default task finds our engine's steady state (1e-8), scenarios without events."""
    code, values = _copasi_steady_state(without_events(str(export(model, "sbml-copasi"))), tmp_path)
    assert code in (1, 2)  # CSteadyStateMethod: found, or found an equilibrium (no fluxes)
    reference = pl.steady_state(model)
    assert values["cell"] * PL_PER_AL == pytest.approx(
        reference["cell"], rel=STEADY_STATE_TOLERANCE
    )
    document = libsbml.readSBMLFromString(pl.to_sbml(model))
    inside = [
        species.getId()
        for species in document.getModel().getListOfSpecies()
        if species.getCompartment() == "cell"
    ]
    for species in inside:
        assert values[species] == pytest.approx(
            reference[f"[{species}]"], rel=STEADY_STATE_TOLERANCE
        ), species


def test_copasi_defaults_refuse_the_plain_sbml(tmp_path: Path) -> None:
    """The control: on the plain SBML (pL, fmol) the same task finds no steady state (issue 8)."""
    code, _ = _copasi_steady_state(pl.to_sbml("pump_leak"), tmp_path)
    assert code == 0
