# SPDX-License-Identifier: MIT
"""Parameter scans: single-point answers, one order on any workers, honest statuses, files.

Scans give the same answers as single points, in the same order on any number of workers,
honest statuses past the existence limit, and files that read back the same.

The yardstick for the existence limit is the exact steady state of the linear-leak,
fixed-pump cell, written here from Keener & Sneyd (Mathematical Physiology I, 2nd ed., 2009,
sect. 2.6.3): with ions balanced, [Na]i + [K]i = a exp(-F Vm/RT) with
a = Na_o exp(-3 I/(g_Na RT/F)) + K_o exp(2 I/(g_K RT/F)); a finite volume exists only while
a < Cl_o (149 mM here).
"""

from __future__ import annotations

import math
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas
import pytest

import pumpleak_sbml as pl
from pumpleak_sbml.cli import main
from pumpleak_sbml.scanning import MAX_POINTS, parse_range, scan

FARADAY = 96485.33212
GAS_CONSTANT = 8.314462618
RT_F = 1e3 * GAS_CONSTANT * 310.15 / FARADAY  # mV at 37 °C


def sodium_potassium_factor(pump: float, g_na: float = 0.011, g_k: float = 0.041) -> float:
    """Return a = Na_o exp(-3I/(g_Na RT/F)) + K_o exp(2I/(g_K RT/F)) (mM), pump_leak's media."""
    return 145.0 * math.exp(-3 * pump / (g_na * RT_F)) + 4.0 * math.exp(2 * pump / (g_k * RT_F))


def electroneutral_vm(pump: float, g_na: float = 0.011) -> float:
    """Return the closed-form Vm (mV): Na_i + K_i = Cl_o = 149 mM when z_X = -1."""
    return -RT_F * math.log(149.0 / sodium_potassium_factor(pump, g_na))


GRID = {"I_pump_max": np.linspace(0.2, 2.4, 12), "g_Na": [0.009, 0.011, 0.013]}


@pytest.fixture(scope="module")
def serial() -> pandas.DataFrame:
    """Solve a 12 x 3 grid crossing the existence limit, in this process."""
    return scan("pump_leak", GRID, workers=1)


def test_scan_rows_follow_the_grid_with_the_last_parameter_fastest(
    serial: pandas.DataFrame,
) -> None:
    """Rows are the grid's points in row-major order, inputs first, then status."""
    assert list(serial.columns[:3]) == ["I_pump_max", "g_Na", "status"]
    assert len(serial) == 36
    assert list(serial["g_Na"][:3]) == [0.009, 0.011, 0.013]
    assert serial.attrs["parameters"] == ["I_pump_max", "g_Na"]
    assert serial.attrs["volume"] == "cell"


def test_scan_points_equal_single_steady_states(serial: pandas.DataFrame) -> None:
    """Each certified point equals pl.steady_state at the same values (rel 1e-9).

    A scan warm-starts each point from the one before; that changes the work, not the answer
    beyond the certificate's accuracy (residuals 1e-10 of the gross fluxes).
    """
    for _, row in serial[serial.status == "ok"].iloc[::4].iterrows():
        state = pl.steady_state("pump_leak", I_pump_max=row.I_pump_max, g_Na=row.g_Na)
        for column in ("cell", "conc_Na_i", "conc_K_i", "conc_Cl_i"):
            assert row[column] == pytest.approx(state[column], rel=1e-9)
        assert row["Vm"] == pytest.approx(state["Vm"], abs=1e-8)


def test_scan_marks_points_past_the_existence_limit_without_values(
    serial: pandas.DataFrame,
) -> None:
    """Past the limit the status says so and the values are empty; before it, the closed form.

    Before the limit (a < Cl_o) every point is certified and its Vm is the closed form's (to
    its neglected capacitive charge, ~1e-3 mV).
    """
    for _, row in serial.iterrows():
        exists = sodium_potassium_factor(row.I_pump_max, row.g_Na) < 149.0
        if exists:
            assert row.status == "ok"
            assert row.Vm == pytest.approx(electroneutral_vm(row.I_pump_max, row.g_Na), abs=5e-3)
            assert row.stable
            assert row.max_residual <= row.tolerance
        else:
            assert row.status == "no finite steady state"
            assert math.isnan(row.Vm)
            assert math.isnan(row.cell)
            assert "grows without bound" in row.message
    assert 0 < (serial.status == "ok").sum() < len(serial)


@pytest.mark.slow
def test_scan_is_identical_on_two_worker_processes(serial: pandas.DataFrame) -> None:
    """Two worker processes give the same table, to the last digit and in the same order."""
    parallel = scan("pump_leak", GRID, workers=2)
    pandas.testing.assert_frame_equal(parallel, serial, check_exact=True)


