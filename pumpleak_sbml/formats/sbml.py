# SPDX-License-Identifier: MIT
"""SBML Level 3 Version 2: the model as validated, with the overrides written in."""

from __future__ import annotations

from ..built_model import BuiltModel

__all__ = ["dumps"]


def dumps(built: BuiltModel) -> str:
    """Return the model's SBML text (strict units and scale checked when it was built)."""
    return built.sbml
