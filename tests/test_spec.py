# SPDX-License-Identifier: MIT
"""Cell specs: every validation rule, overrides, the starting template and determinism.

A spec is checked key by key before anything is built; each error must name the key, the
value and the rule (with a suggestion for a misspelt key or law). The CLI turns every such
error into exit code 2 and one line on stderr, and writes nothing.
"""

from __future__ import annotations

import copy
import json
import random
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

import pumpleak_sbml as pl
from pumpleak_sbml import antimony_writer, sbml_compiler
from pumpleak_sbml.cli import main
from pumpleak_sbml.spec import (
    NEW_SPEC_TEMPLATE,
    PRESETS,
    apply_spec_overrides,
    preset_text,
    spec_override_names,
    spec_to_dict,
)
from pumpleak_sbml.testing import shuffled

_ERROR_PREFIX = "pumpleak: error: "
_DELETE = object()
"""Marker for :func:`edited`: remove the key instead of setting it."""


def base_spec() -> dict[str, Any]:
    """Return a fresh, valid spec dict using every section (pump_leak plus extras)."""
    return {
        "name": "test_cell",
        "temperature": 310.15,
        "geometry": {"shape": "sphere", "radius": 5.0},
        "membrane": {"capacitance": 1.0, "water_permeability": 0.015},
        "medium": {"Na": 145.0, "K": 4.0, "Cl": 119.0, "X": 30.0, "z_X": -1.0},
        "cell": {"Na": 12.0, "K": 140.0, "Cl": 14.0, "X": 138.0, "z_X": -1.0},
        "leaks": {
            "Na": {"law": "linear", "g": 0.011},
            "K": {"law": "ghk", "P": 6.1e-7},
            "Cl": {"law": "linear", "g": 0.01},
        },
        "pump": {"law": "fixed", "I_max": 0.5},
        "cotransporters": {"KCC2": {"g": 0.02}, "NKCC1": {"g": 0.01}},
        "protocol": [{"at": 100.0, "set": {"I_max": 0.0}}],
    }


