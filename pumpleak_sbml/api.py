# SPDX-License-Identifier: MIT
"""The public Python API: from a model to SBML, RoadRunner, a time course or a steady state.

Every function takes a *model*: a library name (``str``, see
:func:`~pumpleak_sbml.library.list_models`), a cell spec file (``pathlib.Path`` to a TOML
file) or a cell spec as a dict. A string is always a name, never a path. Optional
``**overrides`` set initial values of the model's settable quantities (parameters, initial
concentrations, volumes) in the quantity's own unit; for a spec they may also use the spec's
own names (``medium.K``, ``I_max``) and are applied to the spec before it is validated::

    >>> import pumpleak_sbml as pl
    >>> state = pl.steady_state("pump_leak", g_Cl=0.05)
    >>> round(state["Vm"])
    -70

The pipeline is the same for every model: Antimony text -> SBML (compiled and validated
once per model, strict units and scale included) -> overrides -> RoadRunner.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeAlias

import roadrunner

from .antimony_writer import to_antimony
from .errors import ModelDefinitionError, SteadyStateNotFoundError
from .files import write_atomically, write_text
from .library import antimony
from .sbml_compiler import antimony_to_sbml
from .sbml_document import (
    apply_overrides,
    event_targets,
    event_times,
    has_events,
    settable_quantities,
    timed_events,
    unit_labels,
    without_events,
)
from .simulation import (
    SteadyState,
    Trajectory,
    advance,
    find_steady_state,
    run_time_course,
    set_state,
)
from .simulation import load as load_runner
from .spec import CellSpec, apply_spec_overrides, read_spec_file, spec_from_dict, spec_to_dict
from .validation import check_sbml

__all__ = [
    "Model",
    "load",
    "model_antimony",
    "parameters",
    "save_csv",
    "save_sbml",
    "simulate",
    "steady_state",
    "to_sbml",
]

Model: TypeAlias = str | Path | Mapping[str, Any] | CellSpec
"""A library model name, a TOML cell spec file, a cell spec as a dict, or a CellSpec."""


# How far past its last event (s) a scenario is run before its final steady state is sought.
_PAST_LAST_EVENT = 1.0


@functools.lru_cache(maxsize=32)
def _validated_sbml(name: str) -> str:
    sbml = antimony_to_sbml(antimony(name), source=Path("models") / f"{name}.ant")
    check_sbml(sbml, f"model {name}")
    return sbml


@functools.lru_cache(maxsize=64)
def _built_sbml(text: str, name: str) -> str:
    sbml = antimony_to_sbml(text)
    check_sbml(sbml, f"spec {name}")
    return sbml


def _spec_data(model: Path | Mapping[str, Any] | CellSpec) -> Mapping[str, Any]:
    if isinstance(model, CellSpec):
        return spec_to_dict(model)
    return read_spec_file(model) if isinstance(model, Path) else model


def _built_antimony(
    model: Path | Mapping[str, Any] | CellSpec, overrides: Mapping[str, object]
) -> tuple[str, str]:
    data = _spec_data(model)
    edited = apply_spec_overrides(data, overrides)
    try:
        spec = spec_from_dict(edited)
    except ModelDefinitionError as err:
        if isinstance(model, Path):
            raise ModelDefinitionError(f"{model}: {err}") from err
        raise
    return spec.name, to_antimony(spec)


def _resolve(model: Model, overrides: Mapping[str, object]) -> tuple[str, str]:
    """Return (model name, validated SBML with the overrides applied)."""
    if isinstance(model, str):
        return model, apply_overrides(_validated_sbml(model), overrides)
    if isinstance(model, Path | Mapping | CellSpec):
        name, text = _built_antimony(model, overrides)
        return name, _built_sbml(text, name)
    raise _not_a_model(model)


def _not_a_model(model: object) -> ModelDefinitionError:
    return ModelDefinitionError(
        f"a model is a library name (str), a spec file (pathlib.Path) or a spec dict, "
        f"not {type(model).__name__}"
    )


def model_antimony(model: Model, **overrides: float) -> str:
    """Return the Antimony text of a model: the library file, or the text built from a spec.

    Raises
    ------
    UnknownModelError
        If a name is not in the library.
    ModelDefinitionError
        If a spec breaks a rule (the message names the key, value and rule).
    """
    if isinstance(model, str):
        if overrides:
            raise ModelDefinitionError(
                "overrides apply to a library model's SBML, not to its Antimony source; "
                "use to_sbml(name, **overrides)"
            )
        return antimony(model)
    if isinstance(model, Path | Mapping | CellSpec):
        return _built_antimony(model, overrides)[1]
    raise _not_a_model(model)


def to_sbml(model: Model, **overrides: float) -> str:
    """Return a library model as validated SBML Level 3 Version 2 text.

    Parameters
    ----------
    model
        A library name, a spec file (Path) or a spec dict.
    **overrides
        New initial values of settable quantities, in their own units.

    Returns
    -------
    str
        SBML text that passed libsbml's checks (strict units) and the scale check.

    Raises
    ------
    UnknownModelError
        If there is no such model.
    InvalidOverrideError
        If an override names no settable quantity or has an impossible value.
    """
    return _resolve(model, overrides)[1]


def parameters(model: Model, **overrides: float) -> dict[str, float]:
    """Return the settable quantities of a model and their values (after ``overrides``).

    Returns
    -------
    dict of str to float
        Quantity id to value in its own unit (see :func:`to_sbml`).
    """
    return {sid: q.value for sid, q in settable_quantities(to_sbml(model, **overrides)).items()}


def save_sbml(model: Model, path: Path, *, overwrite: bool = False, **overrides: float) -> Path:
    """Write a library model as SBML to ``path``; never replaces a file unless asked.

    Parameters
    ----------
    model
        A library name, a spec file (Path) or a spec dict.
    path
        Destination file.
    overwrite
        Replace ``path`` if it exists (default False).
    **overrides
        As for :func:`to_sbml`.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    OutputError
        If the file exists (and ``overwrite`` is False) or cannot be written.
    """
    return write_text(path, to_sbml(model, **overrides), overwrite=overwrite)


def load(model: Model, **overrides: float) -> roadrunner.RoadRunner:
    """Return a RoadRunner instance of a library model, ready to simulate.

    The integrator is CVODE with relative tolerance 1e-10 (needed for the charge-difference
    membrane potential). tellurium users can use the instance as they would ``te.loada(...)``.

    Raises
    ------
    ModelDefinitionError
        If the initial state is impossible (e.g. a negative computed amount).
    """
    name, sbml = _resolve(model, overrides)
    return load_runner(sbml, name)


def simulate(
    model: Model,
    end: float,
    points: int = 1001,
    *,
    start: SteadyState | str | None = None,
    **overrides: float,
) -> Trajectory:
    """Simulate a library model from t = 0 to ``end`` seconds.

    Parameters
    ----------
    model
        A library name, a spec file (Path) or a spec dict.
    end
        End time in s; must be positive.
    points
        Number of output time points, t = 0 included (at least 2).
    start
        Where the time course starts: ``"initial"`` (the model's initial state), ``"steady"``
        (its steady state; for a scenario model, the steady state before its events), or a
        :class:`SteadyState` (e.g. from :func:`steady_state`; the overrides still apply to
        parameters). Default: ``"steady"`` for scenario models (models with events, such as
        ``hydropic_change``), ``"initial"`` for the others.
    **overrides
        As for :func:`to_sbml`.

    Returns
    -------
    Trajectory
        Columns: time, volumes, ion amounts, and every derived quantity (Vm, E_*, I_*,
        concentrations), with units and the event times.

    Raises
    ------
    ModelDefinitionError
        If ``end``, ``points`` or ``start`` is invalid.
    SimulationError
        If the integrator fails, or ``start="steady"`` and there is no steady state.
    """
    _check_time_grid(end, points)
    name, sbml = _resolve(model, overrides)
    if start is None:
        start = "steady" if has_events(sbml) else "initial"
    if start == "steady":
        start = _steady_state(sbml, name, after_events=False)
    elif not isinstance(start, SteadyState) and start != "initial":
        raise ModelDefinitionError(
            f"start must be 'initial', 'steady' or a SteadyState, got {start!r}"
        )
    runner = load_runner(sbml, name)
    if isinstance(start, SteadyState):
        set_state(runner, start.values)
    return run_time_course(
        runner,
        name,
        float(end),
        int(points),
        units=unit_labels(sbml),
        events=tuple(timed_events(sbml)),
    )


def steady_state(model: Model, *, after_events: bool = False, **overrides: float) -> SteadyState:
    """Find the verified steady state of a library model.

    For a scenario model (one with events) this is, by default, the steady state before its
    events: the state its time courses start from. With ``after_events=True`` it is the steady
    state the scenario ends in: the model is run from the pre-event steady state through its
    last event (events must be triggered by ``time >= t``), and the steady state is then found
    from there, with every change the events made kept.

    Parameters
    ----------
    model
        A library name, a spec file (Path) or a spec dict.
    after_events
        Find the steady state after the scenario's events instead of before them.
    **overrides
        As for :func:`to_sbml`.

    Returns
    -------
    SteadyState
        Every quantity at steady state (``state["Vm"]``, ``state["conc_K_i"]``, ...).

    Raises
    ------
    SteadyStateNotFoundError
        If no finite steady state exists (e.g. the pump is off and the cell swells without
        bound) or none could be found; the message says which.
    """
    name, sbml = _resolve(model, overrides)
    return _steady_state(sbml, name, after_events=after_events)


def _steady_state(sbml: str, name: str, *, after_events: bool) -> SteadyState:
    event_free = without_events(sbml)
    units = unit_labels(event_free)
    before = find_steady_state(load_runner(event_free, name), name, units)
    if not after_events or not has_events(sbml):
        return before
    runner = load_runner(sbml, name)
    set_state(runner, before.values)
    last_event = max(event_times(sbml), default=0.0)
    after = advance(runner, name, last_event + _PAST_LAST_EVENT)
    settled = load_runner(event_free, name)
    set_state(settled, after, also=event_targets(sbml))
    try:
        return find_steady_state(settled, name, units)
    except SteadyStateNotFoundError as err:
        raise SteadyStateNotFoundError(
            name,
            f"after the scenario's last event (t = {last_event:g} s), times counted from "
            f"there: {err.message}",
            err.t_reached,
        ) from err


def save_csv(trajectory: Trajectory, path: Path, *, overwrite: bool = False) -> Path:
    """Write a trajectory as CSV; never replaces a file unless asked (see :func:`save_sbml`)."""
    return write_atomically(path, trajectory.to_csv, overwrite=overwrite)


def _check_time_grid(end: object, points: object) -> None:
    if (
        isinstance(end, bool)
        or not isinstance(end, int | float)
        or not math.isfinite(end)
        or not end > 0
    ):
        raise ModelDefinitionError(
            f"the end time must be a positive number of seconds, got {end!r}"
        )
    if isinstance(points, bool) or not isinstance(points, int) or points < 2:
        raise ModelDefinitionError(f"the number of points must be an integer >= 2, got {points!r}")
