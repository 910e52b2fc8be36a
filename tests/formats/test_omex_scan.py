# SPDX-License-Identifier: MIT
"""A steady-state scan in the OMEX archive: its SED-ML, and tellurium and COPASI rerunning it.

The reference is :func:`pumpleak_sbml.scan` (our certified engine) on the same points;
tellurium reruns the archive with RoadRunner's NLEQ2 steady state, an independent solver.

The grid is chosen where RoadRunner can answer: pump_leak's steady state exists for every
point (Keener & Sneyd's closed form, checked below: a < Cl_o) and [Na+]i stays above 1e-3 mM.
RoadRunner's NLEQ2 fails (and tellurium 2.2.13 then stops) past the existence limit and
where a strong pump drives [Na+]i below ~1e-10 mM (e.g. I_pump_max = 1.5, g_Na = 0.004).
"""

from __future__ import annotations

import csv
import io
import math
import zipfile
from collections.abc import Iterable
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pandas
import pytest

import pumpleak_sbml as pl
from pumpleak_sbml import scan
from pumpleak_sbml.cli import main
from pumpleak_sbml.formats import export, save_export

SEDML = "{http://sed-ml.org/sed-ml/level1/version4}"
PUMP_RATES = np.geomspace(0.2, 1.0, 5)  # µA/cm², a log UniformRange
SODIUM_CONDUCTANCES = [0.009, 0.011, 0.014]  # mS/cm², uneven: a VectorRange
GRID: dict[str, Iterable[float]] = {"I_pump_max": PUMP_RATES, "g_Na": SODIUM_CONDUCTANCES}

# RoadRunner against our engine, on the same SBML. Volume and concentrations: our certificate
# bounds each state by its Newton step, <= 1e-9 of its value; NLEQ2's relative tolerance is
# 1e-12; 2e-9 allows both. Vm is pinned by the net current, not by the amounts: a Vm error d
# drives a net current g_total * d (g_total = 0.062 mS/cm²), and both solvers leave residuals
# below 1e-10 of the gross currents (a few µA/cm²), so d is ~1e-8 mV at most; 1e-7 mV allows it.
STATE_TOLERANCE = 2e-9
VM_TOLERANCE = 1e-7  # mV
# SED-ML UniformRange values are recomputed by the reader (np.logspace here); equal to rounding.
VALUE_TOLERANCE = 1e-13

FARADAY = 96485.33212
GAS_CONSTANT = 8.314462618
RT_F = 1e3 * GAS_CONSTANT * 310.15 / FARADAY  # mV at 37 °C


def sodium_potassium_factor(pump: float, g_na: float, g_k: float = 0.041) -> float:
    """Keener & Sneyd's a (mM) for pump_leak's media: a steady state exists iff a < Cl_o."""
    return 145.0 * math.exp(-3 * pump / (g_na * RT_F)) + 4.0 * math.exp(2 * pump / (g_k * RT_F))


def _sedml(archive: str | bytes | Path) -> ElementTree.Element:
    """Return the parsed simulation.sedml of an archive (a file or its bytes)."""
    assert not isinstance(archive, str)  # the omex format is binary
    source = archive if isinstance(archive, Path) else io.BytesIO(archive)
    with zipfile.ZipFile(source) as opened:
        return ElementTree.fromstring(opened.read("simulation.sedml"))


def _text(element: ElementTree.Element) -> bytes:
    """Return an element's XML without the whitespace that follows it."""
    tail, element.tail = element.tail, None
    try:
        return ElementTree.tostring(element)
    finally:
        element.tail = tail


def _range(root: ElementTree.Element, name: str) -> ElementTree.Element:
    task = root.find(f".//{SEDML}repeatedTask[@id='scan_task_{name}']")
    assert task is not None, name
    found = task.find(f"{SEDML}listOfRanges/*[@id='scan_range_{name}']")
    assert found is not None, name
    return found


