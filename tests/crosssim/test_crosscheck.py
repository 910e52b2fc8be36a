# SPDX-License-Identifier: MIT
"""``crosscheck``: COPASI and the SBML L2V4 export agree with RoadRunner on every model.

Each report compares, for every quantity (volume, Vm and every concentration; the mV outputs
of a model without Vm), the largest difference over the time course relative to that
quantity's largest magnitude, against a tolerance (default 1e-6). Both integrators run at
rel 1e-12, so agreement is far inside it; the tests also check that a real disagreement is
reported, and that the command line turns the verdict into its exit code.
"""

from __future__ import annotations

import math
from pathlib import Path

import libsbml
import pytest

import pumpleak_sbml as pl
from pumpleak_sbml.cli import main
from pumpleak_sbml.crosscheck import CrosscheckReport, crosscheck
from pumpleak_sbml.formats import sbml_l2v4

_SPECS_DIR = Path(__file__).resolve().parents[2] / "models" / "specs"
LIBRARY = pl.list_models()
SPECS = sorted(_SPECS_DIR.glob("*.toml"))
MODELS: list[str | Path] = [*LIBRARY, *SPECS]
MODEL_IDS = [*LIBRARY, *(f"spec-{path.stem}" for path in SPECS)]

COPASI = "COPASI"
LEVEL2 = "RoadRunner (SBML L2V4)"
# proton_vesicle relaxes in ~1 s (tau = C_eff/G_H), so 10 s covers its dynamics; the cells
# change over hours, and 1e4 s includes the events of the scenario models (at 1000 s).
END = {"proton_vesicle": 10.0}
DEFAULT_END = 1e4


def _end(model: str | Path) -> float:
    return END.get(model, DEFAULT_END) if isinstance(model, str) else DEFAULT_END


@pytest.fixture(scope="module", params=MODELS, ids=MODEL_IDS)
def checked(request: pytest.FixtureRequest) -> tuple[str | Path, CrosscheckReport]:
    """Each model with its crosscheck report (default tolerance, COPASI included), run once."""
    model = request.param
    return model, crosscheck(model, end=_end(model))


def expected_quantities(model: str | Path) -> set[str]:
    """Return the quantities a report must compare, read from the model's SBML directly.

    Volumes that change (rate-ruled compartments), Vm, and every concentration ``conc_*``;
    for a model without Vm, every quantity in mV except the constant RT/F, and the lumenal pH.
    """
    document = libsbml.readSBMLFromString(pl.to_sbml(model))
    sbml_model = document.getModel()
    rules = list(sbml_model.getListOfRules())
    assigned = {rule.getVariable() for rule in rules if rule.isAssignment()}
    volumes = {
        rule.getVariable()
        for rule in rules
        if rule.isRate() and sbml_model.getCompartment(rule.getVariable()) is not None
    }
    if "Vm" in assigned:
        potentials = {"Vm"}
    else:
        potentials = {
            p.getId()
            for p in sbml_model.getListOfParameters()
            if p.getId() in assigned and p.getUnits() == "mV" and p.getId() != "RT_F"
        }
        potentials |= {"pH_i"} & assigned
    concentrations = {a for a in assigned if a.startswith("conc_")}
    return volumes | potentials | concentrations


def test_every_library_model_and_spec_is_checked() -> None:
    """The parametrization covers the 9 library models and every spec in models/specs."""
    assert len(LIBRARY) == 9
    assert {path.name for path in SPECS} >= {"pump_leak.toml", "pump_leak_ghk.toml"}


def test_crosscheck_agrees_within_tolerance(
    checked: tuple[str | Path, CrosscheckReport],
) -> None:
    """COPASI and the L2V4 export agree with RoadRunner to 1e-6 on every compared quantity."""
    _, report = checked
    assert report.tolerance == 1e-6
    assert report.ok, report.format()
    assert all(math.isfinite(c.difference) and c.difference >= 0 for c in report.comparisons)


def test_crosscheck_compares_volume_vm_and_concentrations_in_both_simulators(
    checked: tuple[str | Path, CrosscheckReport],
) -> None:
    """The report has a COPASI and an L2V4 comparison for each volume, Vm and concentration."""
    model, report = checked
    quantities = expected_quantities(model)
    assert quantities
    if model == "proton_vesicle":  # fixed volume, no Vm: its potentials dp, dpsi and its pH
        assert quantities == {"dp", "dpsi", "pH_i"}
    else:
        assert {"Vm", "conc_Na_i", "conc_K_i", "conc_Cl_i", "conc_X_i"} <= quantities
        # Every cell swells or shrinks except the rigid one, whose volume is a constant.
        assert ("cell" in quantities) == (model != "donnan_rigid")
    compared = [(c.simulator, c.quantity) for c in report.comparisons]
    assert len(compared) == len(set(compared))
    assert set(compared) == {(s, q) for s in (COPASI, LEVEL2) for q in quantities}


