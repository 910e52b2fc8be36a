# SPDX-License-Identifier: MIT
"""The steady-state engine: right answers, honest failures, a certificate that means something.

The yardsticks are independent of the package:

- the exact steady state of the linear-leak, fixed-pump cell (Keener & Sneyd, Mathematical
  Physiology I, 2nd ed., 2009, sect. 2.6.3, doi:10.1007/978-0-387-75847-3), with the
  capacitive charge kept, solved in this file with SciPy's ``brentq``; and the largest pump
  current at which it exists, where the trapped anions' concentration reaches zero;
- long RoadRunner simulations, for cells without a closed form (GHK leaks, cotransporters)
  and to confirm that a cell said to have no finite steady state keeps swelling;
- RoadRunner's own Jacobian eigenvalues, and a two-line model whose steady states and
  eigenvalues are known by hand.

Units are the models': mV, mM (= fmol/pL), pL, fmol, µA/cm², mS/cm², µF/cm², µm², s.
"""

from __future__ import annotations

import copy
import math
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from reference_cells import EPSILON, FARADAY, LinearCell

import pumpleak_sbml as pl
from pumpleak_sbml.built_model import resolve
from pumpleak_sbml.steady import solver_for

SPEC = Path(__file__).parent.parent / "models" / "specs" / "pump_leak.toml"


def vm_rounding(state: pl.SteadyState) -> float:
    """Return the rounding error of the charge-difference Vm (mV): eps F sum|z n| / C.

    Vm = F (Na_i + K_i - Cl_i - X_i) / C is a difference of amounts each known to a relative
    eps; it grows with the volume (amounts) over the area (capacitance).
    """
    amounts = sum(abs(state[sid]) for sid in ("Na_i", "K_i", "Cl_i", "X_i"))
    capacitance = state["C_m"] * state["A_m"] * 1e-8 * 1e6  # pF
    return EPSILON * FARADAY * amounts / capacitance


def assert_matches_exact(state: pl.SteadyState, exact: Mapping[str, float]) -> None:
    """Concentrations and volume to 1e-8 relative; Vm to 1e-9 mV plus 1e4 times its rounding.

    The engine certifies each rate to 1e-10 of its gross flux (or 64 times its rounding
    noise); that pins the state to about 1e-9 relative. Vm is known only as well as the charge
    difference is: the allowance is 1e4 times its rounding error (~1e-9 mV in the default cell,
    ~1e-6 mV in one of 250 times its volume).
    """
    for sid in ("cell", "conc_Na_i", "conc_K_i", "conc_Cl_i", "conc_X_i"):
        assert state[sid] == pytest.approx(exact[sid], rel=1e-8), sid
    assert state["Vm"] == pytest.approx(exact["Vm"], abs=1e-9 + 1e4 * vm_rounding(state))


def spec_data(**changes: Any) -> dict[str, Any]:
    """Return the spec ``models/specs/pump_leak.toml`` (the library cell as a spec), edited."""
    data = tomllib.loads(SPEC.read_text(encoding="utf-8"))
    for path, value in changes.items():
        *tables, leaf = path.split("__")
        target = data
        for table in tables:
            target = target[table]
        target[leaf] = value
    return data


# --- the linear cell over its existence range --------------------------------------------------


DEFAULT = LinearCell.of("pump_leak")
LIMIT = DEFAULT.pump_limit()


def test_pump_limit_is_the_seed_cells_known_value() -> None:
    """The default cell's pump current has a ceiling near 1.982 µA/cm² (issue 8's measurement)."""
    assert abs(LIMIT - 1.982) < 5e-4


@pytest.mark.parametrize("fraction", [1e-3, 0.05, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.995, 0.999])
def test_linear_cell_steady_state_is_exact_across_its_existence_range(fraction: float) -> None:
    """From a tiny pump to 99.9 % of the largest one, the engine finds the exact steady state.

    Near the limit the volume grows ~1/(limit - p) (250 times the start at 99.9 %) and
    [Na+]i falls below 1e-6 mM: the cells on which the old engine reported swelling.
    """
    pump = fraction * LIMIT
    state = pl.steady_state("pump_leak", I_pump_max=pump)
    assert_matches_exact(state, LinearCell.of("pump_leak", I_pump_max=pump).exact())
    assert state.certificate.stable


