# SPDX-License-Identifier: MIT
"""Messages that tell the truth: each failure class has its own message, hints only when likely.

The reference for "where did it fail" is the integrator itself: the time at which a plain
time course over the same span fails. The reference for "too large to compute" is the
charge-difference formula: Vm = F * sum(z n) / C, so rounding each amount n by one unit in
the last place moves Vm by eps * F * sum(|z| n) / C.
"""

from __future__ import annotations

import subprocess
import sys
import warnings
from collections.abc import Iterator

import numpy as np
import pytest
import roadrunner

import pumpleak_sbml as pl
from pumpleak_sbml import limits

PUMP_HINT = "pump stronger than the leaks"


@pytest.fixture
def no_plausibility_warnings() -> Iterator[None]:
    """Let implausible values through (the pytest configuration makes warnings errors)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pl.PlausibilityWarning)
        yield


# --- API limits (api.py) ------------------------------------------------------------------------


def test_api_end_beyond_float_is_refused_naming_the_limit() -> None:
    """simulate(end=10**400) is a LimitExceededError, not an OverflowError."""
    with pytest.raises(pl.LimitExceededError, match="end time = <an integer of about 401"):
        pl.simulate("pump_leak", 10**400, 11)


def test_api_end_above_the_limit_is_refused_before_simulating() -> None:
    """simulate(end=1e300) is refused naming 1e+300 s and the 1e+09 s limit."""
    with pytest.raises(pl.LimitExceededError, match=r"1e\+300 s is above the limit of 1e\+09 s"):
        pl.simulate("pump_leak", 1e300, 11)


def test_api_points_above_the_limit_are_refused_before_simulating() -> None:
    """simulate(points=MAX_POINTS + 1) is refused naming the limit."""
    with pytest.raises(pl.LimitExceededError, match="number of points = 100001"):
        pl.simulate("pump_leak", 10.0, limits.MAX_POINTS + 1)


def test_api_huge_integer_override_of_library_model_is_refused() -> None:
    """to_sbml('pump_leak', g_K=10**400) is an InvalidOverrideError, not an OverflowError."""
    with pytest.raises(pl.InvalidOverrideError, match="g_K"):
        pl.to_sbml("pump_leak", g_K=10**400)


def test_api_celsius_override_of_library_model_warns() -> None:
    """to_sbml('pump_leak', T=37) warns 'did you mean 310.15 K', as a spec does."""
    with pytest.warns(pl.PlausibilityWarning, match=r"310\.15 K"):
        pl.to_sbml("pump_leak", T=37.0)


def test_cli_strict_refuses_celsius_override_of_library_model(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``pumpleak --strict steady pump_leak --set T=37`` exits 2 before any work."""
    from pumpleak_sbml.cli import main

    code = main(["--strict", "steady", "pump_leak", "--set", "T=37"])
    assert code == 2
    assert "did you mean 310.15 K" in capsys.readouterr().err


# --- crosscheck (crosscheck.py) -----------------------------------------------------------------


@pytest.mark.parametrize("points", [0, 1])
def test_api_crosscheck_too_few_points_is_our_error(points: int) -> None:
    """crosscheck(points=0 or 1) is a ModelDefinitionError naming the rule."""
    from pumpleak_sbml.crosscheck import crosscheck

    with pytest.raises(pl.ModelDefinitionError, match="integer >= 2"):
        crosscheck("pump_leak", 10.0, points, copasi=False)


def test_api_crosscheck_negative_end_is_our_error() -> None:
    """crosscheck(end=-5) is refused as an end time, not reported as a solver failure."""
    from pumpleak_sbml.crosscheck import crosscheck

    with pytest.raises(pl.ModelDefinitionError, match="end time must be a positive number"):
        crosscheck("pump_leak", -5.0, 11, copasi=False)


# --- integrator failures (simulation.py) --------------------------------------------------------


