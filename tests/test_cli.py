# SPDX-License-Identifier: MIT
"""The ``pumpleak`` command line: outputs, files, exit codes (0/1/2) and one-line errors."""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import libsbml
import pytest

import pumpleak_sbml as pl
from pumpleak_sbml.cli import main
from pumpleak_sbml.units import FARADAY, GAS_CONSTANT

_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_ERROR_PREFIX = "pumpleak: error: "
_CONCENTRATIONS = {"[Na_i]", "[K_i]", "[Cl_i]", "[X_i]", "[Na_o]", "[K_o]", "[Cl_o]"}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the CLI in-process; return (exit code, stdout, stderr)."""
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_line_error(err: str) -> str:
    """Check stderr is exactly one ``pumpleak: error: ...`` line without a traceback."""
    assert "Traceback" not in err
    assert err.endswith("\n")
    assert err.count("\n") == 1, err
    assert err.startswith(_ERROR_PREFIX), err
    return err.removeprefix(_ERROR_PREFIX).strip()


def parse_sbml(text: str) -> libsbml.SBMLDocument:
    document = libsbml.readSBMLFromString(text)
    assert document.getNumErrors(libsbml.LIBSBML_SEV_ERROR) == 0
    assert document.getModel() is not None
    return document


@pytest.fixture
def built_sbml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """Write pump_leak with ``pumpleak build -o`` and return the file."""
    path = tmp_path / "pump_leak.xml"
    code, _, _ = run(capsys, "build", "pump_leak", "-o", str(path))
    assert code == 0
    return path


@pytest.fixture
def steady_json(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    """Run ``pumpleak steady pump_leak --json`` and parse its output."""
    code, out, err = run(capsys, "steady", "pump_leak", "--json")
    assert (code, err) == (0, "")
    summary = json.loads(out)
    assert isinstance(summary, dict)
    return summary


# --- list ---------------------------------------------------------------------------------------


def test_list_prints_every_model_with_summary(capsys: pytest.CaptureFixture[str]) -> None:
    """``list`` prints one line per model: its name and its one-line summary; exit 0."""
    code, out, err = run(capsys, "list")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert len(lines) == len(pl.list_models())
    for line, name in zip(lines, pl.list_models(), strict=True):
        assert line.split()[0] == name
        assert line.rstrip().endswith(pl.model_info(name).summary)


def test_module_entry_point_runs_list(tmp_path: Path) -> None:
    """``python -m pumpleak_sbml list`` works as a real process, from any folder."""
    result = subprocess.run(
        [sys.executable, "-m", "pumpleak_sbml", "list"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert [line.split()[0] for line in result.stdout.splitlines()] == pl.list_models()


def test_version_option_prints_version(capsys: pytest.CaptureFixture[str]) -> None:
    """``--version`` prints the package version and returns 0 (``main`` never raises SystemExit)."""
    assert main(["--version"]) == 0
    assert pl.__version__ in capsys.readouterr().out


# --- build --------------------------------------------------------------------------------------


def test_build_writes_sbml_l3v2_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    """``build pump_leak`` prints SBML Level 3 Version 2 whose model id is pump_leak."""
    code, out, err = run(capsys, "build", "pump_leak")
    assert (code, err) == (0, "")
    document = parse_sbml(out)
    assert (document.getLevel(), document.getVersion()) == (3, 2)
    assert document.getModel().getId() == "pump_leak"
    assert out == pl.to_sbml("pump_leak")


def test_build_output_option_writes_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``build pump_leak -o FILE`` writes the SBML to FILE and says so, in one line."""
    path = tmp_path / "out.xml"
    code, out, err = run(capsys, "build", "pump_leak", "-o", str(path))
    assert (code, err) == (0, "")
    assert out.startswith(f"wrote {path} (")
    assert out.count("\n") == 1
    text = path.read_text(encoding="utf-8")
    assert text == pl.to_sbml("pump_leak")
    assert parse_sbml(text).getModel().getId() == "pump_leak"


