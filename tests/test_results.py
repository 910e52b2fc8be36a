# SPDX-License-Identifier: MIT
"""Results speak one language: a species id is its amount, ``[S]`` its concentration.

That is RoadRunner's and tellurium's convention, kept in the API, the trajectories, the JSON
and the tables; results also come as pandas objects, with their units. The numbers checked
are identities: concentration = amount / volume (fmol / pL = mM).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas
import pytest

import pumpleak_sbml as pl
from pumpleak_sbml.cli import main

SPEC = Path(__file__).parent.parent / "models" / "specs" / "pump_leak.toml"


@pytest.fixture(scope="module")
def state() -> pl.SteadyState:
    """Solve the default pump_leak cell."""
    return pl.steady_state("pump_leak")


def test_species_id_is_the_amount_and_brackets_the_concentration(state: pl.SteadyState) -> None:
    """state["Na_i"] is fmol, state["[Na_i]"] mM, and [S] = S / volume exactly."""
    assert state.units["Na_i"] == "fmol"
    assert state.units["[Na_i]"] == "mM"
    for species in ("Na_i", "K_i", "Cl_i", "X_i"):
        assert state[f"[{species}]"] == pytest.approx(state[species] / state["cell"], rel=1e-15)
        assert state[f"[{species}]"] == pytest.approx(state[f"conc_{species}"], rel=1e-15)


def test_medium_species_follow_the_same_convention(state: pl.SteadyState) -> None:
    """[Na_o] is the medium's 145 mM; Na_o its amount in the 1e9 pL bath."""
    assert state["[Na_o]"] == 145.0
    assert state["Na_o"] == pytest.approx(145.0 * state["medium"], rel=1e-15)
    assert state.units["Na_o"] == "fmol"


def test_concentrations_and_amounts_name_every_species_once(state: pl.SteadyState) -> None:
    """state.concentrations and state.amounts are keyed by species id, the cell's first."""
    assert list(state.concentrations)[:4] == ["Na_i", "K_i", "Cl_i", "X_i"]
    assert set(state.concentrations) == set(state.amounts) == set(state.species)
    assert state.concentrations["K_i"] == state["[K_i]"]
    assert state.amounts["K_i"] == state["K_i"]


def test_steady_state_as_a_pandas_series(state: pl.SteadyState) -> None:
    """to_series() holds every value by id, with the units in attrs."""
    series = state.to_series()
    assert isinstance(series, pandas.Series)
    assert series["[Na_i]"] == state["[Na_i]"]
    assert series.attrs["units"]["Vm"] == "mV"


def test_time_course_as_a_pandas_frame_with_amounts_and_concentrations() -> None:
    """to_frame() is indexed by time (s); Na_i (fmol) and [Na_i] (mM) are both columns."""
    run = pl.simulate("pump_leak", end=100.0, points=11)
    frame = run.to_frame()
    assert frame.index.name == "time"
    assert list(frame.index) == pytest.approx(list(run["time"]))
    assert frame["[Na_i]"].to_numpy() == pytest.approx(
        (frame["Na_i"] / frame["cell"]).to_numpy(), rel=1e-12
    )
    assert frame.attrs["units"]["[Na_i]"] == "mM"
    assert frame.attrs["names"]["conc_Na_i"] == "[Na+]i"


def test_json_and_table_use_the_bracket_names(capsys: pytest.CaptureFixture[str]) -> None:
    """`steady --json` keys concentrations as [S], as the Python API does."""
    assert main(["steady", "pump_leak", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["concentrations"]["[Na_i]"] == pytest.approx(
        pl.steady_state("pump_leak")["[Na_i]"], rel=1e-12
    )
    assert main(["steady", "pump_leak"]) == 0
    assert "[Na_i]" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("model", "quantity", "label"),
    [(SPEC, "radius", "µm"), ("pump_leak", "A_m", "µm²"), ("pump_leak", "g_Na", "mS/cm²")],
)
def test_units_read_as_physiologists_write_them(model: object, quantity: str, label: str) -> None:
    """Units are labels such as µm, not libsbml's '(1e-06 metre)^1'."""
    assert pl.resolve(model).compiled.units[quantity] == label
