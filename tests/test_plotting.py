# SPDX-License-Identifier: MIT
"""Figures say what they show: display names in legends, the run in the title.

The text is read back from SVG files written with ``svg.fonttype = none`` (text kept as text).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pytest

import pumpleak_sbml as pl
from pumpleak_sbml.plotting import plot_sensitivities, plot_trajectory


def svg_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@pytest.fixture
def pump_block(tmp_path: Path) -> str:
    run = pl.simulate("pump_leak", end=2e4, points=51, I_pump_max=0.0)
    path = tmp_path / "block.svg"
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        plot_trajectory(run, path)
    return svg_text(path)


def test_time_course_legends_use_the_models_display_names(pump_block: str) -> None:
    """Concentrations read [Na+]i, the volume "cell water volume"; not Na_i or cell."""
    for label in ("[Na+]i", "[K+]i", "[Cl-]i", "cell water volume", "Vm", "E_K"):
        assert f">{label}<" in pump_block, label
    assert ">Na_i<" not in pump_block


def test_time_course_title_names_the_values_set_and_the_start(pump_block: str) -> None:
    assert "pump_leak (I_pump_max = 0): time course from the initial state" in pump_block


def test_scenario_title_says_it_starts_at_steady_state(tmp_path: Path) -> None:
    run = pl.simulate("hydropic_change", end=1e4, points=21)
    assert run.description == "hydropic_change: time course from the steady state"


def test_tornado_has_a_panel_per_output_with_the_largest_coefficients(tmp_path: Path) -> None:
    """Each output's panel shows its 12 largest coefficients by magnitude, zeros left out."""
    result = pl.sensitivities("pump_leak")
    path = tmp_path / "tornado.svg"
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        plot_sensitivities(result.relative, path)
    text = svg_text(path)
    for output in result.relative.index:
        assert f">{output}<" in text
    assert ">I_pump_max<" in text
    assert ">Na_i_init<" not in text  # no effect at steady state: no bar
    assert ">g_Cl<" not in text  # an exact zero (Cl- is passive), computed as ~1e-12
