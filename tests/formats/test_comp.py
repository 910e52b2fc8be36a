# SPDX-License-Identifier: MIT
"""The sbml-comp export: every model as a module with ports that others can compose."""

from __future__ import annotations

from pathlib import Path

import libsbml
import numpy as np
import pytest
from same_model import SAME_MODEL_TOLERANCE, tightened

import pumpleak_sbml as pl
from pumpleak_sbml.formats import export
from pumpleak_sbml.formats.sbml_comp import flatten
from pumpleak_sbml.identifiers import PORTS
from pumpleak_sbml.simulation import load, run_time_course


def _ports(text: str) -> dict[str, str]:
    document = libsbml.readSBMLFromString(text)
    plugin = document.getModel().getPlugin("comp")
    return {
        plugin.getPort(i).getIdRef(): plugin.getPort(i).getId() for i in range(plugin.getNumPorts())
    }


@pytest.mark.parametrize("name", pl.list_models())
def test_comp_export_exposes_a_port_for_every_contract_element_it_has(name: str) -> None:
    """Ports: exactly the ion pools, Vm, pump and volume ids it has, and its settable parameters."""
    text = export(name, "sbml-comp")
    model_document = libsbml.readSBMLFromString(pl.to_sbml(name))  # owns the model (SWIG)
    model = model_document.getModel()
    expected = {element for element, _ in PORTS if model.getElementBySId(element) is not None}
    expected |= {sid for sid in pl.parameters(name) if model.getParameter(sid) is not None}
    assert set(_ports(text)) == expected
    assert {"Vm", "cell"} <= expected or {"dp", "vesicle"} <= expected


@pytest.mark.parametrize("name", pl.list_models())
def test_comp_export_validates_and_flattens_to_the_same_dynamics(name: str) -> None:
    """The module validates, and flattened again it simulates exactly like the original."""
    text = export(name, "sbml-comp")
    document = libsbml.readSBMLFromString(text)
    document.checkConsistency()
    assert document.getNumErrors(libsbml.LIBSBML_SEV_ERROR) == 0
    assert document.getPackageRequired("comp")
    original = pl.to_sbml(name)
    flat = flatten(text, name)
    end = 10.0 if name == "proton_vesicle" else 1e4
    reference = run_time_course(tightened(load(original, name)), name, end, 21, units={})
    flattened = run_time_course(tightened(load(flat, name)), name, end, 21, units={})
    for column in ("cell", "vesicle", "Vm", "dp", "conc_K_i", "conc_Na_i"):
        if column in reference.columns:
            scale = np.max(np.abs(reference[column]))
            difference = np.max(np.abs(flattened[column] - reference[column]))
            assert difference <= SAME_MODEL_TOLERANCE * scale, column


def test_comp_module_composes_into_a_parent_model(tmp_path: Path) -> None:
    """A parent instantiating the module from a file flattens to pump_leak's dynamics."""
    module_file = tmp_path / "pump_leak_module.xml"
    module_file.write_text(export("pump_leak", "sbml-comp"), encoding="utf-8")
    namespaces = libsbml.SBMLNamespaces(3, 2, "comp", 1)
    parent = libsbml.SBMLDocument(namespaces)
    parent.setPackageRequired("comp", True)
    external = parent.getPlugin("comp").createExternalModelDefinition()
    external.setId("pump_leak_module")
    external.setSource(module_file.name)
    external.setModelRef("pump_leak")
    model = parent.createModel()
    model.setId("tissue")
    submodel = model.getPlugin("comp").createSubmodel()
    submodel.setId("cell1")
    submodel.setModelRef("pump_leak_module")
    flat = flatten(libsbml.writeSBMLToString(parent), "tissue", base=tmp_path)
    flat_document = libsbml.readSBMLFromString(flat)  # owns the model: keep it alive (SWIG)
    flat_model = flat_document.getModel()
    # libroadrunner 2.10 would load an unflattened comp string as an empty top model: the
    # reaction count proves the flattening really brought the cell in.
    assert flat_model.getNumReactions() == 4
    state = pl.steady_state("pump_leak")
    runner = load(flat, "tissue")
    runner.steadyState()
    assert runner["cell1__Vm"] == pytest.approx(state["Vm"], rel=1e-9)
    assert runner["cell1__conc_K_i"] == pytest.approx(state["conc_K_i"], rel=1e-9)


def test_event_times_survive_importing_libsedml() -> None:
    """Scenario event times are still found after libsedml is imported.

    Importing libsedml breaks libsbml's ASTNode.getType() enum; our trigger parsing must not
    depend on it.
    """
    import libsedml  # noqa: F401  (the import itself is the point)

    from pumpleak_sbml.sbml_document import document_facts

    assert [t for t, _ in document_facts(pl.to_sbml("hydropic_change")).events] == [1000.0]
    with pytest.raises(pl.SteadyStateNotFoundError, match="after the scenario's last event"):
        pl.steady_state("hydropic_change", after_events=True)
