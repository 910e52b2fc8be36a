# SPDX-License-Identifier: MIT
"""SBML L3V2 in the current-balance form: Vm a state, one ion from charge conservation.

Exactly equivalent to the library's charge-difference models, and integrable at ordinary
tolerances; see :func:`pumpleak_sbml.portable.current_balance`.
"""

from __future__ import annotations

from ..built_model import BuiltModel
from ..portable import current_balance

__all__ = ["dumps"]


def dumps(built: BuiltModel) -> str:
    """Return the model's SBML in the current-balance form (overrides applied)."""
    return current_balance(built.sbml, built.name)
