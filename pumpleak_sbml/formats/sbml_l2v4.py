# SPDX-License-Identifier: MIT
"""SBML Level 2 Version 4 for tools that do not read Level 3.

libsbml converts the validated Level 3 Version 2 document. What Level 2 cannot express is
dropped by the conversion and documented here: units on literal numbers (Level 2 numbers
have none, so libsbml can no longer fully check those expressions), ``extentUnits``, and an
event trigger's ``initialValue`` (Level 2 assumes it true: an event whose trigger already
holds at t = 0 does not fire at t = 0; such a model is refused, not silently changed). The
model history (creator, dates) is carried over by hand, because Level 2 writes it with other
vCard terms and requires both dates; a model without dates (built from a spec) has none.
"""

from __future__ import annotations

import re

import libsbml

from ..built_model import BuiltModel
from ..errors import ExportError

__all__ = ["dumps", "to_l2v4"]


def _convert(document: libsbml.SBMLDocument, name: str) -> None:
    properties = libsbml.ConversionProperties()
    properties.addOption("setLevelAndVersion", True)
    properties.addOption("strict", False)
    properties.setTargetNamespaces(libsbml.SBMLNamespaces(2, 4))
    if document.convert(properties) != libsbml.LIBSBML_OPERATION_SUCCESS:
        problems = "; ".join(
            document.getError(i).getMessage().strip()
            for i in range(document.getNumErrors())
            if document.getError(i).getSeverity() >= libsbml.LIBSBML_SEV_ERROR
        )
        raise ExportError(f"{name}: libsbml could not convert to SBML L2V4: {problems}")


def _restore_history(model: libsbml.Model, history: libsbml.ModelHistory | None) -> None:
    """Rewrite the model history for Level 2, which needs a creation and a modification date.

    A model without a creation date (a model built from a spec) cannot state its creator in
    Level 2; its history is then left out rather than written in an invalid Level 3 form.
    """
    terms = [model.getCVTerm(index).clone() for index in range(model.getNumCVTerms())]
    if history is None or not history.isSetCreatedDate():
        model.unsetAnnotation()
        for term in terms:
            model.addCVTerm(term)
        return
    restored = libsbml.ModelHistory()
    for index in range(history.getNumCreators()):
        source = history.getCreator(index)
        creator = libsbml.ModelCreator()
        for getter, setter in (
            ("getFamilyName", "setFamilyName"),
            ("getGivenName", "setGivenName"),
            ("getOrganization", "setOrganization"),
            ("getEmail", "setEmail"),
        ):
            value = getattr(source, getter)()
            if value:
                getattr(creator, setter)(value)
        restored.addCreator(creator)
    created = libsbml.Date(history.getCreatedDate().getDateAsString())
    restored.setCreatedDate(created)
    modified = history.getModifiedDate() if history.isSetModifiedDate() else created
    restored.setModifiedDate(libsbml.Date(modified.getDateAsString()))
    # Rebuild the model's RDF from scratch: libsbml would otherwise write the Level 2 terms
    # (dc:creator) into the Level 3 RDF element, which does not declare their prefix.
    model.unsetAnnotation()
    model.setModelHistory(restored)
    for term in terms:
        model.addCVTerm(term)


def _refuse_events_at_start(model: libsbml.Model, name: str) -> None:
    """Level 2 cannot fire an event whose trigger already holds at t = 0 (no initialValue)."""
    for event in model.getListOfEvents():
        trigger = event.getTrigger()
        if trigger is None or trigger.getInitialValue():
            continue
        math_text = libsbml.formulaToL3String(trigger.getMath())
        holds_at_start = libsbml.parseL3Formula(math_text.replace("time", "0"))
        value = _evaluate_at_start(model, holds_at_start)
        if value:
            raise ExportError(
                f"{name}: event {event.getId()} fires at t = 0 ({math_text}); SBML Level 2 "
                "cannot express that (it assumes the trigger was already true), so the L2V4 "
                "file would behave differently: move the event after t = 0"
            )


def _evaluate_at_start(model: libsbml.Model, math_node: libsbml.ASTNode) -> bool:
    """Evaluate a trigger with every parameter at its initial value (number triggers only)."""
    text = libsbml.formulaToL3String(math_node)
    for parameter in model.getListOfParameters():
        text = re.sub(rf"\b{re.escape(parameter.getId())}\b", repr(parameter.getValue()), text)
    match = re.fullmatch(r"\s*([-+0-9.eE]+)\s*(>=|>)\s*([-+0-9.eE]+)\s*", text)
    if match is None:
        return False
    left, operator, right = float(match.group(1)), match.group(2), float(match.group(3))
    return left >= right if operator == ">=" else left > right


def to_l2v4(sbml: str, name: str) -> str:
    """Convert validated SBML L3V2 text to SBML L2V4 text.

    Parameters
    ----------
    sbml
        SBML Level 3 Version 2 (no comp package: flatten first).
    name
        The model's name, for error messages.

    Returns
    -------
    str
        SBML Level 2 Version 4 that libsbml reads without errors.

    Raises
    ------
    ExportError
        If libsbml cannot convert the model, the result has validation errors, or an event
        would fire at t = 0 (Level 2 cannot express that).
    """
    document = libsbml.readSBMLFromString(sbml)
    model = document.getModel()
    _refuse_events_at_start(model, name)
    history = model.getModelHistory().clone() if model.isSetModelHistory() else None
    _convert(document, name)
    _restore_history(document.getModel(), history)
    text = str(libsbml.writeSBMLToString(document))
    check = libsbml.readSBMLFromString(text)
    check.checkConsistency()
    errors = [
        check.getError(i)
        for i in range(check.getNumErrors())
        if check.getError(i).getSeverity() >= libsbml.LIBSBML_SEV_ERROR
    ]
    if errors:
        raise ExportError(
            f"{name}: the SBML L2V4 export has {len(errors)} validation error(s); first: "
            f"{errors[0].getMessage().strip()}"
        )
    return text


def dumps(built: BuiltModel) -> str:
    """Return the model as SBML Level 2 Version 4 (see :func:`to_l2v4`)."""
    return to_l2v4(built.sbml, built.name)