def test_integrator_failure_without_a_depleted_ion_does_not_blame_the_pump(
    no_plausibility_warnings: None,
) -> None:
    """At T = 1e-9 K the GHK leaks' exponent zFVm/RT overflows at once: no pump hint.

    (In ``pump_leak`` at the same temperature the hint is right: every Nernst potential
    is proportional to RT/F and vanishes, so the leaks cannot resupply what the fixed pump
    removes, and Na_i falls to 0 before the integrator stops.)
    """
    with pytest.raises(pl.SimulationError) as caught:
        pl.simulate("pump_leak_ghk", 1e4, 11, T=1e-9)
    assert caught.value.t_reached is not None
    assert caught.value.t_reached < 1.0  # long before any ion could be pumped away
    assert PUMP_HINT not in str(caught.value)


def test_integrator_failure_with_an_overstrong_pump_keeps_its_hint() -> None:
    """A fixed pump 6 times stronger than the default fails, and the pump hint is right there."""
    with pytest.raises(pl.SimulationError) as caught:
        pl.simulate("pump_leak", 100.0, 11, I_pump_max=3.0)
    assert PUMP_HINT in str(caught.value)
    assert "Na_i had fallen to" in str(caught.value)


def test_advancing_failure_reports_where_the_integrator_stopped() -> None:
    """A failure while advancing (as after a scenario's events) is placed where it happened.

    The reference is a plain time course over the same span: it fails at about 28 s, when
    the overstrong pump has emptied the cell of Na+, not at the start of the span (t = 0).
    """
    from pumpleak_sbml.api import resolve
    from pumpleak_sbml.simulation import simulator_for

    with pytest.raises(pl.SimulationError) as time_course:
        pl.simulate("pump_leak", 100.0, 2, I_pump_max=3.0)
    built = resolve("pump_leak", I_pump_max=3.0)
    simulator = simulator_for(built.compiled)
    simulator.reset(built.overrides)
    with pytest.raises(pl.SimulationError) as caught:
        simulator.advance(100.0)
    failed_at = time_course.value.t_reached
    assert failed_at is not None
    assert 0.0 < failed_at < 100.0
    # CVODE's step sequence depends on the output grid; both runs fail within the span.
    assert caught.value.t_reached is not None
    assert 0.0 < caught.value.t_reached <= 100.0
    assert "at t = 0 s" not in str(caught.value)


def test_integrator_detail_is_not_cut_mid_word() -> None:
    """Every word the message quotes from RoadRunner's error is whole, never cut short."""
    with pytest.raises(pl.SimulationError) as caught:
        pl.simulate("pump_leak", 100.0, 11, I_pump_max=3.0)
    cause = caught.value.__cause__
    assert cause is not None
    quoted = {word.strip("();,.") for word in str(cause).split()}
    cut = [
        token
        for token in (word.strip("();,.") for word in str(caught.value).split())
        if len(token) >= 4
        and token not in quoted
        and any(word.startswith(token) for word in quoted)
    ]
    assert not cut, cut


@pytest.mark.parametrize(
    "cell",
    [
        {"Na": 14.0, "K": 120.0, "Cl": 5.0, "X": 129.0},  # the new-spec template's
        {"Na": 12.0, "K": 137.0, "Cl": 5.0, "X": 144.0},
    ],
    ids=["template", "other"],
)
def test_huge_cell_is_refused_for_its_size_not_its_charge(
    no_plausibility_warnings: None, cell: dict[str, float]
) -> None:
    """A neutral spec with radius 1e20 µm is refused for its size, not called non-neutral."""
    spec = {
        "name": "huge_cell",
        "temperature": 310.15,
        "geometry": {"shape": "sphere", "radius": 1e20},
        "membrane": {"capacitance": 1.0, "water_permeability": 0.015},
        "medium": {"Na": 145.0, "K": 4.0, "Cl": 149.0},
        "cell": cell,
        "leaks": {"Na": {"law": "linear", "g": 0.011}},
        "pump": {"law": "fixed", "I_max": 0.5},
    }
    pl.spec_from_dict(spec)  # neutral within 1e-6 mM: the spec check accepts it
    with pytest.raises(pl.ModelDefinitionError) as caught:
        pl.simulate(spec, 10.0, 11)
    assert "not electroneutral" not in str(caught.value)
    assert "too large for its net charge to be resolved" in str(caught.value)


