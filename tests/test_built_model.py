# SPDX-License-Identifier: MIT
"""``resolve``: a model, as a user names it, becomes one built model, compiled once, set by value.

The contract of :func:`pumpleak_sbml.resolve` and the compiled-model caches
(:mod:`pumpleak_sbml.built_model`, :mod:`pumpleak_sbml.cache`):

- each kind of input is sorted out once: a library name (``str``), a spec or SBML file
  (``Path``), a spec dict, a ``CellSpec``, an already built model; a string is never a path;
- overrides are checked values (errors name the quantity and the rule) and never change
  the compiled model, spec overrides included; a spec override still obeys the spec's rules,
  and acts exactly as if the spec had been written with that value;
- ``BuiltModel.sbml`` is SBML with the overrides written in, which validates and which
  RoadRunner starts from the same values as we do;
- the disk cache: a fresh process reads an entry without compiling; a damaged or foreign
  entry is rebuilt; an unwritable folder is no error; ``PUMPLEAK_SBML_CACHE=off`` writes
  nothing.

Cache tests use a private folder (``tmp_path``) and empty the in-process caches before and
after, so they compile for real; they use the smallest library model, ``proton_vesicle``.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import libsbml
import numpy as np
import pytest
import roadrunner

import pumpleak_sbml as pl
from pumpleak_sbml import built_model, cache, sbml_compiler
from pumpleak_sbml.ode_functions import FORMAT_VERSION, functions_of
from pumpleak_sbml.spec import read_spec_file

_HERE = Path(__file__).resolve().parent
SPEC = _HERE.parent / "models" / "specs" / "pump_leak.toml"
GHK_SPEC = _HERE.parent / "models" / "specs" / "pump_leak_ghk.toml"
BIOMODEL = (
    _HERE / "data" / "biomodels" / "BIOMD0000000054_Ataullakhanov1996_RBC_adenylate_ion_pump.xml"
)
SMALL = "proton_vesicle"  # the cheapest library model to compile: one state


def _clear_compiled() -> None:
    built_model._compiled_antimony.cache_clear()
    built_model._compiled_sbml.cache_clear()


def _start(built: pl.BuiltModel) -> tuple[dict[str, float], dict[str, float]]:
    """Return our initial states and constants, by id, with the built model's overrides."""
    functions = functions_of(built.compiled.ode)
    y0, p = functions.start(built.overrides)
    compiled = built.compiled.ode
    return dict(zip(compiled.states, y0, strict=True)), dict(
        zip(compiled.constants, p, strict=True)
    )


# --- sorting inputs out ------------------------------------------------------------------------


def test_resolve_library_name_is_the_library_model() -> None:
    """A string names a library model: origin 'library', its name, its SBML model id."""
    built = pl.resolve("pump_leak")
    assert (built.origin, built.name, built.compiled.model_id) == (
        "library",
        "pump_leak",
        "pump_leak",
    )
    assert built.overrides == {}
    assert built.spec_data is None


def test_resolve_spec_path_is_a_spec() -> None:
    """A .toml Path is a cell spec, read once: origin 'spec', named after the spec."""
    built = pl.resolve(SPEC)
    assert (built.origin, built.name) == ("spec", "pump_leak_spec")
    assert built.spec_data == read_spec_file(SPEC)


@pytest.mark.parametrize("suffix", [".xml", ".sbml", ".XML"])
def test_resolve_sbml_path_is_sbml(suffix: str, tmp_path: Path) -> None:
    """A .xml or .sbml Path (any case) is an SBML document, named by its file."""
    path = tmp_path / f"model{suffix}"
    path.write_bytes(BIOMODEL.read_bytes())
    built = pl.resolve(path)
    document = libsbml.readSBMLFromString(BIOMODEL.read_text("utf-8"))  # owns the model (SWIG)
    model_id = document.getModel().getId()
    assert (built.origin, built.name, built.compiled.model_id) == ("sbml", str(path), model_id)


def test_resolve_spec_dict_cellspec_and_file_share_one_compiled_model() -> None:
    """The same spec as a file, a dict and a CellSpec is one compiled model (the same object)."""
    from_file = pl.resolve(SPEC)
    from_dict = pl.resolve(read_spec_file(SPEC))
    from_spec = pl.resolve(pl.load_spec(SPEC))
    assert from_dict.origin == from_spec.origin == "spec"
    assert from_dict.compiled is from_file.compiled
    assert from_spec.compiled is from_file.compiled


