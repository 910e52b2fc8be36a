# SPDX-License-Identifier: MIT
"""Steady-state sensitivities: exact derivatives that agree with the physics they differentiate.

The yardsticks are independent of the engine:

- the exact steady state of the linear-leak, fixed-pump cell (``reference_cells.py``, SciPy's
  ``brentq``), differentiated by central differences of that closed form;
- central differences of certified steady states, for every library model;
- identities of the physics: chloride is passive in the pump-leak cell, so Vm = E_Cl at every
  steady state; its fluxes are all proportional to the conductances and the pump, so scaling
  them together changes nothing (their coefficients sum to zero); and a two-state conserved
  moiety whose steady state is known by hand.

A control coefficient (p/x) dx/dp is dimensionless; every tolerance below is on it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas
import pytest
from reference_cells import FARADAY, GAS_CONSTANT, LinearCell

import pumpleak_sbml as pl
from pumpleak_sbml.built_model import resolve
from pumpleak_sbml.cli import main

OUTPUT_KEYS = {"Vm": "Vm", "cell": "cell", "[Na_i]": "conc_Na_i", "[K_i]": "conc_K_i"}
OUTPUT_KEYS["[Cl_i]"] = "conc_Cl_i"
MODELS_WITH_A_STEADY_STATE = [m for m in pl.list_models() if m != "donnan_swelling"]


@pytest.fixture(scope="module")
def pump_leak() -> pl.Sensitivities:
    return pl.sensitivities("pump_leak")


# --- against the exact solution ----------------------------------------------------------------


def exact_coefficient(parameter: str, output: str, value: float) -> float:
    """(p/x) dx/dp of the exact linear cell, by central differences (step 1e-5 p).

    The closed form is solved to 4 machine epsilons, so the difference quotient carries
    ~1e-11 of rounding and ~1e-10 of truncation (step squared times the curvature).
    """
    step = 1e-5 * value
    up = LinearCell.of("pump_leak", **{parameter: value + step}).exact()
    down = LinearCell.of("pump_leak", **{parameter: value - step}).exact()
    base = LinearCell.of("pump_leak").exact()
    key = OUTPUT_KEYS[output]
    return (up[key] - down[key]) / (2 * step) * value / base[key]


@pytest.mark.parametrize(
    "parameter", ["I_pump_max", "g_Na", "g_K", "Na_o", "K_o", "T", "C_m", "A_m", "X_i_init"]
)
def test_linear_cell_coefficients_are_those_of_the_exact_solution(
    pump_leak: pl.Sensitivities, parameter: str
) -> None:
    """Every coefficient of the K&S cell matches its closed form's, to 1e-8 (worst seen 2e-9).

    The engine's state has residuals below 1e-10 of the gross fluxes, and the linear solve
    adds only rounding; a wrong derivative (a missed chain-rule term, a wrong conserved
    total) is off by the size of the coefficient itself, 1e-6 to 5.
    """
    value = resolve("pump_leak").parameters[parameter]
    for output in OUTPUT_KEYS:
        expected = exact_coefficient(parameter, output, value)
        got = pump_leak.relative.loc[output, parameter]
        assert got == pytest.approx(expected, abs=1e-8 * max(1.0, abs(expected))), output


def test_the_pump_strength_controls_sodium_most(pump_leak: pl.Sensitivities) -> None:
    """[Na+]i is the pump's steepest lever: C = -5.5, against |C| < 0.5 for K+ and Cl-."""
    by_pump = pump_leak.relative["I_pump_max"]
    assert abs(by_pump["[Na_i]"]) == max(abs(by_pump[o]) for o in OUTPUT_KEYS)
    assert by_pump["[Na_i]"] < -1.0  # more pumping, much less Na+ inside


# --- identities of the physics -----------------------------------------------------------------


def test_chloride_is_passive_so_vm_moves_with_the_chloride_nernst_potential(
    pump_leak: pl.Sensitivities,
) -> None:
    """At steady state Vm = E_Cl = (RT/F) ln([Cl]i/[Cl]o), so dVm/dp = (RT/F) d ln[Cl]i/dp.

    For every parameter that leaves T and the medium alone; both sides come from the same
    linear solve, one through the charge (Vm), one through an amount, so they agree to
    rounding: 1e-10 in the coefficient (Vm is a difference of charges ~1e5 times larger,
    so it carries ~1e5 times the rounding of an amount).
    """
    state = pump_leak.state
    thermal = 1e3 * GAS_CONSTANT * state["T"] / FARADAY  # mV
    for parameter in ("I_pump_max", "g_Na", "g_K", "C_m", "A_m", "X_i_init"):
        got = pump_leak.relative.loc["Vm", parameter]
        c_cl = pump_leak.relative.loc["[Cl_i]", parameter]
        expected = thermal * c_cl / state["Vm"]
        assert got == pytest.approx(expected, abs=1e-10), parameter


