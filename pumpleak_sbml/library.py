# SPDX-License-Identifier: MIT
"""The model library: the hand-written Antimony models shipped in ``models/``.

Each model is one file ``models/<name>.ant`` whose stem is its model id. The files are
installed inside the package (as ``pumpleak_sbml.models``) and found through
:mod:`importlib.resources`, so they work from a wheel as well as from a checkout::

    >>> from pumpleak_sbml.library import list_models, antimony
    >>> "pump_leak" in list_models()
    True
    >>> antimony("pump_leak").startswith("// SPDX")
    True

The one-line summary of a model is the text after ``<name>:`` on its second line.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable

from .errors import UnknownModelError

__all__ = ["ModelInfo", "antimony", "list_models", "model_info"]

_PACKAGE = "pumpleak_sbml.models"
_SUFFIX = ".ant"


@dataclass(frozen=True)
class ModelInfo:
    """What the library knows about one model without compiling it."""

    name: str
    summary: str


@functools.cache
def _model_files() -> dict[str, Traversable]:
    """Return the library's model files by name (found once: the package does not change)."""
    root = resources.files(_PACKAGE)
    return {
        entry.name.removesuffix(_SUFFIX): entry
        for entry in root.iterdir()
        if entry.is_file() and entry.name.endswith(_SUFFIX)
    }


@functools.cache
def _text(name: str) -> str:
    return _model_files()[name].read_text(encoding="utf-8")


def list_models() -> list[str]:
    """Return the names of every model in the library, sorted.

    Returns
    -------
    list of str
        Model names, usable with :func:`antimony` and every function that takes a model.
    """
    return sorted(_model_files())


def antimony(name: str) -> str:
    """Return the Antimony source text of a library model.

    Parameters
    ----------
    name
        A name from :func:`list_models`.

    Returns
    -------
    str
        The text of ``models/<name>.ant``.

    Raises
    ------
    UnknownModelError
        If no model has that name.
    """
    files = _model_files()
    if name not in files:
        raise UnknownModelError(name, sorted(files))
    return _text(name)


def model_info(name: str) -> ModelInfo:
    """Return the name and one-line summary of a library model.

    Parameters
    ----------
    name
        A name from :func:`list_models`.

    Returns
    -------
    ModelInfo
        The summary is taken from the ``// <name>: <summary>`` header line.

    Raises
    ------
    UnknownModelError
        If no model has that name.
    """
    prefix = f"// {name}:"
    for line in antimony(name).splitlines():
        if line.startswith(prefix):
            return ModelInfo(name, line.removeprefix(prefix).strip())
    return ModelInfo(name, "")
