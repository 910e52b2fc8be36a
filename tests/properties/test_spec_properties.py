# SPDX-License-Identifier: MIT
"""Properties of random valid cell specs: they validate, build, and reach balanced steady states.

Specs are drawn by ``tests/strategies.py`` (physiological ranges, log-uniform, electroneutral
by construction). The simulation-backed property is marked slow; its example count comes
from the Hypothesis profile (``dev`` 10, ``ci`` 20; see ``tests/conftest.py``).
"""

from __future__ import annotations

import copy
import random
from typing import Any

import numpy as np
import pytest
import strategies
from hypothesis import given, note
from hypothesis import strategies as st

import pumpleak_sbml as pl
from pumpleak_sbml.spec import spec_to_dict
from pumpleak_sbml.testing import shuffled

# Balance tolerances at a steady state (relative). The engine certifies every rate to 1e-10 of
# the gross flux that meets in it (or 64 times its rounding noise, ~1e-12..1e-9 over the drawn
# cells); 1e-9 of the cell's total gross flux is the bound. The total is the scale
# because a passive ion (Cl- with no cotransporter) has ~0 gross flux of its own.
FLUX_BALANCE = 1e-9
# Osmotic balance: the water rate is certified to 1e-10 of k (osm_i + osm_o), so
# |osm_i - osm_o| <= 2e-10 osm_o: 1e-9 relative holds with a margin of 5.
OSMOTIC_BALANCE = 1e-9


def net_rates(fluxes: dict[str, float]) -> dict[str, tuple[float, float]]:
    """Return (net rate, gross flux) of each ion's amount, in fmol/s, from the reaction fluxes.

    Written from the laws' stoichiometry (leaks are effluxes; the pump moves 3 Na+ out and
    2 K+ in; KCC2 moves K+ and Cl- out; NKCC1 moves Na+, K+ and 2 Cl- in), not read from the
    model.
    """
    flux = {
        name: fluxes.get(name, 0.0)
        for name in ("J_leak_Na", "J_leak_K", "J_leak_Cl", "J_pump", "J_KCC2", "J_NKCC1")
    }
    terms = {
        "Na": (-flux["J_leak_Na"], -3 * flux["J_pump"], flux["J_NKCC1"]),
        "K": (-flux["J_leak_K"], 2 * flux["J_pump"], -flux["J_KCC2"], flux["J_NKCC1"]),
        "Cl": (-flux["J_leak_Cl"], -flux["J_KCC2"], 2 * flux["J_NKCC1"]),
    }
    return {ion: (sum(parts), sum(abs(part) for part in parts)) for ion, parts in terms.items()}


# --- fast properties: validation and text ---------------------------------------------------


@given(strategies.cell_specs(), st.randoms(use_true_random=False))
def test_property_random_spec_text_is_independent_of_key_order(
    data: dict[str, Any], rng: random.Random
) -> None:
    """A random valid spec validates, and any key order gives the same CellSpec and text."""
    spec = pl.spec_from_dict(data)
    variant = shuffled(copy.deepcopy(data), rng)
    assert pl.spec_from_dict(variant) == spec
    assert pl.to_antimony(pl.spec_from_dict(variant)) == pl.to_antimony(spec)


@given(strategies.cell_specs())
def test_property_spec_to_dict_round_trips(data: dict[str, Any]) -> None:
    """spec_to_dict gives back a dict that validates to the same CellSpec and the same text."""
    spec = pl.spec_from_dict(data)
    again = pl.spec_from_dict(spec_to_dict(spec))
    assert again == spec
    assert pl.to_antimony(again) == pl.to_antimony(spec)


_POSITIVE_KEYS = [
    ("temperature",),
    ("membrane", "capacitance"),
    ("medium", "Na"),
    ("medium", "K"),
    ("cell", "K"),
]


@given(
    strategies.cell_specs(protocol=False),
    st.sampled_from(_POSITIVE_KEYS),
    st.sampled_from([0.0, -1.0, -1e-300]),
)
def test_property_non_positive_value_is_refused_naming_key(
    data: dict[str, Any], path: tuple[str, ...], value: float
) -> None:
    """Setting any must-be-positive key to zero or below is refused, naming key and value."""
    broken = copy.deepcopy(data)
    target = broken
    for table in path[:-1]:
        target = target[table]
    target[path[-1]] = value
    with pytest.raises(pl.ModelDefinitionError) as caught:
        pl.spec_from_dict(broken)
    assert f"spec key {'.'.join(path)} = {value!r}: must be positive" in str(caught.value)


@given(strategies.cell_specs(), st.floats(1e-5, 50.0), st.sampled_from(["medium", "cell"]))
def test_property_charge_imbalance_is_refused_with_its_size(
    data: dict[str, Any], excess: float, table: str
) -> None:
    """Adding K+ alone to a neutral medium or cell is refused; the message gives the excess."""
    broken = copy.deepcopy(data)
    broken[table]["K"] += excess
    with pytest.raises(pl.ModelDefinitionError) as caught:
        pl.spec_from_dict(broken)
    message = str(caught.value)
    assert f"[{table}] is not electroneutral" in message
    imbalance = float(message.split("= ")[1].split(" mM", maxsplit=1)[0])
    # The message prints 6 significant digits of the imbalance (the K+ added).
    assert imbalance == pytest.approx(excess, rel=1e-5)


