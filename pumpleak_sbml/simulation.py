# SPDX-License-Identifier: MIT
"""Run models with libRoadRunner: the only module that imports :mod:`roadrunner`.

:func:`load` returns a RoadRunner instance with the integrator settings our models need.
The charge-difference membrane potential is a small difference of large ion amounts (the net
charge is ~1e-5 of them), so CVODE runs with a relative tolerance of 1e-10.
:func:`run_time_course` returns a :class:`Trajectory`; :func:`find_steady_state` returns a
:class:`SteadyState` that has been checked (finite, positive, every rate of change ~0) or
raises :class:`~pumpleak_sbml.errors.SteadyStateNotFoundError` saying why there is none.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import TextIO

import numpy as np
import roadrunner

from .errors import ModelDefinitionError, SimulationError, SteadyStateNotFoundError

__all__ = [
    "INTEGRATOR_SETTINGS",
    "SteadyState",
    "Trajectory",
    "advance",
    "find_steady_state",
    "load",
    "run_time_course",
    "set_state",
]

INTEGRATOR_SETTINGS: Mapping[str, float | int] = {
    "relative_tolerance": 1e-10,
    "absolute_tolerance": 1e-14,
    "maximum_num_steps": 1_000_000,
}
"""CVODE settings applied by :func:`load`."""

# A state is steady when no state variable changes by more than this fraction per second
# (1e-10/s: a drift of 1e-10 of its value in a second, i.e. none in any experiment's time).
_STEADY_RELATIVE_RATE = 1e-10
# Rates are judged relative to max(|x|, this fraction of the largest state).
_RATE_SCALE_FLOOR = 1e-6
# Horizons (s) of the long runs used to approach a steady state the solver missed.
_HORIZONS = (1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8)
# A candidate steady state must stay put (max relative change) over this long run (s): a
# swelling cell's rates fade like 1/V, so Newton can "converge" towards V = infinity.
_STATIONARY_HORIZON = 1e8
_STATIONARY_CHANGE = 1e-6
_STATIONARY_SETTINGS: Mapping[str, float | int] = {
    "relative_tolerance": 1e-8,
    "maximum_num_steps": 10_000_000,
}
# Unbounded swelling: a volume at least _GROWN times its start that grew by at least
# _GROWTH_PER_DECADE over each of the last three decades of time (e.g. V ~ sqrt(t)).
_GROWN = 4.0
_GROWTH_PER_DECADE = 1.25
# An initial membrane potential beyond this (mV) means an impossible, non-neutral start.
_MAX_INITIAL_VM = 1000.0

# Integrator failures become our own errors; RoadRunner's log lines would only duplicate them.
roadrunner.Logger.setLevel(roadrunner.Logger.LOG_FATAL)


def load(sbml: str, model_id: str) -> roadrunner.RoadRunner:
    """Load SBML text into RoadRunner, with our integrator settings, and check its start.

    Parameters
    ----------
    sbml
        A validated SBML document as text.
    model_id
        The model's name, for error messages.

    Returns
    -------
    roadrunner.RoadRunner
        Ready to simulate; tellurium users can use it directly.

    Raises
    ------
    SimulationError
        If RoadRunner cannot compile the model.
    ModelDefinitionError
        If the initial state is impossible (a negative amount, a non-positive volume, or a
        net charge that would put the membrane potential beyond ±1 V).
    """
    try:
        runner = roadrunner.RoadRunner(sbml)
    except RuntimeError as err:
        raise SimulationError(model_id, f"RoadRunner could not load the model: {err}") from err
    for name, value in INTEGRATOR_SETTINGS.items():
        runner.integrator.setValue(name, value)
    _check_initial_state(runner, model_id)
    return runner


def _state_ids(runner: roadrunner.RoadRunner) -> list[str]:
    return [runner.model.getStateVectorId(i) for i in range(len(runner.getRatesOfChange()))]


def _check_initial_state(runner: roadrunner.RoadRunner, model_id: str) -> None:
    for sid in _state_ids(runner):
        value = runner[sid]
        is_compartment = sid in runner.model.getCompartmentIds()
        if not math.isfinite(value) or value < 0 or (is_compartment and value <= 0):
            raise ModelDefinitionError(
                f"{model_id}: impossible initial state: {sid} starts at {value:g}; "
                "check the initial concentrations (they must be electroneutral and non-negative)"
            )
    for sid in runner.getAssignmentRuleIds():
        if not math.isfinite(runner[sid]):
            raise ModelDefinitionError(
                f"{model_id}: {sid} is {runner[sid]} at t = 0; is an initial concentration "
                "zero? (a Nernst potential needs the ion on both sides of the membrane)"
            )
    if not np.all(np.isfinite(runner.getRatesOfChange())):
        raise ModelDefinitionError(f"{model_id}: the rates of change are not finite at t = 0")
    if "Vm" in runner.getAssignmentRuleIds() and abs(runner["Vm"]) > _MAX_INITIAL_VM:
        raise ModelDefinitionError(
            f"{model_id}: the initial composition is not electroneutral: its net charge puts "
            f"Vm at {runner['Vm']:.3g} mV at t = 0; balance the initial concentrations"
        )


def _output_columns(runner: roadrunner.RoadRunner) -> list[str]:
    rules = set(runner.getRateRuleIds())
    compartments = [c for c in runner.model.getCompartmentIds() if c in rules]
    species = list(runner.model.getFloatingSpeciesIds())
    other_states = [s for s in runner.getRateRuleIds() if s not in compartments]
    derived = sorted(runner.getAssignmentRuleIds())
    return ["time", *compartments, *species, *other_states, *derived]


@dataclass(frozen=True)
class Trajectory:
    """A time course: one row per time point, one column per quantity."""

    model_id: str
    columns: tuple[str, ...]
    values: np.ndarray
    units: Mapping[str, str] = field(default_factory=dict)
    events: tuple[tuple[float, str], ...] = ()
    """(time in s, name) of the model's scenario events, for marking figures."""

    @property
    def event_times(self) -> tuple[float, ...]:
        """Times (s) at which the model's scenario events fire."""
        return tuple(time for time, _ in self.events)

    def __getitem__(self, column: str) -> np.ndarray:
        """Return one column by quantity id (``"time"``, ``"Vm"``, ``"cell"``, ...)."""
        try:
            return self.values[:, self.columns.index(column)]
        except ValueError:
            raise KeyError(
                f"{column!r} is not a column; columns: {', '.join(self.columns)}"
            ) from None

    def write_csv(self, stream: TextIO) -> None:
        """Write the trajectory as CSV to a text stream, with a header ``id [unit]``."""
        header = [f"{c} [{self.units[c]}]" if self.units.get(c) else c for c in self.columns]
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(self.values.tolist())

    def to_csv(self, path: Path) -> None:
        """Write the trajectory as CSV to ``path`` (replacing it); see :meth:`write_csv`."""
        with path.open("w", newline="", encoding="utf-8") as stream:
            self.write_csv(stream)


