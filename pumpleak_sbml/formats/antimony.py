# SPDX-License-Identifier: MIT
"""Antimony: the library file as written, or the text the builder writes for a spec."""

from __future__ import annotations

from ..built_model import BuiltModel
from ..errors import ExportError, ModelDefinitionError

__all__ = ["dumps"]


def dumps(built: BuiltModel) -> str:
    """Return the Antimony text of a library model or a spec (overrides applied to specs).

    Raises
    ------
    ModelDefinitionError
        For a library model with overrides (its file is the source; export SBML instead).
    ExportError
        For an SBML file (it has no Antimony source).
    """
    if built.origin == "library":
        if built.overrides:
            raise ModelDefinitionError(
                "overrides apply to a library model's SBML, not to its Antimony source; "
                "export --format sbml with --set instead"
            )
        from ..library import antimony

        return antimony(built.name)
    if built.spec_data is None:
        raise ExportError(f"{built.name} is SBML, not a spec: it has no Antimony source")
    from ..antimony_writer import to_antimony
    from ..spec import apply_spec_overrides, spec_from_dict

    return to_antimony(spec_from_dict(apply_spec_overrides(built.spec_data, built.spec_overrides)))
