# SPDX-License-Identifier: MIT
"""Cell specifications: a declarative description of a pump-leak cell, validated before building.

A spec is a TOML file or the same structure as a Python dict. ``pumpleak new-spec --preset
NAME`` writes a commented starting spec (:data:`PRESETS`: the core cell, a neuron, a red cell;
:func:`preset_text` returns one). :func:`load_spec` and :func:`spec_from_dict` check every key,
value and rule and return a frozen :class:`CellSpec`; every error names the key, the value and
the rule, with a suggestion for a misspelt key or law::

    spec = load_spec(Path("cell.toml"))
    spec = spec_from_dict({"name": "my_cell", ...})

Overrides (``--set``, ``**overrides``) change the spec itself, before validation, so the same
rules apply to them. They may name a spec path (``medium.K``, ``leaks.Na.g``), a short alias
(``I_max``, ``radius``) or the generated model's identifier (``K_o``, ``g_Na``).
"""

from __future__ import annotations

import copy
import difflib
import functools
import numbers
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import InvalidOverrideError, ModelDefinitionError, short_repr
from .limits import (
    MAX_END_TIME,
    MAX_NAME_LENGTH,
    MAX_SPEC_BYTES,
    check_name_length,
    finite_float,
    read_limited,
    warn_if_implausible,
)

__all__ = [
    "ION_VALENCES",
    "NEW_SPEC_TEMPLATE",
    "PRESETS",
    "CellSpec",
    "Cotransporter",
    "Event",
    "Geometry",
    "Leak",
    "Pump",
    "Solution",
    "TemperatureDependence",
    "apply_spec_overrides",
    "load_spec",
    "preset_text",
    "spec_from_dict",
    "spec_model_ids",
    "spec_override_names",
    "spec_to_dict",
]

ION_VALENCES: Mapping[str, int] = {"Na": 1, "K": 1, "Cl": -1}
"""The permeant ions a spec may describe, with their valences."""

# Electroneutrality tolerances (mM): the 1e-6 mM for the cell; the same for the medium.
_NEUTRALITY_TOLERANCE = 1e-6
_SID = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")  # used with fullmatch: '$' would accept "x\n"
# Words a model id cannot be: Antimony keywords and built-in symbols and functions.
_RESERVED_NAMES = frozenset(
    {
        "model",
        "module",
        "end",
        "function",
        "species",
        "compartment",
        "formula",
        "var",
        "const",
        "unit",
        "import",
        "is",
        "has",
        "in",
        "at",
        "after",
        "priority",
        "delete",
        "substanceOnly",
        "time",
        "pi",
        "exponentiale",
        "avogadro",
        "true",
        "false",
        "infinity",
        "notanumber",
        "exp",
        "ln",
        "log",
        "log10",
        "sqrt",
        "abs",
        "floor",
        "ceil",
        "pow",
        "piecewise",
        "root",
        "sin",
        "cos",
        "tan",
        "and",
        "or",
        "not",
        "xor",
        "delay",
        "rateOf",
        "factorial",
        "min",
        "max",
        "length",
        "area",
        "volume",
        "substance",
        "extent",
        "time_unit",
        # Found by building a cell under each candidate name (tests/test_limits.py probes
        # Antimony with them): Antimony's pre-defined constants (case as listed: 'Inf' and
        # 'Infinity' are accepted), its MathML function names, the element keywords of its
        # grammar, and the words of its model annotations.
        "inf",
        "INF",
        "nan",
        "NaN",
        "NAN",
        "True",
        "TRUE",
        "False",
        "FALSE",
        "acos",
        "acosh",
        "asin",
        "atan",
        "atanh",
        "arccos",
        "arccosh",
        "arccot",
        "arccoth",
        "arccsc",
        "arccsch",
        "arcsec",
        "arcsech",
        "arcsin",
        "arcsinh",
        "arctan",
        "arctanh",
        "ceiling",
        "cosh",
        "cot",
        "coth",
        "csc",
        "csch",
        "sec",
        "sech",
        "sinh",
        "tanh",
        "sqr",
        "power",
        "exponential",
        "quotient",
        "rem",
        "implies",
        "plus",
        "minus",
        "times",
        "divide",
        "eq",
        "neq",
        "gt",
        "geq",
        "lt",
        "leq",
        "DNA",
        "gene",
        "operator",
        "reaction",
        "event",
        "ext",
        "notes",
        "creator",
        "publication",
        "givenName",
        "familyName",
        "organization",
    }
)