@pytest.mark.slow
def test_scan_is_identical_on_a_dask_cluster(serial: pandas.DataFrame) -> None:
    """A Dask LocalCluster (two worker processes) gives the same table."""
    distributed = pytest.importorskip("dask.distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None)
    with cluster, distributed.Client(cluster) as client:
        on_cluster = scan("pump_leak", GRID, client=client)
    pandas.testing.assert_frame_equal(on_cluster, serial, check_exact=True)


def test_scan_of_explicit_points_matches_the_grid(serial: pandas.DataFrame) -> None:
    """A list of points gives the rows a grid gives for the same values."""
    chosen = serial.iloc[[0, 1, 2]][["I_pump_max", "g_Na"]].reset_index(drop=True)
    listed = scan("pump_leak", points=chosen, workers=1)
    for column in ("status", "cell", "Vm"):
        assert list(listed[column]) == list(serial[column][:3])


def test_time_course_scan_ends_where_simulate_ends() -> None:
    """mode='timecourse' reports the state at `end`, as pl.simulate does (rel 1e-9)."""
    table = scan("pump_leak", {"g_Na": [0.01, 0.02]}, mode="timecourse", end=500.0, workers=1)
    for _, row in table.iterrows():
        run = pl.simulate("pump_leak", 500.0, 2, g_Na=row.g_Na)
        assert row.cell == pytest.approx(run["cell"][-1], rel=1e-9)
        assert row.Vm == pytest.approx(run["Vm"][-1], abs=1e-9)


def test_scan_point_that_breaks_a_spec_rule_is_invalid_not_fatal() -> None:
    """A spec override that unbalances the medium is one 'invalid' row; the scan goes on."""
    spec = Path(__file__).parent.parent / "models" / "specs" / "pump_leak.toml"
    table = scan(spec, {"medium.K": [4.0, 6.0]}, workers=1)
    assert list(table.status) == ["ok", "invalid"]
    assert "not electroneutral" in table.message[1]


def test_a_billion_point_scan_is_refused_before_any_work() -> None:
    """10^9 points exceed the limit: refused at once, with the number in the message."""
    with pytest.raises(pl.ModelDefinitionError, match="1,000,000,000 points"):
        scan("pump_leak", {"g_Na": np.zeros(10**5), "g_K": np.zeros(10**4)})
    assert MAX_POINTS < 10**9


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("g_Na=0.01:0.03:3", [0.01, 0.02, 0.03]),
        ("g_Na=1:100:3:log", [1.0, 10.0, 100.0]),
        ("g_Na=0.1,0.2", [0.1, 0.2]),
    ],
)
def test_parse_range_reads_linear_log_and_listed_values(text: str, expected: list[float]) -> None:
    """START:STOP:N is evenly spaced, :log geometrically, a comma list as given."""
    name, values = parse_range(text)
    assert name == "g_Na"
    assert values == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("text", ["g_Na", "g_Na=1:2", "g_Na=1:2:x", "g_Na=0:1:3:log", "g_Na=a,b"])
def test_scan_command_refuses_a_malformed_range_with_exit_2(
    text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A malformed --param is one line on stderr and exit code 2."""
    assert main(["scan", "pump_leak", "--param", text, "--workers", "1"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("pumpleak: error:")
    assert "\n" not in err


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_scan_command_files_read_back_to_the_same_table(
    suffix: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`pumpleak scan --out` writes CSV or Parquet that reads back to the API's table."""
    out = tmp_path / f"scan{suffix}"
    arguments = ["scan", "pump_leak", "--param", "g_Na=0.01:0.02:3", "--workers", "1"]
    assert main([*arguments, "--out", str(out)]) == 0
    assert f"wrote {out}: 3 points (3 ok)" in capsys.readouterr().out
    table = pandas.read_csv(out) if suffix == ".csv" else pandas.read_parquet(out)
    expected = scan("pump_leak", {"g_Na": np.linspace(0.01, 0.02, 3)}, workers=1)
    if suffix == ".csv":  # CSV has no empty string: an empty message reads back as missing
        expected["message"] = np.nan
    pandas.testing.assert_frame_equal(table, expected, check_exact=False, rtol=1e-15)


def test_scan_command_draws_a_one_and_a_two_parameter_figure(tmp_path: Path) -> None:
    """--plot writes the 1-D curves and the 2-D heat maps."""
    line, heat = tmp_path / "line.png", tmp_path / "heat.png"
    base = ["scan", "pump_leak", "--workers", "1", "--param", "I_pump_max=0.5:2.5:9"]
    assert main([*base, "--plot", str(line), "--out", str(tmp_path / "a.csv")]) == 0
    second = ["--param", "g_Na=0.01:0.02:3", "--plot", str(heat), "--out", str(tmp_path / "b.csv")]
    assert main([*base, *second]) == 0
    assert line.stat().st_size > 10_000
    assert heat.stat().st_size > 10_000


@pytest.mark.slow
def test_ctrl_c_leaves_no_partial_output_file(tmp_path: Path) -> None:
    """SIGINT during a scan: exit code 130, one line on stderr, and no output file at all."""
    out = tmp_path / "scan.csv"
    command = [
        sys.executable, "-m", "pumpleak_sbml", "scan", "pump_leak", "--workers", "1",
        "--param", "I_pump_max=0.1:2.5:200", "--param", "g_Na=0.005:0.03:50",
        "--out", str(out),
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(3.0)  # into the scan (it takes far longer); not a timing assertion
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130
    assert err.strip().splitlines()[-1].startswith("pumpleak: ")
    assert not out.exists()
    assert not list(tmp_path.iterdir())  # no temporary file either