@pytest.fixture(scope="module")
def grid_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Write pump_leak's archive with the 5 x 3 scan once for this module."""
    path = tmp_path_factory.mktemp("omex") / "pump_leak_scan.omex"
    save_export("pump_leak", path, "omex", options={"scan": GRID})
    return path


def test_scan_archive_is_deterministic_and_keeps_the_standard_experiment(
    grid_archive: Path,
) -> None:
    """The scan adds SED-ML elements only: same files, same time course, same bytes twice."""
    assert export("pump_leak", "omex", options={"scan": GRID}) == grid_archive.read_bytes()
    plain = _sedml(export("pump_leak", "omex"))
    scanned = _sedml(grid_archive)
    with zipfile.ZipFile(grid_archive) as archive:
        assert set(archive.namelist()) == {
            "pump_leak.xml",
            "simulation.sedml",
            "manifest.xml",
            "metadata.rdf",
        }
    for element in plain.iter():
        if element.get("id", "").startswith("time_course"):
            match = scanned.find(f".//{element.tag}[@id='{element.get('id')}']")
            assert match is not None
            assert _text(match) == _text(element)


def test_scan_is_nested_repeated_tasks_over_a_steady_state(grid_archive: Path) -> None:
    """The outer task scans I_pump_max, the inner g_Na, the innermost runs a SteadyState."""
    root = _sedml(grid_archive)
    steady = root.find(f".//{SEDML}steadyState[@id='scan_simulation']")
    assert steady is not None
    algorithm = steady.find(f"{SEDML}algorithm")
    assert algorithm is not None
    assert algorithm.get("kisaoID") == "KISAO:0000569"  # NLEQ2
    for name, inner in (("I_pump_max", "scan_task_g_Na"), ("g_Na", "scan_steady_state")):
        task = root.find(f".//{SEDML}repeatedTask[@id='scan_task_{name}']")
        assert task is not None
        assert task.get("resetModel") == "true"
        subtask = task.find(f"{SEDML}listOfSubTasks/{SEDML}subTask")
        assert subtask is not None
        assert subtask.get("task") == inner
        change = task.find(f"{SEDML}listOfChanges/{SEDML}setValue")
        assert change is not None
        assert change.get("target", "").endswith(f"sbml:parameter[@id='{name}']")
    report = root.find(f".//{SEDML}report[@id='scan_report']")
    assert report is not None
    labels = [d.get("label") for d in report.iter(f"{SEDML}dataSet")]
    assert labels[:4] == ["I_pump_max", "g_Na", "cell", "Vm"]
    assert {"conc_Na_i", "conc_K_i", "conc_Cl_i", "E_K"} <= set(labels)
    assert len(root.findall(f".//{SEDML}plot2D")) == 3 + 2  # time course 3, scan 2


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        (np.linspace(0.2, 1.8, 9), "linear"),
        (np.geomspace(0.1, 10.0, 7), "log"),
        ([0.3, 1 / 3, 0.5], "vector"),
        ([0.5], "vector"),
    ],
)
def test_scan_range_holds_exactly_the_values_asked(values: list[float], kind: str) -> None:
    """Even spacing is a UniformRange (n - 1 steps); other lists a VectorRange, every digit."""
    root = _sedml(export("pump_leak", "omex", options={"scan": {"I_pump_max": values}}))
    found = _range(root, "I_pump_max")
    if kind == "vector":
        assert found.tag == f"{SEDML}vectorRange"
        written = [float(v.text or "") for v in found.iter(f"{SEDML}value")]
        assert written == [float(v) for v in values]  # exact: 1/3 keeps its 17 digits
        return
    assert found.tag == f"{SEDML}uniformRange"
    assert found.get("type") == kind
    steps = int(found.get("numberOfSteps", "0"))
    start, end = float(found.get("start", "nan")), float(found.get("end", "nan"))
    spaced = np.linspace if kind == "linear" else np.geomspace
    read = spaced(start, end, steps + 1)
    np.testing.assert_allclose(read, values, rtol=VALUE_TOLERANCE, atol=0.0)


