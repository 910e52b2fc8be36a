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

import libsbml

from .. import api
from ..errors import ExportError
from ..files import write_atomically
from ..library import list_models, model_info
from ..sbml_document import has_events, unit_labels, without_events
from ..simulation import find_steady_state, load
from . import omex, sbml_comp, sbml_l2v4

__all__ = ["FORMATS", "OMEX_END", "OMEX_POINTS", "Format", "export", "save_export"]


@dataclass(frozen=True)
class Format:
    """An export format: what it is, its usual file suffix, and how to write it."""

    name: str
    suffix: str
    description: str
    write: Callable[..., str | bytes]
    binary: bool = False


def _sbml(model: api.Model, **overrides: float) -> str:
    return api.to_sbml(model, **overrides)


def _sbml_l2v4(model: api.Model, **overrides: float) -> str:
    return sbml_l2v4.to_l2v4(api.to_sbml(model, **overrides), _model_name(model))


def _sbml_comp(model: api.Model, **overrides: float) -> str:
    return sbml_comp.to_comp(api.to_sbml(model, **overrides), _model_name(model))


def _antimony(model: api.Model, **overrides: float) -> str:
    return api.model_antimony(model, **overrides)


def _model_name(model: api.Model) -> str:
    return model if isinstance(model, str) else str(model)


# Standard experiment of an OMEX archive: a time course this long (s), with this many points.
OMEX_END = 2e4
OMEX_POINTS = 201


def _state_ids(model: libsbml.Model) -> list[str]:
    rate_ruled = {rule.getVariable() for rule in model.getListOfRules() if rule.isRate()}
    species = [
        s.getId()
        for s in model.getListOfSpecies()
        if not s.getBoundaryCondition() and not s.getConstant()
    ]
    return [*species, *sorted(rate_ruled)]


def _omex_quantities(model: libsbml.Model) -> tuple[list[str], list[tuple[str, list[str]]]]:
    rate_ruled = {rule.getVariable() for rule in model.getListOfRules() if rule.isRate()}
    assigned = [rule.getVariable() for rule in model.getListOfRules() if rule.isAssignment()]
    volumes = [c.getId() for c in model.getListOfCompartments() if c.getId() in rate_ruled]
    if "Vm" in assigned:
        potentials = ["Vm", *(e for e in ("E_Na", "E_K", "E_Cl") if e in assigned)]
    else:
        potentials = [p for p in ("dp", "dpsi") if p in assigned]
    concentrations = [a for a in assigned if a.startswith("conc_")]
    panels = [
        (label, columns)
        for label, columns in (
            ("volume (pL)", volumes),
            ("potentials (mV)", potentials),
            ("intracellular concentrations (mM)", concentrations),
        )
        if columns
    ]
    return [*volumes, *potentials, *concentrations], panels


def _omex(
    model: api.Model, *, end: float = OMEX_END, points: int = OMEX_POINTS, **overrides: float
) -> bytes:
    sbml = api.to_sbml(model, **overrides)
    document = libsbml.readSBMLFromString(sbml)
    sbml_model = document.getModel()
    name = sbml_model.getId()
    summary = (
        model_info(model).summary
        if isinstance(model, str) and model in list_models()
        else "a pump-leak cell built from a cell spec"
    )
    quantities, panels = _omex_quantities(sbml_model)
    experiments = [
        omex.Experiment(
            "time_course", f"{name}.xml", end, points, "time course from the initial state"
        )
    ]
    extra: dict[str, str] = {}
    if has_events(sbml):
        event_free = without_events(sbml)
        steady = find_steady_state(load(event_free, name), name, unit_labels(event_free))
        at_rest = f"{name}_at_steady_state.xml"
        extra[at_rest] = omex.sbml_at_state(sbml, dict(steady.values), _state_ids(sbml_model))
        experiments.append(
            omex.Experiment(
                "scenario", at_rest, end, points, "event protocol from the pre-event steady state"
            )
        )
    return omex.build_omex(
        name,
        summary,
        sbml,
        experiments=experiments,
        extra_sbml=extra,
        quantities=quantities,
        panels=panels,
    )


FORMATS: dict[str, Format] = {
    fmt.name: fmt
    for fmt in (
        Format("sbml", ".xml", "SBML Level 3 Version 2, validated (strict units and scale)", _sbml),
        Format("sbml-l2v4", ".xml", "SBML Level 2 Version 4 for older tools", _sbml_l2v4),
        Format(
            "sbml-comp",
            ".xml",
            "hierarchical SBML (comp): the model as a module with ports",
            _sbml_comp,
        ),
        Format(
            "antimony", ".ant", "the Antimony text (library file or built from a spec)", _antimony
        ),
        Format(
            "omex",
            ".omex",
            "COMBINE archive: SBML, SED-ML L1V4 experiments, manifest, metadata",
            _omex,
            binary=True,
        ),
    )
}
"""Every export format by name."""


def export(model: api.Model, format_name: str, **overrides: float) -> str | bytes:
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
    content = export(model, format_name, **overrides)

    def write(temporary: Path) -> None:
        if isinstance(content, bytes):
            temporary.write_bytes(content)
        else:
            temporary.write_text(content, encoding="utf-8")

    return write_atomically(path, write, overwrite=overwrite)