def edited(path: str, value: object, data: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Return a copy of ``data`` (default: :func:`base_spec`) with one dotted key set or removed."""
    spec = copy.deepcopy(dict(data if data is not None else base_spec()))
    *tables, leaf = path.split(".")
    target = spec
    for table in tables:
        target = target[table]
    if value is _DELETE:
        del target[leaf]
    else:
        target[leaf] = value
    return spec


def rejection(data: Mapping[str, Any]) -> str:
    """Return the message of the ModelDefinitionError that validating ``data`` raises."""
    with pytest.raises(pl.ModelDefinitionError) as caught:
        pl.spec_from_dict(data)
    return str(caught.value)


def write_toml(path: Path, data: Mapping[str, Any]) -> Path:
    """Write a spec dict as TOML (tables and inline tables only; enough for these specs)."""

    def literal(value: object) -> str:
        if isinstance(value, str):
            return f'"{value}"'
        if isinstance(value, Mapping):
            return "{ " + ", ".join(f"{k} = {literal(v)}" for k, v in value.items()) + " }"
        return repr(value)

    lines = []
    for key, value in data.items():
        if not isinstance(value, Mapping | list):
            lines.append(f"{key} = {literal(value)}")
    for key, value in data.items():
        if isinstance(value, Mapping):
            lines.append(f"[{key}]")
            lines += [f"{k} = {literal(v)}" for k, v in value.items()]
        elif isinstance(value, list):
            for entry in value:
                lines.append(f"[[{key}]]")
                lines += [f"{k} = {literal(v)}" for k, v in entry.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the CLI in-process; return (exit code, stdout, stderr)."""
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_line_error(err: str) -> str:
    """Check stderr is exactly one ``pumpleak: error: ...`` line; return the message."""
    assert "Traceback" not in err
    assert err.count("\n") == 1, err
    assert err.startswith(_ERROR_PREFIX), err
    return err.removeprefix(_ERROR_PREFIX).strip()


# --- a valid spec ---------------------------------------------------------------------------


def test_spec_base_is_valid_and_normalised() -> None:
    """The reference dict validates into a CellSpec holding its values, in spec units."""
    spec = pl.spec_from_dict(base_spec())
    assert spec.name == "test_cell"
    assert spec.geometry.shape == "sphere"
    assert spec.geometry.radius == 5.0
    assert spec.medium.X == 30.0
    assert [(leak.ion, leak.law, leak.value) for leak in spec.leaks] == [
        ("Na", "linear", 0.011),
        ("K", "ghk", 6.1e-7),
        ("Cl", "linear", 0.01),
    ]
    assert spec.pump is not None
    assert (spec.pump.law, spec.pump.I_max) == ("fixed", 0.5)
    assert [c.name for c in spec.cotransporters] == ["KCC2", "NKCC1"]
    assert spec.protocol[0].settings == (("I_pump_max", 0.0),)


def test_spec_optional_sections_default_to_absent() -> None:
    """Leaks, pump, cotransporters and protocol are optional; medium X defaults to 0 (z -1)."""
    data = base_spec()
    for key in ("leaks", "pump", "cotransporters", "protocol"):
        del data[key]
    data["medium"] = {"Na": 145.0, "K": 4.0, "Cl": 149.0}
    spec = pl.spec_from_dict(data)
    assert (spec.leaks, spec.pump, spec.cotransporters, spec.protocol) == ((), None, (), ())
    assert (spec.medium.X, spec.medium.z_X) == (0.0, -1.0)


def test_spec_file_and_dict_give_equal_specs(tmp_path: Path) -> None:
    """A TOML file and the same structure as a dict validate to equal CellSpecs."""
    data = base_spec()
    path = write_toml(tmp_path / "cell.toml", data)
    assert pl.load_spec(path) == pl.spec_from_dict(data)


def test_an_edited_spec_file_is_read_again(tmp_path: Path) -> None:
    """A spec file is parsed once per content: an edit between two calls is seen at once.

    The reference is the first file with the edit as an override: the same cell.
    """
    path = write_toml(tmp_path / "cell.toml", base_spec())
    first = pl.steady_state(path)
    edited = base_spec()
    edited["leaks"]["Na"]["g"] *= 1.5
    write_toml(path, edited)
    second = pl.steady_state(path)
    assert second["Vm"] != pytest.approx(first["Vm"], rel=1e-6)
    original = write_toml(tmp_path / "original.toml", base_spec())
    reference = pl.steady_state(original, **{"leaks.Na.g": edited["leaks"]["Na"]["g"]})
    assert second["Vm"] == pytest.approx(reference["Vm"], rel=1e-12)
    assert pl.load_spec(path) == pl.spec_from_dict(edited)


def test_spec_key_order_does_not_matter() -> None:
    """Shuffling the key order of every table (nested too) gives an equal CellSpec."""
    reference = pl.spec_from_dict(base_spec())
    rng = random.Random(20240607)
    for _ in range(10):
        assert pl.spec_from_dict(shuffled(base_spec(), rng)) == reference


def test_spec_leaks_are_kept_in_canonical_ion_order() -> None:
    """Leaks come out in the order Na, K, Cl whatever the order in the file."""
    data = base_spec()
    data["leaks"] = dict(reversed(list(data["leaks"].items())))
    assert [leak.ion for leak in pl.spec_from_dict(data).leaks] == ["Na", "K", "Cl"]


def test_spec_validation_does_not_modify_its_input() -> None:
    """Validating (and overriding) a spec dict leaves the caller's dict untouched."""
    data = base_spec()
    before = copy.deepcopy(data)
    pl.spec_from_dict(data)
    apply_spec_overrides(data, {"medium.K": 10.0, "medium.Na": 139.0, "g_Na": 0.02})
    assert data == before


@pytest.mark.parametrize("entry", ["to_sbml", "model_antimony", "steady_state"])
def test_spec_is_validated_before_anything_is_built(
    monkeypatch: pytest.MonkeyPatch, entry: str
) -> None:
    """A spec breaking a rule is refused before any Antimony is written or compiled."""

    def must_not_run(*args: object, **kwargs: object) -> None:
        raise AssertionError("the builder ran on an invalid spec")

    monkeypatch.setattr(antimony_writer, "to_antimony", must_not_run)
    monkeypatch.setattr(sbml_compiler, "antimony_to_sbml", must_not_run)
    with pytest.raises(pl.ModelDefinitionError, match=r"temperature = -1\.0: must be positive"):
        getattr(pl, entry)(edited("temperature", -1.0))


# --- one test per rule: unknown keys and laws, with suggestions ------------------------------


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        ("nmae", "x", ["nmae", "'x'", "unknown key", "did you mean 'name'"]),
        ("geometry.radus", 5.0, ["geometry.radus", "5.0", "unknown key", "did you mean 'radius'"]),
        ("membrane.capacitence", 1.0, ["membrane.capacitence", "unknown key", "'capacitance'"]),
        ("medium.Kk", 1.0, ["medium.Kk", "1.0", "unknown key", "expected one of"]),
        ("pump.I_mx", 1.0, ["pump.I_mx", "1.0", "unknown key", "did you mean 'I_max'"]),
        ("cotransporters.KCC3", {"g": 0.1}, ["cotransporters.KCC3", "unknown key", "'KCC2'"]),
        ("leaks.Li", {"law": "linear", "g": 0.1}, ["leaks.Li", "unknown key", "Cl, K, Na"]),
    ],
)
def test_spec_unknown_key_is_named_with_suggestion(
    path: str, value: object, expected: list[str]
) -> None:
    """An unknown key is refused; the message names the key, its value and the valid keys."""
    message = rejection(edited(path, value))
    for part in expected:
        assert part in message, message


@pytest.mark.parametrize(
    ("path", "value", "suggestion"),
    [
        ("leaks.Na.law", "linaer", "linear"),
        ("leaks.K.law", "gkh", "ghk"),
        ("pump.law", "fixd", "fixed"),
        ("pump.law", "na_cubik", "na_cubic"),
        ("geometry.shape", "sphre", "sphere"),
    ],
)
def test_spec_unknown_law_is_named_with_suggestion(path: str, value: str, suggestion: str) -> None:
    """An unknown law or shape is refused; the message lists the laws and suggests the closest."""
    message = rejection(edited(path, value))
    assert f"spec key {path} = {value!r}" in message
    assert "expected one of" in message
    assert f"did you mean {suggestion!r}" in message


