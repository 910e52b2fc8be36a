# SPDX-License-Identifier: MIT
"""Export formats: the table that names them. Each format is one module of this package.

Each format module has ``dumps(built, **options) -> str | bytes``, which writes a resolved
model (:class:`~pumpleak_sbml.built_model.BuiltModel`) as the text of one file. Modules are
imported only when their format is used (libsedml, for OMEX, must not be imported before it
is needed). Output is deterministic: the same model gives byte-identical text::

    text = export("pump_leak", "sbml-l2v4")
    save_export("pump_leak", Path("pump_leak_l2v4.xml"), "sbml-l2v4")

A format may take options (each format lists its own in :attr:`Format.options`; the others
refuse any). The OMEX archive takes ``end`` and ``points`` (its time courses) and ``scan``
(a steady-state scan)::

    export("pump_leak", "omex", options={"scan": {"I_pump_max": np.linspace(0.2, 1.8, 9)}})
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..built_model import Model, resolve
from ..errors import ExportError
from ..files import write_atomically

__all__ = ["FORMATS", "OMEX_END", "OMEX_POINTS", "Format", "export", "save_export"]

OMEX_END = 2e4
"""End (s) of the standard time-course experiment of an OMEX archive."""
OMEX_POINTS = 201
"""Output points of the standard OMEX experiment, t = 0 included."""


@dataclass(frozen=True)
class Format:
    """An export format: what it is, its file suffix, the module that writes it, its options.

    ``options`` names the keyword arguments its module's ``dumps`` takes.
    """

    name: str
    suffix: str
    description: str
    module: str
    binary: bool = False
    options: tuple[str, ...] = ()

    def dumps(
        self, model: Model, *, options: Mapping[str, object] | None = None, **overrides: float
    ) -> str | bytes:
        """Return a model (with overrides) in this format, written with these options.

        Raises
        ------
        ExportError
            If an option is not one of this format's :attr:`options` (before any work).
        """
        given = dict(options or {})
        unknown = sorted(set(given) - set(self.options))
        if unknown:
            takes = f"the options {', '.join(self.options)}" if self.options else "no options"
            raise ExportError(
                f"the {self.name} format takes {takes}, not {', '.join(map(repr, unknown))}"
            )
        writer = importlib.import_module(f"{__name__}.{self.module}")
        content: str | bytes = writer.dumps(resolve(model, **overrides), **given)
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
            "sbml-copasi",
            ".xml",
            "SBML L3V2 for COPASI's defaults: volumes in aL, amounts in zmol, GHK cells' Vm a "
            "state, an amount negative at steady state as its deficit",
            "sbml_copasi",
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
            options=("end", "points", "scan"),
        ),
    )
}
"""Every export format by name."""


def export(
    model: Model,
    format_name: str,
    *,
    options: Mapping[str, object] | None = None,
    **overrides: float,
) -> str | bytes:
    """Return a model in an export format.

    Parameters
    ----------
    model
        A library name, a spec or SBML file (Path), a spec dict or a CellSpec.
    format_name
        A key of :data:`FORMATS`.
    options
        Options of the format (see :attr:`Format.options`): for ``omex``, ``end`` (s) and
        ``points`` of its time courses and ``scan``, a steady-state scan as a mapping of
        parameter id to values (see :mod:`pumpleak_sbml.formats.omex`).
    **overrides
        As for :func:`pumpleak_sbml.to_sbml`.

    Raises
    ------
    ExportError
        If the format is unknown, takes none of the options given, or the model cannot be
        expressed in it.
    ModelDefinitionError
        If an option's value is impossible for this model (e.g. a scan of a quantity that is
        not a free parameter).
    """
    if format_name not in FORMATS:
        raise ExportError(
            f"unknown export format {format_name!r}; formats: {', '.join(sorted(FORMATS))}"
        )
    return FORMATS[format_name].dumps(model, options=options, **overrides)


def save_export(
    model: Model,
    path: Path,
    format_name: str,
    *,
    overwrite: bool = False,
    options: Mapping[str, object] | None = None,
    **overrides: float,
) -> Path:
    """Write a model in an export format to ``path``; never replaces a file unless asked.

    ``options`` and ``overrides`` are as for :func:`export`.
    """
    content = export(model, format_name, options=options, **overrides)

    def write(temporary: Path) -> None:
        if isinstance(content, bytes):
            temporary.write_bytes(content)
        else:
            temporary.write_text(content, encoding="utf-8")

    return write_atomically(path, write, overwrite=overwrite)