@pytest.mark.parametrize(
    ("model", "rates"),
    [
        ("pump_leak", ("g_Na", "g_K", "g_Cl", "I_pump_max")),
        ("pump_leak_ghk", ("P_Na", "P_K", "P_Cl", "I_pump_max")),
    ],
)
def test_scaling_every_transport_rate_together_leaves_the_steady_state_alone(
    model: str, rates: tuple[str, ...]
) -> None:
    """Scaling every transport rate together leaves the steady state where it is.

    Every ion flux is proportional to one of these rates, so F(y, λp) = λF(y, p): the
    steady state is homogeneous of degree 0 in them and their coefficients sum to zero
    (Euler). Tolerance 1e-8: the sum of coefficients up to 5 whose rounding is ~1e-10.
    """
    result = pl.sensitivities(model, parameters=rates)
    for output, row in result.relative.iterrows():
        assert row.sum() == pytest.approx(0.0, abs=1e-8), output
    assert result.relative.abs().to_numpy().max() > 0.01  # each rate does matter alone


_ISOMERASE = """
model isomerase()
  compartment box = 1
  species A in box = 3, B in box = 1
  J_forward: A -> B; k1 * A
  J_back: B -> A; k2 * B
  k1 = 2; k2 = 0.5
end
"""


def test_conserved_moiety_moves_with_its_initial_total(tmp_path: Path) -> None:
    """A conserved moiety's total is set by the start, and its steady state moves with it.

    A <-> B keeps T = A + B; at steady state A* = T k2 / (k1 + k2), by hand:
    dA*/dA0 = dA*/dB0 = k2/(k1+k2), dA*/dk1 = -T k2/(k1+k2)^2, dA*/dk2 = T k1/(k1+k2)^2.
    """
    import antimony

    antimony.clearPreviousLoads()
    assert antimony.loadAntimonyString(_ISOMERASE) >= 0
    path = tmp_path / "isomerase.xml"
    path.write_text(antimony.getSBMLString("isomerase"), encoding="utf-8")
    result = pl.sensitivities(path, parameters=["A", "B", "k1", "k2"], outputs=["A", "B"])
    total, k1, k2 = 4.0, 2.0, 0.5
    expected_a = [k2 / (k1 + k2), k2 / (k1 + k2), -total * k2 / (k1 + k2) ** 2]
    expected_a.append(total * k1 / (k1 + k2) ** 2)
    np.testing.assert_allclose(result.absolute.loc["A"], expected_a, rtol=1e-12)
    np.testing.assert_allclose(
        result.absolute.loc["B"],
        [1 - expected_a[0]] * 2
        + [
            -expected_a[2],
            -expected_a[3],
        ],
        rtol=1e-12,
    )


# --- every model: against finite differences of the steady state -----------------------------


def difference_coefficients(model: str, parameter: str, outputs: list[str]) -> np.ndarray:
    """(p/x) dx/dp from steady states at p (1 ± 1e-4): truncation ~1e-8, noise ~1e-6.

    The noise is the certified residual (1e-10 of the gross fluxes) over the step.
    """
    value = resolve(model).parameters[parameter]
    step = 1e-4 * value
    up = pl.steady_state(model, **{parameter: value + step})
    down = pl.steady_state(model, **{parameter: value - step})
    base = pl.steady_state(model)
    return np.array([(up[o] - down[o]) / (2 * step) * value / base[o] for o in outputs])


@pytest.mark.parametrize("model", MODELS_WITH_A_STEADY_STATE)
def test_coefficients_agree_with_differences_of_steady_states(model: str) -> None:
    """Every nonzero parameter of every model: agreement to 1e-5 (worst seen 5e-7)."""
    result = pl.sensitivities(model)
    outputs = list(result.relative.index)
    parameters = resolve(model).parameters
    for parameter in result.relative.columns:
        if parameters[parameter] == 0.0:
            continue
        expected = difference_coefficients(model, parameter, outputs)
        got = result.relative[parameter].to_numpy()
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5, err_msg=parameter)


# --- what a caller gets --------------------------------------------------------------------------


def test_default_outputs_are_vm_the_volume_and_the_cells_concentrations(
    pump_leak: pl.Sensitivities,
) -> None:
    assert list(pump_leak.absolute.index) == ["Vm", "cell", "[Na_i]", "[K_i]", "[Cl_i]"]
    assert set(pump_leak.absolute.columns) == set(resolve("pump_leak").parameters)
    assert pump_leak.units["Vm"] == "mV"
    assert pump_leak.units["g_K"] == "mS/cm²"
    assert pump_leak.units["Na_o"] == "mM"  # set as a concentration