def test_crosscheck_report_table_lists_every_comparison(
    checked: tuple[str | Path, CrosscheckReport],
) -> None:
    """format() gives a header, one ``ok`` line per comparison, and the overall verdict."""
    model, report = checked
    lines = report.format().splitlines()
    # The report names the model by its SBML id (a spec's `name`), not by the path given.
    document = libsbml.readSBMLFromString(pl.to_sbml(model))  # owns the model (SWIG)
    model_id = document.getModel().getId()
    assert lines[0].startswith(f"crosscheck of {model_id}")
    assert lines[-1] == "all within tolerance"
    rows = lines[1:-1]
    assert len(rows) == len(report.comparisons)
    for row, comparison in zip(rows, report.comparisons, strict=True):
        assert row.lstrip().startswith(comparison.simulator)
        assert comparison.quantity in row.split()
        assert row.split()[-1] == "ok"


def test_cli_crosscheck_exits_0_and_prints_the_table(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``pumpleak crosscheck pump_leak`` prints the COPASI and L2V4 table and exits 0."""
    code = main(["crosscheck", "pump_leak"])
    captured = capsys.readouterr()
    assert (code, captured.err) == (0, "")
    lines = captured.out.splitlines()
    assert lines[0].startswith("crosscheck of pump_leak, 0-10000 s")
    assert lines[-1] == "all within tolerance"
    for simulator in (COPASI, LEVEL2):
        for quantity in ("cell", "Vm", "conc_Na_i", "conc_K_i", "conc_Cl_i", "conc_X_i"):
            assert any(
                line.lstrip().startswith(simulator) and quantity in line.split() for line in lines
            ), (simulator, quantity)


# --- detecting disagreement -------------------------------------------------------------------


def test_crosscheck_with_zero_tolerance_fails() -> None:
    """With tolerance 0, COPASI's rounding-level differences fail the check (ok is False)."""
    report = crosscheck("pump_leak", tolerance=0.0)
    assert not report.ok
    failing = [c for c in report.comparisons if c.difference > 0.0]
    assert failing
    assert {c.simulator for c in failing} == {COPASI}
    assert "FAIL" in report.format()
    assert report.format().splitlines()[-1] == "some differences exceed the tolerance"


def test_cli_crosscheck_with_zero_tolerance_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    """``crosscheck pump_leak --tolerance 0`` prints the FAIL rows and exits 1."""
    code = main(["crosscheck", "pump_leak", "--tolerance", "0"])
    captured = capsys.readouterr()
    assert code == 1
    assert captured.err == ""
    assert "FAIL" in captured.out
    assert captured.out.splitlines()[-1] == "some differences exceed the tolerance"


def _perturb_level2(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the L2V4 export used by crosscheck a perturbed copy: g_Na 1 % too high."""
    original = sbml_l2v4.to_l2v4

    def perturbed(sbml: str, name: str) -> str:
        document = libsbml.readSBMLFromString(original(sbml, name))
        parameter = document.getModel().getParameter("g_Na")
        assert parameter.setValue(parameter.getValue() * 1.01) == libsbml.LIBSBML_OPERATION_SUCCESS
        return str(libsbml.writeSBMLToString(document))

    monkeypatch.setattr(sbml_l2v4, "to_l2v4", perturbed)


def test_crosscheck_reports_a_perturbed_level2_copy(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 1 % error in the L2V4 copy's g_Na fails its comparisons and no others."""
    _perturb_level2(monkeypatch)
    report = crosscheck("pump_leak")
    assert not report.ok
    failing = {(c.simulator, c.quantity) for c in report.comparisons if c.difference > 1e-6}
    assert {simulator for simulator, _ in failing} == {LEVEL2}
    # [Na+]i is set by g_Na directly; the perturbation moves it by far more than rounding.
    assert (LEVEL2, "conc_Na_i") in failing


def test_cli_crosscheck_of_a_perturbed_copy_exits_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``crosscheck pump_leak --no-copasi`` exits 1 when the L2V4 copy disagrees."""
    _perturb_level2(monkeypatch)
    code = main(["crosscheck", "pump_leak", "--no-copasi"])
    captured = capsys.readouterr()
    assert code == 1
    assert COPASI not in captured.out
    assert "FAIL" in captured.out