# --- missing required keys ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "named"),
    [
        ("temperature", "required key temperature"),
        ("geometry.radius", "required key geometry.radius"),
        ("membrane.capacitance", "required key membrane.capacitance"),
        ("cell.X", "required key cell.X"),
        ("cell.Na", "required key cell.Na"),
        ("medium", "required table [medium]"),
        ("geometry", "required table [geometry]"),
        ("leaks.Na.g", "required key leaks.Na.g"),
        ("pump.I_max", "required key pump.I_max"),
    ],
)
def test_spec_missing_required_key_is_named(path: str, named: str) -> None:
    """A missing required key or table is refused; the message names it."""
    message = rejection(edited(path, _DELETE))
    assert "missing" in message
    assert named in message, message


@pytest.mark.parametrize(
    ("law", "missing"), [("na_linear", "pump.Na_ref"), ("saturating", "pump.K_Na")]
)
def test_spec_pump_law_constants_are_required(law: str, missing: str) -> None:
    """A pump law's own constants (Na_ref; K_Na and K_K) are required for that law."""
    message = rejection(edited("pump", {"law": law, "I_max": 1.0}))
    assert f"missing the required key {missing}" in message


def test_spec_missing_name_is_refused() -> None:
    """A spec without a name is refused: the name rule is stated."""
    message = rejection(edited("name", _DELETE))
    assert "spec key name = None" in message
    assert "valid SBML identifier" in message


# --- non-positive sizes, concentrations, temperature ----------------------------------------


@pytest.mark.parametrize(
    ("geometry", "key"),
    [
        ({"shape": "sphere", "radius": 0.0}, "radius"),
        ({"shape": "sphere", "radius": -5.0}, "radius"),
        ({"shape": "cylinder", "radius": 2.0, "length": 0.0}, "length"),
        ({"shape": "cylinder", "radius": -2.0, "length": 10.0}, "radius"),
        ({"shape": "explicit", "volume": 0.0, "area": 300.0}, "volume"),
        ({"shape": "explicit", "volume": 0.5, "area": -300.0}, "area"),
    ],
)
def test_spec_non_positive_size_is_refused(geometry: dict[str, Any], key: str) -> None:
    """A zero or negative radius, length, volume or area is refused as 'must be positive'."""
    message = rejection(edited("geometry", geometry))
    assert f"spec key geometry.{key} = {geometry[key]!r}: must be positive" in message


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("medium.K", 0.0),
        ("medium.Na", -145.0),
        ("medium.Cl", 0.0),
        ("cell.Na", -1.0),
        ("cell.K", 0.0),
        ("cell.Cl", 0.0),
    ],
)
def test_spec_non_positive_concentration_is_refused(path: str, value: float) -> None:
    """A zero or negative ion concentration is refused, before electroneutrality is checked."""
    message = rejection(edited(path, value))
    assert f"spec key {path} = {value!r}: must be positive" in message


@pytest.mark.parametrize(("path", "value"), [("medium.X", -1.0), ("cell.X", -138.0)])
def test_spec_negative_impermeant_is_refused(path: str, value: float) -> None:
    """A negative impermeant concentration is refused as 'must not be negative'."""
    message = rejection(edited(path, value))
    assert f"spec key {path} = {value!r}: must not be negative" in message


@pytest.mark.parametrize("value", [0.0, -310.15])
def test_spec_non_positive_temperature_is_refused(value: float) -> None:
    """A zero or negative absolute temperature is refused."""
    message = rejection(edited("temperature", value))
    assert f"spec key temperature = {value!r}: must be positive" in message


@pytest.mark.parametrize(
    ("path", "value", "rule"),
    [
        ("membrane.capacitance", 0.0, "must be positive"),
        ("membrane.water_permeability", -0.015, "must not be negative"),
        ("leaks.Na.g", -0.01, "must not be negative"),
        ("leaks.K.P", -1e-7, "must not be negative"),
        ("pump.I_max", -0.5, "must not be negative"),
        ("cotransporters.KCC2.g", -0.02, "must not be negative"),
    ],
)
def test_spec_negative_membrane_or_transport_parameter_is_refused(
    path: str, value: float, rule: str
) -> None:
    """Capacitance must be positive; permeabilities, conductances and I_max not negative."""
    message = rejection(edited(path, value))
    assert f"spec key {path} = {value!r}: {rule}" in message


@pytest.mark.parametrize("value", [float("nan"), float("inf"), True, "310", None, [310.0]])
def test_spec_non_number_is_refused(value: object) -> None:
    """A value that is not a finite real number (NaN, inf, bool, text) is refused."""
    message = rejection(edited("temperature", value))
    assert f"spec key temperature = {value!r}: expected a finite number" in message


def test_spec_integer_values_are_accepted() -> None:
    """Integers are numbers: ``radius = 5`` in TOML is the same cell as ``radius = 5.0``."""
    assert pl.spec_from_dict(edited("geometry.radius", 5)) == pl.spec_from_dict(base_spec())


@pytest.mark.parametrize(("path", "value"), [("geometry", "sphere"), ("leaks.Na", 0.01)])
def test_spec_table_expected_is_refused(path: str, value: object) -> None:
    """A number or text where a table belongs is refused, naming the key and value."""
    message = rejection(edited(path, value))
    assert f"spec key {path} = {value!r}: expected a table" in message


# --- electroneutrality ----------------------------------------------------------------------