def _integrator_failure(err: RuntimeError) -> str:
    detail = " ".join(str(err).split())[:200]
    return (
        f"the integrator failed ({detail}); a quantity was probably driven towards zero or "
        "infinity, e.g. a fixed-rate pump stronger than the leaks can supply"
    )


def set_state(
    runner: roadrunner.RoadRunner, values: Mapping[str, float], also: Sequence[str] = ()
) -> None:
    """Set every state variable (amounts, rate-ruled volumes) from ``values``, at t = 0.

    Parameters
    ----------
    runner
        A model from :func:`load`.
    values
        Quantity id to value, e.g. :attr:`SteadyState.values`; ids that are not state
        variables of ``runner`` are ignored, and every state variable must be present.
    also
        Further ids (e.g. parameters that events changed) to set from ``values``.

    Raises
    ------
    ModelDefinitionError
        If ``values`` lacks a state variable or one of ``also``.
    """
    states = _state_ids(runner)
    missing = [sid for sid in (*states, *also) if sid not in values]
    if missing:
        raise ModelDefinitionError(f"cannot start from that state: it lacks {', '.join(missing)}")
    _restore(runner, np.array([values[sid] for sid in states], dtype=float), 0.0)
    medium = set(runner.model.getBoundarySpeciesIds())
    for sid in also:
        if sid in medium:
            runner[f"[{sid}]"] = float(values[sid])  # boundary species: by concentration
        elif sid not in states:
            runner[sid] = float(values[sid])


