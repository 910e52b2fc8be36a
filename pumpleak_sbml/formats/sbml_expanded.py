# SPDX-License-Identifier: MIT
"""SBML Level 3 Version 2 with every initial assignment evaluated (for Myokit and AMICI).

See :mod:`pumpleak_sbml.portable` for why these tools need it and what it loses.
"""

from __future__ import annotations

from ..built_model import BuiltModel
from ..portable import expand_initial_assignments

__all__ = ["dumps"]


def dumps(built: BuiltModel) -> str:
    """Return the model's SBML with initial values written in (overrides applied)."""
    return expand_initial_assignments(built.sbml, built.name)