_LEAK_LAWS = {"linear": "g", "ghk": "P"}
_PUMP_LAWS: Mapping[str, tuple[str, ...]] = {
    "fixed": ("I_max",),
    "na_cubic": ("I_max",),
    "na_linear": ("I_max", "Na_ref"),
    "saturating": ("I_max", "K_Na", "K_K"),
    "atp": ("I_max", "K_Na", "K_K", "K_ATP", "K_ADP", "ATP", "ADP", "Pi"),
}
# Spec key of a pump constant -> its model identifier (keys not listed keep their name).
_PUMP_IDS: Mapping[str, str] = {"I_max": "I_pump_max", "ATP": "ATP_i", "ADP": "ADP_i", "Pi": "Pi_i"}
# Pump constants that may be zero (a cell without ADP or Pi is possible; without ATP it is not).
_PUMP_MAY_BE_ZERO = ("ADP", "Pi")
_COTRANSPORTERS = ("KCC2", "NKCC1")
# [temperature_dependence] key -> (model id, default). The defaults are measured Q10s; their
# sources are in TemperatureDependence's docstring and the README ("Describe your own cell").
_TEMPERATURE_KEYS: Mapping[str, tuple[str, float]] = {
    "reference": ("T_ref", 310.15),
    "pump_q10": ("Q10_pump", 2.69),
    "leak_q10": ("Q10_leak", 1.3),
    "water_q10": ("Q10_water", 1.2),
}
_SHAPES: Mapping[str, tuple[str, ...]] = {
    "sphere": ("radius",),
    "cylinder": ("radius", "length"),
    "explicit": ("volume", "area"),
}


@dataclass(frozen=True)
class Geometry:
    """Cell shape: sphere (radius µm), cylinder (radius, length µm), explicit (volume pL, area µm²).

    The membrane area stays fixed as the cell swells or shrinks.
    """

    shape: str
    radius: float = 0.0
    length: float = 0.0
    volume: float = 0.0
    area: float = 0.0


@dataclass(frozen=True)
class Solution:
    """Ion concentrations (mM) and the impermeant solute X (mM) with its mean valence z_X."""

    Na: float
    K: float
    Cl: float
    X: float = 0.0
    z_X: float = -1.0

    def charge(self) -> float:
        """Return the net charge concentration (mM of elementary charge)."""
        return self.Na + self.K - self.Cl + self.z_X * self.X


@dataclass(frozen=True)
class Leak:
    """A passive leak of one ion: ``linear`` (chord conductance g, mS/cm²) or ``ghk`` (P, cm/s)."""

    ion: str
    law: str
    value: float


@dataclass(frozen=True)
class Pump:
    """The Na+/K+-ATPase: law, I_max (µA/cm²) and the law's constants (mM).

    The ``atp`` law also holds the cell's own ATP, ADP and Pi (mM), which a pathway model
    composed with the cell replaces by its metabolites.
    """

    law: str
    I_max: float
    Na_ref: float = 0.0
    K_Na: float = 0.0
    K_K: float = 0.0
    K_ATP: float = 0.0
    K_ADP: float = 0.0
    ATP: float = 0.0
    ADP: float = 0.0
    Pi: float = 0.0


@dataclass(frozen=True)
class Cotransporter:
    """An electroneutral cotransporter (KCC2 or NKCC1) with its conductance-like g (mS/cm²)."""

    name: str
    g: float


@dataclass(frozen=True)
class TemperatureDependence:
    """Q10 factors of the transport rates: each rate times Q10^((T - reference)/10 K).

    ``reference`` (K) is the temperature at which the spec's rates hold; at T = reference
    every factor is exactly 1. The pump's I_max, the leaks' g or P and the water
    permeability P_f are scaled; cotransporters are not (no measured Q10 is cited for them).
    Defaults: the pump 2.69 (its current is four times smaller at 23 than at 37 °C in mouse
    ventricular myocytes, 4^(10/14); Lu, Deisl & Hilgemann, eLife 5:e19267, 2016,
    doi:10.7554/eLife.19267); the leaks 1.3 (slope conductance of cardiac Purkinje fibres,
    doi:10.1007/BF00587219); water 1.2 (activation energy of the hydraulic conductivity of
    human red cells, 3.3 kcal/mol between 7 and 37 °C, PMC2203013: Q10 = exp(Ea 10 K/(R T T'))
    between 27 and 37 °C).
    """

    reference: float = 310.15
    pump_q10: float = 2.69
    leak_q10: float = 1.3
    water_q10: float = 1.2


