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

With the option ``scan`` the archive also carries a steady-state parameter scan, ``scan``: a
SED-ML RepeatedTask per scanned parameter (nested for a grid, the last parameter innermost,
so that it varies fastest as in :func:`pumpleak_sbml.scan`), each with a SetValue on the
model's parameter, over a SteadyState simulation (NLEQ2, KISAO:0000569)::

    export("pump_leak", "omex", options={"scan": {"I_pump_max": np.linspace(0.2, 1.8, 9)}})

Values evenly spaced (linearly or logarithmically, to 1e-13) are written as a UniformRange,
any other list as a VectorRange with every digit. Every repeat resets the model, so each
steady state is sought from the model's initial state (this is also what lets tellurium retry
a point after a failed solve). The report holds the scanned values, the volume, Vm with the
Nernst potentials, and the concentrations; two plots show the volume and Vm against the first
scanned parameter, as points (a grid's other parameters give families of points).

What can be scanned: a free parameter (no rule sets it, no initial assignment reads it: a
SetValue changes a value but does not re-run initial assignments), in a model without events
(RoadRunner finds no steady state of a model with events). What tellurium can rerun: only
points where RoadRunner's NLEQ2, after tellurium's presimulations, finds the steady state;
tellurium 2.2.13 stops with an error at the first point where it does not. That includes the
points past the existence limit (no steady state at all) and, in pump_leak, points where a
strong pump leaves [Na+]i below about 1e-10 mM. Check the range with
:func:`pumpleak_sbml.scan` first.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import libsbml
import numpy as np

from ..built_model import BuiltModel
from ..errors import ExportError, ModelDefinitionError
from ..identifiers import CONCENTRATION_PREFIX, MEMBRANE_POTENTIAL, NERNST_PREFIX

__all__ = ["Experiment", "ScanAxis", "build_omex", "dumps", "sbml_at_state", "scan_axes"]

_KISAO_CVODE = "KISAO:0000019"
_KISAO_NLEQ2 = "KISAO:0000569"
# Values that match an even spacing to this relative difference are written as a UniformRange
# (np.linspace and np.geomspace agree with tellurium's np.linspace and np.logspace to a few ulp).
_EVEN = 1e-13
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


def _data_generator(document: Any, prefix: str, name: str, task_id: str, target: str) -> str:
    """Add a data generator of one model quantity (or ``time``) of a task; return its id."""
    data = document.createDataGenerator()
    data.setId(f"{prefix}_{name}")
    data.setName(name)
    variable = data.createVariable()
    variable.setId(f"{prefix}_{name}_variable")
    variable.setTaskReference(task_id)
    if name == "time":
        variable.setSymbol("urn:sedml:symbol:time")
    else:
        variable.setTarget(target)
    data.setMath(_libsedml().parseL3Formula(variable.getId()))
    return str(data.getId())


def _add_report(document: Any, report_id: str, title: str, generators: Mapping[str, str]) -> None:
    report = document.createReport()
    report.setId(report_id)
    report.setName(title)
    for name, generator_id in generators.items():
        dataset = report.createDataSet()
        dataset.setId(f"{report_id}_{name}")
        dataset.setLabel(name)
        dataset.setDataReference(generator_id)


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
    generators = {
        name: _data_generator(document, prefix, name, task.getId(), _target(model, name))
        for name in ("time", *quantities)
    }
    title = f"{experiment.title}: every plotted quantity"
    _add_report(document, f"{prefix}_report", title, generators)
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


# --- a steady-state scan ---------------------------------------------------------------------


@dataclass(frozen=True)
class ScanAxis:
    """One scanned parameter: its SBML id, its values, and the SED-ML range that holds them.

    ``spacing`` is ``"linear"`` or ``"log"`` (a UniformRange) or ``"vector"`` (a VectorRange).
    """

    name: str
    values: tuple[float, ...]
    spacing: str


def _free_parameters(model: libsbml.Model) -> list[str]:
    """Return the parameters a SetValue can scan.

    No rule may set them, and no initial assignment may set or read them: a SetValue changes
    a value, it does not re-run the initial assignments that depend on it.
    """
    ruled = {rule.getVariable() for rule in model.getListOfRules()}
    initial = set()
    for assignment in model.getListOfInitialAssignments():
        initial.add(assignment.getSymbol())
        if assignment.isSetMath():
            formula = libsbml.formulaToL3String(assignment.getMath())
            initial.update(re.findall(r"[A-Za-z_]\w*", formula))
    return [p.getId() for p in model.getListOfParameters() if p.getId() not in ruled | initial]


def _exact_in_uniform_range(value: float) -> bool:
    """Tell whether libsedml writes a UniformRange end exactly (it keeps 15 digits)."""
    return float(f"{value:.15g}") == value


def _spacing(values: np.ndarray) -> str:
    """Return how SED-ML holds these values: ``linear``/``log`` (UniformRange) or ``vector``."""
    count = len(values)
    if count < 2 or not all(_exact_in_uniform_range(v) for v in (values[0], values[-1])):
        return "vector"
    # Compare with the values tellurium computes from a UniformRange (np.linspace, np.logspace).
    if np.allclose(values, np.linspace(values[0], values[-1], count), rtol=_EVEN, atol=0.0):
        return "linear"
    if np.all(values > 0):
        log = np.logspace(np.log10(values[0]), np.log10(values[-1]), count)
        if np.allclose(values, log, rtol=_EVEN, atol=0.0):
            return "log"
    return "vector"


def scan_axes(scan: object, model: libsbml.Model) -> list[ScanAxis]:
    """Check a scan request against a model; return its axes (grid order, the last fastest).

    Parameters
    ----------
    scan
        A mapping of parameter id to values (numbers, in the parameter's own unit).
    model
        The SBML model the scan runs on.

    Returns
    -------
    list of ScanAxis
        One per parameter, in the order given.

    Raises
    ------
    ModelDefinitionError
        If the request is not a mapping of names to finite numbers, names a quantity that is
        not a free parameter of the model, has too many points, or the model has events.
    """
    from ..scanning import MAX_POINTS

    model_id = model.getId()
    if not isinstance(scan, Mapping) or not scan:
        raise ModelDefinitionError(
            "the omex option scan must map parameter names to values, "
            f"e.g. {{'I_pump_max': [0.2, 0.5, 1.0]}}, not {scan!r:.60}"
        )
    if model.getNumEvents():
        raise ModelDefinitionError(
            f"cannot write a steady-state scan of {model_id}: it has events, and RoadRunner "
            "(which runs SED-ML for tellurium) finds no steady state of a model with events"
        )
    free = _free_parameters(model)
    axes = []
    for name, given in scan.items():
        if name not in free:
            raise ModelDefinitionError(
                f"cannot scan {name!r} in {model_id}: a SED-ML scan sets free parameters (no "
                f"rule sets them, no initial assignment reads them), which are: {', '.join(free)}"
            )
        try:
            values = np.asarray(
                given if isinstance(given, np.ndarray) else list(given), dtype=float
            ).ravel()
        except (TypeError, ValueError) as err:
            raise ModelDefinitionError(f"scan values of {name} must be numbers: {err}") from err
        if values.size == 0 or not np.all(np.isfinite(values)):
            raise ModelDefinitionError(
                f"scan values of {name} must be finite numbers (one or more)"
            )
        axes.append(ScanAxis(name, tuple(float(v) for v in values), _spacing(values)))
    count = math.prod(len(axis.values) for axis in axes)
    if count > MAX_POINTS:
        raise ModelDefinitionError(
            f"a scan of {count:,} points is larger than the limit of {MAX_POINTS:,}"
        )
    return axes


def _add_range(repeated: Any, axis: ScanAxis, range_id: str) -> None:
    if axis.spacing == "vector":
        listed = repeated.createVectorRange()
        listed.setId(range_id)
        listed.setValues(list(axis.values))  # rewritten at full precision by _full_precision
        return
    uniform = repeated.createUniformRange()
    uniform.setId(range_id)
    uniform.setStart(axis.values[0])
    uniform.setEnd(axis.values[-1])
    uniform.setNumberOfSteps(len(axis.values) - 1)  # L1V4 counts steps: one fewer than points
    uniform.setType(axis.spacing)


def _add_scan_plots(
    document: Any,
    along: ScanAxis,
    generators: Mapping[str, str],
    panels: Sequence[tuple[str, Sequence[str]]],
) -> None:
    libsedml = _libsedml()
    # Points, not lines: a grid's rows would be joined across rows, and tellurium draws each
    # repeat of a resetting task as a curve of its own (one point).
    style = document.createStyle()
    style.setId("scan_points")
    style.createLineStyle().setType(libsedml.SEDML_LINETYPE_NONE)
    marker = style.createMarkerStyle()
    marker.setType(libsedml.SEDML_MARKERTYPE_CIRCLE)
    marker.setSize(4.0)
    for index, (label, columns) in enumerate(panels, start=1):
        plot = document.createPlot2D()
        plot.setId(f"scan_plot_{index}")
        plot.setName(f"steady states: {label} against {along.name}")
        x_axis = plot.createXAxis()
        x_axis.setName(along.name)
        log = along.spacing == "log"
        x_axis.setType(libsedml.SEDML_AXISTYPE_LOG10 if log else libsedml.SEDML_AXISTYPE_LINEAR)
        y_axis = plot.createYAxis()
        y_axis.setName(label)
        y_axis.setType(libsedml.SEDML_AXISTYPE_LINEAR)
        for column in columns:
            curve = plot.createCurve()
            curve.setId(f"scan_plot_{index}_{column}")
            curve.setName(column)
            curve.setType(libsedml.SEDML_CURVETYPE_POINTS)
            curve.setStyle("scan_points")
            curve.setXDataReference(generators[along.name])
            curve.setYDataReference(generators[column])


def _add_scan(
    document: Any,
    axes: Sequence[ScanAxis],
    sbml_file: str,
    model: libsbml.Model,
    *,
    quantities: Sequence[str],
    panels: Sequence[tuple[str, Sequence[str]]],
) -> None:
    sed_model = document.createModel()
    _check(sed_model.setId("scan_model"), "set a model id")
    sed_model.setLanguage("urn:sedml:language:sbml.level-3.version-2")
    sed_model.setSource(sbml_file)
    simulation = document.createSteadyState()
    simulation.setId("scan_simulation")
    simulation.createAlgorithm().setKisaoID(_KISAO_NLEQ2)
    task = document.createTask()
    task.setId("scan_steady_state")
    task.setModelReference("scan_model")
    task.setSimulationReference("scan_simulation")
    inner = str(task.getId())
    for axis in reversed(axes):  # innermost first: the last parameter varies fastest
        repeated = document.createRepeatedTask()
        repeated.setId(f"scan_task_{axis.name}")
        # Every repeat starts again from the initial state (keeping the outer loops' values).
        repeated.setResetModel(True)
        range_id = f"scan_range_{axis.name}"
        _add_range(repeated, axis, range_id)
        repeated.setRangeId(range_id)
        change = repeated.createTaskChange()
        change.setModelReference("scan_model")
        change.setTarget(_target(model, axis.name))
        change.setRange(range_id)
        change.setMath(_libsedml().parseL3Formula(range_id))
        subtask = repeated.createSubTask()
        subtask.setTask(inner)
        subtask.setOrder(1)
        inner = str(repeated.getId())
    generators = {
        name: _data_generator(document, "scan_data", name, inner, _target(model, name))
        for name in (*(axis.name for axis in axes), *quantities)
    }
    names = ", ".join(axis.name for axis in axes)
    _add_report(document, "scan_report", f"steady states over {names}", generators)
    _add_scan_plots(document, axes[0], generators, panels)


def _full_precision(text: str, axes: Sequence[ScanAxis]) -> str:
    """Rewrite each VectorRange's values with every digit (libsedml writes six)."""
    for axis in axes:
        if axis.spacing != "vector":
            continue
        pattern = re.compile(
            rf'(<vectorRange id="scan_range_{axis.name}">\n)(\s*)<value>.*?(\n\s*</vectorRange>)',
            re.DOTALL,
        )

        def values(match: re.Match[str], axis: ScanAxis = axis) -> str:
            indent = match.group(2)
            body = "\n".join(f"{indent}<value> {value!r} </value>" for value in axis.values)
            return f"{match.group(1)}{body}{match.group(3)}"

        text, count = pattern.subn(values, text)
        if count != 1:
            raise ExportError(f"could not write the values of the scan range of {axis.name}")
    return text


def _check_ranges(text: str, axes: Sequence[ScanAxis]) -> None:
    """Read the SED-ML back: every range must hold the values asked (to rounding)."""
    document = _libsedml().readSedMLFromString(text)
    for axis in axes:
        found = document.getTask(f"scan_task_{axis.name}").getRange(f"scan_range_{axis.name}")
        if axis.spacing == "vector":
            values = np.array(list(found.getValues()), dtype=float)
        elif axis.spacing == "linear":
            values = np.linspace(found.getStart(), found.getEnd(), found.getNumberOfSteps() + 1)
        else:
            ends = np.log10(found.getStart()), np.log10(found.getEnd())
            values = np.logspace(*ends, found.getNumberOfSteps() + 1)
        exact = axis.spacing != "vector" or np.array_equal(values, axis.values)
        if (
            values.shape != (len(axis.values),)
            or not exact
            or not np.allclose(values, axis.values, rtol=_EVEN, atol=0.0)
        ):
            raise ExportError(f"the SED-ML range of {axis.name} does not hold the values asked")


def _sedml(
    experiments: Sequence[Experiment],
    sbml: str,
    quantities: Sequence[str],
    panels: Sequence[tuple[str, Sequence[str]]],
    *,
    scan: Sequence[ScanAxis] = (),
    scan_panels: Sequence[tuple[str, Sequence[str]]] = (),
) -> str:
    model_document = libsbml.readSBMLFromString(sbml)
    model = model_document.getModel()
    libsedml = _libsedml()
    document = libsedml.SedDocument(1, 4)
    # The XPath targets use the prefix sbml:, which the document must declare.
    document.getNamespaces().add("http://www.sbml.org/sbml/level3/version2/core", "sbml")
    for experiment in experiments:
        _add_experiment(document, experiment, model, quantities, panels)
    if scan:
        _add_scan(
            document,
            scan,
            experiments[0].sbml_file,
            model,
            quantities=quantities,
            panels=scan_panels,
        )
    errors = document.getNumErrors(libsedml.LIBSEDML_SEV_ERROR)
    if errors:
        raise ExportError(
            f"the SED-ML document has {errors} error(s): {document.getErrorLog().toString()}"
        )
    text = _full_precision(str(libsedml.writeSedMLToString(document)), scan)
    _check_ranges(text, scan)
    return text


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
    scan: Sequence[ScanAxis] = (),
    scan_panels: Sequence[tuple[str, Sequence[str]]] = (),
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
    scan
        The axes of a steady-state scan of the first experiment's model (see
        :func:`scan_axes`); none by default.
    scan_panels
        The scan's plot titles and the quantities each plot shows against the first axis.
    """
    files = {
        f"{name}.xml": sbml,
        **extra_sbml,
        "simulation.sedml": _sedml(
            experiments, sbml, quantities, panels, scan=scan, scan_panels=scan_panels
        ),
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


def _scan_panels(
    panels: Sequence[tuple[str, Sequence[str]]],
) -> list[tuple[str, list[str]]]:
    """Return the scan's plots: the volume, and the membrane potential (not the Nernst ones)."""
    chosen = []
    for label, columns in panels:
        if label.startswith("volume"):
            chosen.append((label, list(columns)))
        elif label.startswith("potentials"):
            potential = [MEMBRANE_POTENTIAL] if MEMBRANE_POTENTIAL in columns else list(columns)
            chosen.append((f"{', '.join(potential)} (mV)", potential))
    return chosen


