# SPDX-License-Identifier: MIT
"""COPASI-ready SBML L3V2: the cell's volume in aL, amounts in zmol, current-balance Vm for GHK.

The same model in other units (concentrations keep their mM), so that COPASI's default
steady-state task finds the steady state: with the volume in pL beside particle numbers its
distance test refuses even the exact one. See :func:`pumpleak_sbml.portable.copasi_ready`.
"""

from __future__ import annotations

from ..built_model import BuiltModel
from ..portable import copasi_ready

__all__ = ["dumps"]


def dumps(built: BuiltModel) -> str:
    """Return the model's COPASI-ready SBML (overrides applied)."""
    return copasi_ready(built.sbml, built.name)