@pytest.mark.parametrize("fraction", [1.001, 1.05, 1.2])
def test_linear_cell_beyond_the_limit_has_no_finite_steady_state_and_keeps_swelling(
    fraction: float,
) -> None:
    """Past the ceiling the answer is "no finite steady state", and a long run agrees.

    The explanation names the osmotic excess; it does not blame absent active transport,
    because the pump runs. The simulation over 10^7 s shows the volume still rising and the
    cell still hyperosmotic at its end.
    """
    pump = fraction * LIMIT
    with pytest.raises(pl.SteadyStateNotFoundError) as caught:
        pl.steady_state("pump_leak", I_pump_max=pump)
    message = str(caught.value)
    assert "no finite steady state" in message
    assert "grows without bound" in message
    assert "no active transport" not in message
    run = pl.simulate("pump_leak", end=1e7, points=11, I_pump_max=pump)
    assert np.all(np.diff(run["cell"]) > 0)
    assert run["osm_i"][-1] > run["osm_o"][-1]


def test_pump_off_is_donnan_swelling() -> None:
    """Without the pump the cell swells without bound, and the message says why (Donnan)."""
    with pytest.raises(pl.SteadyStateNotFoundError, match="Donnan swelling") as caught:
        pl.steady_state("pump_leak", I_pump_max=0.0)
    assert "no finite steady state" in str(caught.value)


@pytest.mark.parametrize(
    "overrides",
    [
        {"g_Cl": 1e3},
        {"g_Cl": 1e-4},
        {"C_m": 1e-6},
        {"C_m": 100.0},
        {"g_Na": 0.003},
        {"g_Na": 0.03},
        {"g_K": 0.5, "I_pump_max": 3.0},
        {"X_i_init": 20.0},
    ],
    ids=lambda overrides: ",".join(f"{k}={v:g}" for k, v in overrides.items()),
)
def test_linear_cell_extreme_parameters_give_the_exact_steady_state(
    overrides: dict[str, float],
) -> None:
    """Extreme conductances, capacitances and impermeant loads: still the exact answer.

    g_Cl = 1e3 and C_m = 1e-6 were missed by the old engine; g_Na = 0.003 puts [Na+]i at
    ~1e-5 mM, where a rate judged against the state's own size fails on rounding noise.
    """
    state = pl.steady_state("pump_leak", **overrides)
    assert_matches_exact(state, LinearCell.of("pump_leak", **overrides).exact())


def test_near_zero_sodium_is_accurate_relative_to_itself() -> None:
    """[Na+]i of about 2e-5 mM is found to 1e-8 of itself, not of the largest state."""
    state = pl.steady_state("pump_leak", g_Na=0.003)
    exact = LinearCell.of("pump_leak", g_Na=0.003).exact()
    assert exact["conc_Na_i"] < 1e-3
    assert state["conc_Na_i"] == pytest.approx(exact["conc_Na_i"], rel=1e-8)


@pytest.mark.parametrize("radius", [0.1, 1.0, 5.0, 100.0, 1000.0])
def test_spec_cells_from_tenth_micron_to_millimetre_give_the_exact_steady_state(
    radius: float,
) -> None:
    """Spheres of 0.1 µm to 1 mm radius (a vesicle to an oocyte) built from a spec."""
    state = pl.steady_state(spec_data(geometry__radius=radius))
    assert_matches_exact(state, LinearCell.of(spec_data(geometry__radius=radius)).exact())


def test_cell_too_large_for_double_precision_is_refused_not_verified() -> None:
    """A sphere of radius 1e30 µm is not returned unchanged as "verified": it is refused.

    Its net charge, C Vm / F, is some 1e-30 of its ion amounts: the charge-difference Vm is
    lost to rounding, and the message says so (after a warning that 1e30 µm is no cell).
    """
    with (
        pytest.warns(pl.PlausibilityWarning, match="above 1 m"),
        pytest.raises(pl.SteadyStateNotFoundError, match="double precision"),
    ):
        pl.steady_state(spec_data(geometry__radius=1e30))