def test_spec_non_electroneutral_medium_gives_imbalance() -> None:
    """A medium whose charges do not balance is refused; the message gives the imbalance."""
    message = rejection(edited("medium.K", 10.0))  # 145 + 10 - 119 - 30 = +6 mM
    assert "[medium] is not electroneutral" in message
    assert "Na + K - Cl + z_X*X = +6 mM" in message


def test_spec_non_electroneutral_cell_gives_imbalance() -> None:
    """An initial cell composition whose charges do not balance is refused with the imbalance."""
    message = rejection(edited("cell.Cl", 16.5))  # 12 + 140 - 16.5 - 138 = -2.5 mM
    assert "[cell] is not electroneutral" in message
    assert "= -2.5 mM" in message


def test_spec_medium_valence_enters_electroneutrality() -> None:
    """The medium's impermeant valence counts: z_X = -2 with X = 15 balances as z_X = -1, X = 30."""
    spec = pl.spec_from_dict(
        edited("medium", {"Na": 145.0, "K": 4.0, "Cl": 119.0, "X": 15.0, "z_X": -2.0})
    )
    assert spec.medium.charge() == 0.0
    message = rejection(edited("medium.z_X", -2.0))  # 145 + 4 - 119 - 60 = -30 mM
    assert "= -30 mM" in message


def test_spec_electroneutrality_tolerance_is_one_nanomolar() -> None:
    """An imbalance of 1e-7 mM is accepted (below the 1e-6 mM tolerance); 1e-5 mM is not."""
    pl.spec_from_dict(edited("cell.Cl", 14.0 + 1e-7))
    message = rejection(edited("cell.Cl", 14.0 + 1e-5))
    assert "must be 0 within 1e-06 mM" in message


def test_spec_cell_without_impermeant_is_refused() -> None:
    """A cell with no impermeant solute (X = 0) is refused even when it is electroneutral."""
    message = rejection(edited("cell", {"Na": 12.0, "K": 140.0, "Cl": 152.0, "X": 0.0}))
    assert "spec key cell.X = 0.0" in message
    assert "impermeant solute (X > 0)" in message


# --- law parameters -------------------------------------------------------------------------


def test_spec_ghk_leak_given_g_is_refused() -> None:
    """A GHK leak given a conductance g is refused: it takes P in cm/s."""
    message = rejection(edited("leaks.K", {"law": "ghk", "g": 0.04}))
    assert "spec key leaks.K.g = 0.04" in message
    assert "a ghk leak takes P (cm/s), not g" in message


def test_spec_linear_leak_given_p_is_refused() -> None:
    """A linear leak given a permeability P is refused: it takes g in mS/cm²."""
    message = rejection(edited("leaks.Na", {"law": "linear", "P": 1e-7}))
    assert "spec key leaks.Na.P = 1e-07" in message
    assert "a linear leak takes g (mS/cm²), not P" in message


def test_spec_pump_constant_of_another_law_is_refused() -> None:
    """A pump constant that its law does not use (Na_ref for 'fixed') is refused as unknown."""
    message = rejection(edited("pump", {"law": "fixed", "I_max": 0.5, "Na_ref": 10.0}))
    assert "spec key pump.Na_ref = 10.0: unknown key" in message


@pytest.mark.parametrize(
    ("pump", "key"),
    [
        ({"law": "na_linear", "I_max": 1.0, "Na_ref": 0.0}, "Na_ref"),
        ({"law": "saturating", "I_max": 6.0, "K_Na": 10.0, "K_K": -1.5}, "K_K"),
    ],
)
def test_spec_pump_constant_must_be_positive(pump: dict[str, Any], key: str) -> None:
    """A pump's reference or half-activation concentration must be positive (it divides)."""
    message = rejection(edited("pump", pump))
    assert f"spec key pump.{key} = {pump[key]!r}: must be positive" in message


# --- name -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["1cell", "my-cell", "my cell", "", "cellé", 42])
def test_spec_invalid_name_is_refused(name: object) -> None:
    """A name that is not an SBML SId (letters, digits, _; no leading digit) is refused."""
    message = rejection(edited("name", name))
    assert f"spec key name = {name!r}" in message
    assert "must be a valid SBML identifier" in message


def test_spec_name_with_trailing_newline_is_refused() -> None:
    """A name ending in a newline is not an SId and is refused ('$' would have let it pass)."""
    message = rejection(edited("name", "my_cell\n"))
    assert "must be a valid SBML identifier" in message


@pytest.mark.parametrize("name", ["time", "pi", "model", "end", "exp", "length", "volume"])
def test_spec_reserved_name_is_refused(name: str) -> None:
    """A valid SId that Antimony reserves (keyword, built-in symbol or unit) is refused."""
    message = rejection(edited("name", name))
    assert f"spec key name = {name!r}: is a word Antimony reserves" in message