@dataclass(frozen=True)
class Event:
    """At ``time`` (s), set model quantities (model id to value, in the quantity's unit)."""

    time: float
    settings: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class CellSpec:
    """A validated cell description; see the module docstring and the README for every key."""

    name: str
    temperature: float
    geometry: Geometry
    capacitance: float
    water_permeability: float
    medium: Solution
    cell: Solution
    leaks: tuple[Leak, ...]
    pump: Pump | None
    cotransporters: tuple[Cotransporter, ...]
    protocol: tuple[Event, ...]
    temperature_dependence: TemperatureDependence | None = None


# --- errors -------------------------------------------------------------------------------


def _fail(key: str, value: object, rule: str) -> ModelDefinitionError:
    shown = key if len(key) <= MAX_NAME_LENGTH else f"{key[:MAX_NAME_LENGTH]}..."
    return ModelDefinitionError(f"spec key {shown} = {short_repr(value)}: {rule}")


# Deepest nesting a spec has: protocol (list) > step (table) > set (table) > value.
_MAX_DEPTH = 4


def _check_structure(value: object, where: str, depth: int = 0) -> None:
    """Refuse keys that are not text (a dict from Python) and nesting deeper than a spec's.

    Runs before anything else looks at the spec, so no later step meets a non-text key
    (difflib and sorting fail on them) or recurses without bound.
    """
    if isinstance(value, Mapping):
        if depth >= _MAX_DEPTH:
            raise _fail(where.rstrip("."), "{...}", "nested deeper than any spec key")
        for key, item in value.items():
            if not isinstance(key, str):
                raise ModelDefinitionError(
                    f"spec key {where}{short_repr(key)}: keys must be text, "
                    f"not {type(key).__name__}"
                )
            _check_structure(item, f"{where}{key}.", depth + 1)
    elif isinstance(value, list):
        if depth >= _MAX_DEPTH:
            raise _fail(where.rstrip("."), "[...]", "nested deeper than any spec key")
        for index, item in enumerate(value):
            _check_structure(item, f"{where.rstrip('.')}[{index}].", depth + 1)


def _text(value: object) -> str:
    """Return a value to look up as a name: itself if text, else '' (str(10**5000) fails)."""
    return value if isinstance(value, str) else ""


def _suggest(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1) if len(word) <= MAX_NAME_LENGTH else []
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"expected one of {', '.join(sorted(choices))}{hint}"


def _table(data: Mapping[str, Any], key: str, *, required: bool = True) -> Mapping[str, Any]:
    if key not in data:
        if required:
            raise ModelDefinitionError(f"spec is missing the required table [{key}]")
        return {}
    value = data[key]
    if not isinstance(value, Mapping):
        raise _fail(key, value, "expected a table")
    return value


def _check_keys(data: Mapping[str, Any], where: str, allowed: tuple[str, ...]) -> None:
    for key in data:
        if key not in allowed:
            raise _fail(f"{where}{key}", data[key], f"unknown key, {_suggest(key, list(allowed))}")


def _number(
    data: Mapping[str, Any],
    key: str,
    where: str,
    *,
    default: float | None = None,
    minimum: str = "any",
) -> float:
    full = f"{where}{key}"
    if key not in data:
        if default is None:
            raise ModelDefinitionError(f"spec is missing the required key {full}")
        return default
    value = data[key]
    number = finite_float(value)
    if number is None:
        too_large = isinstance(value, int) and not isinstance(value, bool)
        rule = "too large for a floating-point number (at most 1.8e308)"
        raise _fail(full, value, rule if too_large else "expected a finite number")
    if minimum == "positive" and number <= 0:
        raise _fail(full, value, "must be positive")
    if minimum == "non-negative" and number < 0:
        raise _fail(full, value, "must not be negative")
    return number


# --- sections -----------------------------------------------------------------------------


