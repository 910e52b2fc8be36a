# SPDX-License-Identifier: MIT
"""SBML for tools that read initial assignments their own way: the values written in.

Our SBML states initial values by *initial assignments* (``Na_i = Na_i_init * cell``: an
amount is an initial concentration times the initial volume), so that a user who changes
``Na_i_init`` or ``cell`` gets a consistent start. Every SBML simulator should honour that,
but two we tested read it differently (measured on every library model, issue 11):

- **Myokit 1.39** (``myokit.formats.importer("sbml")``) turns the initial assignment of a
  species that no reaction moves (``X_i = X_i_init * cell``) into an equation that holds at
  all times, so X_i grows with the cell (errors of 0.2 to 8 relative in Vm); and a
  compartment whose size is set only by an initial assignment (the spec cells'
  ``cell = V_init``) gets the size 1, because Myokit evaluates it before the parameters.
- **AMICI 1.0** stops on an initial assignment that uses a rate-ruled compartment
  (``AttributeError: 'Compartment' object has no attribute 'getValue'``).

A literal value beside the initial assignment does not help: both tools take the initial
assignment over the literal. :func:`expand_initial_assignments` therefore evaluates every
initial assignment (with libsbml's ``expandInitialAssignments`` converter) and writes the
values in, overrides included. The result is the same model at t = 0 and after, and both
tools then agree with RoadRunner to the integrators' accuracy; what it loses is the
*relation*: changing ``Na_i_init`` in the other tool no longer changes the start. Export it
with ``pumpleak export MODEL --format sbml-expanded``.
"""

from __future__ import annotations

import libsbml

from .errors import ExportError
from .validation import check_sbml

__all__ = ["expand_initial_assignments"]


def expand_initial_assignments(sbml: str, name: str) -> str:
    """Return SBML text with every initial assignment evaluated into a literal value.

    Parameters
    ----------
    sbml
        Validated SBML Level 3 text (the overrides already written in).
    name
        The model's name, for error messages.

    Returns
    -------
    str
        The same model without initial assignments; it passes the same strict validation
        (libsbml with units, and the scale check).

    Raises
    ------
    ExportError
        If libsbml cannot evaluate an initial assignment.
    SBMLValidationError
        If the result does not validate (a bug: the values carry their elements' units).
    """
    document = libsbml.readSBMLFromString(sbml)
    properties = libsbml.ConversionProperties()
    properties.addOption("expandInitialAssignments", True)
    status = document.convert(properties)
    model = document.getModel()
    if status != libsbml.LIBSBML_OPERATION_SUCCESS or model.getNumInitialAssignments():
        left = ", ".join(a.getSymbol() for a in model.getListOfInitialAssignments())
        raise ExportError(
            f"{name}: libsbml could not evaluate the initial assignments"
            + (f" of {left}" if left else "")
            + "; export the model as plain SBML instead"
        )
    text = str(libsbml.writeSBMLToString(document))
    check_sbml(text, f"{name} (initial assignments expanded)")
    return text
