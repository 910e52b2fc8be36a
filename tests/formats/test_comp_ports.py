# SPDX-License-Identifier: MIT
"""Parameter ports and metaids of the sbml-comp export: what a composing model needs to replace.

Issue #9 found, wiring the module by hand: no port for any parameter, replacing ``I_pump`` (an
assignment rule) fails with libsbml 10304, and flattening fails when a replaced element with a
metaid meets a replacement without one. These tests replace through the new ports.
"""

from __future__ import annotations

from pathlib import Path

import libsbml
import pytest

import pumpleak_sbml as pl
from pumpleak_sbml.formats import export
from pumpleak_sbml.formats.sbml_comp import flatten, port_id
from pumpleak_sbml.identifiers import PORTS
from pumpleak_sbml.simulation import load


def _module(text: str) -> tuple[libsbml.SBMLDocument, libsbml.Model]:
    document = libsbml.readSBMLFromString(text)
    return document, document.getModel()


@pytest.mark.parametrize("name", ["pump_leak", "red_cell"])
def test_every_port_target_has_a_metaid_and_a_named_port(name: str) -> None:
    """Each port points at an element with a metaid; parameter ports carry its display name."""
    _document, model = _module(export(name, "sbml-comp"))  # the document owns the model
    plugin = model.getPlugin("comp")
    assert plugin.getNumPorts() > 0
    for index in range(plugin.getNumPorts()):
        port = plugin.getPort(index)
        element = model.getElementBySId(port.getIdRef())
        assert element.isSetMetaId(), port.getIdRef()
        assert port.getId() == port_id(port.getIdRef())
        if port.getIdRef() not in dict(PORTS):
            assert port.getName() == element.getName()


def test_red_cell_exposes_its_pump_metabolites_and_constants() -> None:
    """The atp pump's ATP, ADP, Pi and every constant of its law can be linked or set."""
    _, model = _module(export("red_cell", "sbml-comp"))
    plugin = model.getPlugin("comp")
    ports = {plugin.getPort(i).getId() for i in range(plugin.getNumPorts())}
    for sid in ("ATP_i", "ADP_i", "Pi_i", "I_pump_max", "K_ATP", "K_ADP", "K_Na", "K_K", "g_Na"):
        assert port_id(sid) in ports, sid


def _parent(module_file: Path, model_ref: str) -> tuple[libsbml.SBMLDocument, libsbml.Model]:
    """Return a parent document instantiating the module (submodel ``c``) from ``module_file``."""
    parent = libsbml.SBMLDocument(libsbml.SBMLNamespaces(3, 2, "comp", 1))
    parent.setPackageRequired("comp", True)
    external = parent.getPlugin("comp").createExternalModelDefinition()
    external.setId("module")
    external.setSource(module_file.name)
    external.setModelRef(model_ref)
    model = parent.createModel()
    model.setId("parent")
    definition = model.createUnitDefinition()  # uA/cm2, the unit of I_pump_max
    definition.setId("uA_per_cm2")
    for kind, exponent, scale in (
        (libsbml.UNIT_KIND_AMPERE, 1, -6),
        (libsbml.UNIT_KIND_METRE, -2, -2),
    ):
        unit = definition.createUnit()
        unit.initDefaults()
        unit.setKind(kind)
        unit.setExponent(exponent)
        unit.setScale(scale)
    submodel = model.getPlugin("comp").createSubmodel()
    submodel.setId("c")
    submodel.setModelRef("module")
    return parent, model


def test_a_parent_sets_the_pump_through_its_parameter_port(tmp_path: Path) -> None:
    """A top-level I_pump_max replacing the module's (via I_pump_max_port) drives I_pump."""
    module_file = tmp_path / "pump_leak_module.xml"
    module_file.write_text(export("pump_leak", "sbml-comp"), encoding="utf-8")
    parent, model = _parent(module_file, "pump_leak")
    replacement = model.createParameter()
    replacement.setId("pump_rate")
    replacement.setMetaId("pump_rate_meta")  # the replaced element has a metaid
    replacement.setValue(0.25)
    replacement.setUnits("uA_per_cm2")
    replacement.setConstant(True)
    replaced = replacement.getPlugin("comp").createReplacedElement()
    replaced.setSubmodelRef("c")
    replaced.setPortRef(port_id("I_pump_max"))
    text = libsbml.writeSBMLToString(parent)
    flat = flatten(text, "parent", base=tmp_path)
    runner = load(flat, "parent")
    # The fixed pump's current is its maximum: I_pump = I_pump_max, now the parent's 0.25.
    assert runner["c__I_pump"] == 0.25
    assert runner["pump_rate"] == 0.25


def test_a_parent_element_with_a_metaid_can_be_replaced_by_a_port_target(tmp_path: Path) -> None:
    """A parent compartment with a metaid, replaced by the module's cell, flattens.

    comp requires the replacement of an element with a metaid to have one (BioModels elements
    all have one); without the metaid the export gives ``cell``, this flattening fails.
    """
    module_file = tmp_path / "pump_leak_module.xml"
    module_file.write_text(export("pump_leak", "sbml-comp"), encoding="utf-8")
    parent, model = _parent(module_file, "pump_leak")
    volume = model.createCompartment()
    volume.setId("shared_volume")
    volume.setMetaId("shared_volume_meta")
    volume.setConstant(False)
    volume.setSize(1.0)
    replaced_by = volume.getPlugin("comp").createReplacedBy()
    replaced_by.setSubmodelRef("c")
    replaced_by.setPortRef(port_id("cell"))
    flat = flatten(libsbml.writeSBMLToString(parent), "parent", base=tmp_path)
    flat_document = libsbml.readSBMLFromString(flat)  # owns the model: keep it alive (SWIG)
    flat_model = flat_document.getModel()
    # libsbml keeps the parent's id for the element that replaces it (replacedBy).
    assert flat_model.getCompartment("c__cell") is None
    assert flat_model.getRuleByVariable("shared_volume").isRate()
    # The module's volume, a sphere of radius 5 um: 4/3 pi 125 um3 = 0.5236 pL (to its 10 digits).
    runner = load(flat, "parent")
    assert runner["shared_volume"] == pytest.approx(4 / 3 * 3.141592653589793 * 0.125, rel=1e-9)


def test_a_replacement_without_a_metaid_is_refused(tmp_path: Path) -> None:
    """Replacing a port target (it has a metaid) by an element without one fails to flatten.

    This is the comp rule a composing model must follow: give every replacement a metaid.
    """
    module_file = tmp_path / "pump_leak_module.xml"
    module_file.write_text(export("pump_leak", "sbml-comp"), encoding="utf-8")
    parent, model = _parent(module_file, "pump_leak")
    replacement = model.createParameter()
    replacement.setId("pump_rate")
    replacement.setValue(0.25)
    replacement.setUnits("uA_per_cm2")
    replacement.setConstant(True)
    replaced = replacement.getPlugin("comp").createReplacedElement()
    replaced.setSubmodelRef("c")
    replaced.setPortRef(port_id("I_pump_max"))
    with pytest.raises(pl.ExportError, match="flatten"):
        flatten(libsbml.writeSBMLToString(parent), "parent", base=tmp_path)
