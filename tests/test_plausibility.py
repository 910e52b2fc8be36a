# SPDX-License-Identifier: MIT
"""Plausibility warnings: legal values that are almost surely a slip are named with the intent.

The thresholds are physical: no cell lives below 200 K (so 37 "K" is 37 °C typed for kelvin),
the most concentrated physiological fluids stay below 2 M (a value above is likely µM typed
for mM), and no cell is a metre across. The command line prints each warning once and
carries on; ``--strict`` makes it an error (exit code 2) before anything is built.
"""

from __future__ import annotations

import copy
import tomllib
import warnings
from pathlib import Path
from typing import Any

import pytest

import pumpleak_sbml as pl
from pumpleak_sbml.cli import main
from pumpleak_sbml.spec import NEW_SPEC_TEMPLATE


def template() -> dict[str, Any]:
    """Return the generic preset as a dict, with round compositions and a protocol step."""
    data = tomllib.loads(NEW_SPEC_TEMPLATE)
    data["medium"] = {"Na": 145.0, "K": 4.0, "Cl": 119.0, "X": 30.0, "z_X": -1.0}
    data["cell"] = {"Na": 14.0, "K": 120.0, "Cl": 5.0, "X": 129.0, "z_X": -1.0}
    data["protocol"] = [{"at": 5000.0, "set": {"I_max": 0.0}}]
    return data


def with_value(path: str, value: float) -> dict[str, Any]:
    """Return the template with one dotted key set (``medium.K``, ``geometry.radius``)."""
    data = copy.deepcopy(template())
    *tables, leaf = path.split(".")
    target = data
    for table in tables:
        target = target[table]
    target[leaf] = value
    return data


def single_warning(data: dict[str, Any]) -> str:
    """Validate ``data`` and return the one PlausibilityWarning it gives."""
    with pytest.warns(pl.PlausibilityWarning) as record:
        pl.spec_from_dict(data)
    messages = [str(item.message) for item in record]
    assert len(messages) == 1, messages
    return messages[0]


def test_celsius_typed_for_kelvin_warns_with_the_kelvin_value() -> None:
    """A temperature of 37 warns: below 200 K, did you mean 310.15 K (37 °C)."""
    message = single_warning(with_value("temperature", 37.0))
    assert message == (
        "spec key temperature = 37 K is below 200 K: did you mean 310.15 K (37 °C)? "
        "Temperatures are in kelvin"
    )


def test_warning_is_a_pumpleak_warning_and_a_user_warning() -> None:
    """PlausibilityWarning derives from PumpLeakWarning and UserWarning (filterable by both)."""
    assert issubclass(pl.PlausibilityWarning, pl.PumpLeakWarning)
    assert issubclass(pl.PumpLeakWarning, UserWarning)


@pytest.mark.parametrize(
    ("path", "value", "fragments"),
    [
        ("temperature", 1e-9, ["1e-09 K is below 200 K", "273.15 K"]),
        ("medium.X", 250_000.0, ["medium.X = 250000 mM is above 2000 mM (2 M)", "250 mM"]),
        ("geometry.radius", 5e6, ["geometry.radius = 5e+06 µm is above 1 m", "in µm"]),
    ],
)
def test_each_slip_is_named_with_value_and_intent(
    path: str, value: float, fragments: list[str]
) -> None:
    """Each warning names the key, the value with its unit, the threshold and the likely intent."""
    data = with_value(path, value)
    if path == "medium.X":  # an uncharged impermeant solute (sucrose): the medium stays neutral
        data["medium"].update({"z_X": 0.0, "Cl": 149.0})
    message = single_warning(data)
    for fragment in fragments:
        assert fragment in message


def test_concentration_in_the_cell_warns_too() -> None:
    """An initial intracellular X of 2.5 M (valence -0.05, so K+ stays 116 mM) warns: cell.X."""
    data = template()
    data["cell"].update({"X": 2500.0, "z_X": -0.05, "K": 116.0})  # 14 + 116 - 5 - 125 = 0
    assert single_warning(data).startswith("spec key cell.X = 2500 mM is above 2000 mM")