def test_resolve_built_model_is_returned_or_extended() -> None:
    """A BuiltModel comes back as itself; new overrides extend its own, the later ones winning."""
    built = pl.resolve("pump_leak", g_Na=0.02, g_K=0.05)
    assert pl.resolve(built) is built
    extended = pl.resolve(built, g_Na=0.03, C_m=2.0)
    assert extended.overrides == {"g_Na": 0.03, "g_K": 0.05, "C_m": 2.0}
    assert extended.compiled is built.compiled
    assert built.overrides == {"g_Na": 0.02, "g_K": 0.05}  # the original is untouched
    assert built.with_overrides(g_K=0.06).overrides == {"g_Na": 0.02, "g_K": 0.06}


@pytest.mark.parametrize(
    ("model", "overrides"),
    [
        pytest.param("pump_leak", {"g_Na": 0.02}, id="library"),
        pytest.param(SPEC, {"I_max": 0.8}, id="spec"),
        pytest.param(BIOMODEL, {"W2": 0.5}, id="sbml"),
    ],
)
def test_resolve_of_a_known_model_parses_and_compiles_nothing(
    model: Any, overrides: dict[str, float], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once a model is compiled, resolving it with new overrides reads no SBML, runs no Antimony."""
    pl.resolve(model)
    calls: list[str] = []

    def refuse(*args: Any, **kwargs: Any) -> None:
        calls.append("called")

    monkeypatch.setattr(libsbml, "readSBMLFromString", refuse)
    monkeypatch.setattr(sbml_compiler, "antimony_to_sbml", refuse)
    built = pl.resolve(model, **overrides)
    assert calls == []
    assert built.overrides  # the values are there, checked, without touching the text


@pytest.mark.parametrize("path", [SPEC, BIOMODEL], ids=["spec", "sbml"])
def test_resolve_string_is_never_a_path(path: Path) -> None:
    """A string is a library name, even when a file of that name exists."""
    assert path.is_file()
    with pytest.raises(pl.UnknownModelError, match="unknown model"):
        pl.resolve(str(path))


@pytest.mark.parametrize("value", [42, b"pump_leak", None, ["pump_leak"]])
def test_resolve_refuses_what_is_not_a_model(value: object) -> None:
    """Anything else is refused, naming its type and what a model may be."""
    with pytest.raises(
        pl.ModelDefinitionError, match=rf"a model is a library name .* not {type(value).__name__}"
    ):
        pl.resolve(value)


# --- overrides are checked values ------------------------------------------------------------

_MODEL_INPUTS: list[Any] = [
    pytest.param("pump_leak", id="library"),
    pytest.param(SPEC, id="spec-file"),
    pytest.param(read_spec_file(SPEC), id="spec-dict"),
    pytest.param(BIOMODEL, id="sbml-file"),
]


@pytest.mark.parametrize("model", _MODEL_INPUTS)
def test_override_of_unknown_name_is_an_invalid_override_naming_it(model: Any) -> None:
    """Whatever the input, an unknown name raises InvalidOverrideError with name and choices."""
    with pytest.raises(pl.InvalidOverrideError) as caught:
        pl.resolve(model, g_Qx=1.0)
    assert caught.value.name == "g_Qx"
    assert "no such quantity" in str(caught.value)
    assert caught.value.valid  # the names that can be set


@pytest.mark.parametrize("model", _MODEL_INPUTS)
@pytest.mark.parametrize("value", ["0.5", True, None, float("nan")])
def test_override_that_is_not_a_number_is_refused(model: Any, value: object) -> None:
    """A string, a bool, None or NaN is refused as an InvalidOverrideError, for every input."""
    name = "W2" if model == BIOMODEL else "g_Na"
    with pytest.raises(pl.InvalidOverrideError, match=rf"cannot set {name} = .*(number|finite)"):
        pl.resolve(model, **{name: value})


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        ("g_Na", -0.01, r"must not be negative \(in mS/cm²\)"),
        ("cell", 0.0, r"must be positive \(in pL\)"),
        ("T", -1.0, r"must be positive \(in K\)"),
        ("C_m", float("inf"), "expected a finite number"),
        ("Vm", -70.0, r"it is computed by the model \(assignment rule\); set its inputs"),
        ("Na_i", 5.0, r"it is computed by the model \(initial assignment\); set its inputs"),
        ("F", 96485.0, "it is a constant of nature or a unit conversion"),
    ],
)
def test_library_override_domain_errors_name_quantity_and_rule(
    name: str, value: float, reason: str
) -> None:
    """An impossible value is refused naming the quantity, the value and the rule it breaks."""
    with pytest.raises(pl.InvalidOverrideError, match=rf"cannot set {name} = .*: {reason}"):
        pl.resolve("pump_leak", **{name: value})


def test_sbml_file_overrides_follow_the_files_own_rules(tmp_path: Path) -> None:
    """In another model: a rule-sized compartment is refused; a rate-ruled start may be set.

    The compartment c is sized by an assignment rule, so its value is computed; the rate-ruled
    parameter V (a potential in the file's own millivolt) starts at a value we may set,
    negative too; the settable k reaches the ODEs' constants.
    """
    sbml = sbml_compiler.antimony_to_sbml(
        """
        model own_rules
          unit millivolt = 1e-3 volt
          compartment c
          c := 2 * k
          k = 1.5
          species S in c = 1
          J: S -> ; kd * S
          kd = 0.1
          V = -60.9
          V has millivolt
          V' = -0.1 * (V + 70)
        end"""
    )
    path = tmp_path / "own_rules.xml"
    path.write_text(sbml, encoding="utf-8")
    with pytest.raises(pl.InvalidOverrideError, match=r"cannot set c = 3.0: .*assignment rule"):
        pl.resolve(path, c=3.0)
    cell = pl.ode(path, V=-65.0, k=3.0)
    assert cell.y0[cell.state_names.index("V")] == -65.0
    assert cell.p[cell.parameter_names.index("k")] == 3.0


@pytest.mark.parametrize(
    ("model", "overrides"),
    [
        pytest.param("pump_leak", {"g_Na": 0.02, "Na_i_init": 20.0}, id="library"),
        pytest.param(BIOMODEL, {"W2": 0.5}, id="sbml-file"),
        pytest.param(SPEC, {"I_max": 0.8}, id="spec-I_max"),
        pytest.param(SPEC, {"medium.K": 10.0, "medium.Cl": 155.0}, id="spec-medium"),
        pytest.param(SPEC, {"radius": 7.0}, id="spec-radius"),
        pytest.param(GHK_SPEC, {"leaks.Na.P": 5e-8, "temperature": 300.0}, id="spec-ghk"),
        pytest.param(read_spec_file(SPEC), {"I_pump_max": 0.8}, id="spec-dict"),
    ],
)
def test_overrides_never_change_the_compiled_model(model: Any, overrides: dict[str, float]) -> None:
    """resolve(x, **overrides).compiled is resolve(x).compiled: values, not a new model."""
    assert pl.resolve(model, **overrides).compiled is pl.resolve(model).compiled


_SPEC_PATHS = {"I_max": "pump.I_max", "radius": "geometry.radius"}  # aliases used below


@pytest.mark.parametrize(
    "overrides",
    [
        {"I_max": 0.8},
        {"radius": 7.0},
        {"medium.K": 10.0, "medium.Cl": 155.0},
        {"temperature": 300.0, "leaks.K.g": 0.05},
        {"cell.Na": 20.0, "cell.Cl": 22.0},
    ],
    ids="+".join,
)
def test_spec_override_acts_as_the_spec_written_with_that_value(
    overrides: dict[str, float],
) -> None:
    """A spec override gives the start and rates of the spec edited by hand and compiled anew.

    The edited spec is compiled separately (its text differs), so this checks that each spec
    name lands on the right model id, and that values feeding initial assignments (radius ->
    area and volume, cell.Na -> amounts) are evaluated again. The same generated code on the
    same numbers gives the same bits.
    """
    data = read_spec_file(SPEC)
    edited = copy.deepcopy(data)
    for name, value in overrides.items():
        *tables, key = _SPEC_PATHS.get(name, name).split(".")
        target = edited
        for table in tables:
            target = target[table]
        target[key] = value
    overridden, written = pl.resolve(data, **overrides), pl.resolve(edited)
    assert overridden.compiled is not written.compiled
    assert _start(overridden) == _start(written)
    ours, theirs = pl.ode(data, **overrides), pl.ode(edited)
    assert np.array_equal(ours.rhs(0.0, ours.y0), theirs.rhs(0.0, theirs.y0))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"medium.K": 10.0}, r"\[medium\] is not electroneutral: .* = \+6 mM"),
        ({"cell.Na": 20.0}, r"\[cell\] is not electroneutral: .* = \+8 mM"),
        ({"radius": -1.0}, r"geometry.radius = -1.0: must be positive"),
        ({"leaks.Na.g": -0.01}, r"leaks.Na.g = -0.01: must not be negative"),
        ({"temperature": 0.0}, r"temperature = 0.0: must be positive"),
    ],
)
def test_spec_override_still_obeys_the_spec_rules(
    overrides: dict[str, float], message: str
) -> None:
    """An override that breaks a rule of the spec (neutrality, signs) is refused by that rule."""
    with pytest.raises(pl.ModelDefinitionError, match=message):
        pl.resolve(SPEC, **overrides)


def test_spec_overrides_accumulate_and_are_checked_together() -> None:
    """Overriding a built spec again checks all its overrides together against the rules."""
    balanced = pl.resolve(SPEC, **{"medium.K": 10.0, "medium.Cl": 155.0})
    assert balanced.overrides == {"K_o": 10.0, "Cl_o": 155.0}
    more = pl.resolve(balanced, I_max=0.8)
    assert more.overrides == {"K_o": 10.0, "Cl_o": 155.0, "I_pump_max": 0.8}
    assert more.compiled is balanced.compiled
    with pytest.raises(pl.ModelDefinitionError, match="not electroneutral"):
        pl.resolve(balanced, **{"medium.Cl": 149.0})  # K+ is still 10 mM


# --- BuiltModel.sbml -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "overrides"),
    [
        pytest.param("pump_leak", {"g_Na": 0.02, "Na_i_init": 20.0, "cell": 0.6}, id="library"),
        pytest.param("pump_leak_ghk", {"P_K": 1e-6, "K_o": 10.0}, id="library-ghk"),
        pytest.param(SPEC, {"radius": 7.0, "I_max": 0.8}, id="spec"),
    ],
)
def test_built_sbml_has_the_overrides_written_in_and_validates(
    model: Any, overrides: dict[str, float]
) -> None:
    """BuiltModel.sbml validates (zero issues) and RoadRunner starts from it where we start.

    RoadRunner evaluates the initial assignments of that text itself (radius -> area,
    Na_i_init -> amount), so this checks both what is written and what it means.
    """
    built = pl.resolve(model, **overrides)
    report = pl.validate_sbml(built.sbml)
    assert report.ok, report.format()
    document = libsbml.readSBMLFromString(built.sbml)
    for sid, value in built.overrides.items():
        element = document.getModel().getElementBySId(sid)
        if isinstance(element, libsbml.Parameter):
            assert element.getValue() == value, sid
        elif isinstance(element, libsbml.Compartment):
            assert element.getSize() == value, sid
        else:
            assert value in (element.getInitialConcentration(), element.getInitialAmount()), sid
    runner = roadrunner.RoadRunner(built.sbml)
    states, constants = _start(built)
    ode = built.compiled.ode
    ids, kinds_in_order = (*ode.states, *ode.constants), (*ode.state_kinds, *ode.constant_kinds)
    kinds = dict(zip(ids, kinds_in_order, strict=True))
    for sid, value in {**states, **constants}.items():
        selection = f"[{sid}]" if kinds[sid] == "concentration" else sid  # S is an amount
        assert runner[selection] == pytest.approx(value, rel=1e-12, abs=0.0), sid


def test_built_sbml_without_overrides_is_the_compiled_text() -> None:
    """With no overrides, BuiltModel.sbml is the compiled SBML itself, not a rewritten copy."""
    built = pl.resolve("pump_leak")
    assert built.sbml is built.compiled.sbml


# --- the disk cache ----------------------------------------------------------------------------


class Compiles:
    """Counts the Antimony compilations in this process (the expensive first step)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        original = sbml_compiler.antimony_to_sbml

        def counted(*args: Any, **kwargs: Any) -> str:
            self.count += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(sbml_compiler, "antimony_to_sbml", counted)


@pytest.fixture
def private_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """Point the disk cache at an empty folder and empty the in-process caches, then restore."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("PUMPLEAK_SBML_CACHE", str(folder))
    _clear_compiled()
    yield folder
    _clear_compiled()


def _same(one: built_model.CompiledModel, other: built_model.CompiledModel) -> bool:
    """Tell whether two compiled models hold the same data (NaN values compare equal)."""
    return json.dumps(one.to_json(), sort_keys=True) == json.dumps(other.to_json(), sort_keys=True)


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


_FRESH_PROCESS = """
import hashlib
import pumpleak_sbml.ode_codegen, pumpleak_sbml.sbml_compiler

def refuse(*args, **kwargs):
    raise AssertionError("compiled although the disk cache holds the model")

pumpleak_sbml.sbml_compiler.antimony_to_sbml = refuse  # Antimony
pumpleak_sbml.ode_codegen.generate = refuse  # SymPy
from pumpleak_sbml.built_model import resolve
print(hashlib.sha256(resolve("{model}").compiled.ode.source.encode()).hexdigest())
"""


def test_cache_entry_is_read_by_a_fresh_process_without_compiling(private_cache: Path) -> None:
    """A process that finds the entry loads the model with Antimony and SymPy made to fail."""
    compiled = pl.resolve(SMALL).compiled
    assert len(_entries(private_cache)) == 1
    result = subprocess.run(
        [sys.executable, "-c", _FRESH_PROCESS.format(model=SMALL)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PUMPLEAK_SBML_CACHE": str(private_cache)},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [hashlib.sha256(compiled.ode.source.encode()).hexdigest()]


def test_cache_entry_spares_a_compile_in_process(
    private_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the in-process cache emptied, the disk entry is used: one compile for two loads."""
    compiles = Compiles(monkeypatch)
    first = pl.resolve(SMALL).compiled
    _clear_compiled()
    second = pl.resolve(SMALL).compiled
    assert compiles.count == 1
    assert _same(second, first)


def _damage(kind: str, entry: Path) -> None:
    data = json.loads(entry.read_text(encoding="utf-8"))
    if kind == "not JSON":
        entry.write_bytes(b"\x00\xff garbage")
    elif kind == "truncated":
        text = entry.read_text(encoding="utf-8")
        entry.write_text(text[: len(text) // 2], encoding="utf-8")
    elif kind == "a JSON list":
        entry.write_text("[1, 2, 3]", encoding="utf-8")
    elif kind == "another layout":
        entry.write_text(json.dumps({"model": data["model_id"], "code": "..."}), encoding="utf-8")
    elif kind == "older generated code":
        data["ode"]["format"] = FORMAT_VERSION - 1
        entry.write_text(json.dumps(data), encoding="utf-8")
    elif kind == "wrong field types":
        data["quantities"] = "none"
        entry.write_text(json.dumps(data), encoding="utf-8")


@pytest.mark.parametrize(
    "kind",
    [
        "not JSON",
        "truncated",
        "a JSON list",
        "another layout",
        "older generated code",
        "wrong field types",
    ],
)
def test_cache_damaged_or_foreign_entry_is_ignored_and_rebuilt(
    kind: str, private_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A damaged or foreign entry is compiled again, silently, and replaced by a good one."""
    good = pl.resolve(SMALL).compiled
    [entry] = _entries(private_cache)
    _damage(kind, entry)
    _clear_compiled()
    compiles = Compiles(monkeypatch)
    rebuilt = pl.resolve(SMALL).compiled
    assert compiles.count == 1
    assert _same(rebuilt, good)
    assert _entries(private_cache) == [entry]
    assert json.loads(entry.read_text(encoding="utf-8"))["ode"]["format"] == FORMAT_VERSION


@pytest.mark.parametrize("setting", ["off", "OFF", "0", "no", ""])
def test_cache_off_writes_nothing(
    setting: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """PUMPLEAK_SBML_CACHE=off (or 0, no, empty) writes no file anywhere, and still works."""
    monkeypatch.setenv("PUMPLEAK_SBML_CACHE", setting)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    _clear_compiled()
    try:
        assert cache.cache_directory() is None
        assert pl.resolve(SMALL).compiled.model_id == SMALL
    finally:
        _clear_compiled()
    assert list(tmp_path.rglob("*")) == []


@pytest.mark.parametrize("how", ["below a file", "a file itself"])
def test_cache_unwritable_folder_is_no_error(
    how: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A cache folder that cannot be created or written is skipped: the model still loads.

    (A path under a regular file cannot be a folder even for root, unlike a chmod.)
    """
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    folder = blocker / "cache" if how == "below a file" else blocker
    monkeypatch.setenv("PUMPLEAK_SBML_CACHE", str(folder))
    _clear_compiled()
    try:
        assert pl.resolve(SMALL).compiled.model_id == SMALL
        cache.write_entry("antimony-test", {"any": "thing"})  # no exception either
    finally:
        _clear_compiled()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]
    assert blocker.read_text(encoding="utf-8") == "not a folder"


def test_cache_default_folder_follows_xdg_then_home(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Unset, the cache is $XDG_CACHE_HOME/pumpleak_sbml, else ~/.cache/pumpleak_sbml."""
    monkeypatch.delenv("PUMPLEAK_SBML_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_directory() == tmp_path / "xdg" / "pumpleak_sbml"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache.cache_directory() == tmp_path / "home" / ".cache" / "pumpleak_sbml"


def test_cache_keys_depend_on_kind_and_text() -> None:
    """Keys differ for another text or another kind, and are stable for the same input."""
    key: Callable[..., str] = cache.cache_key
    assert key("antimony", "model a() end") == key("antimony", "model a() end")
    assert key("antimony", "model a() end") != key("antimony", "model b() end")
    assert key("antimony", "x") != key("sbml", "x")
    assert key("antimony", "ab", "c") != key("antimony", "a", "bc")
