# SPDX-License-Identifier: MIT
"""What a model's quantities are: value, unit, and whether a user may set them.

A :class:`Quantity` is one parameter, species or compartment of a model, read once from its
SBML (:func:`pumpleak_sbml.sbml_document.quantities`) and kept with the compiled model.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .errors import InvalidOverrideError
from .limits import warn_if_implausible

__all__ = ["Quantity", "check_overrides"]


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


# Units whose quantities must be strictly positive, or may take any sign.
_POSITIVE_UNITS = frozenset({"K", "pL", "µm²", "µF/cm²", "µm", "nm"})
_SIGNED_UNITS = frozenset({"mV", "1", "pH"})
# Units whose values can be slips of another unit: Celsius for kelvin, M for mM, m for µm.
_PLAUSIBILITY = {"K": "temperature", "mM": "concentration", "µm": "length"}
# A potential in a unit of another model's own, as libsbml prints it: "(0.001 volt)^1".
_POTENTIAL = re.compile(r"\([0-9.eE+-]+ volt\)\^1")


def _check_value(quantity: Quantity, value: object) -> float:
    # numbers.Real admits numpy's integer and float scalars (parameter sweeps use them).
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise InvalidOverrideError(quantity.id, value, "expected a number")
    try:
        number = float(value)
    except OverflowError:  # an integer beyond the largest double
        raise InvalidOverrideError(
            quantity.id, value, "too large for a floating-point number (at most 1.8e308)"
        ) from None
    if not math.isfinite(number):
        raise InvalidOverrideError(quantity.id, value, "expected a finite number")
    unit = quantity.unit
    if quantity.kind == "compartment" or unit in _POSITIVE_UNITS:
        if number <= 0:
            raise InvalidOverrideError(quantity.id, value, f"must be positive (in {unit})")
    elif unit not in _SIGNED_UNITS and not _POTENTIAL.fullmatch(unit) and number < 0:
        raise InvalidOverrideError(quantity.id, value, f"must not be negative (in {unit})")
    kind = _plausibility_kind(quantity)
    if kind:  # legal, but perhaps a slip
        warn_if_implausible(quantity.id, number, kind)
    return number


def _plausibility_kind(quantity: Quantity) -> str:
    """Which slip a value could be: an absolute temperature, a concentration or a length.

    A temperature step (the 10 K of a Q10) is in K too, but is no absolute temperature.
    """
    kind = _PLAUSIBILITY.get(quantity.unit, "")
    if kind == "temperature" and "step" in quantity.name:
        return ""
    return kind


def _refuse(quantity: Quantity | None, name: str, value: object, valid: list[str]) -> None:
    if quantity is None:
        raise InvalidOverrideError(name, value, "the model has no such quantity", valid)
    if quantity.derived_by == "constant of nature":
        raise InvalidOverrideError(name, value, "it is a constant of nature or a unit conversion")
    raise InvalidOverrideError(
        name, value, f"it is computed by the model ({quantity.derived_by}); set its inputs", valid
    )


def check_overrides(
    known: Mapping[str, Quantity], overrides: Mapping[str, object]
) -> dict[str, float]:
    """Return overrides as checked numbers: settable names, finite values in their domain.

    Parameters
    ----------
    known
        The model's quantities by id (see :func:`quantities`).
    overrides
        Quantity id to new value, in the quantity's own unit.

    Raises
    ------
    InvalidOverrideError
        If a name is not settable, a value is not a finite number, or it lies outside the
        quantity's physical domain (negative concentrations, non-positive volumes, ...).
    """
    valid = sorted(sid for sid, q in known.items() if q.settable)
    checked: dict[str, float] = {}
    for name, value in overrides.items():
        quantity = known.get(name)
        if quantity is None or not quantity.settable:
            _refuse(quantity, name, value, valid)
            continue
        checked[name] = _check_value(quantity, value)
    return checked
