# SPDX-License-Identifier: MIT
"""Every ODE framework runs every model right: Myokit, AMICI, SciPy and JAX against RoadRunner.

For every library model and every spec in models/specs, ``crosscheck(model, tools=[...])``
runs the tool and compares the volume, Vm (or the vesicle's potentials) and every
concentration with RoadRunner (SBML L3V2, CVODE rtol 1e-12, atol 1e-16), the independent
reference. Myokit, AMICI and SciPy integrate at rtol 1e-12 too; diffrax at 1e-10 (its
implicit solvers stop converging below that). The comparison tolerance is the cross-check's
default, 1e-6 of each quantity's largest magnitude: measured agreement on this grid is 1e-11
to 1e-8, and 1e-6 stays above the reference's own error in the 16 ms charging transient
(~1e-7 in Vm: Vm is a difference of ion amounts ~1e5 times larger; measured against the
current-balance formulation). Tools without events (Myokit, SciPy, JAX) are compared up to
a scenario model's first event; AMICI runs the events.

AMICI builds every model from source (about 30 s each, cached in the pumpleak cache folder):
those tests are marked ``slow`` and skip, saying why, where AMICI is missing or cannot build.
"""

from __future__ import annotations

import math
from pathlib import Path

import libsbml
import numpy as np
import pytest

import pumpleak_sbml as pl
from pumpleak_sbml import frameworks
from pumpleak_sbml.built_model import resolve
from pumpleak_sbml.cli import main
from pumpleak_sbml.crosscheck import TOOLS, CrosscheckReport, ToolResult, crosscheck
from pumpleak_sbml.formats import export

_SPECS = sorted((Path(__file__).resolve().parents[2] / "models" / "specs").glob("*.toml"))
LIBRARY = pl.list_models()
MODELS: list[str | Path] = [*LIBRARY, *_SPECS]
MODEL_IDS = [*LIBRARY, *(f"spec-{path.stem}" for path in _SPECS)]
SCENARIOS = {"hydropic_change", "impermeant_load"}
TOLERANCE = 1e-6  # the cross-check's default (see the module docstring)
# proton_vesicle relaxes in ~1 s (tau = C_eff/G_H); the cells over hours.
END = {"proton_vesicle": 10.0}


# Myokit compiles every model to C and diffrax traces its solver anew (2-10 s each):
# pump_leak_ghk (GHK leaks, saturating pump) and a scenario run in the quick suite, the
# others in the slow tier.
QUICK = {"pump_leak_ghk", "hydropic_change"}
ONE_QUICK = [
    pytest.param(model, id=name, marks=() if name in QUICK else pytest.mark.slow)
    for model, name in zip(MODELS, MODEL_IDS, strict=True)
]
JAX_MODELS = ONE_QUICK


def _end(model: str | Path) -> float:
    return END.get(model, 1e4) if isinstance(model, str) else 1e4


def _row(report: CrosscheckReport, label_end: str = "") -> ToolResult:
    rows = [t for t in report.tools if t.label.endswith(label_end)]
    assert rows, report.format()
    row = rows[0]
    if row.status == "skipped":
        pytest.skip(row.detail)
    return row


def _check(model: str | Path, row: ToolResult, report: CrosscheckReport, *, events: bool) -> None:
    assert row.status == "ok", report.format()
    assert math.isfinite(row.difference)
    assert row.difference <= TOLERANCE
    scenario = isinstance(model, str) and model in SCENARIOS
    if not scenario:
        assert row.events == "none"
    elif events:
        assert row.events == "run"
    else:
        assert row.events == "not run: t < 1000 s"


@pytest.mark.parametrize("model", ONE_QUICK)
def test_myokit_sbml_agrees_with_roadrunner(model: str | Path) -> None:
    """Myokit (CVODE) on the sbml-expanded export agrees with RoadRunner to 1e-6."""
    report = crosscheck(model, end=_end(model), tools=["myokit"])
    _check(model, _row(report, "(SBML, expanded)"), report, events=False)


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_scipy_on_pl_ode_agrees_with_roadrunner(model: str | Path) -> None:
    """solve_ivp (BDF, exact Jacobian) on pl.ode agrees with RoadRunner to 1e-6."""
    report = crosscheck(model, end=_end(model), tools=["scipy"])
    _check(model, _row(report), report, events=False)