def test_the_scan_grid_has_a_steady_state_everywhere() -> None:
    """The closed form: every grid point is inside the existence limit (a < Cl_o = 149 mM)."""
    for pump in PUMP_RATES:
        for g_na in SODIUM_CONDUCTANCES:
            assert sodium_potassium_factor(pump, g_na) < 149.0


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # tellurium's own imports
def test_tellurium_reruns_the_scan_like_pl_scan(grid_archive: Path, tmp_path: Path) -> None:
    """Tellurium's rerun of the scan (RoadRunner NLEQ2) gives our scan's steady states.

    Tolerances: STATE_TOLERANCE for the volume and concentrations, VM_TOLERANCE for Vm (see
    the module constants); the scanned values to rounding (VALUE_TOLERANCE).
    """
    te = pytest.importorskip("tellurium")
    te.executeCombineArchive(
        str(grid_archive), outputDir=str(tmp_path), saveOutputs=True, createOutputs=True
    )
    with (tmp_path / "simulation_scan_report.csv").open() as stream:
        rows = list(csv.reader(stream))
    found = pandas.DataFrame(np.array(rows[1:], dtype=float), columns=rows[0])
    expected = scan("pump_leak", GRID, workers=1)
    assert (expected.status == "ok").all()
    assert len(found) == len(expected) == 15
    for name in GRID:
        np.testing.assert_allclose(found[name], expected[name], rtol=VALUE_TOLERANCE, atol=0)
    for quantity in ("cell", "conc_Na_i", "conc_K_i", "conc_Cl_i", "conc_X_i"):
        np.testing.assert_allclose(
            found[quantity], expected[quantity], rtol=STATE_TOLERANCE, atol=0, err_msg=quantity
        )
    np.testing.assert_allclose(found["Vm"], expected["Vm"], rtol=0, atol=VM_TOLERANCE)
    assert (tmp_path / "simulation_scan_plot_1.pdf").stat().st_size > 1000  # volume
    assert (tmp_path / "simulation_scan_plot_2.pdf").stat().st_size > 1000  # Vm


def test_copasi_reads_the_scan_as_its_parameter_scan(grid_archive: Path) -> None:
    """COPASI imports the repeated tasks as a scan of a steady state over the same values."""
    copasi = pytest.importorskip("COPASI")
    basico = pytest.importorskip("basico")
    model = copasi.CRootContainer.addDatamodel()
    items: dict[str, dict[str, object]] = {}
    try:
        assert model.openCombineArchive(str(grid_archive))
        problem = model.getTask("Scan").getProblem()
        subtask = problem.getSubtask()
        for index in range(problem.getNumberOfScanItems()):
            item = problem.getScanItem(index)
            target = model.getObject(item.getParameter("Object").getCNValue())
            items[target.getObjectParent().getSBMLId()] = {
                key: item.getParameter(key).getValue()
                for key in ("log", "Number of steps", "Minimum", "Maximum", "Values")
            }
    finally:
        basico.remove_datamodel(model)
    assert subtask == copasi.CTaskEnum.Task_steadyState
    assert set(items) == set(GRID)
    pump = items["I_pump_max"]
    assert pump["log"] is True
    assert pump["Number of steps"] == 4
    assert pump["Minimum"] == pytest.approx(0.2, rel=1e-15)
    assert pump["Maximum"] == pytest.approx(1.0, rel=1e-15)
    listed = str(items["g_Na"]["Values"])
    assert [float(v) for v in listed.split()] == SODIUM_CONDUCTANCES


