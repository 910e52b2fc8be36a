# SPDX-License-Identifier: MIT
"""Export formats: one module per format, and the registry that names them.

Each format turns a model (library name, spec file or spec dict, with overrides) into the
text of one file. Output is deterministic: the same model and options give byte-identical
text (no wall-clock timestamps)::

    text = export("pump_leak", "sbml-l2v4")
    save_export("pump_leak", Path("pump_leak_l2v4.xml"), "sbml-l2v4")
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .. import api
from ..errors import ExportError
from ..files import write_text
from . import sbml_l2v4

__all__ = ["FORMATS", "Format", "export", "save_export"]


@dataclass(frozen=True)
class Format:
    """An export format: what it is, its usual file suffix, and how to write it."""

    name: str
    suffix: str
    description: str
    write: Callable[..., str]


def _sbml(model: api.Model, **overrides: float) -> str:
    return api.to_sbml(model, **overrides)


def _sbml_l2v4(model: api.Model, **overrides: float) -> str:
    return sbml_l2v4.to_l2v4(api.to_sbml(model, **overrides), _model_name(model))


def _antimony(model: api.Model, **overrides: float) -> str:
    return api.model_antimony(model, **overrides)


def _model_name(model: api.Model) -> str:
    return model if isinstance(model, str) else str(model)


FORMATS: dict[str, Format] = {
    fmt.name: fmt
    for fmt in (
        Format("sbml", ".xml", "SBML Level 3 Version 2, validated (strict units and scale)", _sbml),
        Format("sbml-l2v4", ".xml", "SBML Level 2 Version 4 for older tools", _sbml_l2v4),
        Format(
            "antimony", ".ant", "the Antimony text (library file or built from a spec)", _antimony
        ),
    )
}
"""Every export format by name."""


def export(model: api.Model, format_name: str, **overrides: float) -> str:
    """Return a model in an export format.

    Parameters
    ----------
    model
        A library name, a spec file (Path) or a spec dict.
    format_name
        A key of :data:`FORMATS`.
    **overrides
        As for :func:`pumpleak_sbml.to_sbml`.

    Raises
    ------
    ExportError
        If the format is unknown or the model cannot be expressed in it.
    """
    if format_name not in FORMATS:
        raise ExportError(
            f"unknown export format {format_name!r}; formats: {', '.join(sorted(FORMATS))}"
        )
    return FORMATS[format_name].write(model, **overrides)


def save_export(
    model: api.Model,
    path: Path,
    format_name: str,
    *,
    overwrite: bool = False,
    **overrides: float,
) -> Path:
    """Write a model in an export format to ``path``; never replaces a file unless asked."""
    return write_text(path, export(model, format_name, **overrides), overwrite=overwrite)