def _geometry(data: Mapping[str, Any]) -> Geometry:
    table = _table(data, "geometry")
    shape = table.get("shape")
    if not isinstance(shape, str) or shape not in _SHAPES:
        raise _fail("geometry.shape", shape, _suggest(_text(shape), list(_SHAPES)))
    _check_keys(table, "geometry.", ("shape", *_SHAPES[shape]))
    sizes = {key: _number(table, key, "geometry.", minimum="positive") for key in _SHAPES[shape]}
    return Geometry(shape=shape, **sizes)


def _solution(data: Mapping[str, Any], key: str, *, x_default: float | None) -> Solution:
    table = _table(data, key)
    _check_keys(table, f"{key}.", ("Na", "K", "Cl", "X", "z_X"))
    where = f"{key}."
    solution = Solution(
        Na=_number(table, "Na", where, minimum="positive"),
        K=_number(table, "K", where, minimum="positive"),
        Cl=_number(table, "Cl", where, minimum="positive"),
        X=_number(table, "X", where, default=x_default, minimum="non-negative"),
        z_X=_number(table, "z_X", where, default=-1.0),
    )
    imbalance = solution.charge()
    if abs(imbalance) > _NEUTRALITY_TOLERANCE:
        raise ModelDefinitionError(
            f"spec [{key}] is not electroneutral: Na + K - Cl + z_X*X = {imbalance:+.6g} mM "
            f"(must be 0 within {_NEUTRALITY_TOLERANCE:g} mM)"
        )
    if key == "cell" and solution.X == 0:
        raise _fail("cell.X", solution.X, "a cell needs impermeant solute (X > 0)")
    return solution


def _leaks(data: Mapping[str, Any]) -> tuple[Leak, ...]:
    table = _table(data, "leaks", required=False)
    _check_keys(table, "leaks.", tuple(ION_VALENCES))
    leaks = []
    for ion in ION_VALENCES:  # canonical order, whatever the order in the file
        if ion not in table:
            continue
        entry = table[ion]
        if not isinstance(entry, Mapping):
            raise _fail(
                f"leaks.{ion}", entry, 'expected a table such as {law = "linear", g = 0.02}'
            )
        law = _text(entry.get("law"))
        if law not in _LEAK_LAWS:
            raise _fail(f"leaks.{ion}.law", entry.get("law"), _suggest(law, list(_LEAK_LAWS)))
        wanted = _LEAK_LAWS[law]
        for other in set(_LEAK_LAWS.values()) - {wanted}:
            if other in entry:
                unit = "mS/cm²" if wanted == "g" else "cm/s"
                raise _fail(
                    f"leaks.{ion}.{other}",
                    entry[other],
                    f"a {law} leak takes {wanted} ({unit}), not {other}",
                )
        _check_keys(entry, f"leaks.{ion}.", ("law", wanted))
        value = _number(entry, wanted, f"leaks.{ion}.", minimum="non-negative")
        leaks.append(Leak(ion=ion, law=law, value=value))
    return tuple(leaks)


def _pump(data: Mapping[str, Any]) -> Pump | None:
    if "pump" not in data:
        return None
    table = _table(data, "pump")
    law = table.get("law")
    if not isinstance(law, str) or law not in _PUMP_LAWS:
        raise _fail("pump.law", law, _suggest(_text(law), list(_PUMP_LAWS)))
    needed = _PUMP_LAWS[law]
    _check_keys(table, "pump.", ("law", *needed))
    values = {"I_max": _number(table, "I_max", "pump.", minimum="non-negative")}
    for key in needed[1:]:
        minimum = "non-negative" if key in _PUMP_MAY_BE_ZERO else "positive"
        values[key] = _number(table, key, "pump.", minimum=minimum)
    return Pump(law=law, **values)


def _cotransporters(data: Mapping[str, Any]) -> tuple[Cotransporter, ...]:
    table = _table(data, "cotransporters", required=False)
    _check_keys(table, "cotransporters.", _COTRANSPORTERS)
    found = []
    for name in _COTRANSPORTERS:
        if name in table:
            entry = table[name]
            if not isinstance(entry, Mapping):
                raise _fail(f"cotransporters.{name}", entry, "expected a table such as {g = 0.02}")
            _check_keys(entry, f"cotransporters.{name}.", ("g",))
            g = _number(entry, "g", f"cotransporters.{name}.", minimum="non-negative")
            found.append(Cotransporter(name=name, g=g))
    return tuple(found)


