# SPDX-License-Identifier: MIT
"""Resolve what a user calls a model, once, into one built-model object.

A *model* is a library name (``str``), a file (``pathlib.Path``: ``.toml`` is a cell spec,
``.xml``/``.sbml`` an SBML document), a spec as a dict, a :class:`~pumpleak_sbml.spec.CellSpec`,
or an already resolved :class:`BuiltModel`. :func:`resolve` sorts that out, applies the
overrides as *values* (checked against each quantity's domain, never by rewriting SBML), and
returns a :class:`BuiltModel` whose :class:`CompiledModel` holds everything that is derived
from the model's text once: the validated SBML, its quantities and units, its events, and
the generated ODE code::

    built = resolve("pump_leak", g_Na=0.02)
    built.compiled.quantities["g_Na"].unit    # 'mS/cm²'
    built.overrides                           # {'g_Na': 0.02}
    built.sbml                                # the SBML text with g_Na = 0.02 written in

Compiled models are kept in memory for the process and on disk (see :mod:`pumpleak_sbml.cache`)
keyed by their source text, so a model is compiled once, not once per call. A spec's
overrides are checked against the spec's rules (electroneutrality, signs), then set as
values of the spec's model ids on the model compiled from the spec without them: a scan
over a spec parameter compiles nothing.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from . import cache
from .errors import InvalidOverrideError, ModelDefinitionError
from .library import antimony
from .ode_functions import CompiledOde
from .quantities import Quantity

if TYPE_CHECKING:
    from .spec import CellSpec

__all__ = ["BuiltModel", "CompiledModel", "Model", "resolve"]

_SBML_SUFFIXES = (".xml", ".sbml")
_SPEC_SUFFIX = ".toml"


@dataclass(frozen=True, eq=False)  # one instance per source text: identity is equality
class CompiledModel:
    """Everything derived once from a model's text.

    Attributes
    ----------
    model_id
        The SBML model id.
    sbml
        The SBML text (validated for library models and specs).
    quantities
        Every parameter, species and compartment by id (value as written, unit, settable).
    units
        Readable unit of every quantity and rule variable by id, ``time`` included.
    events
        (time in s, name) of the events triggered at fixed times, sorted.
    event_targets
        Ids of every quantity an event assigns, in model order.
    has_events
        True for scenario models.
    ode
        The generated ODE functions of the event-free model.
    """

    model_id: str
    sbml: str
    quantities: Mapping[str, Quantity]
    units: Mapping[str, str]
    events: tuple[tuple[float, str], ...]
    event_targets: tuple[str, ...]
    has_events: bool
    ode: CompiledOde

    @property
    def settable(self) -> dict[str, Quantity]:
        """The quantities whose initial value an override may set, by id."""
        return {sid: q for sid, q in self.quantities.items() if q.settable}

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready dict of this compiled model (the disk cache entry)."""
        return {
            "model_id": self.model_id,
            "sbml": self.sbml,
            "quantities": [dataclasses.asdict(q) for q in self.quantities.values()],
            "units": dict(self.units),
            "events": [list(event) for event in self.events],
            "event_targets": list(self.event_targets),
            "has_events": self.has_events,
            "ode": self.ode.to_json(),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CompiledModel:
        """Rebuild from :meth:`to_json`; raise ``ValueError``/``KeyError`` if malformed."""
        quantities = [Quantity(**q) for q in data["quantities"]]
        return cls(
            model_id=data["model_id"],
            sbml=data["sbml"],
            quantities={q.id: q for q in quantities},
            units=dict(data["units"]),
            events=tuple((float(t), str(n)) for t, n in data["events"]),
            event_targets=tuple(data["event_targets"]),
            has_events=bool(data["has_events"]),
            ode=CompiledOde.from_json(data["ode"]),
        )


@dataclass(frozen=True, eq=False)
class BuiltModel:
    """A resolved model: what it is, its compiled form, and the values that override it.

    Attributes
    ----------
    name
        The model's name for messages (the model id; for files, the file).
    compiled
        The compiled model, shared by every BuiltModel of the same text.
    overrides
        Quantity id to value (in the quantity's unit), already checked.
    origin
        ``"library"``, ``"spec"`` or ``"sbml"``.
    spec_data
        For specs: the spec as a dict, without overrides.
    spec_overrides
        For specs: the overrides as given (spec paths, aliases or model ids).
    """

    name: str
    compiled: CompiledModel
    overrides: Mapping[str, float]
    origin: str
    spec_data: Mapping[str, Any] | None = None
    spec_overrides: Mapping[str, object] = dataclasses.field(default_factory=dict)

    @functools.cached_property
    def sbml(self) -> str:
        """The SBML text with the overrides written in (for export and other tools)."""
        from .sbml_document import write_values

        return write_values(self.compiled.sbml, self.overrides)

    @property
    def parameters(self) -> dict[str, float]:
        """Every settable quantity's value, overrides applied (id to value in its unit)."""
        values = {sid: q.value for sid, q in self.compiled.settable.items()}
        values.update(self.overrides)
        return values

    def with_overrides(self, **overrides: object) -> BuiltModel:
        """Return the same model with further overrides (checked as by :func:`resolve`)."""
        return resolve(self, **overrides)


Model: TypeAlias = "str | Path | Mapping[str, Any] | Any"
"""A library model name, a spec (.toml) or SBML (.xml) file, a spec dict, a CellSpec, or a
BuiltModel."""


# --- compiling -------------------------------------------------------------------------------


def _compile_sbml_text(sbml: str) -> CompiledModel:
    from .ode_codegen import generate
    from .ode_model import conservation_laws, read_ode_system
    from .sbml_document import document_facts

    facts = document_facts(sbml)
    system = read_ode_system(sbml)
    return CompiledModel(
        model_id=facts.model_id,
        sbml=sbml,
        quantities=facts.quantities,
        units=facts.units,
        events=facts.events,
        event_targets=facts.event_targets,
        has_events=facts.has_events,
        ode=generate(system, conservation_laws(system)),
    )


def _cached(key: str, build: Any) -> CompiledModel:
    data = cache.read_entry(key)
    if data is not None:
        try:
            return CompiledModel.from_json(data)
        except (KeyError, TypeError, ValueError):
            pass  # an entry of an older layout: compile again
    compiled: CompiledModel = build()
    cache.write_entry(key, compiled.to_json())
    return compiled


@functools.lru_cache(maxsize=64)
def _compiled_antimony(text: str, label: str, source: Path | None) -> CompiledModel:
    def build() -> CompiledModel:
        from .sbml_compiler import antimony_to_sbml
        from .validation import check_sbml

        sbml = antimony_to_sbml(text, source=source)
        check_sbml(sbml, label)
        return _compile_sbml_text(sbml)

    return _cached(cache.cache_key("antimony", text), build)


@functools.lru_cache(maxsize=64)
def _compiled_sbml(text: str, label: str) -> CompiledModel:
    def build() -> CompiledModel:
        from .validation import check_readable_sbml

        check_readable_sbml(text, label)
        return _compile_sbml_text(text)

    return _cached(cache.cache_key("sbml", text), build)


# --- resolving -------------------------------------------------------------------------------


def _library(name: str, overrides: Mapping[str, object]) -> BuiltModel:
    compiled = _compiled_antimony(antimony(name), f"model {name}", Path("models") / f"{name}.ant")
    return BuiltModel(name, compiled, _checked(compiled, overrides), "library")


def _read_sbml_file(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as err:
        raise ModelDefinitionError(f"cannot read {path}: {err.strerror or err}") from err
    except UnicodeDecodeError as err:
        raise ModelDefinitionError(
            f"cannot read {path}: it is not UTF-8 text (SBML is XML)"
        ) from err


def _sbml_file(path: Path, overrides: Mapping[str, object]) -> BuiltModel:
    text = _read_sbml_file(path)
    compiled = _compiled_sbml(text, str(path))
    return BuiltModel(str(path), compiled, _checked(compiled, overrides), "sbml")


def _spec_data(model: Any) -> Mapping[str, Any]:
    from .spec import CellSpec, read_spec_file, spec_to_dict

    if isinstance(model, CellSpec):
        return spec_to_dict(model)
    if isinstance(model, Path):
        return read_spec_file(model)
    data: Mapping[str, Any] = model
    return data


@functools.lru_cache(maxsize=64)
def _spec_model(key: str) -> tuple[CellSpec, CompiledModel]:
    """Validate a spec (given as its canonical JSON) and compile it, once per spec.

    Its plausibility warnings are the caller's: they are given on every use, not once.
    """
    from .antimony_writer import to_antimony
    from .spec import spec_from_dict

    spec = spec_from_dict(json.loads(key), warn=False)
    return spec, _compiled_antimony(to_antimony(spec), f"spec {spec.name}", None)


def _spec(model: Any, overrides: Mapping[str, object]) -> BuiltModel:
    from .spec import (
        apply_spec_overrides,
        spec_from_dict,
        spec_model_ids,
        warn_if_implausible_spec,
    )

    data = _spec_data(model)
    where = f"{model}: " if isinstance(model, Path) else ""
    try:
        try:
            key = json.dumps(data, sort_keys=True)
        except (TypeError, ValueError):
            spec_from_dict(data)  # says what is wrong with a spec that is not plain data
            raise
        spec, compiled = _spec_model(key)
        name = spec.name
        if overrides:
            # The spec's own rules apply to the overridden values (the structure, and with it
            # the model's name check, is unchanged); so do its plausibility warnings.
            spec_from_dict(apply_spec_overrides(data, overrides), check_name=False)
        else:
            warn_if_implausible_spec(spec)
    except InvalidOverrideError:
        raise  # about an override, not the file: keep its type and its data
    except ModelDefinitionError as err:
        if where and not str(err).startswith(where):
            raise ModelDefinitionError(f"{where}{err}") from err
        raise
    values = spec_model_ids(data, overrides)
    return BuiltModel(
        name, compiled, values, "spec", spec_data=data, spec_overrides=dict(overrides)
    )


def _checked(compiled: CompiledModel, overrides: Mapping[str, object]) -> dict[str, float]:
    from .quantities import check_overrides

    return check_overrides(compiled.quantities, overrides)


def _extended(built: BuiltModel, overrides: Mapping[str, object]) -> BuiltModel:
    """Return a built model with further overrides (a spec is checked by its rules again)."""
    if not overrides:
        return built
    if built.spec_data is not None:
        return _spec(built.spec_data, {**built.spec_overrides, **overrides})
    merged = dict(built.overrides)
    merged.update(_checked(built.compiled, overrides))
    return BuiltModel(built.name, built.compiled, merged, built.origin)


def _not_a_model(model: object) -> ModelDefinitionError:
    return ModelDefinitionError(
        "a model is a library name (str), a file (pathlib.Path: .toml spec or .xml SBML), "
        f"a spec dict or a CellSpec, not {type(model).__name__}"
    )


def resolve(model: Model, **overrides: object) -> BuiltModel:
    """Return the built model of a name, file, spec or BuiltModel, with overrides applied.

    Parameters
    ----------
    model
        A library name, a ``Path`` (``.toml`` spec or ``.xml``/``.sbml`` SBML), a spec dict,
        a ``CellSpec``, or a ``BuiltModel`` (whose overrides the new ones extend).
    **overrides
        New initial values of settable quantities, in their own units (for specs also the
        spec's own names such as ``medium.K`` or ``I_max``).

    Returns
    -------
    BuiltModel

    Raises
    ------
    UnknownModelError
        If a name is not in the library.
    InvalidOverrideError
        If an override names no settable quantity or has an impossible value.
    ModelDefinitionError
        If a spec breaks a rule, or the input is not a model.
    """
    from .spec import CellSpec

    if isinstance(model, BuiltModel):
        return _extended(model, overrides)
    if isinstance(model, str):
        return _library(model, overrides)
    if isinstance(model, Path):
        if model.suffix.lower() in _SBML_SUFFIXES:
            return _sbml_file(model, overrides)
        return _spec(model, overrides)
    if isinstance(model, Mapping | CellSpec):
        return _spec(model, overrides)
    raise _not_a_model(model)