def advance(runner: roadrunner.RoadRunner, model_id: str, end: float) -> dict[str, float]:
    """Integrate from the runner's current time to ``end`` (s); return every quantity there.

    Raises
    ------
    SimulationError
        If the integrator fails.
    """
    time = runner.model.getTime()
    try:
        runner.simulate(time, end, 2)
    except RuntimeError as err:
        raise SimulationError(model_id, _integrator_failure(err), time) from err
    ids = [
        *_state_ids(runner),
        *runner.getAssignmentRuleIds(),
        *runner.model.getGlobalParameterIds(),
    ]
    values = {sid: float(runner[sid]) for sid in dict.fromkeys(ids)}
    # Medium (boundary) species by concentration: events may change them (e.g. [K+]o steps).
    medium = runner.model.getBoundarySpeciesIds()
    values.update({sid: float(runner[f"[{sid}]"]) for sid in medium})
    return values


def run_time_course(
    runner: roadrunner.RoadRunner,
    model_id: str,
    end: float,
    points: int,
    *,
    units: Mapping[str, str],
    events: tuple[tuple[float, str], ...] = (),
) -> Trajectory:
    """Simulate from t = 0 to ``end`` seconds and return every state and derived quantity.

    Parameters
    ----------
    runner
        A model from :func:`load`.
    model_id
        The model's name, for the trajectory and error messages.
    end
        End time in s (> 0).
    points
        Number of output points including t = 0 (>= 2).
    units
        Unit label of each quantity id.
    events
        (time, name) of the model's events, kept on the trajectory for figures.

    Returns
    -------
    Trajectory

    Raises
    ------
    SimulationError
        If the integrator fails or produces non-finite values.
    """
    columns = _output_columns(runner)
    try:
        result = runner.simulate(0.0, end, points, columns)
    except RuntimeError as err:
        raise SimulationError(model_id, _integrator_failure(err), runner.model.getTime()) from err
    values = np.array(result, dtype=float)
    if not np.all(np.isfinite(values)):
        row = int(np.argmax(~np.all(np.isfinite(values), axis=1)))
        raise SimulationError(model_id, "the solution became non-finite", float(values[row, 0]))
    return Trajectory(model_id, tuple(columns), values, dict(units), tuple(events))


@dataclass(frozen=True)
class SteadyState:
    """A verified steady state: every quantity's value, and its unit."""

    model_id: str
    values: Mapping[str, float]
    units: Mapping[str, str]
    max_relative_rate: float
    """Largest |dx/dt|/|x| over the state variables at the returned point, in 1/s."""
    species: tuple[str, ...] = ()
    """Species ids in model order: intracellular (floating) first, then the medium's."""
    derived: tuple[str, ...] = ()
    """Ids of the quantities the model computes (assignment rules), sorted."""

    def __getitem__(self, name: str) -> float:
        """Return one quantity by id (``"Vm"``, ``"cell"``, ``"conc_K_i"``, ...)."""
        try:
            return self.values[name]
        except KeyError:
            raise KeyError(f"{name!r} is not a quantity of {self.model_id}") from None


def _relative_rate(runner: roadrunner.RoadRunner) -> float:
    """Largest |dx/dt| over the states, each relative to max(|x|, 1e-6 of the largest |x|).

    The floor keeps a state that is nearly zero at steady state (e.g. [Na+]i ~ 1e-9 mM under a
    strong pump) from failing on rounding noise alone.
    """
    states = np.abs(np.array([runner[sid] for sid in _state_ids(runner)], dtype=float))
    rates = np.abs(np.asarray(runner.getRatesOfChange(), dtype=float))
    if not (np.all(np.isfinite(states)) and np.all(np.isfinite(rates))):
        return math.inf
    if not rates.size:
        return 0.0
    floor = _RATE_SCALE_FLOOR * float(np.max(states)) if np.max(states) > 0 else 1.0
    return float(np.max(rates / np.maximum(states, floor)))