# --- cells without a closed form: against long simulations --------------------------------


def settled(model: object, state: pl.SteadyState, **overrides: float) -> dict[str, float]:
    """Simulate from the model's start for 60 of the state's slowest relaxation times."""
    end = 60 * state.certificate.slowest_relaxation_time
    run = pl.simulate(model, end=end, points=2, start="initial", **overrides)
    return {column: float(run[column][-1]) for column in run.columns}


def assert_matches_simulation(model: object, **overrides: float) -> None:
    """Check the steady state is where a long simulation ends (rel 1e-7; Vm to 1e-6 mV).

    After 60 slowest relaxation times the transient is e^-60 ~ 1e-26 of its start; the
    remaining difference is the integrator's (CVODE, rtol 1e-10).
    """
    state = pl.steady_state(model, **overrides)
    end = settled(model, state, **overrides)
    for sid in ("cell", "conc_Na_i", "conc_K_i", "conc_Cl_i"):
        assert state[sid] == pytest.approx(end[sid], rel=1e-7), sid
    assert state["Vm"] == pytest.approx(end["Vm"], abs=1e-6)


def test_ghk_cell_steady_state_is_where_a_long_simulation_ends() -> None:
    """The GHK cell with a saturating pump (no closed form) settles where the engine says."""
    assert_matches_simulation("pump_leak_ghk")


@pytest.mark.parametrize("cotransporters", [{"KCC2": {"g": 0.02}}, {"NKCC1": {"g": 0.01}}])
def test_cotransporter_cells_steady_state_is_where_a_long_simulation_ends(
    cotransporters: dict[str, Any],
) -> None:
    """Cells with KCC2 or NKCC1 (Cl- no longer passive) settle where the engine says."""
    assert_matches_simulation(spec_data(cotransporters=cotransporters))


def test_fixed_pump_stronger_than_a_ghk_leak_has_no_physical_steady_state() -> None:
    """A fixed pump removing Na+ faster than a GHK leak can supply: said with both rates.

    The pump's Na+ efflux is 3 I A/F = 3 x 2 µA/cm² x 314.16 µm² x 1e-8 cm²/µm² / F; the GHK
    influx at [Na+]i -> 0 is bounded (P F [Na+]o u/(exp(u) - 1)), so Na_i would go negative.
    """
    data = spec_data()
    data["leaks"]["Na"] = {"law": "ghk", "P": 1e-9}
    data["pump"] = {"law": "fixed", "I_max": 2.0}
    with pytest.raises(pl.SteadyStateNotFoundError) as caught:
        pl.steady_state(data)
    message = str(caught.value)
    assert "no physical steady state: Na_i is driven below zero" in message
    area = 4 * math.pi * 5.0**2  # µm²
    efflux = 3 * 2.0 * area * 1e-8 * 1e9 / FARADAY  # fmol/s
    assert f"J_pump {efflux:.3g} fmol/s" in message
    assert "J_leak_Na" in message


# --- the certificate ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def default_solution() -> tuple[pl.SteadyState, Any, np.ndarray, np.ndarray]:
    """Solve the default cell once: its steady state, its solver, start and constants."""
    built = resolve("pump_leak")
    solver = solver_for(built.compiled)
    y0, p = solver.functions.start(built.overrides)
    return solver.solve(y0, p, model_id="pump_leak"), solver, y0, p


def test_certificate_residuals_are_within_its_tolerance(
    default_solution: tuple[pl.SteadyState, Any, np.ndarray, np.ndarray],
) -> None:
    """Every state's residual is at most the tolerance, which is 1e-10 or the rounding floor."""
    state = default_solution[0]
    certificate = state.certificate
    assert set(certificate.residuals) == {"cell", "Na_i", "K_i", "Cl_i"}
    assert certificate.max_residual <= certificate.tolerance
    assert 1e-10 <= certificate.tolerance < 1e-9  # the default cell's rounding floor is lower


