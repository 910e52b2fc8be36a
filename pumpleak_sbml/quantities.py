# SPDX-License-Identifier: MIT
"""What a model's quantities are: value, unit, and whether a user may set them.

A :class:`Quantity` is one parameter, species or compartment of a model, read once from its
SBML (:func:`pumpleak_sbml.sbml_document.quantities`) and kept with the compiled model.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Quantity"]


@dataclass(frozen=True)
class Quantity:
    """One parameter, species or compartment: its id, value, unit label and kind."""

    id: str
    name: str
    value: float
    unit: str
    kind: str  # "parameter" | "species" | "compartment"
    settable: bool
    derived_by: str  # "" if set by its value; else "assignment rule" | "initial assignment" | ...
    measure: str = ""  # for species: "amount" or "concentration", as the value is declared