@pytest.mark.parametrize("model", JAX_MODELS)
def test_jax_on_pl_ode_agrees_with_roadrunner(model: str | Path) -> None:
    """The diffrax solution (Kvaerno4) of pl.ode(backend="jax") agrees with RoadRunner to 1e-6."""
    pytest.importorskip("diffrax", reason="JAX and diffrax are in the [test] extra")
    report = crosscheck(model, end=_end(model), tools=["jax"])
    _check(model, _row(report), report, events=False)


@pytest.mark.slow
@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_amici_agrees_with_roadrunner_events_included(model: str | Path) -> None:
    """AMICI (CVODES) on the sbml-expanded export agrees with RoadRunner, events included."""
    report = crosscheck(model, end=_end(model), tools=["amici"])
    _check(model, _row(report), report, events=True)


# --- what the plain SBML does in Myokit: the reason for sbml-expanded --------------------------


def test_myokit_reads_the_plain_sbml_wrongly_and_the_expanded_sbml_right() -> None:
    """Myokit 1.39 on the plain SBML: Vm off by >10 %; on sbml-expanded: right (the limitation).

    Myokit turns X_i = X_i_init * cell (an initial assignment) into an equation for all
    times, so the impermeant amount grows with the cell. When this test fails, Myokit has
    fixed it: update the README's limitations and portable.py.
    """
    pytest.importorskip("myokit", reason="Myokit is in the [test] extra")
    built = resolve("pump_leak")
    times = np.linspace(0.0, 1e4, 11)
    reference = pl.simulate("pump_leak", 1e4, 11, start="initial")["Vm"]
    plain = frameworks._myokit_model(built.sbml, "sbml", "pump_leak")
    x_i = plain.get("cell.X_i_amount")
    assert not x_i.is_constant()  # an equation in the cell's size, a state
    try:
        expanded = frameworks.run_myokit(built, times, ["Vm"], rtol=1e-12, atol=1e-16)
    except frameworks.ToolUnavailableError as err:
        pytest.skip(str(err))
    assert np.max(np.abs(expanded.values["Vm"] - reference)) <= 1e-6 * np.max(np.abs(reference))


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_sbml_expanded_has_no_initial_assignment_and_the_same_start(model: str | Path) -> None:
    """sbml-expanded: no initial assignments; its literal values are pl.ode's start (1e-14)."""
    text = str(export(model, "sbml-expanded"))
    document = libsbml.readSBMLFromString(text)
    sbml_model = document.getModel()
    assert sbml_model.getNumInitialAssignments() == 0
    assert pl.validate_sbml(text).ok
    system = pl.ode(model)
    for sid, value in zip(system.state_names, system.y0, strict=True):
        element = sbml_model.getElementBySId(sid)
        written = (
            element.getSize()
            if isinstance(element, libsbml.Compartment)
            else element.getInitialAmount()
            if isinstance(element, libsbml.Species)
            else element.getValue()
        )
        assert written == pytest.approx(value, rel=1e-14, abs=0.0)


# --- the report and the command line ------------------------------------------------------------


@pytest.mark.slow
def test_matrix_lists_every_tool_with_myokit_twice() -> None:
    """tools=TOOLS gives one row per tool (Myokit: SBML and CellML), with settings and events."""
    report = crosscheck("pump_leak", tools=TOOLS)
    assert [t.tool for t in report.tools] == [
        "roadrunner",
        "copasi",
        "myokit",
        "myokit",
        "amici",
        "scipy",
        "jax",
    ]
    for row in report.tools:
        assert row.status in {"ok", "skipped"}, report.format()
        if row.status == "ok":
            assert "rtol" in row.settings
            assert row.events == "none"
    assert report.ok
    lines = report.format().splitlines()
    assert lines[0].startswith("crosscheck of pump_leak, 0-10000 s, against RoadRunner")
    assert lines[-1] == "all within tolerance"


