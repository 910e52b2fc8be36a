# SPDX-License-Identifier: MIT
"""Antimony text that other Antimony models can import.

A library file marks its model as the main one (``model *pump_leak()``). Imported into a
user's file, that mark wins over the user's own model: ``import "pump_leak.ant"`` followed by
``model top() ... end`` silently loads ``pump_leak``, not ``top`` (libAntimony 3.3 keeps the
first main model it reads). :func:`importable` removes the mark, so the last model of the
user's file is the main one again, as Antimony's rule for unmarked files says::

    text = importable(pl.antimony("pump_leak"))   # "model pump_leak()": safe to import

The recipe in the README also marks the user's model (``model *top()``), which works with
either text.
"""

from __future__ import annotations

import re

__all__ = ["importable"]

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