def test_cylinder_length_above_one_metre_warns() -> None:
    """A cylinder 2 m long (2e6 µm) warns about geometry.length."""
    data = template()
    data["geometry"] = {"shape": "cylinder", "radius": 2.0, "length": 2e6}
    assert "geometry.length = 2e+06 µm is above 1 m" in single_warning(data)


def test_protocol_step_to_celsius_warns() -> None:
    """A protocol step that sets the temperature to 20 warns as the spec's own key would."""
    data = template()
    data["protocol"][0]["set"] = {"temperature": 20.0}
    assert "protocol[0].set.T = 20 K is below 200 K" in single_warning(data)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("temperature", 200.0),  # the threshold itself is plausible (a frozen sample, 273 K)
        ("temperature", 273.15),
        ("geometry.radius", 1e6),  # exactly 1 m
        ("medium.K", 4.0),
    ],
)
def test_plausible_values_do_not_warn(path: str, value: float) -> None:
    """Values at or inside the thresholds validate without any warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pl.spec_from_dict(with_value(path, value))


def test_concentration_of_exactly_two_molar_does_not_warn() -> None:
    """2000 mM is the threshold itself and passes silently."""
    data = template()
    data["medium"].update({"Na": 2000.0, "K": 4.0, "Cl": 1974.0})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pl.spec_from_dict(data)


def test_invalid_spec_raises_its_error_not_a_warning() -> None:
    """A spec that breaks a rule and has a slip reports the broken rule (warnings come last)."""
    data = with_value("temperature", 37.0)
    data["membrane"]["capacitance"] = -1.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(pl.ModelDefinitionError, match=r"capacitance = -1\.0"):
            pl.spec_from_dict(data)


def test_warning_as_error_stops_before_building() -> None:
    """Under simplefilter('error') the warning is raised from the spec check itself."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", pl.PlausibilityWarning)
        with pytest.raises(pl.PlausibilityWarning, match=r"310\.15 K"):
            pl.to_sbml(with_value("temperature", 37.0))


# --- command line ------------------------------------------------------------------------------


@pytest.fixture
def celsius_spec(tmp_path: Path) -> Path:
    """Write a spec file whose temperature is 37 (°C typed for K)."""
    path = tmp_path / "cell.toml"
    path.write_text(
        NEW_SPEC_TEMPLATE.replace("temperature = 310.15", "temperature = 37"), encoding="utf-8"
    )
    return path


def test_cli_prints_the_warning_once_and_carries_on(
    celsius_spec: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``build`` of a 37 K spec prints the SBML and exactly one warning line; exit 0."""
    code = main(["build", str(celsius_spec)])
    captured = capsys.readouterr()
    assert code == 0
    assert "<sbml" in captured.out
    assert captured.err.count("\n") == 1, captured.err
    assert captured.err.startswith("pumpleak: warning: spec key temperature = 37 K")


@pytest.mark.parametrize(
    "argv",
    [["--strict", "build", "{spec}"], ["build", "{spec}", "--strict"]],
    ids=["before", "after"],
)
def test_cli_strict_makes_the_warning_an_error(
    celsius_spec: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str]
) -> None:
    """``--strict`` (before or after the subcommand) exits 2 with one line; writes nothing."""
    output = tmp_path / "out.xml"
    code = main([part.format(spec=celsius_spec) for part in argv] + ["-o", str(output)])
    captured = capsys.readouterr()
    assert (code, captured.out) == (2, "")
    assert captured.err.count("\n") == 1
    assert captured.err.startswith("pumpleak: error: spec key temperature = 37 K")
    assert captured.err.rstrip().endswith("(an error under --strict)")
    assert not output.exists()


def test_cli_strict_without_slip_changes_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    """``--strict`` on a plausible model runs as usual (exit 0, no stderr)."""
    code = main(["--strict", "build", "pump_leak"])
    captured = capsys.readouterr()
    assert (code, captured.err) == (0, "")
    assert captured.out == pl.to_sbml("pump_leak")