def _temperature_dependence(data: Mapping[str, Any]) -> TemperatureDependence | None:
    if "temperature_dependence" not in data:
        return None
    table = _table(data, "temperature_dependence")
    where = "temperature_dependence."
    _check_keys(table, where, tuple(_TEMPERATURE_KEYS))
    values = {
        key: _number(table, key, where, default=default, minimum="positive")
        for key, (_, default) in _TEMPERATURE_KEYS.items()
    }
    return TemperatureDependence(**values)


def _protocol(data: Mapping[str, Any], medium: Solution) -> tuple[Event, ...]:
    entries = data.get("protocol", [])
    if not isinstance(entries, list):
        raise _fail("protocol", entries, "expected a list of [[protocol]] tables")
    paths = _spec_paths(data)
    names = _aliases(paths)
    events = []
    for index, entry in enumerate(entries):
        where = f"protocol[{index}]."
        if not isinstance(entry, Mapping):
            raise _fail(f"protocol[{index}]", entry, "expected a table with 'at' and 'set'")
        _check_keys(entry, where, ("at", "set"))
        time = _number(entry, "at", where, minimum="non-negative")
        if time > MAX_END_TIME:
            raise _fail(
                f"{where}at",
                entry["at"],
                f"later than the longest simulated time, {MAX_END_TIME:g} s (see limits)",
            )
        settings = entry.get("set")
        if not isinstance(settings, Mapping) or not settings:
            raise _fail(f"{where}set", settings, "expected a table of quantity = value")
        resolved = []
        for name in settings:
            if name not in names:
                raise _fail(
                    f"{where}set.{name}",
                    settings[name],
                    f"not a settable quantity, {_suggest(name, sorted(names))}",
                )
            path = names[name]
            if path.startswith(("geometry.", "cell.")):
                raise _fail(
                    f"{where}set.{name}",
                    settings[name],
                    "sets the initial state; a protocol step can only change temperature, "
                    "membrane, medium, leaks, pump, cotransporters or temperature_dependence",
                )
            signed = path.endswith("z_X")
            minimum = "any" if signed else "non-negative"
            if path.startswith("temperature_dependence."):
                minimum = "positive"  # as in the table itself: a Q10 or a reference of 0 is absurd
            number = _number(settings, name, f"{where}set.", minimum=minimum)
            resolved.append((paths[path], number))
        events.append(Event(time=time, settings=tuple(sorted(resolved))))
    events.sort(key=lambda event: event.time)
    _check_medium_stays_neutral(events, medium)
    return tuple(events)


def _check_medium_stays_neutral(events: list[Event], medium: Solution) -> None:
    """Check that every protocol step leaves the medium electroneutral (e.g. Na+ swapped for K+)."""
    current = {
        "Na_o": medium.Na,
        "K_o": medium.K,
        "Cl_o": medium.Cl,
        "X_o": medium.X,
        "z_X_o": medium.z_X,
    }
    for event in events:
        current.update({key: value for key, value in event.settings if key in current})
        imbalance = (
            current["Na_o"] + current["K_o"] - current["Cl_o"] + current["z_X_o"] * current["X_o"]
        )
        if abs(imbalance) > _NEUTRALITY_TOLERANCE:
            raise ModelDefinitionError(
                f"spec protocol at t = {event.time:g} s leaves the medium not electroneutral: "
                f"Na + K - Cl + z_X*X = {imbalance:+.6g} mM (change counter-ions together, "
                "e.g. lower Na where you raise K)"
            )


# --- names ----------------------------------------------------------------------------------


