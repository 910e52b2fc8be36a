# SPDX-License-Identifier: MIT
"""The CellML 2.0 export: valid under libcellml, with units, and right in a CellML tool.

For every library model and every spec in models/specs: libcellml's parser, Validator and
Analyser find no issue at all (unit warnings included) and classify the model as an ODE
system; Myokit's CellML importer runs the file and agrees with RoadRunner (the reference,
an independent simulator reading the SBML). Both integrators run at rtol 1e-12; the
comparison is the cross-check's, 1e-6 of each quantity's largest magnitude (measured
agreement 2e-11 to 1e-9 on this grid; see tests/crosssim/test_frameworks.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import numpy as np
import pytest

import pumpleak_sbml as pl
from pumpleak_sbml.crosscheck import crosscheck
from pumpleak_sbml.formats import export

libcellml = pytest.importorskip("libcellml", reason="libcellml is in the [test] extra")

_SPECS = sorted((Path(__file__).resolve().parents[2] / "models" / "specs").glob("*.toml"))
LIBRARY = pl.list_models()
MODELS: list[str | Path] = [*LIBRARY, *_SPECS]
MODEL_IDS = [*LIBRARY, *(f"spec-{path.stem}" for path in _SPECS)]
# proton_vesicle relaxes in ~1 s; the cells over hours (and their events come at 1000 s).
END = {"proton_vesicle": 10.0}
CELLML = "{http://www.cellml.org/cellml/2.0#}"


def _issues(text: str) -> tuple[list[str], Any]:
    """Return every libcellml issue (parser, Validator, Analyser) and the analysed model."""
    parser = libcellml.Parser(False)  # strict: CellML 2.0 only
    model = parser.parseModel(text)
    validator = libcellml.Validator()
    validator.validateModel(model)
    analyser = libcellml.Analyser()
    analyser.analyseModel(model)
    issues = [
        item.issue(i).description()
        for item in (parser, validator, analyser)
        for i in range(item.issueCount())
    ]
    return issues, analyser.analyserModel()


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_cellml_export_has_no_libcellml_issue_and_is_an_ode_model(model: str | Path) -> None:
    """The libcellml parser, Validator and Analyser report nothing; it is an ODE system."""
    issues, analysed = _issues(str(export(model, "cellml")))
    assert issues == []
    assert libcellml.AnalyserModel.typeAsString(analysed.type()) == "ode"


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_cellml_states_are_the_ode_systems_states_with_sbml_units(model: str | Path) -> None:
    """The CellML states are pl.ode's, each starting from x_0; Vm, [Na+]i, Na_i, cell in units."""
    root = ElementTree.fromstring(str(export(model, "cellml")))
    variables = {v.get("name"): v for v in root.iter(f"{CELLML}variable")}
    for state in pl.ode(model).state_names:
        assert variables[state].get("initial_value") == f"{state}_0"
        assert variables[f"{state}_0"].get("units") == variables[state].get("units")
    expected = {"Vm": "mV", "conc_Na_i": "mM", "Na_i": "fmol", "cell": "pL", "time": "second"}
    found = {sid: variables[sid].get("units") for sid in expected if sid in variables}
    assert found == {sid: unit for sid, unit in expected.items() if sid in variables}
    assert all(v.get("units") for v in variables.values())


def test_cellml_start_keeps_the_initial_assignments_as_equations() -> None:
    """Changing Na_i_init in the CellML model changes Na_i's start to Na_i_init * cell_0."""
    pytest.importorskip("myokit", reason="Myokit is in the [test] extra")
    from pumpleak_sbml.frameworks import _myokit_model

    model = _myokit_model(str(export("pump_leak", "cellml")), "cellml", "pump_leak")
    model.get("main.Na_i_init").set_rhs(30.0)  # mM
    volume = model.get("main.cell_0").eval()  # pL
    state = dict(zip([v.qname() for v in model.states()], model.initial_values(True), strict=True))
    assert state["main.Na_i"] == pytest.approx(30.0 * volume, rel=1e-15)


def test_cellml_of_a_scenario_model_says_its_events_are_left_out() -> None:
    """hydropic_change's CellML names its event E_block in a comment: CellML has no events."""
    text = str(export("hydropic_change", "cellml"))
    assert "E_block" in text.split("<model", 1)[0]
    assert "no discrete events" in text


def test_cellml_numbers_take_the_unit_of_what_they_are_added_to() -> None:
    """The 0 mM branch of hydropic_change's gain_Na is written in mM, not dimensionless."""
    root = ElementTree.fromstring(str(export("hydropic_change", "cellml")))
    math = root.find(f"{CELLML}component/{{http://www.w3.org/1998/Math/MathML}}math")
    assert math is not None
    units = {
        cn.get(f"{CELLML}units")
        for cn in math.iter("{http://www.w3.org/1998/Math/MathML}cn")
        if (cn.text or "").strip() == "0"
    }
    assert units == {"mM"}


# Myokit compiles every model to C (2-4 s each): two models in the quick suite, the rest slow.
MYOKIT_MODELS = [
    pytest.param(
        model,
        id=name,
        marks=() if name in {"pump_leak_ghk", "hydropic_change"} else pytest.mark.slow,
    )
    for model, name in zip(MODELS, MODEL_IDS, strict=True)
]


@pytest.mark.parametrize("model", MYOKIT_MODELS)
def test_cellml_in_myokit_agrees_with_roadrunner(model: str | Path) -> None:
    """Myokit's CellML import of the export reproduces RoadRunner's time course (to 1e-6)."""
    pytest.importorskip("myokit", reason="Myokit is in the [test] extra")
    end = END.get(model, 1e4) if isinstance(model, str) else 1e4
    report = crosscheck(model, end=end, tools=["myokit"])
    row = next(t for t in report.tools if t.label.endswith("(CellML 2.0)"))
    if row.status == "skipped":
        pytest.skip(row.detail)
    assert row.status == "ok", report.format()
    assert np.isfinite(row.difference)
    assert row.difference <= 1e-6