@pytest.mark.parametrize("name", ["cell", "Vm", "F", "Na_i", "g_Na", "medium", "J_pump"])
def test_spec_name_clashing_with_model_id_is_refused_before_compiling(
    monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """A name the built model uses as an identifier is refused, naming key, value and rule."""

    def must_not_run(*args: object, **kwargs: object) -> None:
        raise AssertionError("Antimony was compiled for a model name that clashes")

    monkeypatch.setattr(sbml_compiler, "antimony_to_sbml", must_not_run)
    with pytest.raises(pl.ModelDefinitionError) as caught:
        pl.to_sbml(edited("name", name))
    message = str(caught.value)
    assert f"spec key name = {name!r}" in message
    assert "the built model already uses that identifier" in message


def test_spec_name_of_absent_part_is_accepted() -> None:
    """A name is refused only if this model uses it: P_Na is free when the Na+ leak is linear."""
    assert pl.validate_sbml(pl.to_sbml(edited("name", "P_Na"))).ok


@pytest.mark.parametrize("name", ["pump", "leak", "Faraday", "the"])
def test_spec_name_used_only_in_comments_is_accepted(name: str) -> None:
    """A name that appears in the model's comments or notes, but as no identifier, builds."""
    assert pl.validate_sbml(pl.to_sbml(edited("name", name))).ok


# --- protocol -------------------------------------------------------------------------------


def test_spec_negative_protocol_time_is_refused() -> None:
    """A protocol step at a negative time is refused, naming the step."""
    message = rejection(edited("protocol", [{"at": -1.0, "set": {"I_max": 0.0}}]))
    assert "spec key protocol[0].at = -1.0: must not be negative" in message


def test_spec_protocol_step_breaking_medium_neutrality_is_refused() -> None:
    """A step raising K_o alone is refused: the medium would carry +6 mM of net charge."""
    message = rejection(edited("protocol", [{"at": 10.0, "set": {"K_o": 10.0}}]))
    assert "protocol at t = 10 s leaves the medium not electroneutral" in message
    assert "= +6 mM" in message


def test_spec_protocol_step_swapping_counter_ions_is_accepted() -> None:
    """A step that lowers Na_o as it raises K_o keeps the medium neutral and is accepted."""
    spec = pl.spec_from_dict(
        edited("protocol", [{"at": 10.0, "set": {"medium.K": 10.0, "Na_o": 139.0}}])
    )
    assert spec.protocol[0].settings == (("K_o", 10.0), ("Na_o", 139.0))


def test_spec_protocol_neutrality_is_checked_cumulatively() -> None:
    """Each step is checked on the medium left by the earlier ones (in time order)."""
    steps = [
        {"at": 20.0, "set": {"Na_o": 145.0}},  # back to 145 but K stays 10: +6 mM
        {"at": 10.0, "set": {"K_o": 10.0, "Na_o": 139.0}},
    ]
    message = rejection(edited("protocol", steps))
    assert "protocol at t = 20 s" in message
    assert "+6 mM" in message


@pytest.mark.parametrize(
    "name", ["radius", "geometry.radius", "cell.Na", "Na_i_init", "X_i_init", "z_X"]
)
def test_spec_protocol_step_setting_initial_state_is_refused(name: str) -> None:
    """A step may not set geometry or the initial cell composition (they are initial values)."""
    message = rejection(edited("protocol", [{"at": 10.0, "set": {name: 1.0}}]))
    assert f"spec key protocol[0].set.{name} = 1.0" in message
    assert "sets the initial state" in message


def test_spec_protocol_unknown_quantity_is_named_with_suggestion() -> None:
    """A step setting an unknown quantity is refused with the settable names and a suggestion."""
    message = rejection(edited("protocol", [{"at": 10.0, "set": {"I_maxx": 0.0}}]))
    assert "spec key protocol[0].set.I_maxx = 0.0: not a settable quantity" in message
    assert "did you mean 'I_max'" in message


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ({"at": 10.0}, "protocol[0].set = None: expected a table"),
        ({"at": 10.0, "set": {}}, "protocol[0].set = {}: expected a table"),
        ({"at": 10.0, "set": {"I_max": 0.0}, "when": 1}, "protocol[0].when = 1: unknown key"),
        ({"set": {"I_max": 0.0}}, "missing the required key protocol[0].at"),
    ],
)
def test_spec_malformed_protocol_step_is_refused(entry: dict[str, Any], expected: str) -> None:
    """A step must be a table with a time 'at' and a non-empty 'set' table, nothing else."""
    assert expected in rejection(edited("protocol", [entry]))


def test_spec_protocol_steps_are_sorted_by_time() -> None:
    """Protocol steps come out sorted by time, their settings sorted by model id."""
    steps = [
        {"at": 300.0, "set": {"g_Na": 0.02}},
        {"at": 0.0, "set": {"medium.K": 10.0, "Na_o": 139.0}},
        {"at": 100.0, "set": {"I_max": 0.0, "temperature": 300.0}},
    ]
    spec = pl.spec_from_dict(edited("protocol", steps))
    assert [event.time for event in spec.protocol] == [0.0, 100.0, 300.0]
    assert spec.protocol[0].settings == (("K_o", 10.0), ("Na_o", 139.0))
    assert spec.protocol[1].settings == (("I_pump_max", 0.0), ("T", 300.0))


def test_spec_protocol_may_set_medium_valence_sign() -> None:
    """A step may change the medium's impermeant valence (any sign), if the medium stays neutral."""
    medium = {"Na": 145.0, "K": 4.0, "Cl": 149.0, "X": 0.0, "z_X": -1.0}
    data = edited("medium", medium)
    spec = pl.spec_from_dict(edited("protocol", [{"at": 1.0, "set": {"z_X_o": 2.0}}], data))
    assert spec.protocol[0].settings == (("z_X_o", 2.0),)


