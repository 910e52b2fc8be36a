# SPDX-License-Identifier: MIT
"""The public Python API: from a model name to SBML, a RoadRunner instance, a time course or
a verified steady state.

Every function takes a model name from :func:`~pumpleak_sbml.library.list_models` and
optional ``**overrides`` that set initial values of the model's settable quantities
(parameters, initial concentrations, volumes) in the quantity's own unit::

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
from pathlib import Path

import roadrunner

from .errors import ModelDefinitionError
from .files import write_atomically, write_text
from .library import antimony
from .sbml_compiler import antimony_to_sbml
from .sbml_document import apply_overrides, settable_quantities, unit_labels
from .simulation import SteadyState, Trajectory, find_steady_state, load as load_runner
from .simulation import run_time_course, set_state
from .validation import check_sbml

__all__ = ["load", "parameters", "save_csv", "save_sbml", "simulate", "steady_state", "to_sbml"]


@functools.lru_cache(maxsize=32)
def _validated_sbml(name: str) -> str:
    sbml = antimony_to_sbml(antimony(name), source=Path("models") / f"{name}.ant")
    check_sbml(sbml, f"model {name}")
    return sbml


def to_sbml(name: str, **overrides: float) -> str:
    """Return a library model as validated SBML Level 3 Version 2 text.

    Parameters
    ----------
    name
        A model name from :func:`~pumpleak_sbml.library.list_models`.
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
    return apply_overrides(_validated_sbml(name), overrides)


def parameters(name: str, **overrides: float) -> dict[str, float]:
    """Return the settable quantities of a model and their values (after ``overrides``).

    Returns
    -------
    dict of str to float
        Quantity id to value in its own unit (see :func:`to_sbml`).
    """
    return {sid: q.value for sid, q in settable_quantities(to_sbml(name, **overrides)).items()}


def save_sbml(name: str, path: Path, *, overwrite: bool = False, **overrides: float) -> Path:
    """Write a library model as SBML to ``path``; never replaces a file unless asked.

    Parameters
    ----------
    name
        A model name.
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
    return write_text(path, to_sbml(name, **overrides), overwrite=overwrite)


def load(name: str, **overrides: float) -> roadrunner.RoadRunner:
    """Return a RoadRunner instance of a library model, ready to simulate.

    The integrator is CVODE with relative tolerance 1e-10 (needed for the charge-difference
    membrane potential). tellurium users can use the instance as they would ``te.loada(...)``.

    Raises
    ------
    ModelDefinitionError
        If the initial state is impossible (e.g. a negative computed amount).
    """
    return load_runner(to_sbml(name, **overrides), name)


def simulate(
    name: str, end: float, points: int = 1001, *, start: SteadyState | None = None,
    **overrides: float,
) -> Trajectory:
    """Simulate a library model from t = 0 to ``end`` seconds.

    Parameters
    ----------
    name
        A model name.
    end
        End time in s; must be positive.
    points
        Number of output time points, t = 0 included (at least 2).
    start
        Start from this state (e.g. a :func:`steady_state` result) instead of the model's
        initial state; the overrides still apply to parameters.
    **overrides
        As for :func:`to_sbml`.

    Returns
    -------
    Trajectory
        Columns: time, volumes, ion amounts, and every derived quantity (Vm, E_*, I_*,
        concentrations), with units.

    Raises
    ------
    ModelDefinitionError
        If ``end`` or ``points`` is invalid.
    SimulationError
        If the integrator fails.
    """
    _check_time_grid(end, points)
    sbml = to_sbml(name, **overrides)
    runner = load_runner(sbml, name)
    if start is not None:
        set_state(runner, start.values)
    return run_time_course(runner, name, float(end), int(points), unit_labels(sbml))


def steady_state(name: str, **overrides: float) -> SteadyState:
    """Find the verified steady state of a library model.

    Parameters
    ----------
    name
        A model name.
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
    sbml = to_sbml(name, **overrides)
    return find_steady_state(load_runner(sbml, name), name, unit_labels(sbml))


def save_csv(trajectory: Trajectory, path: Path, *, overwrite: bool = False) -> Path:
    """Write a trajectory as CSV; never replaces a file unless asked (see :func:`save_sbml`)."""
    return write_atomically(path, trajectory.to_csv, overwrite=overwrite)


def _check_time_grid(end: object, points: object) -> None:
    if (isinstance(end, bool) or not isinstance(end, int | float) or not math.isfinite(end)
            or not end > 0):
        raise ModelDefinitionError(f"the end time must be a positive number of seconds, got {end!r}")
    if isinstance(points, bool) or not isinstance(points, int) or points < 2:
        raise ModelDefinitionError(f"the number of points must be an integer >= 2, got {points!r}")