def _spec_paths(data: Mapping[str, Any]) -> dict[str, str]:
    """Spec path of every settable number in this spec, mapped to its model identifier."""
    paths = {
        "temperature": "T",
        "membrane.capacitance": "C_m",
        "membrane.water_permeability": "P_f",
    }
    geometry = data.get("geometry", {})
    for key, model_id in (
        ("radius", "radius"),
        ("length", "cell_length"),
        ("volume", "V_init"),
        ("area", "A_m"),
    ):
        if isinstance(geometry, Mapping) and key in _SHAPES.get(_text(geometry.get("shape")), ()):
            paths[f"geometry.{key}"] = model_id
    for ion in (*ION_VALENCES, "X"):
        paths[f"medium.{ion}"] = f"{ion}_o"
        paths[f"cell.{ion}"] = f"{ion}_i_init"
    paths["medium.z_X"] = "z_X_o"
    paths["cell.z_X"] = "z_X"
    leaks = data.get("leaks", {})
    if isinstance(leaks, Mapping):
        for ion, entry in leaks.items():
            if isinstance(entry, Mapping) and _text(entry.get("law")) in _LEAK_LAWS:
                parameter = _LEAK_LAWS[entry["law"]]
                paths[f"leaks.{ion}.{parameter}"] = f"{parameter}_{ion}"
    pump = data.get("pump", {})
    if isinstance(pump, Mapping) and _text(pump.get("law")) in _PUMP_LAWS:
        for key in _PUMP_LAWS[pump["law"]]:
            paths[f"pump.{key}"] = _PUMP_IDS.get(key, key)
    cotransporters = data.get("cotransporters", {})
    if isinstance(cotransporters, Mapping):
        for name in cotransporters:
            paths[f"cotransporters.{name}.g"] = f"g_{name}"
    if isinstance(data.get("temperature_dependence"), Mapping):
        for key, (model_id, _) in _TEMPERATURE_KEYS.items():
            paths[f"temperature_dependence.{key}"] = model_id
    return paths


def _aliases(paths: Mapping[str, str]) -> dict[str, str]:
    """Every accepted name (path, leaf alias, model id) mapped to its spec path."""
    names = dict(zip(paths, paths, strict=True))
    leaves: dict[str, list[str]] = {}
    for path in paths:
        leaves.setdefault(path.rsplit(".", 1)[-1], []).append(path)
    names.update({leaf: found[0] for leaf, found in leaves.items() if len(found) == 1})
    names.update({model_id: path for path, model_id in paths.items()})
    return names


def spec_override_names(data: Mapping[str, Any]) -> list[str]:
    """Return every name an override of this spec may use (paths, aliases, model ids), sorted."""
    return sorted(_aliases(_spec_paths(data)))