def test_matrix_steady_states_agree_where_tools_solve_them() -> None:
    """RoadRunner's and COPASI's own steady states of pump_leak are ours to 1e-6."""
    report = crosscheck("pump_leak", tools=["roadrunner", "copasi"])
    for row in report.tools:
        assert float(row.steady) <= 1e-6, report.format()


def test_matrix_says_when_no_tool_finds_a_steady_state_of_a_swelling_cell() -> None:
    """donnan_swelling has none: RoadRunner and COPASI agree (none), as the report says."""
    report = crosscheck("donnan_swelling", tools=["roadrunner", "copasi"])
    assert [row.steady for row in report.tools] == ["agrees: none", "agrees: none"]


def test_matrix_reports_a_disagreeing_tool_as_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    """A tool whose Vm is 1e-4 off fails the check: its row says FAIL and ok is False."""
    original = frameworks.run_scipy

    def perturbed(*args: object, **kwargs: object) -> frameworks.ToolRun:
        run = original(*args, **kwargs)  # type: ignore[arg-type]
        values = dict(run.values)
        values["Vm"] = values["Vm"] * (1 + 1e-4)
        return frameworks.ToolRun(values, run.settings, run.events)

    monkeypatch.setattr(frameworks, "run_scipy", perturbed)
    report = crosscheck("pump_leak", tools=["scipy"])
    (row,) = report.tools
    assert (row.status, row.quantity) == ("FAIL", "Vm")
    assert row.difference == pytest.approx(1e-4, rel=1e-3)
    assert not report.ok
    assert report.format().splitlines()[-1] == "some differences exceed the tolerance"


def test_matrix_lists_a_missing_tool_as_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    """A tool that is not installed is a skipped row naming the extra; the check still passes."""

    def missing(*args: object, **kwargs: object) -> frameworks.ToolRun:
        raise frameworks.ToolUnavailableError("JAX is not installed: pip install 'x[jax]'")

    monkeypatch.setattr(frameworks, "run_jax", missing)
    report = crosscheck("pump_leak", tools=["jax", "scipy"])
    assert [row.status for row in report.tools] == ["skipped", "ok"]
    assert report.ok
    assert "skipped: JAX is not installed" in report.format()


def test_matrix_reports_a_failing_tool_as_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """An installed tool that fails on the model makes the check fail, with its message."""

    def broken(*args: object, **kwargs: object) -> frameworks.ToolRun:
        raise pl.SimulationError("pump_leak", "Myokit's simulation failed: boom")

    monkeypatch.setattr(frameworks, "run_scipy", broken)
    report = crosscheck("pump_leak", tools=["scipy"])
    assert report.tools[0].status == "error"
    assert "boom" in report.tools[0].detail
    assert not report.ok


def test_unknown_tool_is_refused_with_the_list() -> None:
    """An unknown tool raises ModelDefinitionError naming it and every known tool."""
    with pytest.raises(pl.ModelDefinitionError, match="'nope'") as caught:
        crosscheck("pump_leak", tools=["nope"])
    for tool in TOOLS:
        assert tool in str(caught.value)


def test_cli_crosscheck_tools_prints_the_matrix(capsys: pytest.CaptureFixture[str]) -> None:
    """``pumpleak crosscheck donnan_rigid --tools scipy,myokit`` prints 3 rows and exits 0."""
    code = main(["crosscheck", "donnan_rigid", "--tools", "scipy,myokit"])
    captured = capsys.readouterr()
    assert (code, captured.err) == (0, "")
    lines = captured.out.splitlines()
    assert sum(line.lstrip().startswith(("SciPy", "Myokit")) for line in lines) == 3
    assert lines[-1] == "all within tolerance"


def test_cli_crosscheck_unknown_tool_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    """``--tools nope`` is bad input: one line on stderr, exit code 2."""
    code = main(["crosscheck", "pump_leak", "--tools", "nope"])
    captured = capsys.readouterr()
    assert code == 2
    assert "nope" in captured.err
    assert len(captured.err.strip().splitlines()) == 1