# --- overrides ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["medium.K", "K_o"])
def test_spec_override_breaking_neutrality_is_refused(name: str) -> None:
    """An override is applied before validation: K_o = 10 alone breaks medium electroneutrality."""
    with pytest.raises(pl.ModelDefinitionError, match=r"not electroneutral.*\+6 mM"):
        pl.to_sbml(base_spec(), **{name: 10.0})


@pytest.mark.parametrize(
    "names",
    [("medium.K", "medium.Na"), ("K_o", "Na_o"), ("medium.K", "Na_o")],
)
def test_spec_override_names_are_equivalent(names: tuple[str, str]) -> None:
    """Spec paths and model ids name the same quantity: each pair builds the same model."""
    expected = edited("medium.Na", 139.0, edited("medium.K", 10.0))
    text = pl.model_antimony(base_spec(), **{names[0]: 10.0, names[1]: 139.0})
    assert text == pl.to_antimony(pl.spec_from_dict(expected))


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("I_max", "pump.I_max"),
        ("I_pump_max", "pump.I_max"),
        ("radius", "geometry.radius"),
        ("g_Na", "leaks.Na.g"),
        ("P_K", "leaks.K.P"),
        ("g_KCC2", "cotransporters.KCC2.g"),
        ("capacitance", "membrane.capacitance"),
        ("T", "temperature"),
    ],
)
def test_spec_override_alias_sets_its_path(name: str, path: str) -> None:
    """A unique leaf alias or a model id sets the spec path it stands for."""
    data = apply_spec_overrides(base_spec(), {name: 0.75})
    assert data == edited(path, 0.75)


def test_spec_override_names_list_paths_aliases_and_ids() -> None:
    """The settable names include paths, unique aliases and model ids, not ambiguous leaves."""
    names = spec_override_names(base_spec())
    assert {"medium.K", "K_o", "I_max", "I_pump_max", "radius", "leaks.K.P", "P_K"} <= set(names)
    # "Na" would be medium.Na or cell.Na, "X" medium.X or cell.X: ambiguous, so not aliases.
    assert "Na" not in names
    assert "X" not in names
    assert names == sorted(names)


def test_spec_override_unknown_name_is_refused_with_suggestion() -> None:
    """An unknown override name raises InvalidOverrideError with a suggestion."""
    with pytest.raises(pl.InvalidOverrideError, match=r"g_Nax.*did you mean 'g_Na'"):
        pl.to_sbml(base_spec(), g_Nax=0.02)


@pytest.mark.parametrize("value", ["0.5", True, None])
def test_spec_override_non_number_is_refused(value: object) -> None:
    """An override whose value is not a number raises InvalidOverrideError."""
    with pytest.raises(pl.InvalidOverrideError, match="expected a number"):
        apply_spec_overrides(base_spec(), {"I_max": value})


def test_spec_override_follows_the_spec_rules() -> None:
    """An override is validated like the spec: radius = -1 is 'must be positive'."""
    with pytest.raises(pl.ModelDefinitionError, match=r"geometry.radius = -1.0: must be positive"):
        pl.to_sbml(base_spec(), radius=-1.0)


def test_spec_override_of_law_constant_absent_from_law_is_refused() -> None:
    """Na_ref cannot be overridden on a fixed pump: the spec has no such quantity."""
    with pytest.raises(pl.InvalidOverrideError, match="no such quantity"):
        apply_spec_overrides(base_spec(), {"Na_ref": 10.0})


# --- temperature dependence -----------------------------------------------------------------


def test_spec_temperature_table_is_absent_by_default() -> None:
    """Without [temperature_dependence] the spec has none: no rate depends on temperature."""
    assert pl.spec_from_dict(base_spec()).temperature_dependence is None


def test_spec_temperature_table_defaults_are_the_documented_q10s() -> None:
    """An empty table means T_ref 310.15 K and Q10 2.69 (pump), 1.3 (leaks), 1.2 (water)."""
    dependence = pl.spec_from_dict(edited("temperature_dependence", {})).temperature_dependence
    assert dependence is not None
    values = (dependence.reference, dependence.pump_q10, dependence.leak_q10)
    assert (*values, dependence.water_q10) == (310.15, 2.69, 1.3, 1.2)


def test_spec_temperature_table_round_trips() -> None:
    """spec_to_dict keeps the table with every key, so the spec validates back to itself."""
    spec = pl.spec_from_dict(edited("temperature_dependence", {"pump_q10": 3.0}))
    again = spec_to_dict(spec)
    assert again["temperature_dependence"] == {
        "reference": 310.15,
        "pump_q10": 3.0,
        "leak_q10": 1.3,
        "water_q10": 1.2,
    }
    assert pl.spec_from_dict(again) == spec


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ({"pump_Q10": 3.0}, "temperature_dependence.pump_Q10 = 3.0: unknown key"),
        ({"pump_q10": 0.0}, "temperature_dependence.pump_q10 = 0.0: must be positive"),
        ({"leak_q10": -1.3}, "temperature_dependence.leak_q10 = -1.3: must be positive"),
        ({"reference": 0}, "temperature_dependence.reference = 0: must be positive"),
        ({"water_q10": "1.2"}, "temperature_dependence.water_q10 = '1.2': expected a finite"),
    ],
)
def test_spec_temperature_table_rules(table: dict[str, Any], expected: str) -> None:
    """Each key is named with its value and the rule; a misspelt key gets a suggestion."""
    message = rejection(edited("temperature_dependence", table))
    assert expected in message
    if "unknown key" in message:
        assert "did you mean 'pump_q10'" in message