def test_certificate_rejects_a_state_off_by_a_tiny_charge(
    default_solution: tuple[pl.SteadyState, Any, np.ndarray, np.ndarray],
) -> None:
    """Moving 1e-10 of Na_i breaks the charge balance by ~2e-5 mV: rejected on residuals.

    The Newton step from there is ~1e-10 of the state, well inside its 1e-9 bound; only the
    residual test (about 1e-7 of the gross Na+ flux against 1e-10) can refuse it. A
    tolerance loosened to 1e-4 would let it through.
    """
    state, solver, y0, p = default_solution
    y = state.state_vector.copy()
    y[state.states.index("Na_i")] *= 1 + 1e-10
    assert solver.certify(y0, p, state.state_vector) is not None
    assert solver.certify(y0, p, y) is None


def test_certificate_rejects_a_state_off_by_a_small_volume(
    default_solution: tuple[pl.SteadyState, Any, np.ndarray, np.ndarray],
) -> None:
    """A volume off by 1e-8 leaves an osmotic excess of ~3e-6 mM: not a steady state."""
    state, solver, y0, p = default_solution
    y = state.state_vector.copy()
    y[state.states.index("cell")] *= 1 + 1e-8
    assert solver.certify(y0, p, y) is None


def roadrunner_jacobian(state: pl.SteadyState) -> np.ndarray:
    """Return the Jacobian of RoadRunner's rates by central differences (rel step 1e-5).

    RoadRunner 2.10's ``getFullJacobian`` refuses models with a rate-ruled compartment, so
    the differences are taken here, on RoadRunner's own rates (an independent evaluation of
    the SBML).
    """
    runner = pl.load("pump_leak")
    states = ("cell", "Na_i", "K_i", "Cl_i")
    ids = [runner.model.getStateVectorId(i) for i in range(len(runner.getRatesOfChange()))]
    rows = [ids.index(sid) for sid in states]

    def rates(values: dict[str, float]) -> np.ndarray:
        for sid, value in values.items():
            runner[sid] = value
        return np.asarray(runner.getRatesOfChange(), dtype=float)[rows]

    base = {sid: state[sid] for sid in states}
    columns = []
    for sid in states:
        step = 1e-5 * base[sid]
        up = rates({**base, sid: base[sid] + step})
        down = rates({**base, sid: base[sid] - step})
        columns.append((up - down) / (2 * step))
    return np.array(columns).T


def test_eigenvalues_agree_with_roadrunners_rates(
    default_solution: tuple[pl.SteadyState, Any, np.ndarray, np.ndarray],
) -> None:
    """The certificate's eigenvalues are those of RoadRunner's rates at the state (rel 1e-4).

    The tolerance is the finite differences' (step 1e-5, curvature ~1e-10 relative, rounding
    ~1e-11 / 1e-5); our Jacobian is exact. All four are negative: stable; the slowest sets the
    relaxation time.
    """
    state = default_solution[0]
    theirs = sorted(np.linalg.eigvals(roadrunner_jacobian(state)), key=lambda z: z.real)
    ours = sorted(state.certificate.eigenvalues, key=lambda z: z.real)
    assert len(ours) == len(theirs) == 4
    for mine, reference in zip(ours, theirs, strict=True):
        assert mine.real == pytest.approx(reference.real, rel=1e-4)
    assert state.certificate.stable
    slowest = min(abs(z.real) for z in ours)
    assert state.certificate.slowest_relaxation_time == pytest.approx(1 / slowest)


