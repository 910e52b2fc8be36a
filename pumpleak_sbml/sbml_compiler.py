# SPDX-License-Identifier: MIT
"""Antimony text to SBML text: the only module that imports :mod:`antimony`.

libAntimony keeps global state (every loaded module lives in one process-wide table), so
every call here holds one lock and clears that table first. A syntax or semantic error in
the text becomes an :class:`~pumpleak_sbml.errors.AntimonyError` carrying the file and the
line Antimony reported.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

import antimony as _antimony

from .errors import AntimonyError

__all__ = ["antimony_to_sbml"]

_LOCK = threading.Lock()
_LINE = re.compile(r"line (\d+):\s*(.*)", re.DOTALL)


def _source_line(text: str, reported: int) -> int:
    """Map libAntimony's line number back to the text's.

    libAntimony does not count the newlines inside a triple-backtick block (``model notes``),
    so every error after such a block is reported too early by the block's line count.
    """
    counted = 1
    inside = False
    for number, line in enumerate(text.split("\n"), start=1):
        if counted == reported and not inside:
            return number
        inside ^= line.count("```") % 2 == 1
        if not inside:
            counted += 1
    return reported


def _error(text: str, source: Path | None) -> AntimonyError:
    raw = _antimony.getLastError().strip()
    match = _LINE.search(raw)
    if match is None:
        return AntimonyError(raw or "Antimony could not read the text", source)
    message = " ".join(match.group(2).split())
    return AntimonyError(message, source, _source_line(text, int(match.group(1))))


# libAntimony's return_type enum value for "every symbol" (its Python module has no name for it).
_ALL_SYMBOLS = 0


def _is_empty(module: str) -> bool:
    """Tell whether a module defines nothing (libAntimony names bare text ``__main``)."""
    return int(_antimony.getNumSymbolsOfType(module, _ALL_SYMBOLS)) == 0


def antimony_to_sbml(text: str, source: Path | None = None) -> str:
    """Compile Antimony text into SBML Level 3 Version 2.

    Parameters
    ----------
    text
        Antimony source; its main model (marked ``*`` or the last one) is converted.
    source
        The file the text came from, used only in error messages.

    Returns
    -------
    str
        The SBML document as text.

    Raises
    ------
    AntimonyError
        If Antimony cannot compile the text; names the file and line.
    """
    with _LOCK:
        _antimony.clearPreviousLoads()
        try:
            if _antimony.loadAntimonyString(text) < 0:
                raise _error(text, source)
            main = _antimony.getMainModuleName()
            if not main or _is_empty(main):
                raise AntimonyError("the text defines no model", source)
            sbml = _antimony.getSBMLString(main)
            if not sbml:
                raise _error(text, source)
            return str(sbml)
        finally:
            _antimony.clearPreviousLoads()