def test_spec_temperature_table_must_be_a_table() -> None:
    """``temperature_dependence = 2.69`` is refused: it is a table of keys."""
    assert rejection(edited("temperature_dependence", 2.69)) == (
        "spec key temperature_dependence = 2.69: expected a table"
    )


@pytest.mark.parametrize("name", ["pump_q10", "Q10_pump", "temperature_dependence.pump_q10"])
def test_spec_temperature_q10_is_settable_by_every_name(name: str) -> None:
    """A Q10 is set by its leaf, its model id (Q10_pump) or its path, like any other number."""
    data = apply_spec_overrides(edited("temperature_dependence", {}), {name: 4.0})
    assert data["temperature_dependence"] == {"pump_q10": 4.0}


def test_spec_temperature_q10_names_exist_only_with_the_table() -> None:
    """Without the table there is no Q10 to set: the names are unknown."""
    assert "pump_q10" not in spec_override_names(base_spec())
    with pytest.raises(pl.InvalidOverrideError, match="no such quantity"):
        apply_spec_overrides(base_spec(), {"Q10_pump": 3.0})


def test_spec_protocol_may_step_the_reference_temperature_but_not_to_zero() -> None:
    """A step may set T_ref or a Q10 (positive); 0 is refused with the key named."""
    data = edited("temperature_dependence", {})
    step = edited("protocol", [{"at": 10.0, "set": {"Q10_pump": 3.0}}], data)
    assert pl.spec_from_dict(step).protocol[0].settings == (("Q10_pump", 3.0),)
    zero = edited("protocol", [{"at": 10.0, "set": {"T_ref": 0.0}}], data)
    assert "protocol[0].set.T_ref = 0.0: must be positive" in rejection(zero)


# --- new-spec -------------------------------------------------------------------------------


def test_spec_template_is_valid_and_commented() -> None:
    """NEW_SPEC_TEMPLATE (the generic preset) is valid TOML, validates, documents its keys."""
    spec = pl.spec_from_dict(tomllib.loads(NEW_SPEC_TEMPLATE))
    assert spec.name == "my_cell"
    comments = [line for line in NEW_SPEC_TEMPLATE.splitlines() if "#" in line]
    assert len(comments) >= 20
    for unit in ("µm", "µF/cm²", "cm/s", "mM", "mS/cm²", "µA/cm²", "K"):
        assert unit in NEW_SPEC_TEMPLATE
    # every optional table is shown, commented out, with its keys
    for table in ("[cotransporters]", "[temperature_dependence]", "[[protocol]]"):
        assert f"# {table}" in NEW_SPEC_TEMPLATE
    assert preset_text("generic") == NEW_SPEC_TEMPLATE


_SPECS = Path(__file__).resolve().parents[1] / "models" / "specs"


@pytest.mark.parametrize("preset", list(PRESETS))
def test_spec_preset_is_its_shipped_file_and_validates(preset: str) -> None:
    """Each preset is models/specs/<name>.toml; it validates, builds and passes the SBML checks."""
    text = preset_text(preset)
    assert text == (_SPECS / f"{preset}.toml").read_text(encoding="utf-8")
    report = pl.validate_sbml(pl.to_sbml(tomllib.loads(text)))
    assert (len(report.errors), len(report.warnings)) == (0, 0), report.format()


@pytest.mark.parametrize("preset", list(PRESETS))
def test_spec_new_spec_preset_prints_it(preset: str, capsys: pytest.CaptureFixture[str]) -> None:
    """``pumpleak new-spec --preset NAME`` prints that preset and exits 0."""
    assert run_cli(capsys, "new-spec", "--preset", preset) == (0, preset_text(preset), "")


def test_spec_new_spec_unknown_preset_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unknown preset exits 2, names the choices and writes nothing."""
    path = tmp_path / "cell.toml"
    code, out, err = run_cli(capsys, "new-spec", "--preset", "neuronx", "-o", str(path))
    assert (code, out) == (2, "")
    assert "invalid choice: 'neuronx'" in err
    assert "'neuron'" in err
    assert not path.exists()


def test_spec_preset_text_unknown_name_suggests() -> None:
    """preset_text of an unknown name raises ModelDefinitionError with a suggestion."""
    with pytest.raises(
        pl.ModelDefinitionError, match=r"no preset 'red_cel'.*did you mean 'red_cell'"
    ):
        preset_text("red_cel")


def test_spec_new_spec_stdout_is_the_template(capsys: pytest.CaptureFixture[str]) -> None:
    """``pumpleak new-spec`` prints the template on stdout and exits 0."""
    assert run_cli(capsys, "new-spec") == (0, NEW_SPEC_TEMPLATE, "")


def test_spec_new_spec_file_builds_and_validates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``new-spec -o cell.toml`` writes a spec that loads, builds and passes ``check``."""
    path = tmp_path / "cell.toml"
    code, out, err = run_cli(capsys, "new-spec", "-o", str(path))
    assert (code, err) == (0, "")
    assert out.startswith(f"wrote {path} (")
    assert path.read_text(encoding="utf-8") == NEW_SPEC_TEMPLATE
    pl.load_spec(path)
    assert pl.validate_sbml(pl.to_sbml(path)).ok
    code, out, err = run_cli(capsys, "check", str(path))
    assert (code, err) == (0, "")
    assert "0 error(s), 0 warning(s)" in out


