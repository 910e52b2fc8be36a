# SPDX-License-Identifier: MIT
"""Cell specifications: a declarative description of a pump-leak cell, validated before building.

A spec is a TOML file or the same structure as a Python dict (``pumpleak new-spec`` writes a
commented example). :func:`load_spec` and :func:`spec_from_dict` check every key, value and
rule and return a frozen :class:`CellSpec`; every error names the key, the value and the
rule, with a suggestion for a misspelt key or law::

    spec = load_spec(Path("cell.toml"))
    spec = spec_from_dict({"name": "my_cell", ...})

Overrides (``--set``, ``**overrides``) change the spec itself, before validation, so the same
rules apply to them. They may name a spec path (``medium.K``, ``leaks.Na.g``), a short alias
(``I_max``, ``radius``) or the generated model's identifier (``K_o``, ``g_Na``).
"""

from __future__ import annotations

import copy
import difflib
import math
import numbers
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import InvalidOverrideError, ModelDefinitionError, short_repr
from .limits import (
    MAX_END_TIME,
    MAX_NAME_LENGTH,
    MAX_SPEC_BYTES,
    check_name_length,
    read_limited,
    warn_if_implausible,
)

__all__ = [
    "ION_VALENCES",
    "NEW_SPEC_TEMPLATE",
    "CellSpec",
    "Cotransporter",
    "Event",
    "Geometry",
    "Leak",
    "Pump",
    "Solution",
    "apply_spec_overrides",
    "load_spec",
    "spec_from_dict",
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
}
_COTRANSPORTERS = ("KCC2", "NKCC1")
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
    """The Na+/K+-ATPase: law, I_max (µA/cm²) and the law's constants (mM)."""

    law: str
    I_max: float
    Na_ref: float = 0.0
    K_Na: float = 0.0
    K_K: float = 0.0


@dataclass(frozen=True)
class Cotransporter:
    """An electroneutral cotransporter (KCC2 or NKCC1) with its conductance-like g (mS/cm²)."""

    name: str
    g: float


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
    number = _finite_float(value)
    if number is None:
        too_large = isinstance(value, int) and not isinstance(value, bool)
        rule = "too large for a floating-point number (at most 1.8e308)"
        raise _fail(full, value, rule if too_large else "expected a finite number")
    if minimum == "positive" and number <= 0:
        raise _fail(full, value, "must be positive")
    if minimum == "non-negative" and number < 0:
        raise _fail(full, value, "must not be negative")
    return number


def _finite_float(value: object) -> float | None:
    """Return a real number as a finite float, else None (also for integers beyond 1.8e308)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


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
        values[key] = _number(table, key, "pump.", minimum="positive")
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
                    "sets the initial state; a protocol step can only change "
                    "temperature, membrane, medium, leaks, pump or cotransporters",
                )
            signed = path.endswith("z_X")
            number = _number(
                settings, name, f"{where}set.", minimum="any" if signed else "non-negative"
            )
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
            paths[f"pump.{key}"] = "I_pump_max" if key == "I_max" else key
    cotransporters = data.get("cotransporters", {})
    if isinstance(cotransporters, Mapping):
        for name in cotransporters:
            paths[f"cotransporters.{name}.g"] = f"g_{name}"
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
        if _finite_float(value) is None:
            raise InvalidOverrideError(name, value, "expected a finite number")
        *tables, leaf = names[name].split(".")
        target = edited
        for table in tables:
            target[table] = dict(target[table])
            target = target[table]
        target[leaf] = float(value)
    return edited


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
)


def spec_from_dict(data: Mapping[str, Any]) -> CellSpec:
    """Validate a spec given as a dict and return it as a :class:`CellSpec`.

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
    )
    from .antimony_writer import check_model_name  # the writer imports this module

    check_model_name(spec)
    _warn_if_implausible(spec)
    return spec


def _warn_if_implausible(spec: CellSpec) -> None:
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


NEW_SPEC_TEMPLATE = """\
# A pump-leak cell for pumpleak_sbml. Build it:  pumpleak steady cell.toml
# Every key is documented with its unit in the README ("Describe your own cell").
name = "my_cell"              # the SBML model id (letters, digits, _)
temperature = 310.15          # K

[geometry]   # sphere (radius) | cylinder (radius, length) | explicit (volume, area)
shape = "sphere"
radius = 5.0                  # µm; the membrane area stays fixed as the cell swells or shrinks

[membrane]
capacitance = 1.0             # µF/cm²
water_permeability = 0.015    # osmotic P_f, cm/s (partial molar volume of water 18 cm³/mol)

[medium]                      # mM, held constant; must be electroneutral
Na = 145.0
K = 4.0
Cl = 119.0
X = 30.0                      # impermeant medium solute (optional, default 0)
z_X = -1.0                    # its mean valence (0 allowed)

[cell]                        # initial intracellular composition, mM; must be electroneutral
Na = 14.0
K = 120.0
Cl = 5.0
X = 129.0                     # impermeant anions (amount fixed = X * initial volume)
z_X = -1.0                    # their mean valence

[leaks]   # per ion: linear {g: mS/cm²} or ghk {P: cm/s}; leave an ion out for no leak
Na = { law = "linear", g = 0.02 }
K  = { law = "ghk", P = 1e-6 }
Cl = { law = "linear", g = 0.02 }

[pump]    # Na+/K+-ATPase: 3 Na+ out, 2 K+ in; net outward current I_pump (µA/cm²)
law = "fixed"    # fixed:      I_pump = I_max
I_max = 0.5      # na_cubic:   I_pump = I_max * (Na_i/Na_o)^3
                 # na_linear:  I_pump = I_max * Na_i / Na_ref        (needs Na_ref, mM)
                 # saturating: I_pump = I_max * (Na_i/(Na_i+K_Na))^3 * (K_o/(K_o+K_K))^2
                 #             (needs K_Na, K_K, mM)

[cotransporters]   # optional, electroneutral, driven by Nernst-potential differences
KCC2 = { g = 0.02 }    # K+ and Cl- efflux each = g*(E_Cl - E_K)/F          (g in mS/cm²)
NKCC1 = { g = 0.01 }   # Na+ and K+ influx = g*(E_Na + E_K - 2*E_Cl)/F, Cl- twice that

[[protocol]]   # optional events: at time t (s), set parameters or medium concentrations
at = 5000.0
set = { I_max = 0.0 }
"""
"""A commented starting spec (``pumpleak new-spec > cell.toml``); it is valid as it stands."""
