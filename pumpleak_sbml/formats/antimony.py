# SPDX-License-Identifier: MIT
"""Antimony: the library file, or the text the builder writes for a spec, ready to import.

A library file marks its model as the main one (``model *pump_leak()``). Imported into a
user's file, that mark wins over the user's own model: ``import "pump_leak.ant"`` followed by
``model top() ... end`` silently loads ``pump_leak``, not ``top`` (libAntimony 3.3 keeps the
first main model it reads). :func:`importable` removes the mark, so the last model of the
user's file is the main one again, as Antimony's rule for unmarked files says; the export
(:func:`dumps`) is written that way::

    text = importable(pl.antimony("pump_leak"))   # "model pump_leak()": safe to import

The recipe in the README also marks the user's model (``model *top()``), which works with
either text.
"""

from __future__ import annotations

import re

from ..built_model import BuiltModel
from ..errors import ExportError, ModelDefinitionError

__all__ = ["dumps", "importable"]

_MAIN = re.compile(r"^(\s*model\s+)\*(\s*[A-Za-z_][A-Za-z0-9_]*\s*\()", re.MULTILINE)


def importable(text: str) -> str:
    """Return Antimony text with its main-model marks removed (``model *m(`` -> ``model m(``).

    Parameters
    ----------
    text
        Antimony source, e.g. a library model or a model built from a spec.

    Returns
    -------
    str
        The same text, every ``model *name(`` written ``model name(``; nothing else changes.
    """
    return _MAIN.sub(r"\1\2", text)


def dumps(built: BuiltModel) -> str:
    """Return the importable Antimony text of a library model or a spec (overrides applied).

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

        return importable(antimony(built.name))
    if built.spec_data is None:
        raise ExportError(f"{built.name} is SBML, not a spec: it has no Antimony source")
    from ..antimony_writer import to_antimony
    from ..spec import apply_spec_overrides, spec_from_dict

    spec = spec_from_dict(apply_spec_overrides(built.spec_data, built.spec_overrides))
    return importable(to_antimony(spec))