def _is_physical(runner: roadrunner.RoadRunner, initial: Mapping[str, float]) -> bool:
    """Finite states, positive volumes, and no negative concentration or amount.

    An amount that starts at exactly 0 may be a relative quantity (the proton vesicle's excess
    lumenal H+) and may go negative; one that starts positive may not.
    """
    compartments = set(runner.model.getCompartmentIds())
    for sid in _state_ids(runner):
        value = runner[sid]
        if not math.isfinite(value) or (sid in compartments and value <= 0):
            return False
        if value < 0 and initial.get(sid, 0.0) > 0:
            return False
    rules = runner.getAssignmentRuleIds()
    return all(runner[sid] >= 0 for sid in rules if sid.startswith("conc_"))


def _states(runner: roadrunner.RoadRunner) -> np.ndarray:
    return np.array([runner[sid] for sid in _state_ids(runner)], dtype=float)


def _restore(runner: roadrunner.RoadRunner, states: np.ndarray, time: float) -> None:
    runner.model.setTime(time)
    for sid, value in zip(_state_ids(runner), states, strict=True):
        runner[sid] = float(value)


def _is_stationary(runner: roadrunner.RoadRunner) -> bool:
    """Tell whether integrating for a long time from here leaves every state where it is.

    The check only has to see a drift of 1e-6, so it runs at a looser tolerance (rel 1e-8)
    and with more steps than a time course: at rel 1e-10 a 1e8 s run can exceed CVODE's step
    limit even from a true steady state. The runner's state and settings are restored.
    """
    before = _states(runner)
    time = runner.model.getTime()
    saved = {name: runner.integrator.getValue(name) for name in _STATIONARY_SETTINGS}
    for name, value in _STATIONARY_SETTINGS.items():
        runner.integrator.setValue(name, value)
    try:
        runner.simulate(time, time + _STATIONARY_HORIZON, 2)
        after = _states(runner)
    except RuntimeError:
        return False
    finally:
        for name, value in saved.items():
            runner.integrator.setValue(name, value)
        _restore(runner, before, time)
    scale = np.where(np.abs(before) > 0, np.abs(before), 1.0)
    return bool(np.all(np.abs(after - before) <= _STATIONARY_CHANGE * scale))


def _try_newton(runner: roadrunner.RoadRunner, initial: Mapping[str, float]) -> bool:
    """Polish with RoadRunner's NLEQ2 from the current state; keep the state if it is good."""
    saved, time = _states(runner), runner.model.getTime()
    try:
        runner.steadyState()
        converged = True
    except RuntimeError:
        converged = False  # RoadRunner may leave a diverged state behind: never keep it
    if converged and _is_steady(runner, initial):
        return True
    _restore(runner, saved, time)
    return False


def _is_steady(runner: roadrunner.RoadRunner, initial: Mapping[str, float]) -> bool:
    """Tell whether the runner's current state passes every steady-state check."""
    return (
        _is_physical(runner, initial)
        and _relative_rate(runner) <= _STEADY_RELATIVE_RATE
        and _is_stationary(runner)
    )


def _snapshot(
    runner: roadrunner.RoadRunner, model_id: str, units: Mapping[str, str]
) -> SteadyState:
    ids = [
        *_state_ids(runner),
        *runner.getAssignmentRuleIds(),
        *runner.model.getGlobalParameterIds(),
        *runner.model.getBoundarySpeciesIds(),
        *runner.model.getCompartmentIds(),
    ]
    values = {sid: float(runner[sid]) for sid in dict.fromkeys(ids)}
    for sid in runner.model.getBoundarySpeciesIds():
        values[sid] = float(runner[f"[{sid}]"])
    species = (*runner.model.getFloatingSpeciesIds(), *runner.model.getBoundarySpeciesIds())
    return SteadyState(
        model_id,
        values,
        dict(units),
        _relative_rate(runner),
        tuple(species),
        tuple(sorted(runner.getAssignmentRuleIds())),
    )