def test_scan_archive_passes_biosimulators_validation(grid_archive: Path, tmp_path: Path) -> None:
    """BioSimulators' validator finds no error, and warns only that a scan needs a tool for it.

    Its warning (on the report and both plots) is that some tools cannot run repeated tasks.
    As for the plain archive (tests/formats/test_omex.py), biosimulators-utils is not a test
    dependency; install it in its own environment to run this (seen passing with
    biosimulators-utils 0.2.3).
    """
    pytest.importorskip("biosimulators_utils", reason="biosimulators-utils is not installed")
    from biosimulators_utils.combine.io import CombineArchiveReader
    from biosimulators_utils.combine.validation import validate
    from biosimulators_utils.config import Config

    archive = CombineArchiveReader().run(str(grid_archive), str(tmp_path))
    config = Config(
        VALIDATE_OMEX_MANIFESTS=True,
        VALIDATE_SEDML=True,
        VALIDATE_SEDML_MODELS=True,
        VALIDATE_OMEX_METADATA=True,
    )
    errors, warnings = validate(archive, str(tmp_path), config=config)
    assert errors == []
    assert warnings  # one per output of the scan: a report and two plots
    assert set(_leaves(warnings)) <= {
        "The SED-ML file at location `./simulation.sedml` has warnings.",
        "Output `scan_report` has warnings.",
        "Output `scan_plot_1` has warnings.",
        "Output `scan_plot_2` has warnings.",
        "Some simulation tools will not be able to generate this output because it uses data "
        "from repeated tasks, which some simulation tools do not have the capability to execute.",
    }


def _leaves(nested: object) -> list[str]:
    """Return every message of BioSimulators' nested lists of messages."""
    if isinstance(nested, str):
        return [nested]
    return [text for item in nested for text in _leaves(item)] if isinstance(nested, list) else []


@pytest.mark.parametrize(
    ("model", "scanned", "message"),
    [
        ("pump_leak", {"X_i_init": [100.0, 120.0]}, "cannot scan 'X_i_init'"),
        ("pump_leak", {"Vm": [1.0]}, "free parameters"),
        ("pump_leak", {"g_Na": [0.01, math.nan]}, "finite numbers"),
        ("pump_leak", {"g_Na": []}, "finite numbers"),
        ("pump_leak", [0.01], "must map parameter names"),
        ("hydropic_change", {"g_Na": [0.01]}, "it has events"),
    ],
)
def test_impossible_scan_is_refused_before_any_work(
    model: str, scanned: object, message: str
) -> None:
    """Scans SED-ML cannot express or RoadRunner cannot run are one clear error."""
    with pytest.raises(pl.ModelDefinitionError, match=message) as caught:
        export(model, "omex", options={"scan": scanned})
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("format_name", ["sbml", "sbml-l2v4", "sbml-comp", "antimony"])
def test_formats_without_options_refuse_them_in_one_line(format_name: str) -> None:
    """An option a format does not take is an ExportError naming it."""
    with pytest.raises(pl.ExportError, match=f"the {format_name} format takes no options"):
        export("pump_leak", format_name, options={"scan": GRID})


def test_omex_refuses_an_unknown_option() -> None:
    """The omex format names the options it takes."""
    with pytest.raises(pl.ExportError, match="takes the options end, points, scan, not 'sweep'"):
        export("pump_leak", "omex", options={"sweep": GRID})


def test_export_command_writes_a_scan(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`pumpleak export --format omex --scan` writes the archive the API writes."""
    out = tmp_path / "scan.omex"
    arguments = ["export", "pump_leak", "--format", "omex", "-o", str(out)]
    scans = ["--scan", "I_pump_max=0.2:1.0:5:log", "--scan", "g_Na=0.009,0.011,0.014"]
    assert main([*arguments, *scans]) == 0
    assert capsys.readouterr().err == ""
    assert out.read_bytes() == export("pump_leak", "omex", options={"scan": GRID})


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--format", "sbml", "--scan", "g_Na=0.01:0.02:3"], "--scan needs --format omex"),
        (["--format", "omex", "--scan", "g_Na=0.01:0.02"], "malformed --scan"),
        (["--format", "omex", "--scan", "X_i_init=1:2:3"], "cannot scan 'X_i_init'"),
    ],
)
def test_export_command_refuses_a_bad_scan_with_exit_2(
    arguments: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bad --scan is one line on stderr, exit code 2, and no file."""
    out = tmp_path / "out.omex"
    assert main(["export", "pump_leak", *arguments, "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("pumpleak: error:")
    assert message in err
    assert "\n" not in err
    assert not out.exists()
