# SPDX-License-Identifier: MIT
"""Hierarchical SBML (the comp package): the model as a module with ports.

Users who compose our cell into their own models (pathway models that feed the pump ATP,
multi-cell models) instantiate it as a submodel and connect through its *ports*. Every port
points at one element of the model: the ion pools, the medium, the membrane potential, the
pump (its current, its flux, its ATP factor and, for the ``atp`` law, the ATP, ADP and Pi it
uses), the cell volume, and every parameter a user may set (``g_Na_port``,
``I_pump_max_port``, ...). Only ids the model has get a port (the proton vesicle has no Na+
pool, for example)::

    text = to_comp(sbml, "pump_leak")   # ports: Na_i_port, Vm_port, J_pump_port, cell_port, ...

Every element a port points at carries a ``metaid``: comp requires an element that replaces
(or is replaced by) an element with a metaid to have one as well, and a composing model's
elements usually have them (every BioModels element does). Rules have no port: replacing an
assignment rule's variable duplicates the rule (libsbml 10304); replace the parameter it
reads (``I_pump_max_port``) instead.

The result is checked by flattening it again with libsbml, which must give back a model
with the same reactions: an unflattened comp document loaded as a string into libroadrunner
2.10 silently becomes its top model with no reactions.
"""

from __future__ import annotations

from pathlib import Path

import libsbml

from ..built_model import BuiltModel
from ..errors import ExportError
from ..identifiers import PORTS
from ..sbml_document import quantities

__all__ = ["dumps", "flatten", "port_id", "to_comp"]


def port_id(element_id: str) -> str:
    """Return the id of the port that exposes ``element_id`` (``g_Na`` -> ``g_Na_port``)."""
    return f"{element_id}_port"


def _check(code: int, action: str, name: str) -> None:
    if code != libsbml.LIBSBML_OPERATION_SUCCESS:
        raise ExportError(
            f"{name}: libsbml could not {action}: {libsbml.OperationReturnValue_toString(code)}"
        )


def flatten(comp_sbml: str, name: str, base: Path | None = None) -> str:
    """Return a comp document flattened by libsbml into plain SBML L3V2 text.

    ``base`` is the folder against which external model files (``comp:source``) resolve.

    Raises
    ------
    ExportError
        If libsbml cannot flatten the document.
    """
    document = libsbml.readSBMLFromString(comp_sbml)
    if base is not None:
        document.setLocationURI(base.resolve().as_uri() + "/")
    properties = libsbml.ConversionProperties()
    properties.addOption("flatten comp", True)
    properties.addOption("leavePorts", False)
    _check(document.convert(properties), "flatten the comp document", name)
    return str(libsbml.writeSBMLToString(document))


def _port_targets(model: libsbml.Model, sbml: str) -> list[tuple[str, str]]:
    """Return (element id, label) of every element to expose: contract elements, then parameters."""
    targets = [(sid, label) for sid, label in PORTS if model.getElementBySId(sid) is not None]
    taken = {sid for sid, _ in targets}
    for sid, quantity in quantities(sbml).items():
        if quantity.settable and quantity.kind == "parameter" and sid not in taken:
            targets.append((sid, quantity.name or sid))
    return targets


def to_comp(sbml: str, name: str) -> str:
    """Return validated SBML L3V2 as a comp module with ports.

    Raises
    ------
    ExportError
        If libsbml cannot enable comp, the result has validation errors, or flattening it
        does not give back every reaction.
    """
    document = libsbml.readSBMLFromString(sbml)
    _check(
        document.enablePackage(libsbml.CompExtension.getXmlnsL3V1V1(), "comp", True),
        "enable the comp package",
        name,
    )
    _check(document.setPackageRequired("comp", True), "mark comp as required", name)
    model = document.getModel()
    plugin = model.getPlugin("comp")
    for element_id, label in _port_targets(model, sbml):
        element = model.getElementBySId(element_id)
        if not element.isSetMetaId():
            _check(
                element.setMetaId(f"{model.getId()}.{element_id}"),
                f"give {element_id} a metaid",
                name,
            )
        port = plugin.createPort()
        _check(port.setId(port_id(element_id)), f"create the port for {element_id}", name)
        _check(port.setIdRef(element_id), f"point the port at {element_id}", name)
        _check(port.setName(label), f"name the port for {element_id}", name)
    text = str(libsbml.writeSBMLToString(document))
    check = libsbml.readSBMLFromString(text)
    check.checkConsistency()
    errors = check.getNumErrors(libsbml.LIBSBML_SEV_ERROR) + check.getNumErrors(
        libsbml.LIBSBML_SEV_FATAL
    )
    if errors:
        raise ExportError(
            f"{name}: the comp export has {errors} validation error(s): "
            f"{check.getError(0).getMessage().strip()}"
        )
    reactions = model.getNumReactions()
    flat_document = libsbml.readSBMLFromString(flatten(text, name))  # owns the model (SWIG)
    flat = flat_document.getModel()
    if flat is None or flat.getNumReactions() != reactions:
        raise ExportError(f"{name}: flattening the comp export lost reactions")
    return text


def dumps(built: BuiltModel) -> str:
    """Return the model as a comp module with ports (see :func:`to_comp`)."""
    return to_comp(built.sbml, built.name)
