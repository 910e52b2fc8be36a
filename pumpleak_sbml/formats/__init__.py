# SPDX-License-Identifier: MIT
"""Export formats: the table that names them. Each format is one module of this package.

Each format module has ``dumps(built) -> str | bytes``, which writes a resolved model
(:class:`~pumpleak_sbml.resolve.BuiltModel`) as the text of one file. Modules are imported
only when their format is used (libsedml, for OMEX, must not be imported before it is
needed). Output is deterministic: the same model gives byte-identical text::

    text = export("pump_leak", "sbml-l2v4")
    save_export("pump_leak", Path("pump_leak_l2v4.xml"), "sbml-l2v4")
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

from ..errors import ExportError
from ..files import write_atomically
from ..resolve import Model, resolve

__all__ = ["FORMATS", "OMEX_END", "OMEX_POINTS", "Format", "export", "save_export"]

OMEX_END = 2e4
"""End (s) of the standard time-course experiment of an OMEX archive."""
OMEX_POINTS = 201
"""Output points of the standard OMEX experiment, t = 0 included."""


@dataclass(frozen=True)
class Format:
    """An export format: what it is, its usual file suffix, and the module that writes it."""

    name: str
    suffix: str
    description: str
    module: str
    binary: bool = False

    def dumps(self, model: Model, **overrides: float) -> str | bytes:
        """Return a model (with overrides) in this format."""
        writer = importlib.import_module(f"{__name__}.{self.module}")
        content: str | bytes = writer.dumps(resolve(model, **overrides))
        return content


FORMATS: dict[str, Format] = {
    fmt.name: fmt
    for fmt in (
        Format(
            "sbml", ".xml", "SBML Level 3 Version 2, validated (strict units and scale)", "sbml"
        ),
        Format("sbml-l2v4", ".xml", "SBML Level 2 Version 4 for older tools", "sbml_l2v4"),
        Format(
            "sbml-expanded",
            ".xml",
            "SBML L3V2 with initial assignments evaluated to values (for Myokit, AMICI)",
            "sbml_expanded",
        ),
        Format(
            "sbml-comp",
            ".xml",
            "hierarchical SBML (comp): the model as a module with ports",
            "sbml_comp",
        ),
        Format(
            "antimony", ".ant", "the Antimony text (library file or built from a spec)", "antimony"
        ),
        Format(
            "sbml-current-balance",
            ".xml",
            "SBML L3V2 with Vm a state (C dVm/dt = -sum of currents), for ordinary tolerances",
            "sbml_current_balance",
        ),
        Format(
            "cellml",
            ".cellml",
            "CellML 2.0: the ODEs with units (no events; valid under libcellml)",
            "cellml",
        ),
        Format(
            "omex",
            ".omex",
            "COMBINE archive: SBML, SED-ML L1V4 experiments, manifest, metadata",
            "omex",
            binary=True,
        ),
    )
}
"""Every export format by name."""


def export(model: Model, format_name: str, **overrides: float) -> str | bytes:
    """Return a model in an export format.

    Parameters
    ----------
    model
        A library name, a spec or SBML file (Path), a spec dict or a CellSpec.
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
    return FORMATS[format_name].dumps(model, **overrides)


def save_export(
    model: Model,
    path: Path,
    format_name: str,
    *,
    overwrite: bool = False,
    **overrides: float,
) -> Path:
    """Write a model in an export format to ``path``; never replaces a file unless asked."""
    content = export(model, format_name, **overrides)

    def write(temporary: Path) -> None:
        if isinstance(content, bytes):
            temporary.write_bytes(content)
        else:
            temporary.write_text(content, encoding="utf-8")

    return write_atomically(path, write, overwrite=overwrite)