# --- slow property: build, validate, steady state --------------------------------------------


@pytest.mark.slow
@given(strategies.cell_specs())
def test_property_random_spec_builds_and_reaches_balanced_steady_state(
    data: dict[str, Any],
) -> None:
    """A random spec builds to SBML with zero issues and reaches a flux- and osmo-balanced state.

    The only acceptable failures are the two the engine shows: unbounded swelling (no
    finite steady state) and a fixed pump that drives an ion below zero (no physical one).
    """
    report = pl.validate_sbml(pl.to_sbml(data))
    assert report.ok, report.format()  # zero errors and zero warnings
    failure = None
    try:
        state = pl.steady_state(data)
    except pl.SteadyStateNotFoundError as err:
        failure = str(err)
    if failure is not None:
        note(f"no steady state: {failure}")
        assert "grows without bound" in failure or "is driven below zero" in failure
        return
    # Read the reaction fluxes of the steady state from the model itself.
    event_free = {key: value for key, value in data.items() if key != "protocol"}
    runner = pl.load(event_free)
    for sid in ("cell", "Na_i", "K_i", "Cl_i", "X_i"):  # volume first: amounts stay as set
        runner[sid] = state[sid]
    assert runner["Vm"] == pytest.approx(state["Vm"], rel=1e-12, abs=1e-12)
    fluxes = {rid: runner[rid] for rid in runner.model.getReactionIds()}
    balances = net_rates(fluxes)
    total_gross = sum(gross for _, gross in balances.values())
    assert total_gross > 0
    for ion, (net, gross) in balances.items():
        note(f"{ion}: net {net:.3g} fmol/s, gross {gross:.3g} of {total_gross:.3g}")
        assert abs(net) <= FLUX_BALANCE * total_gross, ion
    assert state["osm_i"] == pytest.approx(state["osm_o"], rel=OSMOTIC_BALANCE)
    # The steady state is physical: positive volume and concentrations, finite Vm.
    assert state["cell"] > 0
    for ion in ("Na", "K", "Cl", "X"):
        assert state[f"conc_{ion}_i"] > 0
    assert abs(state["Vm"]) < 200.0


def settles(data: dict[str, Any], state: pl.SteadyState) -> dict[str, float] | None:
    """Simulate from the start for 60 and 120 slowest relaxation times; the end if it settled.

    Settled means no volume, concentration or Vm moved by more than 1e-9 (relative; Vm
    absolute in mV) between the two: the transient is then below e^-60 of itself.
    """
    end = 60 * state.certificate.slowest_relaxation_time
    try:
        run = pl.simulate(data, end=2 * end, points=3, start="initial")
    except pl.SimulationError:
        return None
    last = {c: float(run[c][-1]) for c in run.columns}
    middle = {c: float(run[c][-2]) for c in run.columns}
    for sid in ("cell", "conc_Na_i", "conc_K_i", "conc_Cl_i"):
        if abs(last[sid] - middle[sid]) > 1e-9 * abs(last[sid]):
            return None
    return last if abs(last["Vm"] - middle["Vm"]) <= 1e-9 else None


@pytest.mark.slow
@given(strategies.cell_specs(protocol=False, bounded_pump=False))
def test_property_engine_answers_agree_with_long_simulations(data: dict[str, Any]) -> None:
    """Each of the engine's three answers is confirmed by RoadRunner on random specs.

    - A certified steady state: wherever a long simulation settles, it settles there (rel
      1e-6; Vm 1e-5 mV: CVODE at rtol 1e-10 over 10^5-10^7 s).
    - No finite steady state: the volume rises over 10^6 s (10^4 s if the integrator gives
      up first) and the cell ends hyperosmotic.
    - No physical steady state (an ion driven below zero): the simulation fails or the ion's
      amount goes negative within 10^6 s.
    """
    try:
        state = pl.steady_state(data)
    except pl.SteadyStateNotFoundError as err:
        message = str(err)
        note(message)
        if "grows without bound" in message:
            try:
                run = pl.simulate(data, end=1e6, points=21, start="initial")
            except pl.SimulationError:
                run = pl.simulate(data, end=1e4, points=21, start="initial")
            assert np.all(np.diff(run["cell"][1:]) > 0)
            assert run["osm_i"][-1] > run["osm_o"][-1]
            return
        assert "no physical steady state: Na_i is driven below zero" in message
        try:
            run = pl.simulate(data, end=1e6, points=101, start="initial")
        except pl.SimulationError:
            return
        assert np.min(run["Na_i"]) < 0
        return
    end = settles(data, state)
    note(f"settled: {end is not None}")
    if end is not None:
        for sid in ("cell", "conc_Na_i", "conc_K_i", "conc_Cl_i"):
            assert state[sid] == pytest.approx(end[sid], rel=1e-6), sid
        assert state["Vm"] == pytest.approx(end["Vm"], abs=1e-5)