def dumps(
    built: BuiltModel,
    *,
    end: float | None = None,
    points: int | None = None,
    scan: Mapping[str, Iterable[float]] | None = None,
) -> bytes:
    """Return a model's COMBINE archive with its standard experiments (see the module doc).

    Parameters
    ----------
    built
        The resolved model.
    end
        End time of the time courses in s (default :data:`~pumpleak_sbml.formats.OMEX_END`).
    points
        Output points of the time courses, t = 0 included (default
        :data:`~pumpleak_sbml.formats.OMEX_POINTS`).
    scan
        A steady-state scan to add: parameter id to values, in the parameter's own unit; a
        grid of their product, the last parameter varying fastest. None: no scan.

    Returns
    -------
    bytes
        The archive (a zip file).

    Raises
    ------
    ModelDefinitionError
        If the scan names no free parameter of the model, has values that are not finite
        numbers, or the model has events (see :func:`scan_axes`).
    ExportError
        If libsedml cannot write the experiments.
    """
    from . import OMEX_END, OMEX_POINTS

    end = OMEX_END if end is None else end
    points = OMEX_POINTS if points is None else points
    sbml = built.sbml
    document = libsbml.readSBMLFromString(sbml)
    model = document.getModel()
    name = model.getId()
    axes = scan_axes(scan, model) if scan is not None else []
    quantities, panels = _quantities(model)
    experiments = [
        Experiment("time_course", f"{name}.xml", end, points, "time course from the initial state")
    ]
    extra: dict[str, str] = {}
    if built.compiled.has_events:
        from ..steady import pre_event_steady_state

        steady = pre_event_steady_state(built)
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
        scan=axes,
        scan_panels=_scan_panels(panels),
    )