@pytest.mark.parametrize("volume", [0.5236, 5.236e4])  # 1 and 1e5 times the default
def test_vm_rounding_follows_the_charge_difference_formula(volume: float) -> None:
    """The rounding of Vm that refuses huge cells is eps * F * sum(|z| n) / C, in mV.

    Vm is linear in each amount, so the finite-difference estimate is exact up to the
    rounding of the difference itself (1e-6 relative is ample).
    """
    from pumpleak_sbml.simulation import _vm_rounding

    runner = pl.load("pump_leak", cell=volume)
    area_cm2 = runner["A_m"] * 1e-8  # µm² -> cm²
    capacitance = runner["C_m"] * 1e-6 * area_cm2  # F
    ions = {"Na_i": "z_Na", "K_i": "z_K", "Cl_i": "z_Cl", "X_i": "z_X"}
    charge = sum(abs(runner[z]) * runner[ion] * 1e-15 for ion, z in ions.items())  # mol
    expected_mV = float(np.finfo(float).eps) * runner["F"] * charge / capacitance * 1e3
    assert _vm_rounding(runner) == pytest.approx(expected_mV, rel=1e-6)


def test_overflowing_concentration_is_not_called_zero(no_plausibility_warnings: None) -> None:
    """Na_o = 1e308 is refused with a message about its size, not about a zero concentration."""
    with pytest.raises(pl.ModelDefinitionError) as caught:
        pl.simulate("pump_leak", 10.0, 11, Na_o=1e308)
    assert "concentration zero" not in str(caught.value)
    assert "Na_o = inf" in str(caught.value)
    assert "too large for double-precision arithmetic" in str(caught.value)


def test_out_of_memory_in_the_solver_is_called_out_of_memory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A std::bad_alloc from RoadRunner is reported as out of memory, without the pump hint."""

    def exhausted(self: object, *args: object, **kwargs: object) -> None:
        raise RuntimeError("std::bad_alloc")

    monkeypatch.setattr(roadrunner.RoadRunner, "simulate", exhausted)
    with pytest.raises((MemoryError, pl.SimulationError)) as caught:
        pl.simulate("pump_leak", 10.0, 11)
    assert "out of memory" in str(caught.value) or isinstance(caught.value, MemoryError)
    assert PUMP_HINT not in str(caught.value)


def test_solver_output_does_not_reach_stdout_or_stderr() -> None:
    """A failing simulate (a pump 50 times its Na+ leak) prints one error line and no stdout.

    Today this case prints eleven CVODE '[WARNING]' lines on stdout and an '[ERROR]' line on
    stderr before our own message.
    """
    result = subprocess.run(
        [
            *(sys.executable, "-m", "pumpleak_sbml", "simulate", "pump_leak"),
            *("--end", "1e4", "--points", "3", "--set", "g_Na=0.0001"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("pumpleak: error: ")


def test_cell_without_leaks_is_not_blamed_on_a_zero_concentration() -> None:
    """pump_leak with g_Na = g_K = g_Cl = 0 loads, or is refused without the zero hint."""
    message = ""
    try:
        pl.load("pump_leak", g_Na=0.0, g_K=0.0, g_Cl=0.0)
    except pl.ModelDefinitionError as err:
        message = str(err)
    assert "concentration zero" not in message
    assert not message or "g_Cl, g_K, g_Na, which are 0 here" in message


def test_zero_initial_concentration_is_named() -> None:
    """Na_i starting at 0 makes E_Na infinite: the message names Na_i and the Nernst cause."""
    with pytest.raises(pl.ModelDefinitionError, match=r"Na_i starts at 0 \(a Nernst potential"):
        pl.load("pump_leak", Na_i_init=0.0)