def test_build_set_changes_parameter_in_written_sbml(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--set g_K=0.05`` writes g_K = 0.05 (default 0.041) into the SBML file."""
    path = tmp_path / "out.xml"
    code, _, err = run(capsys, "build", "pump_leak", "-o", str(path), "--set", "g_K=0.05")
    assert (code, err) == (0, "")
    document = parse_sbml(path.read_text(encoding="utf-8"))
    assert document.getModel().getParameter("g_K").getValue() == 0.05


def test_build_repeated_set_applies_each(capsys: pytest.CaptureFixture[str]) -> None:
    """Several ``--set`` options each change their quantity."""
    code, out, _ = run(capsys, "build", "pump_leak", "--set", "g_K=0.05", "--set", "T=300")
    assert code == 0
    model = parse_sbml(out).getModel()
    assert (model.getParameter("g_K").getValue(), model.getParameter("T").getValue()) == (
        0.05,
        300.0,
    )


def test_build_existing_output_is_not_overwritten_without_force(
    built_sbml: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An existing output file is kept intact (exit 2, message names the file) without --force."""
    built_sbml.write_text("precious", encoding="utf-8")
    code, out, err = run(capsys, "build", "pump_leak", "-o", str(built_sbml))
    assert (code, out) == (2, "")
    message = assert_one_line_error(err)
    assert str(built_sbml) in message
    assert "already exists" in message
    assert built_sbml.read_text(encoding="utf-8") == "precious"


def test_build_force_overwrites_existing_output(
    built_sbml: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With --force an existing output file is replaced by the new SBML."""
    built_sbml.write_text("old", encoding="utf-8")
    code, _, err = run(capsys, "build", "pump_leak", "-o", str(built_sbml), "--force")
    assert (code, err) == (0, "")
    assert built_sbml.read_text(encoding="utf-8") == pl.to_sbml("pump_leak")


# --- check --------------------------------------------------------------------------------------


def test_check_built_file_reports_no_errors_or_warnings(
    built_sbml: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``check`` of a file written by ``build`` reports 0 errors, 0 warnings; exit 0."""
    code, out, err = run(capsys, "check", str(built_sbml))
    assert (code, err) == (0, "")
    assert out == f"{built_sbml}: 0 error(s), 0 warning(s)\n"


def test_check_garbage_xml_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``check`` of a file that is not XML reports a libsbml error; exit 1."""
    path = tmp_path / "garbage.xml"
    path.write_text("this is <not xml", encoding="utf-8")
    code, out, _ = run(capsys, "check", str(path))
    assert code == 1
    assert out.startswith(f"{path}: 1 error(s)")
    assert "error libsbml-" in out


def test_check_scale_error_in_edited_sbml_fails(
    built_sbml: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Declaring RT_F in volt instead of mV (a 1000x unit error) makes ``check`` exit 1."""
    text = built_sbml.read_text(encoding="utf-8")
    declaration = re.search(r'<parameter [^>]*id="RT_F"[^>]*units="mV"[^>]*/>', text)
    assert declaration is not None
    edited = text.replace(
        declaration.group(0), declaration.group(0).replace('units="mV"', 'units="volt"')
    )
    built_sbml.write_text(edited, encoding="utf-8")
    code, out, _ = run(capsys, "check", str(built_sbml))
    assert code == 1
    assert "error scale:" in out
    assert "RT_F" in out


def test_check_dimension_error_in_edited_sbml_fails(
    built_sbml: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Declaring g_K in seconds (so I_K is not a current density) makes ``check`` exit 1."""
    text = built_sbml.read_text(encoding="utf-8")
    declaration = re.search(r'<parameter [^>]*id="g_K"[^>]*units="mS_per_cm2"[^>]*/>', text)
    assert declaration is not None
    edited = text.replace(
        declaration.group(0), declaration.group(0).replace('units="mS_per_cm2"', 'units="second"')
    )
    built_sbml.write_text(edited, encoding="utf-8")
    code, out, _ = run(capsys, "check", str(built_sbml))
    assert "libsbml-10513" in out
    assert code == 1


def test_check_missing_file_is_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``check`` of a file that does not exist exits 2 with a readable message naming it."""
    path = tmp_path / "missing.xml"
    code, out, err = run(capsys, "check", str(path))
    assert (code, out) == (2, "")
    message = assert_one_line_error(err)
    assert message == f"cannot read {path}: No such file or directory"


def test_check_non_utf8_file_is_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``check`` of a binary (non-UTF-8) file exits 2 with a one-line message naming it."""
    path = tmp_path / "binary.xml"
    path.write_bytes(b"\xff\xfe\x00\x81 not text")
    code, _, err = run(capsys, "check", str(path))
    assert code == 2
    assert str(path) in assert_one_line_error(err)


# --- simulate -----------------------------------------------------------------------------------


def _read_csv(text: str) -> tuple[list[str], list[list[float]]]:
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], [[float(value) for value in row] for row in rows[1:]]


def test_simulate_prints_csv_with_units_in_header(capsys: pytest.CaptureFixture[str]) -> None:
    """``simulate --end 100 --points 11`` prints 11 CSV rows; the header carries units."""
    code, out, err = run(capsys, "simulate", "pump_leak", "--end", "100", "--points", "11")
    assert code == 0
    assert err.startswith("note: Vm = 0 mV at t = 0")  # on stderr: the CSV stays clean
    header, rows = _read_csv(out)
    assert header[0].split()[0] == "time"
    assert "Vm [mV]" in header
    assert "cell [pL]" in header
    assert len(rows) == 11
    assert [row[0] for row in rows] == pytest.approx([10.0 * i for i in range(11)], abs=1e-9)
    assert all(len(row) == len(header) for row in rows)
    assert all(math.isfinite(value) for row in rows for value in row)


def test_simulate_csv_option_writes_same_csv_to_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--csv FILE`` writes to FILE what would be printed, and says where."""
    argv = ("simulate", "pump_leak", "--end", "100", "--points", "11")
    _, printed, _ = run(capsys, *argv)
    path = tmp_path / "run.csv"
    code, out, _ = run(capsys, *argv, "--csv", str(path))
    assert code == 0
    assert out.startswith(f"wrote {path} (")
    assert out.count("\n") == 1
    assert path.read_text(encoding="utf-8") == printed


def test_simulate_plot_option_writes_png(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--plot FILE.png`` writes a PNG image (checked by its magic bytes)."""
    path = tmp_path / "run.png"
    code, out, _ = run(
        capsys, "simulate", "pump_leak", "--end", "100", "--points", "11", "--plot", str(path)
    )
    assert code == 0
    assert out.startswith(f"wrote {path} (")
    assert "time course from the initial state" in out
    assert path.read_bytes()[:8] == _PNG_MAGIC


def test_simulate_plot_unsupported_suffix_is_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--plot FILE.xyz`` (no such image format) exits 2 with a one-line message."""
    path = tmp_path / "run.xyz"
    code, _, err = run(
        capsys, "simulate", "pump_leak", "--end", "10", "--points", "3", "--plot", str(path)
    )
    assert code == 2
    assert "xyz" in assert_one_line_error(err)


# --- steady -------------------------------------------------------------------------------------


def test_steady_prints_table_with_Vm(capsys: pytest.CaptureFixture[str]) -> None:
    """``steady pump_leak`` prints a table whose Vm row holds the steady potential in mV."""
    code, out, err = run(capsys, "steady", "pump_leak")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "steady state of pump_leak"
    vm_row = next(line.split() for line in lines if line.split()[0] == "Vm")
    assert vm_row[2] == "mV"
    assert float(vm_row[1]) == pytest.approx(-70.0, abs=1.0)


def test_steady_json_has_exactly_the_documented_keys(steady_json: dict[str, Any]) -> None:
    """``steady --json`` prints one object with the documented keys and groups."""
    # resting_potential and observables were added by commit 5102aa3 (V_chord, V_pump, osm_*);
    # certificate by issue 8 (residuals, eigenvalues, stability).
    assert set(steady_json) == {
        "model",
        "parameters",
        "Vm",
        "volume",
        "concentrations",
        "reversal_potentials",
        "currents",
        "resting_potential",
        "observables",
        "units",
        "certificate",
    }
    assert steady_json["model"] == "pump_leak"
    assert steady_json["parameters"] == pl.parameters("pump_leak")
    assert set(steady_json["volume"]) == {"value", "unit"}
    assert steady_json["volume"]["unit"] == "pL"
    assert set(steady_json["concentrations"]) == _CONCENTRATIONS
    assert set(steady_json["reversal_potentials"]) == {"E_Na", "E_K", "E_Cl"}
    assert set(steady_json["currents"]) == {"I_Na", "I_K", "I_Cl", "I_pump"}
    assert set(steady_json["resting_potential"]) == {"V_chord", "V_pump"}


def test_steady_json_units_are_declared(steady_json: dict[str, Any]) -> None:
    """Concentrations are in mM, potentials in mV and currents in µA/cm²."""
    units = steady_json["units"]
    assert units["Vm"] == "mV"
    assert {units[sid] for sid in _CONCENTRATIONS} == {"mM"}
    assert {units[sid] for sid in ("E_Na", "E_K", "E_Cl")} == {"mV"}
    assert {units[sid] for sid in ("I_Na", "I_K", "I_Cl", "I_pump")} == {"µA/cm²"}


def test_steady_json_is_physically_consistent(steady_json: dict[str, Any]) -> None:
    """At steady state Vm = E_Cl = V_chord, currents cancel, pump balances leaks, neutral cell."""
    vm = steady_json["Vm"]
    conc = steady_json["concentrations"]
    potentials = steady_json["reversal_potentials"]
    currents = steady_json["currents"]
    parameters = steady_json["parameters"]
    assert isinstance(vm, float)
    assert vm == pytest.approx(potentials["E_Cl"], abs=0.01)
    assert vm == pytest.approx(steady_json["resting_potential"]["V_chord"], abs=0.01)
    assert sum(currents.values()) == pytest.approx(0.0, abs=1e-6)
    pump = currents["I_pump"]
    assert pump == parameters["I_pump_max"]
    assert currents["I_Na"] == pytest.approx(-3.0 * pump, rel=1e-6)
    assert currents["I_K"] == pytest.approx(2.0 * pump, rel=1e-6)
    conc = {sid[1:-1]: value for sid, value in conc.items()}  # "[Na_i]" -> "Na_i"
    inside = conc["Na_i"] + conc["K_i"] + conc["Cl_i"] + conc["X_i"]
    assert inside == pytest.approx(conc["Na_o"] + conc["K_o"] + conc["Cl_o"], rel=1e-6)
    osmolarity = steady_json["observables"]
    assert osmolarity["osm_i"] == pytest.approx(osmolarity["osm_o"], rel=1e-6)
    # Charge-difference Vm: the net charge is C_m * A_m * Vm / F, a few µM; neutral to 0.01 mM.
    charge = conc["Na_i"] + conc["K_i"] - conc["Cl_i"] + parameters["z_X"] * conc["X_i"]
    assert charge == pytest.approx(0.0, abs=0.01)
    rt_f = 1e3 * GAS_CONSTANT * parameters["T"] / FARADAY  # mV
    assert potentials["E_K"] == pytest.approx(rt_f * math.log(conc["K_o"] / conc["K_i"]), rel=1e-9)
    assert potentials["E_Na"] == pytest.approx(
        rt_f * math.log(conc["Na_o"] / conc["Na_i"]), rel=1e-9
    )
    assert potentials["E_Cl"] == pytest.approx(
        -rt_f * math.log(conc["Cl_o"] / conc["Cl_i"]), rel=1e-9
    )


def test_steady_json_set_is_reported_and_used(capsys: pytest.CaptureFixture[str]) -> None:
    """``steady --json --set g_Cl=0.05`` lists the new value and still has Vm = E_Cl."""
    code, out, _ = run(capsys, "steady", "pump_leak", "--json", "--set", "g_Cl=0.05")
    assert code == 0
    summary = json.loads(out)
    assert summary["parameters"]["g_Cl"] == 0.05
    assert summary["Vm"] == pytest.approx(summary["reversal_potentials"]["E_Cl"], abs=0.01)


def test_steady_without_pump_reports_unbounded_swelling(capsys: pytest.CaptureFixture[str]) -> None:
    """``--set I_pump_max=0`` exits 1 with one line: no finite steady state, volume grows."""
    code, out, err = run(capsys, "steady", "pump_leak", "--set", "I_pump_max=0")
    assert (code, out) == (1, "")
    message = assert_one_line_error(err)
    assert "no finite steady state" in message
    assert "grows without bound" in message
    assert "cell" in message


def test_steady_without_pump_debug_prints_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    """With --debug the failed steady state also prints the traceback; still exit 1."""
    code, _, err = run(capsys, "--debug", "steady", "pump_leak", "--set", "I_pump_max=0")
    assert code == 1
    assert "Traceback (most recent call last)" in err
    assert "SteadyStateNotFoundError" in err
    assert err.rstrip().splitlines()[-1].startswith(_ERROR_PREFIX)


# --- bad input ----------------------------------------------------------------------------------


_SETTABLE = sorted(pl.parameters("pump_leak"))
_BAD_INPUT = [
    pytest.param(
        ("steady", "no_such_model"),
        ["unknown model 'no_such_model'", "available models", *pl.list_models()],
        id="unknown-model",
    ),
    pytest.param(
        ("build", "no_such_model"), ["unknown model 'no_such_model'"], id="unknown-model-build"
    ),
    pytest.param(
        ("steady", "pump_leak", "--set", "g_Q=1"),
        ["g_Q", "no such quantity", "settable", *_SETTABLE],
        id="unknown-parameter",
    ),
    pytest.param(
        ("steady", "pump_leak", "--set", "g_K=abc"),
        ["malformed --set 'g_K=abc'", "'abc' is not a number"],
        id="value-not-number",
    ),
    pytest.param(
        ("steady", "pump_leak", "--set", "g_K"),
        ["malformed --set 'g_K'", "NAME=VALUE"],
        id="value-missing",
    ),
    pytest.param(
        ("steady", "pump_leak", "--set", "=1"), ["malformed --set '=1'"], id="name-missing"
    ),
    pytest.param(
        ("steady", "pump_leak", "--set", "g_K=-1"),
        ["g_K", "must not be negative", "mS/cm²"],
        id="negative-conductance",
    ),
    pytest.param(("steady", "pump_leak", "--set", "g_K=nan"), ["g_K", "finite"], id="nan"),
    pytest.param(
        ("steady", "pump_leak", "--set", "T=0"),
        ["T", "must be positive", "K"],
        id="zero-temperature",
    ),
    pytest.param(
        ("steady", "pump_leak", "--set", "Vm=3"),
        ["Vm", "computed by the model"],
        id="computed-quantity",
    ),
    pytest.param(
        ("steady", "pump_leak", "--set", "F=1"),
        ["F", "constant of nature"],
        id="constant-of-nature",
    ),
    pytest.param(
        ("steady", "pump_leak", "--set", "X_i_init=400"),
        ["Cl_i", "initial state"],
        id="non-neutral-start",
    ),
    pytest.param(
        ("simulate", "pump_leak", "--end", "-5"),
        ["end time must be a positive number", "-5"],
        id="negative-end",
    ),
    pytest.param(
        ("simulate", "pump_leak", "--end", "10", "--points", "1"),
        ["number of points", ">= 2"],
        id="too-few-points",
    ),
]


@pytest.mark.parametrize(("argv", "fragments"), _BAD_INPUT)
def test_bad_input_exits_2_with_one_line_message(
    capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], fragments: list[str]
) -> None:
    """Bad input exits with code 2 and one stderr line naming the problem; no traceback."""
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    message = assert_one_line_error(err)
    for fragment in fragments:
        assert fragment in message


def test_unwritable_output_path_exits_2_naming_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``-o`` into a folder that does not exist exits 2, names the folder, creates nothing."""
    folder = tmp_path / "nonexistent_dir"
    code, out, err = run(capsys, "build", "pump_leak", "-o", str(folder / "x.xml"))
    assert (code, out) == (2, "")
    message = assert_one_line_error(err)
    assert f"the folder {folder} does not exist" in message
    assert not folder.exists()


@pytest.mark.parametrize(("argv", "fragments"), _BAD_INPUT[:1] + _BAD_INPUT[2:3])
def test_bad_input_with_debug_prints_traceback(
    capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], fragments: list[str]
) -> None:
    """With --debug, bad input still exits 2 and its traceback is printed to stderr."""
    code, out, err = run(capsys, "--debug", *argv)
    assert (code, out) == (2, "")
    assert "Traceback (most recent call last)" in err
    assert err.rstrip().splitlines()[-1].startswith(_ERROR_PREFIX)
    for fragment in fragments:
        assert fragment in err


def test_unwritable_output_with_debug_prints_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With --debug, an unwritable output path exits 2 and prints the OutputError traceback."""
    path = tmp_path / "nonexistent_dir" / "x.xml"
    code, _, err = run(capsys, "--debug", "build", "pump_leak", "-o", str(path))
    assert code == 2
    assert "Traceback (most recent call last)" in err
    assert "OutputError" in err


# --- demo ---------------------------------------------------------------------------------------


def test_demo_prints_steady_state_table_and_writes_figure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``demo --plot FILE.png`` prints the steady-state table and writes a PNG figure."""
    path = tmp_path / "pump_block.png"
    code, out, err = run(capsys, "demo", "--plot", str(path))
    assert (code, err) == (0, "")
    _, table_out, _ = run(capsys, "steady", "pump_leak")
    assert out.startswith(table_out)
    assert str(path) in out.splitlines()[-1]
    assert path.read_bytes()[:8] == _PNG_MAGIC


def test_demo_does_not_overwrite_figure_without_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``demo`` keeps an existing figure (exit 2) unless --force is given."""
    path = tmp_path / "pump_block.png"
    path.write_bytes(b"old figure")
    code, _, err = run(capsys, "demo", "--plot", str(path))
    assert code == 2
    assert str(path) in assert_one_line_error(err)
    assert path.read_bytes() == b"old figure"


def test_demo_run_twice_keeps_the_first_figure_and_writes_a_second(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second ``pumpleak demo`` prints the table again and writes pump_block-2.png."""
    monkeypatch.chdir(tmp_path)
    assert run(capsys, "demo")[0] == 0
    first = (tmp_path / "pump_block.png").read_bytes()
    code, out, err = run(capsys, "demo")
    assert (code, err) == (0, "")
    assert out.startswith("steady state of pump_leak")
    assert "wrote pump_block-2.png" in out.splitlines()[-1]
    assert (tmp_path / "pump_block.png").read_bytes() == first
    assert (tmp_path / "pump_block-2.png").read_bytes()[:8] == _PNG_MAGIC


@pytest.mark.parametrize(
    ("command", "output", "what"),
    [
        (["build", "pump_leak"], "m.xml", "SBML Level 3 Version 2, validated"),
        (["export", "pump_leak", "--format", "antimony"], "m.ant", "Antimony"),
        (["new-spec"], "cell.toml", "a generic cell"),
    ],
)
def test_commands_that_write_a_file_say_where_how_large_and_how_long(
    command: list[str], output: str, what: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / output
    code, out, _ = run(capsys, *command, "-o", str(path))
    assert code == 0
    size = path.stat().st_size
    line = out.strip()
    assert re.fullmatch(
        rf"wrote {re.escape(str(path))} \(([0-9.]+) (kB|bytes)\) in [0-9.]+ s: .*", line
    )
    amount, unit = re.search(r"\(([0-9.]+) (kB|bytes)\)", line).groups()  # type: ignore[union-attr]
    assert float(amount) * (1000 if unit == "kB" else 1) == pytest.approx(size, rel=1e-3, abs=50)
    assert what in line


def test_simulate_from_the_initial_state_says_why_vm_starts_at_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Charge-difference Vm is 0 mV for electroneutral initial amounts; a note says so."""
    csv_path = tmp_path / "run.csv"
    code, out, err = run(capsys, "simulate", "pump_leak", "--end", "10", "--csv", str(csv_path))
    assert code == 0
    assert err.startswith("note: Vm = 0 mV at t = 0: the initial ion amounts are electroneutral")
    assert out.startswith(f"wrote {csv_path}")
    code, _, err = run(
        capsys,
        "simulate",
        "pump_leak",
        "--end",
        "10",
        "--start",
        "steady",
        "--csv",
        str(tmp_path / "rest.csv"),
    )
    assert (code, err) == (0, "")


def test_parameters_lists_every_settable_quantity_with_value_and_unit(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "parameters", "pump_leak", "--set", "g_K=0.05")
    assert code == 0
    rows = {line.split()[0]: line.split()[1:3] for line in out.splitlines()[1:]}
    assert set(rows) == set(pl.parameters("pump_leak"))
    assert rows["g_K"] == ["0.05", "mS/cm²"]
    assert rows["Na_o"] == ["145", "mM"]
    code, out, _ = run(capsys, "parameters", "pump_leak", "--json")
    listing = json.loads(out)
    assert listing["T"] == {"value": 310.15, "unit": "K", "name": "temperature"}


def test_every_option_of_every_command_has_help_text() -> None:
    """`pumpleak CMD --help` explains every option (argparse prints nothing for help=None)."""
    from pumpleak_sbml.cli import _parser

    parser = _parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, sub in commands.choices.items():
        for action in sub._actions:
            assert action.help, f"{name} {'/'.join(action.option_strings) or action.dest}"


def test_top_level_help_is_plain_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0
    assert "``" not in out
    for command in ("parameters", "sensitivity", "export", "crosscheck", "scan"):
        assert command in out
