# SPDX-License-Identifier: MIT
"""The current-balance export: the same model, with Vm a state, at ordinary tolerances.

``sbml-current-balance`` makes Vm a state (C dVm/dt = net charge flux) and computes one ion
from charge conservation. It must be the same model: RoadRunner runs of both forms at rtol
1e-12 agree (1e-6 of each quantity's largest magnitude, on a grid that resolves the 16 ms
charging transient; measured 1e-7, the charge-difference run's own error there), and our
steady-state engine finds the same steady states (1e-9; measured 1e-12). Its point is that
it needs only ordinary tolerances: at rtol 1e-6 it stays within 1e-4 of the reference
(measured <= 3e-5), where the charge-difference form is off by more than 1e-3 (measured 2e-2).
"""

from __future__ import annotations

from pathlib import Path

import libsbml
import numpy as np
import pytest
import roadrunner
from sbml_edits import add_timed_event

import pumpleak_sbml as pl
from pumpleak_sbml.formats import export
from pumpleak_sbml.portable import current_balance

_SPECS = sorted((Path(__file__).resolve().parents[2] / "models" / "specs").glob("*.toml"))
LIBRARY = pl.list_models()
MODELS: list[str | Path] = [*LIBRARY, *_SPECS]
MODEL_IDS = [*LIBRARY, *(f"spec-{path.stem}" for path in _SPECS)]
CELLS = [m for m in MODELS if m != "proton_vesicle"]
CELL_IDS = [i for m, i in zip(MODELS, MODEL_IDS, strict=True) if m != "proton_vesicle"]
COMPARED = ("Vm", "conc_Na_i", "conc_K_i", "conc_Cl_i")
SAME_MODEL = 1e-6
ORDINARY = 1e-4


def _times(model: str | Path) -> np.ndarray:
    """Resolve the charging transient (ms) and the volume's relaxation (hours)."""
    end = 10.0 if model == "proton_vesicle" else 1e4
    return np.unique(np.concatenate([[0.0], np.logspace(-5, np.log10(end), 121)]))


def _run(sbml: str, times: np.ndarray, columns: list[str], rtol: float) -> np.ndarray:
    runner = roadrunner.RoadRunner(sbml)
    runner.integrator.setValue("relative_tolerance", rtol)
    runner.integrator.setValue("absolute_tolerance", rtol * 1e-4)
    runner.integrator.setValue("maximum_num_steps", 10**6)
    runner.selections = ["time", *columns]
    return np.asarray(runner.simulate(times=list(times)))[:, 1:]


def _difference(found: np.ndarray, reference: np.ndarray) -> float:
    """Largest difference of each column relative to its largest magnitude, over columns."""
    return float(
        np.max(np.max(np.abs(found - reference), axis=0) / np.max(np.abs(reference), axis=0))
    )


def _columns(model: str | Path) -> list[str]:
    return ["dpsi", "pH_i"] if model == "proton_vesicle" else [*COMPARED, "cell"]


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_current_balance_makes_the_potential_a_state_and_one_ion_derived(
    model: str | Path,
) -> None:
    """Vm (dpsi) has a rate rule and its start; Cl_i (H_i) is a boundary species with a rule."""
    document = libsbml.readSBMLFromString(str(export(model, "sbml-current-balance")))
    sbml_model = document.getModel()
    potential, ion = ("dpsi", "H_i") if model == "proton_vesicle" else ("Vm", "Cl_i")
    assert sbml_model.getRateRule(potential) is not None
    assert sbml_model.getInitialAssignmentBySymbol(potential) is not None
    assert sbml_model.getAssignmentRule(ion) is not None
    assert sbml_model.getSpecies(ion).getBoundaryCondition()
    assert sbml_model.getInitialAssignmentBySymbol(ion) is None
    assert sbml_model.getParameter(f"{ion}_start") is not None


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_current_balance_is_the_same_model(model: str | Path) -> None:
    """At rtol 1e-12 both forms give the same time course, events included (to 1e-6)."""
    times = _times(model)
    columns = _columns(model)
    reference = _run(pl.to_sbml(model), times, columns, 1e-12)
    found = _run(str(export(model, "sbml-current-balance")), times, columns, 1e-12)
    assert _difference(found, reference) <= SAME_MODEL


