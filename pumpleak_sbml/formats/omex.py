# SPDX-License-Identifier: MIT
"""COMBINE archives (OMEX): SBML, SED-ML L1V4 experiments, manifest and metadata.

The archive is written with libsedml and libcombine.

The standard experiments are

* ``time_course``: the model from its initial state, 0 to ``end`` s (CVODE, KiSAO:0000019,
  with relative tolerance 1e-10 and absolute tolerance 1e-14);
* for a scenario model (one with events), ``scenario``: the same model started from its
  pre-event steady state, so the event protocol (e.g. the pump block) runs from rest. SED-ML
  cannot start a run at a computed steady state portably, so the archive carries a second
  SBML file whose initial state *is* that steady state.

Each experiment has a report of every plotted quantity and plots of the volume, Vm with the
Nernst potentials, and the concentrations. The archive is deterministic: entries are sorted
and carry a fixed timestamp. (libcombine always writes a creation date into metadata.rdf; with
none given it writes its fixed placeholder, 2000-01-01.)
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import libsbml

from ..built_model import BuiltModel
from ..errors import ExportError
from ..identifiers import CONCENTRATION_PREFIX, MEMBRANE_POTENTIAL, NERNST_PREFIX

__all__ = ["Experiment", "build_omex", "dumps", "sbml_at_state"]

_KISAO_CVODE = "KISAO:0000019"
_KISAO_RELATIVE_TOLERANCE = "KISAO:0000209"
_KISAO_ABSOLUTE_TOLERANCE = "KISAO:0000211"
_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_SBML_FORMAT = "http://identifiers.org/combine.specifications/sbml.level-3.version-2"
# tellurium 2.2.13 finds the master SED-ML only under the unversioned format URI.
_SEDML_FORMAT = "http://identifiers.org/combine.specifications/sed-ml"
_OMEX_FORMAT = "http://identifiers.org/combine.specifications/omex"
_METADATA_FORMAT = "http://identifiers.org/combine.specifications/omex-metadata"


@dataclass(frozen=True)
class Experiment:
    """One simulation experiment: its id, the SBML file it runs, and the time grid."""

    id: str
    sbml_file: str
    end: float
    points: int
    title: str


def sbml_at_state(sbml: str, values: dict[str, float], state_ids: Sequence[str]) -> str:
    """Return SBML whose initial state is ``values`` (amounts, volumes) for ``state_ids``.

    The initial assignments of those quantities are removed, so the numbers written stand.
    """
    document = libsbml.readSBMLFromString(sbml)
    model = document.getModel()
    for sid in state_ids:
        assignment = model.getInitialAssignmentBySymbol(sid)
        if assignment is not None:
            model.removeInitialAssignment(sid)
        species = model.getSpecies(sid)
        compartment = model.getCompartment(sid)
        if species is not None:
            species.setInitialAmount(values[sid])
        elif compartment is not None:
            compartment.setSize(values[sid])
        else:
            parameter = model.getParameter(sid)
            if parameter is None:
                raise ExportError(f"cannot set the initial state of {sid}: no such quantity")
            parameter.setValue(values[sid])
    return str(libsbml.writeSBMLToString(document))


def _target(model: libsbml.Model, sid: str) -> str:
    if model.getSpecies(sid) is not None:
        return f"/sbml:sbml/sbml:model/sbml:listOfSpecies/sbml:species[@id='{sid}']"
    if model.getCompartment(sid) is not None:
        return f"/sbml:sbml/sbml:model/sbml:listOfCompartments/sbml:compartment[@id='{sid}']"
    return f"/sbml:sbml/sbml:model/sbml:listOfParameters/sbml:parameter[@id='{sid}']"


def _libsedml() -> Any:
    """Import libsedml only when an archive is built.

    Importing libsedml after libsbml makes libsbml's ``ASTNode.getType()`` return opaque
    SWIG objects (the two modules bundle the same SWIG type); keeping the import here confines
    that to processes that write archives.
    """
    import libsedml

    return libsedml


def _libcombine() -> Any:
    import libcombine

    return libcombine


def _check(code: int, action: str) -> None:
    if code != _libsedml().LIBSEDML_OPERATION_SUCCESS:
        raise ExportError(f"libsedml could not {action} (code {code})")


def _add_experiment(
    document: Any,
    experiment: Experiment,
    model: libsbml.Model,
    quantities: Sequence[str],
    panels: Sequence[tuple[str, Sequence[str]]],
) -> None:
    prefix = experiment.id
    sed_model = document.createModel()
    _check(sed_model.setId(f"{prefix}_model"), "set a model id")
    sed_model.setLanguage("urn:sedml:language:sbml.level-3.version-2")
    sed_model.setSource(experiment.sbml_file)
    simulation = document.createUniformTimeCourse()
    simulation.setId(f"{prefix}_simulation")
    simulation.setInitialTime(0.0)
    simulation.setOutputStartTime(0.0)
    simulation.setOutputEndTime(experiment.end)
    simulation.setNumberOfPoints(experiment.points - 1)
    algorithm = simulation.createAlgorithm()
    algorithm.setKisaoID(_KISAO_CVODE)
    for kisao, value in (
        (_KISAO_RELATIVE_TOLERANCE, "1e-10"),
        (_KISAO_ABSOLUTE_TOLERANCE, "1e-14"),
    ):
        parameter = algorithm.createAlgorithmParameter()
        parameter.setKisaoID(kisao)
        parameter.setValue(value)
    task = document.createTask()
    task.setId(f"{prefix}_task")
    task.setModelReference(sed_model.getId())
    task.setSimulationReference(simulation.getId())

    def generator(name: str) -> str:
        data = document.createDataGenerator()
        data.setId(f"{prefix}_{name}")
        data.setName(name)
        variable = data.createVariable()
        variable.setId(f"{prefix}_{name}_variable")
        variable.setTaskReference(task.getId())
        if name == "time":
            variable.setSymbol("urn:sedml:symbol:time")
        else:
            variable.setTarget(_target(model, name))
        data.setMath(_libsedml().parseL3Formula(variable.getId()))
        return str(data.getId())

    generators = {name: generator(name) for name in ("time", *quantities)}
    report = document.createReport()
    report.setId(f"{prefix}_report")
    report.setName(f"{experiment.title}: every plotted quantity")
    for name, generator_id in generators.items():
        dataset = report.createDataSet()
        dataset.setId(f"{prefix}_report_{name}")
        dataset.setLabel(name)
        dataset.setDataReference(generator_id)
    for index, (label, columns) in enumerate(panels, start=1):
        plot = document.createPlot2D()
        plot.setId(f"{prefix}_plot_{index}")
        plot.setName(f"{experiment.title}: {label}")
        for column in columns:
            curve = plot.createCurve()
            curve.setId(f"{prefix}_plot_{index}_{column}")
            curve.setName(column)
            curve.setXDataReference(generators["time"])
            curve.setYDataReference(generators[column])


def _sedml(
    experiments: Sequence[Experiment],
    sbml: str,
    quantities: Sequence[str],
    panels: Sequence[tuple[str, Sequence[str]]],
) -> str:
    model_document = libsbml.readSBMLFromString(sbml)
    model = model_document.getModel()
    libsedml = _libsedml()
    document = libsedml.SedDocument(1, 4)
    # The XPath targets use the prefix sbml:, which the document must declare.
    document.getNamespaces().add("http://www.sbml.org/sbml/level3/version2/core", "sbml")
    for experiment in experiments:
        _add_experiment(document, experiment, model, quantities, panels)
    errors = document.getNumErrors(libsedml.LIBSEDML_SEV_ERROR)
    if errors:
        raise ExportError(
            f"the SED-ML document has {errors} error(s): {document.getErrorLog().toString()}"
        )
    return str(libsedml.writeSedMLToString(document))


def _manifest(files: Sequence[tuple[str, str, bool]]) -> str:
    libcombine = _libcombine()
    manifest = libcombine.CaOmexManifest()
    for location, file_format, master in (
        (".", _OMEX_FORMAT, False),
        *files,
    ):
        content = manifest.createContent()
        content.setLocation(location)
        content.setFormat(file_format)
        if master:
            content.setMaster(True)
    return str(libcombine.writeOMEXToString(manifest))


def _metadata(name: str, summary: str) -> str:
    libcombine = _libcombine()
    description = libcombine.OmexDescription()
    description.setAbout(".")
    description.setDescription(f"{name}: {summary} (pumpleak_sbml)")
    creator = libcombine.VCard()
    creator.setFamilyName("developers")
    creator.setGivenName("pumpleak_sbml")
    creator.setOrganization("pumpleak_sbml")
    description.addCreator(creator)
    return str(description.toXML())


def build_omex(
    name: str,
    summary: str,
    sbml: str,
    *,
    experiments: Sequence[Experiment],
    extra_sbml: dict[str, str],
    quantities: Sequence[str],
    panels: Sequence[tuple[str, Sequence[str]]],
) -> bytes:
    """Return the bytes of a COMBINE archive.

    Parameters
    ----------
    name, summary
        The model's name and one-line summary (for the metadata).
    sbml
        The model's SBML (stored as ``<name>.xml``).
    experiments
        The experiments to describe in ``simulation.sedml``.
    extra_sbml
        Further SBML files by name (e.g. the model at its pre-event steady state).
    quantities
        Model ids to report (volume, Vm, concentrations, ...).
    panels
        Plot titles and the quantities each plot shows.
    """
    files = {
        f"{name}.xml": sbml,
        **extra_sbml,
        "simulation.sedml": _sedml(experiments, sbml, quantities, panels),
        "metadata.rdf": _metadata(name, summary),
    }
    listed = [(f"./{file}", _SBML_FORMAT, False) for file in sorted(files) if file.endswith(".xml")]
    listed += [
        ("./simulation.sedml", _SEDML_FORMAT, True),
        ("./metadata.rdf", _METADATA_FORMAT, False),
    ]
    files["manifest.xml"] = _manifest(listed)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for file in sorted(files):
            entry = zipfile.ZipInfo(file, date_time=_FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, files[file])
    return buffer.getvalue()


def _state_ids(model: libsbml.Model) -> list[str]:
    rate_ruled = {rule.getVariable() for rule in model.getListOfRules() if rule.isRate()}
    species = [
        s.getId()
        for s in model.getListOfSpecies()
        if not s.getBoundaryCondition() and not s.getConstant()
    ]
    return [*species, *sorted(rate_ruled)]


def _quantities(model: libsbml.Model) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """Return the quantities to report and the plot panels (volume, potentials, concentrations)."""
    rate_ruled = {rule.getVariable() for rule in model.getListOfRules() if rule.isRate()}
    assigned = [rule.getVariable() for rule in model.getListOfRules() if rule.isAssignment()]
    volumes = [c.getId() for c in model.getListOfCompartments() if c.getId() in rate_ruled]
    if MEMBRANE_POTENTIAL in assigned:
        potentials = [
            MEMBRANE_POTENTIAL,
            *(e for e in assigned if e.startswith(NERNST_PREFIX)),
        ]
    else:
        potentials = [p for p in ("dp", "dpsi") if p in assigned]
    concentrations = [a for a in assigned if a.startswith(CONCENTRATION_PREFIX)]
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


def _summary(built: BuiltModel) -> str:
    if built.origin == "library":
        from ..library import model_info

        return model_info(built.name).summary
    return "a pump-leak cell built from a cell spec" if built.origin == "spec" else built.name


def dumps(built: BuiltModel, *, end: float | None = None, points: int | None = None) -> bytes:
    """Return a model's COMBINE archive with its standard experiments (see the module doc)."""
    from . import OMEX_END, OMEX_POINTS

    end = OMEX_END if end is None else end
    points = OMEX_POINTS if points is None else points
    sbml = built.sbml
    document = libsbml.readSBMLFromString(sbml)
    model = document.getModel()
    name = model.getId()
    quantities, panels = _quantities(model)
    experiments = [
        Experiment("time_course", f"{name}.xml", end, points, "time course from the initial state")
    ]
    extra: dict[str, str] = {}
    if built.compiled.has_events:
        from ..steady import solver_for

        solver = solver_for(built.compiled)
        y0, p = solver.functions.start(built.overrides)
        steady = solver.solve(y0, p, model_id=built.name)
        at_rest = f"{name}_at_steady_state.xml"
        extra[at_rest] = sbml_at_state(sbml, dict(steady.values), _state_ids(model))
        experiments.append(
            Experiment(
                "scenario", at_rest, end, points, "event protocol from the pre-event steady state"
            )
        )
    return build_omex(
        name,
        _summary(built),
        sbml,
        experiments=experiments,
        extra_sbml=extra,
        quantities=quantities,
        panels=panels,
    )
