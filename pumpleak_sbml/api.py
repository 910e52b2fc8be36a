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

The pipeline is the same for every model: the model is resolved once
(:func:`~pumpleak_sbml.built_model.resolve`: Antimony text -> validated SBML -> generated ODE
code, cached per process and on disk), overrides are set as values, time courses run in
RoadRunner (compiled once per process) and steady states in the engine of
:mod:`pumpleak_sbml.steady`.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

from .built_model import BuiltModel, Model, resolve
from .errors import ModelDefinitionError, SteadyStateNotFoundError
from .files import write_atomically, write_text
from .limits import check_time_grid
from .steady import SteadyState, solver_for
from .trajectory import Trajectory

if TYPE_CHECKING:
    import roadrunner

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

# How far past its last event (s) a scenario is run before its final steady state is sought.
_PAST_LAST_EVENT = 1.0


def model_antimony(model: Model, **overrides: float) -> str:
    """Return the Antimony text of a model: the library file, or the text built from a spec.

    Raises
    ------
    UnknownModelError
        If a name is not in the library.
    ModelDefinitionError
        If a spec breaks a rule (the message names the key, value and rule), or the model is
        an SBML file (it has no Antimony source).
    """
    if isinstance(model, str):
        if overrides:
            raise ModelDefinitionError(
                "overrides apply to a library model's SBML, not to its Antimony source; "
                "use to_sbml(name, **overrides)"
            )
        from .library import antimony

        return antimony(model)
    built = resolve(model, **overrides)
    if built.spec_data is None:
        raise ModelDefinitionError(
            f"{built.name} is SBML, not a spec: it has no Antimony source to show"
        )
    from .antimony_writer import to_antimony
    from .spec import apply_spec_overrides, spec_from_dict

    return to_antimony(spec_from_dict(apply_spec_overrides(built.spec_data, built.spec_overrides)))


def to_sbml(model: Model, **overrides: float) -> str:
    """Return a model as validated SBML Level 3 Version 2 text, overrides written in.

    Parameters
    ----------
    model
        A library name, a spec or SBML file (Path), a spec dict or a CellSpec.
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
    return resolve(model, **overrides).sbml


def parameters(model: Model, **overrides: float) -> dict[str, float]:
    """Return the settable quantities of a model and their values (after ``overrides``).

    Returns
    -------
    dict of str to float
        Quantity id to value in its own unit (see :func:`to_sbml`).
    """
    return resolve(model, **overrides).parameters


def save_sbml(model: Model, path: Path, *, overwrite: bool = False, **overrides: float) -> Path:
    """Write a model as SBML to ``path``; never replaces a file unless asked.

    Parameters
    ----------
    model
        A library name, a spec or SBML file (Path), a spec dict or a CellSpec.
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
    """Return a new RoadRunner instance of a model, ready to simulate.

    The integrator is CVODE with relative tolerance 1e-10 (needed for the charge-difference
    membrane potential). tellurium users can use the instance as they would ``te.loada(...)``.

    Raises
    ------
    ModelDefinitionError
        If the initial state is impossible (e.g. a negative computed amount).
    """
    from .simulation import load as load_runner

    built = resolve(model, **overrides)
    return load_runner(built.sbml, built.name)


def simulate(
    model: Model,
    end: float,
    points: int = 1001,
    *,
    start: SteadyState | str | None = None,
    **overrides: float,
) -> Trajectory:
    """Simulate a model from t = 0 to ``end`` seconds.

    Parameters
    ----------
    model
        A library name, a spec or SBML file (Path), a spec dict or a CellSpec.
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
    end, points = check_time_grid(end, points)
    built = resolve(model, **overrides)
    if start is None:
        start = "steady" if built.compiled.has_events else "initial"
    if start == "steady":
        start = _steady_state(built, after_events=False)
    elif not isinstance(start, SteadyState) and start != "initial":
        raise ModelDefinitionError(
            f"start must be 'initial', 'steady' or a SteadyState, got {start!r}"
        )
    from .simulation import simulator_for

    values = start.values if isinstance(start, SteadyState) else None
    trajectory = simulator_for(built.compiled).run(
        built.overrides, float(end), int(points), start=values
    )
    origin = "steady state" if isinstance(start, SteadyState) else "initial state"
    return dataclasses.replace(trajectory, start=origin, overrides=dict(built.overrides))


def steady_state(
    model: Model,
    *,
    after_events: bool = False,
    start: SteadyState | None = None,
    **overrides: float,
) -> SteadyState:
    """Find the certified steady state of a model.

    For a scenario model (one with events) this is, by default, the steady state before its
    events: the state its time courses start from. With ``after_events=True`` it is the steady
    state the scenario ends in: the model is run from the pre-event steady state through its
    last event (events must be triggered by ``time >= t``), and the steady state is then found
    from there, with every change the events made kept.

    Parameters
    ----------
    model
        A library name, a spec or SBML file (Path), a spec dict or a CellSpec.
    after_events
        Find the steady state after the scenario's events instead of before them.
    start
        A nearby steady state to start from (a warm start, e.g. the previous point of a
        scan); the answer does not depend on it, only the time to find it.
    **overrides
        As for :func:`to_sbml`.

    Returns
    -------
    SteadyState
        Every quantity at steady state (``state["Vm"]``, ``state["conc_K_i"]``, ...) and
        its :class:`~pumpleak_sbml.steady.Certificate` (residuals, eigenvalues).

    Raises
    ------
    SteadyStateNotFoundError
        If no finite steady state exists (e.g. the pump is off and the cell swells without
        bound), no physical one exists (an ion would be driven below zero), or none could be
        found; the message says which.
    """
    built = resolve(model, **overrides)
    return _steady_state(built, after_events=after_events, guess=start)


def _steady_state(
    built: BuiltModel, *, after_events: bool, guess: SteadyState | None = None
) -> SteadyState:
    solver = solver_for(built.compiled)
    y0, p = solver.functions.start(built.overrides)
    warm = None
    if guess is not None and guess.states == built.compiled.ode.states:
        warm = guess.state_vector
    before = solver.solve(y0, p, model_id=built.name, guess=warm)
    if not after_events or not built.compiled.has_events:
        return before
    from .simulation import simulator_for

    simulator = simulator_for(built.compiled)
    simulator.reset(built.overrides)
    simulator.set_state(before.values)
    last_event = max((time for time, _ in built.compiled.events), default=0.0)
    after = simulator.advance(last_event + _PAST_LAST_EVENT)
    y, p_after = solver.state_from(after, p, built.compiled.event_targets)
    try:
        return solver.solve(y, p_after, model_id=built.name, t=last_event + _PAST_LAST_EVENT)
    except SteadyStateNotFoundError as err:
        raise SteadyStateNotFoundError(
            built.name,
            f"after the scenario's last event (t = {last_event:g} s): {err.message}",
            err.t_reached,
        ) from err


def save_csv(trajectory: Trajectory, path: Path, *, overwrite: bool = False) -> Path:
    """Write a trajectory as CSV; never replaces a file unless asked (see :func:`save_sbml`)."""
    return write_atomically(path, trajectory.to_csv, overwrite=overwrite)