def test_spec_new_spec_keeps_existing_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``new-spec -o`` refuses to replace an existing file (exit 2) unless --force is given."""
    path = tmp_path / "cell.toml"
    path.write_text("mine\n", encoding="utf-8")
    code, out, err = run_cli(capsys, "new-spec", "-o", str(path))
    assert (code, out) == (2, "")
    one_line_error(err)
    assert path.read_text(encoding="utf-8") == "mine\n"
    assert run_cli(capsys, "new-spec", "-o", str(path), "--force")[0] == 0
    assert path.read_text(encoding="utf-8") == NEW_SPEC_TEMPLATE


# --- files and the CLI ----------------------------------------------------------------------


def test_spec_file_error_names_the_file(tmp_path: Path) -> None:
    """An error in a spec file is prefixed with the file's path."""
    path = write_toml(tmp_path / "cell.toml", edited("temperature", -1.0))
    with pytest.raises(pl.ModelDefinitionError) as caught:
        pl.load_spec(path)
    assert str(caught.value) == f"{path}: spec key temperature = -1.0: must be positive"


def test_spec_invalid_toml_names_file_and_line(tmp_path: Path) -> None:
    """A spec that is not TOML is refused with the file name and the line of the error."""
    path = tmp_path / "cell.toml"
    path.write_text('name = "a"\ntemperature = \n', encoding="utf-8")
    with pytest.raises(pl.ModelDefinitionError, match=r"cell\.toml: not valid TOML.*line 2"):
        pl.load_spec(path)


_BROKEN = [
    ("nmae", "x", "did you mean 'name'"),
    ("temperature", 0.0, "temperature = 0.0: must be positive"),
    ("medium.K", 10.0, "[medium] is not electroneutral"),
    ("leaks.K", {"law": "ghk", "g": 0.04}, "a ghk leak takes P"),
    ("pump.law", "fixd", "did you mean 'fixed'"),
    ("name", "9lives", "valid SBML identifier"),
]


@pytest.mark.parametrize(("path", "value", "expected"), _BROKEN)
def test_spec_cli_build_of_bad_spec_exits_2_and_writes_nothing(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    path: str,
    value: object,
    expected: str,
) -> None:
    """``pumpleak build bad.toml -o out.xml`` exits 2, prints one line, and writes no file."""
    spec = write_toml(tmp_path / "bad.toml", edited(path, value))
    output = tmp_path / "out.xml"
    code, out, err = run_cli(capsys, "build", str(spec), "-o", str(output))
    assert (code, out) == (2, "")
    message = one_line_error(err)
    assert message.startswith(f"{spec}: ")
    assert expected in message
    assert not output.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml"]


@pytest.mark.parametrize("command", ["check", "steady"])
def test_spec_cli_check_and_steady_refuse_bad_spec(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    """``check`` and ``steady`` on a spec that breaks a rule exit 2 with one line."""
    spec = write_toml(tmp_path / "bad.toml", edited("cell.Cl", 20.0))
    code, out, err = run_cli(capsys, command, str(spec))
    assert (code, out) == (2, "")
    assert "[cell] is not electroneutral" in one_line_error(err)


def test_spec_cli_steady_json_works(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``pumpleak steady cell.toml --json`` prints the spec's steady state as JSON."""
    spec = write_toml(tmp_path / "cell.toml", base_spec())
    code, out, err = run_cli(capsys, "steady", str(spec), "--json")
    assert (code, err) == (0, "")
    summary = json.loads(out)
    assert summary["model"] == "test_cell"
    assert summary["volume"]["unit"] == "pL"
    assert -100.0 < summary["Vm"] < 0.0
    assert set(summary["concentrations"]) >= {
        "[Na_i]",
        "[K_i]",
        "[Cl_i]",
        "[X_i]",
        "[Na_o]",
        "[K_o]",
    }


def test_spec_cli_set_breaking_neutrality_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--set medium.K=10`` alone is refused (exit 2); the message gives the imbalance."""
    spec = write_toml(tmp_path / "cell.toml", base_spec())
    code, out, err = run_cli(capsys, "steady", str(spec), "--json", "--set", "medium.K=10")
    assert (code, out) == (2, "")
    message = one_line_error(err)
    assert "[medium] is not electroneutral" in message
    assert re.search(r"= \+6 mM", message), message


def test_spec_cli_set_with_counter_ion_works(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--set medium.K=10 --set medium.Na=139`` keeps the medium neutral and works."""
    spec = write_toml(tmp_path / "cell.toml", base_spec())
    code, out, err = run_cli(
        capsys, "steady", str(spec), "--json", "--set", "medium.K=10", "--set", "medium.Na=139"
    )
    assert (code, err) == (0, "")
    summary = json.loads(out)
    assert summary["concentrations"]["[K_o]"] == 10.0
    assert summary["concentrations"]["[Na_o]"] == 139.0
    reference = pl.steady_state(spec, K_o=10.0, Na_o=139.0)
    assert summary["Vm"] == reference["Vm"]