@pytest.mark.parametrize("model", CELLS, ids=CELL_IDS)
def test_current_balance_needs_only_ordinary_tolerances(model: str | Path) -> None:
    """At rtol 1e-6: current-balance within 1e-4 of the reference; charge-difference not."""
    times = _times(model)
    columns = _columns(model)
    sbml = pl.to_sbml(model)
    reference = _run(sbml, times, columns, 1e-12)
    ordinary = _run(str(export(model, "sbml-current-balance")), times, columns, 1e-6)
    charge_difference = _run(sbml, times, columns, 1e-6)
    assert _difference(ordinary, reference) <= ORDINARY
    assert _difference(charge_difference, reference) > 10 * ORDINARY


@pytest.mark.parametrize(
    "model",
    [
        "pump_leak",
        "pump_leak_ghk",
        "donnan_rigid",
        "hydropic_change",
        *(pytest.param(spec, id=f"spec-{spec.stem}") for spec in _SPECS),
    ],
)
def test_current_balance_has_the_same_steady_state(model: str | Path, tmp_path: Path) -> None:
    """Our engine finds the same steady state in both forms (to 1e-9), Vm a signed state."""
    path = tmp_path / "model.xml"
    path.write_text(str(export(model, "sbml-current-balance")), encoding="utf-8")
    original = pl.steady_state(model)
    balanced = pl.steady_state(path)
    assert balanced.states[-1] == "Vm"
    for quantity in (*COMPARED, "cell"):
        if quantity in original.values:
            assert balanced[quantity] == pytest.approx(original[quantity], rel=1e-9)


def test_current_balance_scenario_gives_the_same_answer_after_its_events(tmp_path: Path) -> None:
    """After hydropic_change's pump block neither form has a steady state: Donnan swelling.

    The balanced form starts that search with Vm a state at about -74 mV.
    """
    path = tmp_path / "model.xml"
    path.write_text(str(export("hydropic_change", "sbml-current-balance")), encoding="utf-8")
    for model in ("hydropic_change", path):
        with pytest.raises(pl.SteadyStateNotFoundError, match="Donnan swelling"):
            pl.steady_state(model, after_events=True)


def test_current_balance_event_that_adds_charge_carriers_also_sets_vm() -> None:
    """impermeant_load's event adds X_i and K_i, so it also sets Vm (to its charge value)."""
    document = libsbml.readSBMLFromString(str(export("impermeant_load", "sbml-current-balance")))
    event = document.getModel().getEvent("E_load")
    assert [a.getVariable() for a in event.getListOfEventAssignments()] == ["X_i", "K_i", "Vm"]


def test_current_balance_refuses_an_event_that_sets_the_derived_ion() -> None:
    """An event setting Cl_i cannot be kept: Cl_i follows from charge conservation."""
    document = libsbml.readSBMLFromString(pl.to_sbml("pump_leak"))
    model = document.getModel()
    add_timed_event(model, "time >= 10 second", "Cl_i", "Cl_i", event_id="E_chloride")
    with pytest.raises(pl.ExportError, match="E_chloride sets Cl_i"):
        current_balance(libsbml.writeSBMLToString(document), "pump_leak")


def test_current_balance_in_myokit_at_ordinary_tolerances(tmp_path: Path) -> None:
    """Myokit (CVODE rtol 1e-6) on the current-balance form is within 1e-4 of the reference."""
    from pumpleak_sbml import frameworks

    path = tmp_path / "pump_leak_ghk.xml"
    path.write_text(str(export("pump_leak_ghk", "sbml-current-balance")), encoding="utf-8")
    times = _times("pump_leak_ghk")
    try:
        run = frameworks.run_myokit(pl.resolve(path), times, ["Vm"], rtol=1e-6, atol=1e-10)
    except frameworks.ToolUnavailableError as err:
        pytest.skip(str(err))
    reference = _run(pl.to_sbml("pump_leak_ghk"), times, ["Vm"], 1e-12)[:, 0]
    found = run.values["Vm"]
    assert np.max(np.abs(found - reference)) <= ORDINARY * np.max(np.abs(reference))