def test_relative_is_absolute_scaled_by_parameter_over_output(pump_leak: pl.Sensitivities) -> None:
    g_k = resolve("pump_leak").parameters["g_K"]
    expected = pump_leak.absolute.loc["Vm", "g_K"] * g_k / pump_leak.state["Vm"]
    assert pump_leak.relative.loc["Vm", "g_K"] == pytest.approx(expected, rel=1e-15)


def test_overrides_move_the_point_the_derivatives_are_taken_at() -> None:
    """At half the pump, [Na+]i's coefficient is that of the exact cell at half the pump."""
    pump = 0.5 * resolve("pump_leak").parameters["I_pump_max"]
    result = pl.sensitivities("pump_leak", parameters=["I_pump_max"], I_pump_max=pump)
    step = 1e-5 * pump
    up = LinearCell.of("pump_leak", I_pump_max=pump + step).exact()
    down = LinearCell.of("pump_leak", I_pump_max=pump - step).exact()
    base = LinearCell.of("pump_leak", I_pump_max=pump).exact()
    expected = (up["conc_Na_i"] - down["conc_Na_i"]) / (2 * step) * pump / base["conc_Na_i"]
    assert result.relative.loc["[Na_i]", "I_pump_max"] == pytest.approx(expected, rel=1e-8)
    assert result.state["I_pump_max"] == pump


def test_unknown_parameter_is_named_with_the_settable_ones() -> None:
    with pytest.raises(pl.ModelDefinitionError, match=r"'g_X': not a settable .* g_K"):
        pl.sensitivities("pump_leak", parameters=["g_X"])


def test_unknown_output_is_named() -> None:
    with pytest.raises(pl.ModelDefinitionError, match=r"no quantity 'conc_Q'"):
        pl.sensitivities("pump_leak", outputs=["conc_Q"])


def test_a_cell_without_a_steady_state_has_no_sensitivities() -> None:
    with pytest.raises(pl.SteadyStateNotFoundError, match="no finite steady state"):
        pl.sensitivities("donnan_swelling")


# --- the command line ----------------------------------------------------------------------------


def test_command_prints_the_coefficients_a_parameter_per_line(
    pump_leak: pl.Sensitivities, capsys: pytest.CaptureFixture[str]
) -> None:
    """`pumpleak sensitivity` prints the API's coefficients; exact zeros are shown as 0."""
    assert main(["sensitivity", "pump_leak"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "control coefficients (p/x) dx/dp at the steady state of pump_leak"
    assert lines[1].split() == ["Vm", "cell", "[Na_i]", "[K_i]", "[Cl_i]"]
    rows = {line.split()[0]: line.split()[1:] for line in lines[2:-1]}
    expected = pump_leak.relative["g_K"].to_numpy()
    np.testing.assert_allclose([float(v) for v in rows["g_K"]], expected, rtol=1e-3)
    assert "g_Cl" not in rows  # chloride is passive: no effect, listed on the last line
    assert lines[-1].startswith("no effect on these outputs:")
    assert "g_Cl" in lines[-1]


def test_command_writes_the_table_and_a_tornado(
    pump_leak: pl.Sensitivities, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, plot = tmp_path / "coefficients.csv", tmp_path / "tornado.png"
    assert main(["sensitivity", "pump_leak", "--out", str(out), "--plot", str(plot)]) == 0
    assert f"wrote {out}: 5 outputs x 17 parameters" in capsys.readouterr().out
    table = pandas.read_csv(out, index_col=0)
    pandas.testing.assert_frame_equal(table, pump_leak.relative, check_exact=False, rtol=1e-15)
    assert plot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_command_absolute_names_the_units(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sensitivity", "pump_leak", "--absolute", "--of", "Vm", "--param", "g_K"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split() == ["Vm", "(mV)"]
    assert lines[2].split()[:2] == ["g_K", "(mS/cm²)"]


@pytest.mark.parametrize(
    ("arguments", "code", "words"),
    [
        (["pump_leak", "--of", "conc_Q"], 2, "no quantity 'conc_Q'"),
        (["pump_leak", "--param", "g_X"], 2, "'g_X': not a settable quantity"),
        (["donnan_swelling"], 1, "no finite steady state"),
    ],
)
def test_command_errors_are_one_line(
    arguments: list[str], code: int, words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sensitivity", *arguments]) == code
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("pumpleak: error:")
    assert words in err