def apply_spec_overrides(
    data: Mapping[str, Any], overrides: Mapping[str, object]
) -> dict[str, Any]:
    """Return a copy of a spec dict with overrides applied (before validation).

    Parameters
    ----------
    data
        A spec as a dict (as read from TOML).
    overrides
        Name to value; a name is a spec path (``medium.K``), a unique leaf alias (``I_max``)
        or the generated model's identifier (``K_o``).

    Returns
    -------
    dict
        The edited spec; validate it with :func:`spec_from_dict`.

    Raises
    ------
    InvalidOverrideError
        If a name is not settable in this spec or a value is not a finite number.
    """
    if not isinstance(data, Mapping):
        raise ModelDefinitionError(f"a spec must be a table of keys, got {type(data).__name__}")
    _check_structure(data, "")
    names = _aliases(_spec_paths(data))
    edited = copy.deepcopy(dict(data))
    for name, value in overrides.items():
        if not isinstance(name, str):
            raise InvalidOverrideError(str(name), value, "an override name must be text")
        check_name_length("override name", name)
        if name not in names:
            close = difflib.get_close_matches(name, list(names), n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise InvalidOverrideError(
                name, value, f"{hint}the spec has no such quantity", sorted(names)
            )
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise InvalidOverrideError(name, value, "expected a number")
        if finite_float(value) is None:
            raise InvalidOverrideError(name, value, "expected a finite number")
        *tables, leaf = names[name].split(".")
        target = edited
        for table in tables:
            target[table] = dict(target[table])
            target = target[table]
        target[leaf] = float(value)
    return edited


def spec_model_ids(data: Mapping[str, Any], overrides: Mapping[str, object]) -> dict[str, float]:
    """Return spec overrides as values of the built model's ids (``I_max`` -> ``I_pump_max``).

    Each settable spec number is a literal value of the built model in the same unit, so an
    override can be set on the model compiled from the spec without it. Call
    :func:`apply_spec_overrides` first: it checks the names and types.
    """
    paths = _spec_paths(data)
    names = _aliases(paths)
    return {paths[names[name]]: float(value) for name, value in overrides.items()}  # type: ignore[arg-type]


# --- entry points ---------------------------------------------------------------------------

_TOP_LEVEL = (
    "name",
    "temperature",
    "geometry",
    "membrane",
    "medium",
    "cell",
    "leaks",
    "pump",
    "cotransporters",
    "protocol",
    "temperature_dependence",
)


def spec_from_dict(
    data: Mapping[str, Any], *, check_name: bool = True, warn: bool = True
) -> CellSpec:
    """Validate a spec given as a dict and return it as a :class:`CellSpec`.

    ``check_name=False`` skips the check that the name is no identifier of the built model
    (it renders the model): for a spec whose structure and name were checked before and
    only numbers changed. ``warn=False`` leaves the :class:`PlausibilityWarning` s to the
    caller (:func:`warn_if_implausible_spec`), e.g. for a spec validated once and used often.

    Raises
    ------
    ModelDefinitionError
        Naming the key, the value and the rule for the first problem found.
    """
    if not isinstance(data, Mapping):
        raise ModelDefinitionError(f"a spec must be a table of keys, got {type(data).__name__}")
    _check_structure(data, "")
    _check_keys(data, "", _TOP_LEVEL)
    name = data.get("name")
    if isinstance(name, str):
        check_name_length("spec key name", name)
    if not isinstance(name, str) or not _SID.fullmatch(name):
        raise _fail(
            "name",
            name,
            "must be a valid SBML identifier (letters, digits, _; not starting with a digit)",
        )
    if name in _RESERVED_NAMES:
        raise _fail("name", name, "is a word Antimony reserves; choose another model name")
    membrane = _table(data, "membrane")
    _check_keys(membrane, "membrane.", ("capacitance", "water_permeability"))
    medium = _solution(data, "medium", x_default=0.0)
    spec = CellSpec(
        name=name,
        temperature=_number(data, "temperature", "", minimum="positive"),
        geometry=_geometry(data),
        capacitance=_number(membrane, "capacitance", "membrane.", minimum="positive"),
        water_permeability=_number(
            membrane, "water_permeability", "membrane.", minimum="non-negative"
        ),
        medium=medium,
        cell=_solution(data, "cell", x_default=None),
        leaks=_leaks(data),
        pump=_pump(data),
        cotransporters=_cotransporters(data),
        protocol=_protocol(data, medium),
        temperature_dependence=_temperature_dependence(data),
    )
    if check_name:
        from .antimony_writer import check_model_name  # the writer imports this module

        check_model_name(spec)
    if warn:
        warn_if_implausible_spec(spec)
    return spec


def warn_if_implausible_spec(spec: CellSpec) -> None:
    """Warn about legal values that are almost surely slips (after every rule has passed)."""
    warn_if_implausible("spec key temperature", spec.temperature, "temperature")
    for key in ("radius", "length"):
        if key in _SHAPES[spec.geometry.shape]:
            warn_if_implausible(f"spec key geometry.{key}", getattr(spec.geometry, key), "length")
    for table in ("medium", "cell"):
        solution = getattr(spec, table)
        for ion in (*ION_VALENCES, "X"):
            value = getattr(solution, ion)
            warn_if_implausible(f"spec key {table}.{ion}", value, "concentration")
    for index, event in enumerate(spec.protocol):
        for model_id, value in event.settings:
            where = f"spec key protocol[{index}].set.{model_id}"
            if model_id == "T":
                warn_if_implausible(where, value, "temperature")
            elif model_id in {f"{ion}_o" for ion in (*ION_VALENCES, "X")}:
                warn_if_implausible(where, value, "concentration")


def spec_to_dict(spec: CellSpec) -> dict[str, Any]:
    """Return a validated spec as the dict (TOML structure) it was read from, normalised.

    ``spec_from_dict(spec_to_dict(spec)) == spec`` for every valid spec.
    """
    geometry: dict[str, Any] = {"shape": spec.geometry.shape}
    geometry.update({key: getattr(spec.geometry, key) for key in _SHAPES[spec.geometry.shape]})

    def solution(values: Solution) -> dict[str, float]:
        return {"Na": values.Na, "K": values.K, "Cl": values.Cl, "X": values.X, "z_X": values.z_X}

    data: dict[str, Any] = {
        "name": spec.name,
        "temperature": spec.temperature,
        "geometry": geometry,
        "membrane": {
            "capacitance": spec.capacitance,
            "water_permeability": spec.water_permeability,
        },
        "medium": solution(spec.medium),
        "cell": solution(spec.cell),
        "leaks": {
            leak.ion: {"law": leak.law, _LEAK_LAWS[leak.law]: leak.value} for leak in spec.leaks
        },
        "cotransporters": {c.name: {"g": c.g} for c in spec.cotransporters},
    }
    if spec.pump is not None:
        data["pump"] = {
            "law": spec.pump.law,
            **{key: getattr(spec.pump, key) for key in _PUMP_LAWS[spec.pump.law]},
        }
    if spec.temperature_dependence is not None:
        data["temperature_dependence"] = {
            key: getattr(spec.temperature_dependence, key) for key in _TEMPERATURE_KEYS
        }
    model_to_path = {model_id: path for path, model_id in _spec_paths(data).items()}
    data["protocol"] = [
        {
            "at": event.time,
            "set": {model_to_path.get(key, key): value for key, value in event.settings},
        }
        for event in spec.protocol
    ]
    return data


def read_spec_file(path: Path) -> dict[str, Any]:
    """Read a TOML spec file into a dict (not yet validated).

    Raises
    ------
    ModelDefinitionError
        If the file cannot be read or is not valid TOML (the message names file and line).
    """
    try:
        text = read_limited(path, MAX_SPEC_BYTES, "spec file size").decode("utf-8")
    except (OSError, UnicodeDecodeError) as err:
        reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
        if isinstance(err, UnicodeDecodeError):
            reason = f"it is not UTF-8 text (byte {err.start})"
        raise ModelDefinitionError(f"cannot read spec {path}: {reason}") from err
    return copy.deepcopy(_parsed_spec_text(text, str(path)))


@functools.lru_cache(maxsize=64)
def _parsed_spec_text(text: str, path: str) -> dict[str, Any]:
    """Parse a spec file's TOML once per text (the file's path is only for messages).

    A loop over one file's overrides reads the file on each call, so an edit is seen at
    once, but parses it only when it changed. Callers get a deep copy (``read_spec_file``).
    """
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ModelDefinitionError(f"{path}: not valid TOML: {err}") from err
    except ValueError as err:  # an integer of more than 4,300 digits (Python's int limit)
        raise ModelDefinitionError(f"{path}: not a usable spec: {err}") from err
    except RecursionError as err:
        raise ModelDefinitionError(f"{path}: not a usable spec: nested too deeply") from err


def load_spec(path: Path) -> CellSpec:
    """Read and validate a TOML spec file.

    Raises
    ------
    ModelDefinitionError
        If the file cannot be read, is not TOML, or breaks a rule (named with key and value).
    """
    try:
        return spec_from_dict(read_spec_file(path))
    except ModelDefinitionError as err:
        if str(err).startswith(str(path)):
            raise
        raise ModelDefinitionError(f"{path}: {err}") from err


PRESETS: Mapping[str, str] = {
    "generic": "the core cell (pump_leak), every key documented, starting at its steady state",
    "neuron": "a mature neuron with KCC2 and NKCC1 (Duesterwald et al. 2018), Q10-scaled rates",
    "red_cell": "the human erythrocyte with its ATP-driven pump (Lew-Bookchin values)",
}
"""The starting specs ``pumpleak new-spec --preset`` writes: name to one-line description.

Each is a file ``models/specs/<name>.toml`` shipped with the package; the neuron and red-cell
presets are the specs that reproduce the library models ``neuron`` and ``red_cell``.
"""


def preset_text(name: str) -> str:
    """Return the TOML text of a preset spec, comments included.

    Parameters
    ----------
    name
        A key of :data:`PRESETS`.

    Returns
    -------
    str
        The text of ``models/specs/<name>.toml``; it validates as it stands.

    Raises
    ------
    ModelDefinitionError
        If there is no such preset (the message lists them).
    """
    if name not in PRESETS:
        raise ModelDefinitionError(f"no preset {name!r}: {_suggest(name, list(PRESETS))}")
    specs = resources.files("pumpleak_sbml.models") / "specs"
    return (specs / f"{name}.toml").read_text(encoding="utf-8")


NEW_SPEC_TEMPLATE = preset_text("generic")
"""The generic preset (``pumpleak new-spec > cell.toml``); it is valid as it stands."""