def test_slow_volume_mode_near_the_pump_limit_is_resolved_beside_the_fast_sodium_mode() -> None:
    """A volume mode of days beside a Na+ mode of picoseconds: both resolved, stable.

    Near the existence limit the volume relaxes at -4.6e-6/s beside a Na+ mode of -4e11/s
    ([Na+]i is ~5e-15 mM, and E_Na moves by RT/F per e-fold of it). A direct eigensolver
    resolves only ~1e-4/s there and once called such a point unstable; the certificate's
    slowest eigenvalue must equal the one that 50-digit arithmetic (mpmath) finds for the
    same matrix, to 1e-8, and the state must be stable.
    """
    import mpmath

    state = pl.steady_state("pump_leak", I_pump_max=1.863, g_Na=0.00548)
    built = resolve("pump_leak", I_pump_max=1.863, g_Na=0.00548)
    functions = solver_for(built.compiled).functions
    _, p = functions.start(built.overrides)
    jacobian = functions.jac(0.0, state.state_vector, p)
    with mpmath.workdps(50):
        exact = sorted((complex(z) for z in mpmath.eig(mpmath.matrix(jacobian))[0]), key=abs)
    ours = sorted(state.certificate.eigenvalues, key=abs)
    assert EPSILON * abs(exact[-1]) > abs(exact[0])  # a direct solve's rounding is larger
    for mine, reference in zip(ours, exact, strict=True):
        assert mine.real == pytest.approx(reference.real, rel=1e-8)
    assert state.certificate.stable


_BISTABLE = """
model bistable()
  x' = k * (x - x^3)
  x = 1e-3
  k = 1
end
"""


def test_unstable_steady_state_is_not_accepted(tmp_path: Path) -> None:
    """dx/dt = x - x^3 from x = 1e-3: Newton finds x = 0 (eigenvalue +1), which is refused.

    The dynamics leave 0 for the stable x = 1, whose eigenvalue is 1 - 3 = -2 exactly.
    """
    import antimony

    antimony.clearPreviousLoads()
    assert antimony.loadAntimonyString(_BISTABLE) >= 0
    path = tmp_path / "bistable.xml"
    path.write_text(antimony.getSBMLString("bistable"), encoding="utf-8")
    state = pl.steady_state(path)
    assert state["x"] == pytest.approx(1.0, rel=1e-12)
    assert state.certificate.stable
    assert state.certificate.eigenvalues[0].real == pytest.approx(-2.0, rel=1e-9)


# --- one engine everywhere -----------------------------------------------------------------------


def test_warm_start_gives_the_same_state(
    default_solution: tuple[pl.SteadyState, Any, np.ndarray, np.ndarray],
) -> None:
    """Starting from a nearby steady state changes the work, not the answer (rel 1e-9)."""
    near = pl.steady_state("pump_leak", g_Na=0.0115)
    warm = pl.steady_state("pump_leak", start=near)
    for sid in ("cell", "conc_Na_i", "conc_K_i", "conc_Cl_i"):
        assert warm[sid] == pytest.approx(default_solution[0][sid], rel=1e-9)


def test_exported_sbml_file_gives_the_library_models_state(tmp_path: Path) -> None:
    """The SBML a user loads from a file reaches the same state as the library model."""
    path = pl.save_sbml("pump_leak", tmp_path / "pump_leak.xml", g_Na=0.012)
    from_file = pl.steady_state(path)
    from_library = pl.steady_state("pump_leak", g_Na=0.012)
    for sid in ("cell", "Vm", "conc_Na_i", "conc_K_i", "conc_Cl_i"):
        assert from_file[sid] == pytest.approx(from_library[sid], rel=1e-12, abs=1e-12)


def test_spec_cell_matches_the_hand_written_model() -> None:
    """The pump_leak spec and the hand-written pump_leak reach one state.

    Concentrations and volume agree to 1e-10; Vm to 1e-8 mV, ten times the rounding error of
    a charge-difference Vm in this cell (~1e-9 mV): two models that are the same equations
    written in a different order round differently.
    """
    spec = pl.steady_state(SPEC)
    library = pl.steady_state("pump_leak")
    for sid in ("cell", "conc_Na_i", "conc_K_i", "conc_Cl_i"):
        assert spec[sid] == pytest.approx(library[sid], rel=1e-10)
    assert spec["Vm"] == pytest.approx(library["Vm"], abs=10 * vm_rounding(library))


def test_data_spec_overrides_change_values_not_the_compiled_model() -> None:
    """A spec override is a value on the model compiled once (no rebuild per point)."""
    data = copy.deepcopy(spec_data())
    assert resolve(data, I_max=0.8).compiled is resolve(data).compiled
