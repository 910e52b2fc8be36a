# SPDX-License-Identifier: MIT
"""The public API contract: ``__all__``, docstrings, and how overrides are refused."""

from __future__ import annotations

import ast
import importlib.metadata
import inspect
import math
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import pumpleak_sbml as pl

_INIT = Path(pl.__file__)


def _names_imported_in_init() -> set[str]:
    """Return the public names ``__init__.py`` binds (eager or type-checker imports, values)."""
    tree = ast.parse(_INIT.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            names.update(alias.asname or alias.name for alias in node.names)
    for node in tree.body:
        if isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return {name for name in names if not name.startswith("_")} | {"__version__"}


def _settable() -> list[str]:
    return sorted(pl.parameters("pump_leak"))


def test_all_is_sorted() -> None:
    """``__all__`` is sorted, so additions show up in one predictable place."""
    assert list(pl.__all__) == sorted(pl.__all__)
    assert len(set(pl.__all__)) == len(pl.__all__)


def test_all_equals_names_imported_in_init() -> None:
    """``__all__`` lists exactly the names ``__init__.py`` imports (plus ``__version__``)."""
    assert set(pl.__all__) == _names_imported_in_init()


def test_all_equals_public_attributes_of_the_package() -> None:
    """Every public non-module attribute of the package is in ``__all__``, and vice versa."""
    for name in pl.__all__:
        getattr(pl, name)  # load the lazily imported names
    public = {
        name
        for name, value in vars(pl).items()
        if not name.startswith("_") and not inspect.ismodule(value)
    }
    assert public == set(pl.__all__) - {"__version__"}


def test_lazy_names_are_the_names_type_checkers_see() -> None:
    """Each lazily loaded name comes from the module ``__init__`` imports it from for mypy."""
    tree = ast.parse(_INIT.read_text(encoding="utf-8"))
    checked = {
        alias.asname or alias.name: node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module != "errors"
        for alias in node.names
    }
    assert checked == pl._LAZY


def test_importing_the_package_loads_no_simulator_or_sbml_library() -> None:
    """``import pumpleak_sbml`` stays light: RoadRunner, libsbml, Antimony and SymPy load on use."""
    code = (
        "import sys, pumpleak_sbml; "
        "print(sorted({'roadrunner', 'libsbml', 'antimony', 'sympy'} & set(sys.modules)))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "[]"


@pytest.mark.parametrize("name", sorted(set(pl.__all__) - {"__version__"}))
def test_all_name_exists_and_has_docstring(name: str) -> None:
    """Each exported name exists on the package and carries its own non-empty docstring."""
    obj = getattr(pl, name)
    assert isinstance(obj.__doc__, str)
    assert obj.__doc__.strip()


def test_version_is_a_string() -> None:
    """``__version__`` is a non-empty string equal to the installed distribution's version."""
    assert isinstance(pl.__version__, str)
    assert pl.__version__
    assert pl.__version__ == importlib.metadata.version("pumpleak_sbml")


def test_override_unknown_name_raises_invalid_override_error_listing_valid_names() -> None:
    """An unknown override name gives InvalidOverrideError naming it and every settable name."""
    with pytest.raises(pl.InvalidOverrideError) as caught:
        pl.to_sbml("pump_leak", g_Q=1.0)
    error = caught.value
    assert isinstance(error, ValueError)
    assert isinstance(error, pl.ModelDefinitionError)
    assert isinstance(error, pl.PumpLeakError)
    message = str(error)
    assert "g_Q" in message
    assert "no such quantity" in message
    for name in _settable():
        assert name in message
    assert error.name == "g_Q"
    assert list(error.valid) == _settable()


@pytest.mark.parametrize(
    "value",
    [True, False, "0.05", None, 1j, math.nan, math.inf, -math.inf],
    ids=["True", "False", "str", "None", "complex", "nan", "inf", "-inf"],
)
def test_override_non_finite_or_non_number_raises_invalid_override_error(value: object) -> None:
    """A bool, str, None, complex, NaN or infinity is refused with InvalidOverrideError."""
    with pytest.raises(pl.InvalidOverrideError, match=r"cannot set g_K = .*(number|finite)"):
        pl.to_sbml("pump_leak", g_K=value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "value", "unit"),
    [
        ("Na_i_init", -1.0, "mM"),
        ("K_o", -4.0, "mM"),
        ("T", 0.0, "K"),
        ("T", -310.0, "K"),
        ("cell", 0.0, "pL"),
        ("cell", -0.5, "pL"),
        ("A_m", 0.0, "µm²"),
        ("g_K", -1.0, "mS/cm²"),
        ("I_pump_max", -0.5, "µA/cm²"),
    ],
)
def test_override_impossible_value_raises_invalid_override_error_naming_unit(
    name: str, value: float, unit: str
) -> None:
    """Negative concentrations or conductances, and non-positive T or volumes, are refused."""
    with pytest.raises(pl.InvalidOverrideError) as caught:
        pl.to_sbml("pump_leak", **{name: value})
    message = str(caught.value)
    assert name in message
    assert f"(in {unit})" in message
    assert "negative" in message or "positive" in message


@pytest.mark.parametrize("name", ["g_K", "K_i_init", "I_pump_max"])
def test_override_zero_for_non_negative_quantity_is_accepted(name: str) -> None:
    """Zero is a valid value for quantities that must only be non-negative."""
    sbml = pl.to_sbml("pump_leak", **{name: 0.0})
    assert pl.parameters("pump_leak", **{name: 0.0})[name] == 0.0
    assert sbml != pl.to_sbml("pump_leak")


@pytest.mark.parametrize("make", ["int64", "float32"])
def test_override_numpy_scalar_is_accepted(make: str) -> None:
    """A numpy scalar (as produced by np.arange or float32 arrays) is a valid override value."""
    value = getattr(np, make)(1)
    assert pl.parameters("pump_leak", g_K=value)["g_K"] == 1.0


def _error_samples() -> list[pl.PumpLeakError]:
    report = pl.validate_sbml("not SBML at all")
    return [
        pl.PumpLeakError("plain message"),
        pl.UnknownModelError("nope", ["pump_leak"]),
        pl.ModelDefinitionError("pump_leak: impossible initial state"),
        pl.InvalidOverrideError("g_Q", 1.0, "the model has no such quantity", ["g_K", "g_Na"]),
        pl.AntimonyError("syntax error", Path("models/x.ant"), 12),
        pl.SBMLValidationError("model x: SBML validation found 1 error(s)", report),
        pl.SimulationError("pump_leak", "the integrator failed", 12.5),
        pl.SteadyStateNotFoundError("pump_leak", "no finite steady state", 1e6),
        pl.OutputError("cannot write x.xml"),
        pl.LimitExceededError("end time", "1e+300 s", "", "1e+09 s"),
    ]


@pytest.mark.parametrize("error", _error_samples(), ids=lambda e: type(e).__name__)
def test_error_pickle_round_trip_keeps_type_and_message(error: pl.PumpLeakError) -> None:
    """Every error survives pickling (multiprocessing sweeps) with its type and message."""
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert str(copy) == str(error)
    assert copy.args == error.args


def test_invalid_override_error_from_api_pickles_with_attributes() -> None:
    """An InvalidOverrideError raised by the API keeps name, value, reason and valid names."""
    with pytest.raises(pl.InvalidOverrideError) as caught:
        pl.to_sbml("pump_leak", g_Q=2.0)
    copy = pickle.loads(pickle.dumps(caught.value))
    assert str(copy) == str(caught.value)
    assert (copy.name, copy.value, copy.reason, copy.valid) == (
        caught.value.name,
        caught.value.value,
        caught.value.reason,
        caught.value.valid,
    )


def test_installed_package_contains_every_source_module() -> None:
    """Every module of the source tree is importable from the installed package.

    pyproject.toml lists the packages explicitly; an editable install would hide one that is
    missing from the list, a wheel would not ship it.
    """
    source = Path(__file__).resolve().parents[1] / "pumpleak_sbml"
    for path in sorted(source.rglob("*.py")):
        relative = path.relative_to(source.parent).with_suffix("")
        parts = [part for part in relative.parts if part != "__init__"]
        if parts[-1] == "__main__":
            continue
        importlib.import_module(".".join(parts))
