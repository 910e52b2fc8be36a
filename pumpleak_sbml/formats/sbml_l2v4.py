# SPDX-License-Identifier: MIT
"""SBML Level 2 Version 4 for tools that do not read Level 3.

libsbml converts the validated Level 3 Version 2 document. What Level 2 cannot express is
dropped by the conversion and documented here: units on literal numbers (Level 2 numbers
have none, so libsbml can no longer fully check those expressions), ``extentUnits``, and an
event trigger's ``initialValue`` (Level 2 assumes it true: an event whose trigger already
holds at t = 0 does not fire at t = 0). The model history (creator, dates) is carried over
by hand, because Level 2 writes it with other vCard terms and requires both dates.
"""

from __future__ import annotations

import libsbml

from ..errors import ExportError

__all__ = ["to_l2v4"]


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
    """Level 2 needs a creation and a modification date; without them the creator is lost."""
    if history is None or not history.isSetCreatedDate():
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
    terms = [model.getCVTerm(index).clone() for index in range(model.getNumCVTerms())]
    model.unsetAnnotation()
    model.setModelHistory(restored)
    for term in terms:
        model.addCVTerm(term)


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
        If libsbml cannot convert the model or the result has validation errors.
    """
    document = libsbml.readSBMLFromString(sbml)
    model = document.getModel()
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