def _swelling_compartment(history: Mapping[str, list[float]]) -> str | None:
    """Return the compartment whose sizes (one per decade of time) grow without bound."""
    for compartment, sizes in history.items():
        if len(sizes) < 4 or sizes[-1] < _GROWN * sizes[0]:
            continue
        recent = sizes[-4:]
        if all(later >= _GROWTH_PER_DECADE * earlier for earlier, later in pairwise(recent)):
            return compartment
    return None


def find_steady_state(
    runner: roadrunner.RoadRunner, model_id: str, units: Mapping[str, str]
) -> SteadyState:
    """Find and verify the steady state reached from the runner's initial state.

    First Newton's method (NLEQ2) from the start; if it fails, the model is integrated over
    ever longer horizons (up to 1e8 s) and Newton is retried from each end point (or the end
    point itself is taken when it already passes the checks). A result is
    accepted only if it is finite and non-negative, no state changes faster than 1e-10 of its
    value per second, and a further 1e8 s of simulation moves no state by more than 1e-6 of
    its value (which rejects the "steady state at infinite volume" of a swelling cell).
    Unbounded swelling is recognised when a volume has grown at least 1.25-fold over each of
    its last three decades of time and is at least 4 times its initial size.

    Parameters
    ----------
    runner
        A model from :func:`load`, at its initial state.
    model_id
        The model's name, for error messages.
    units
        Unit label of each quantity id.

    Returns
    -------
    SteadyState

    Raises
    ------
    SteadyStateNotFoundError
        If there is no finite steady state (e.g. a compartment swells without bound) or none
        could be found; the message says which.
    """
    history = {
        c: [runner[c]] for c in runner.getRateRuleIds() if c in runner.model.getCompartmentIds()
    }
    initial = {sid: runner[sid] for sid in _state_ids(runner)}
    if _try_newton(runner, initial):
        return _snapshot(runner, model_id, units)
    time = 0.0
    for horizon in _HORIZONS:
        try:
            runner.simulate(time, horizon, 2)
        except RuntimeError as err:
            raise SteadyStateNotFoundError(
                model_id, f"no steady state found: {_integrator_failure(err)}", time
            ) from err
        time = horizon
        for compartment, sizes in history.items():
            sizes.append(runner[compartment])
        swelling = _swelling_compartment(history)
        if swelling is not None:
            reason = _swelling_reason(runner, swelling, history[swelling][0], units)
            raise SteadyStateNotFoundError(model_id, reason, time)
        # NLEQ2 can stop on its iteration limit right at a steady state whose residual sits
        # at the rounding noise of the charge-difference Vm; the integrated state itself is
        # then accepted if it passes the same checks.
        if _try_newton(runner, initial) or _is_steady(runner, initial):
            return _snapshot(runner, model_id, units)
    raise SteadyStateNotFoundError(
        model_id,
        "no steady state found: the state was still changing "
        f"(largest relative rate {_relative_rate(runner):.2g}/s)",
        time,
    )


def _swelling_reason(
    runner: roadrunner.RoadRunner, compartment: str, start: float, units: Mapping[str, str]
) -> str:
    unit = units.get(compartment, "")
    reason = (
        f"no finite steady state: the volume {compartment} grows without bound "
        f"({start:.3g} {unit} at t = 0 -> {runner[compartment]:.3g} {unit}, still increasing)"
    )
    rules = runner.getAssignmentRuleIds()
    if "osm_i" in rules and "osm_o" in rules:
        excess = runner["osm_i"] - runner["osm_o"]
        reason += (
            f"; the cell stays hyperosmotic (osm_i - osm_o = {excess:.3g} mM) because no active "
            "transport balances the osmotic pull of the trapped impermeant anions: Donnan "
            "swelling"
        )
    return reason
