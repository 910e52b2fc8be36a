# SPDX-License-Identifier: MIT
"""Time courses with libRoadRunner: the only module that imports :mod:`roadrunner`.

A :class:`Simulator` compiles a model once (per process) and runs it many times: overrides
are set as initial values on the loaded instance, never by rewriting the SBML, so a new
parameter value costs nothing but the integration::

    simulator = simulator_for(built.compiled)
    trajectory = simulator.run(built.overrides, end=1e4, points=101)

:func:`load` returns a fresh RoadRunner instance with the integrator settings our models
need. The charge-difference membrane potential is a small difference of large ion amounts
(the net charge is ~1e-5 of them), so CVODE runs with a relative tolerance of 1e-10.
Steady states are found by :mod:`pumpleak_sbml.steady`, not here.
"""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import roadrunner

from .errors import ModelDefinitionError, SimulationError
from .identifiers import volume_id
from .trajectory import Trajectory

if TYPE_CHECKING:
    from .built_model import CompiledModel

__all__ = [
    "INTEGRATOR_SETTINGS",
    "Simulator",
    "Trajectory",
    "load",
    "new_runner",
    "run_time_course",
    "simulator_for",
]

INTEGRATOR_SETTINGS: Mapping[str, float | int] = {
    "relative_tolerance": 1e-10,
    "absolute_tolerance": 1e-14,
    "maximum_num_steps": 1_000_000,
}
"""CVODE settings applied by :func:`load`."""

# An initial membrane potential beyond this (mV) means an impossible, non-neutral start.
_MAX_INITIAL_VM = 1000.0
# The charge-difference Vm is resolved only if rounding the ion amounts moves it by less
# than this (mV), a tenth of what a membrane-potential recording resolves; a sphere passes
# this limit at a radius of about 50 m. (The steady-state engine, which must certify, asks
# for 1e-5 of the driving forces, about 1e-3 mV.)
_MAX_VM_ROUNDING = 0.01
_EPSILON = float(np.finfo(float).eps)
# A value this large overflows once multiplied by another (sqrt of the largest double).
_OVERFLOWING = 1e150
# Near a failure, an amount below this fraction of its start counts as driven to zero.
_DEPLETED = 1e-2

# Integrator failures become our own errors; RoadRunner's log lines would only duplicate them.
roadrunner.Logger.setLevel(roadrunner.Logger.LOG_FATAL)
# SUNDIALS writes CVODE's warnings to stdout and its errors to stderr, past RoadRunner's
# logger; its own logger reads these variables whenever RoadRunner creates an integrator.
# Our errors carry CVODE's flag and sentence, so stdout keeps only what the user asked for;
# a user who wants the raw lines sets the variables to a file name first.
for _level in ("WARNING", "ERROR"):
    os.environ.setdefault(f"SUNLOGGER_{_level}_FILENAME", os.devnull)


def new_runner(sbml: str) -> roadrunner.RoadRunner:
    """Return RoadRunner's model of SBML text, its solver's console lines silenced (see above).

    Raises
    ------
    RuntimeError
        RoadRunner's own, if it cannot compile the model.
    """
    return roadrunner.RoadRunner(sbml)


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
        runner = new_runner(sbml)
    except RuntimeError as err:
        raise SimulationError(model_id, f"RoadRunner could not load the model: {err}") from err
    for name, value in INTEGRATOR_SETTINGS.items():
        runner.integrator.setValue(name, value)
    _check_initial_state(runner, model_id, sbml)
    return runner


def _state_ids(runner: roadrunner.RoadRunner) -> list[str]:
    return [runner.model.getStateVectorId(i) for i in range(len(runner.getRatesOfChange()))]


def _check_initial_state(runner: roadrunner.RoadRunner, model_id: str, sbml: str) -> None:
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
            cause = _non_finite_cause(runner, sbml, sid)
            raise ModelDefinitionError(f"{model_id}: {sid} is {runner[sid]} at t = 0; {cause}")
    if not np.all(np.isfinite(runner.getRatesOfChange())):
        raise ModelDefinitionError(f"{model_id}: the rates of change are not finite at t = 0")
    if "Vm" not in runner.getAssignmentRuleIds():
        return
    rounding = _vm_rounding(runner)
    if rounding > _MAX_VM_ROUNDING:
        raise ModelDefinitionError(
            f"{model_id}: rounding the ion amounts alone moves Vm by {rounding:.2g} mV (the "
            f"limit is {_MAX_VM_ROUNDING:g} mV): the cell, or its ion content, is too large for "
            "its net charge to be resolved in double precision; use a smaller cell"
        )
    if abs(runner["Vm"]) > _MAX_INITIAL_VM:
        raise ModelDefinitionError(
            f"{model_id}: the initial composition is not electroneutral: its net charge puts "
            f"Vm at {runner['Vm']:.3g} mV at t = 0; balance the initial concentrations"
        )


def _vm_rounding(runner: roadrunner.RoadRunner) -> float:
    """Return how far (mV) rounding every ion amount by one unit in the last place moves Vm.

    Vm = net charge / capacitance is a difference of amounts, so each amount n contributes
    eps * |dVm/dn| * n; the derivative is taken by a relative step of 1e-6 (Vm is linear in n).
    """
    model = runner.model
    vm = runner["Vm"]
    total = 0.0
    for sid in model.getFloatingSpeciesIds():
        amount = model.getValue(sid)
        if amount <= 0:
            continue
        model.setValue(sid, amount * (1 + 1e-6))
        total += abs(runner["Vm"] - vm) / 1e-6
        model.setValue(sid, amount)
    return _EPSILON * total


def _non_finite_cause(runner: roadrunner.RoadRunner, sbml: str, sid: str) -> str:
    """Name what makes an assignment rule non-finite: an overflowing value or zero inputs."""
    from .sbml_document import rule_inputs

    model = runner.model
    species = [*model.getFloatingSpeciesIds(), *model.getBoundarySpeciesIds()]
    rules = set(runner.getAssignmentRuleIds())
    given = [*species, *model.getGlobalParameterIds(), *model.getCompartmentIds()]
    huge = [
        f"{name} = {value:g}"
        for name, value in ((name, float(runner[name])) for name in given if name not in rules)
        if abs(value) > _OVERFLOWING
    ]
    if huge:
        return (
            f"{', '.join(huge)}: too large for double-precision arithmetic, which overflows "
            "beyond 1.8e+308 (unit conversions included); use smaller values"
        )
    values = {name: float(runner[name]) for name in rule_inputs(sbml, sid)}
    empty = [name for name, value in values.items() if value == 0 and name in species]
    if empty:
        verb = "starts" if len(empty) == 1 else "start"
        return (
            f"{', '.join(empty)} {verb} at 0 (a Nernst potential needs the ion on both sides "
            "of the membrane)"
        )
    zeros = [name for name, value in values.items() if value == 0]
    if zeros:
        return f"it is computed from {', '.join(zeros)}, which are 0 here (0/0 is undefined)"
    return f"check the values it is computed from ({', '.join(values)})"


def _output_columns(runner: roadrunner.RoadRunner) -> list[str]:
    rules = set(runner.getRateRuleIds())
    compartments = [c for c in runner.model.getCompartmentIds() if c in rules]
    species = list(runner.model.getFloatingSpeciesIds())
    concentrations = [f"[{s}]" for s in species]
    other_states = [s for s in runner.getRateRuleIds() if s not in compartments]
    derived = sorted(runner.getAssignmentRuleIds())
    return ["time", *compartments, *species, *concentrations, *other_states, *derived]


def _solver_detail(err: RuntimeError) -> str:
    """Return RoadRunner's error text without the C++ function it came from, words whole."""
    text = " ".join(str(err).split())
    text = text.split("; In ", 1)[0].split(" In virtual ", 1)[0].rstrip(" ;")
    if len(text) > 300:
        text = text[:300].rsplit(" ", 1)[0] + " ..."
    return text


def _snapshot(runner: roadrunner.RoadRunner) -> tuple[float, dict[str, float]]:
    """Return the time and every state value, to diagnose a failure from the same start."""
    return runner.model.getTime(), {sid: float(runner[sid]) for sid in _state_ids(runner)}


def _depleted_before(
    runner: roadrunner.RoadRunner, start: tuple[float, dict[str, float]], failed_at: float
) -> dict[str, float]:
    """Return, for each amount that fell towards 0 just before ``failed_at``, its fraction left.

    Integrates again from ``start`` to just before the failure; if that fails too, nothing
    is claimed.
    """
    t0, values = start
    species = [sid for sid in runner.model.getFloatingSpeciesIds() if values.get(sid, 0.0) > 0]
    if failed_at <= t0 or not species:
        return {}
    runner.model.setTime(t0)
    for sid, value in values.items():
        runner.model.setValue(sid, value)
    try:
        before = runner.simulate(t0, t0 + (failed_at - t0) * (1 - 1e-6), 2, species)
    except RuntimeError:
        return {}
    left = {sid: float(before[-1, i]) / values[sid] for i, sid in enumerate(species)}
    return {sid: fraction for sid, fraction in left.items() if fraction < _DEPLETED}


def _integrator_failure(
    runner: roadrunner.RoadRunner,
    model_id: str,
    err: RuntimeError,
    start: tuple[float, dict[str, float]],
) -> SimulationError:
    """Turn RoadRunner's failure into our error: where it stopped, CVODE's words, the cause.

    The pump hint is given only when an amount was driven towards zero just before.
    """
    failed_at = runner.model.getTime()
    if "bad_alloc" in str(err):
        return SimulationError(
            model_id, "the integrator ran out of memory; ask for fewer output points", failed_at
        )
    message = f"the integrator failed ({_solver_detail(err)})"
    depleted = _depleted_before(runner, start, failed_at)
    if depleted:
        fell = ", ".join(
            f"{sid} had fallen to {fraction:.2g} of its start" for sid, fraction in depleted.items()
        )
        message += (
            f"; just before, {fell}: something removes it faster than it can be supplied, "
            "e.g. a fixed-rate pump stronger than the leaks can supply"
        )
    return SimulationError(model_id, message, failed_at)


def run_time_course(
    runner: roadrunner.RoadRunner,
    model_id: str,
    end: float,
    points: int,
    *,
    units: Mapping[str, str],
    events: tuple[tuple[float, str], ...] = (),
    columns: list[str] | None = None,
    volume: str | None = None,
    names: Mapping[str, str] | None = None,
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
    columns
        The quantities to record (default: time, volumes, species, derived quantities).
    volume
        The id of the cell's (or vesicle's) volume, kept on the trajectory.
    names
        Display names by column id, for figures.

    Returns
    -------
    Trajectory

    Raises
    ------
    SimulationError
        If the integrator fails or produces non-finite values.
    """
    columns = columns if columns is not None else _output_columns(runner)
    start = _snapshot(runner)
    try:
        result = runner.simulate(0.0, end, points, columns)
    except RuntimeError as err:
        raise _integrator_failure(runner, model_id, err, start) from err
    values = np.array(result, dtype=float)
    if not np.all(np.isfinite(values)):
        row = int(np.argmax(~np.all(np.isfinite(values), axis=1)))
        raise SimulationError(model_id, "the solution became non-finite", float(values[row, 0]))
    return Trajectory(
        model_id, tuple(columns), values, dict(units), tuple(events), volume, dict(names or {})
    )


class Simulator:
    """One compiled RoadRunner instance of a model, reused for every run of the process.

    Overrides are set as initial values (``init(x)``) on the compiled model, then everything
    is reset to them, so initial assignments that depend on an override are evaluated again;
    values overridden in an earlier run are put back first. (``RoadRunner.setValue`` on an
    ``init(x)`` would also delete x's initial assignment and cost a model rebuild, ~0.1 s;
    the compiled model's own ``setValue`` does neither.)

    Parameters
    ----------
    compiled
        The model to run.
    """

    def __init__(self, compiled: CompiledModel) -> None:
        self.compiled = compiled
        try:
            self.runner = new_runner(compiled.sbml)
        except RuntimeError as err:
            raise SimulationError(
                compiled.model_id, f"RoadRunner could not load the model: {err}"
            ) from err
        for name, value in INTEGRATOR_SETTINGS.items():
            self.runner.integrator.setValue(name, value)
        self.columns = _output_columns(self.runner)
        self.floating = frozenset(self.runner.model.getFloatingSpeciesIds())
        self.states = frozenset(_state_ids(self.runner))
        self._applied: dict[str, float] = {}

    def _selector(self, sid: str) -> str:
        quantity = self.compiled.quantities[sid]
        if quantity.kind == "species" and quantity.measure == "concentration":
            return f"init([{sid}])"
        return f"init({sid})"

    def reset(self, overrides: Mapping[str, float]) -> None:
        """Put the model at t = 0 with these overrides (and no other) applied.

        Raises
        ------
        ModelDefinitionError
            If the initial state is impossible (see :func:`load`).
        """
        for sid in {*self._applied, *overrides}:
            value = overrides.get(sid, self.compiled.quantities[sid].value)
            self.runner.model.setValue(self._selector(sid), float(value))
        self._applied = dict(overrides)
        self.runner.resetAll()
        _check_initial_state(self.runner, self.compiled.model_id, self.compiled.sbml)

    def set_state(self, values: Mapping[str, float]) -> None:
        """Set every state variable (amounts, rate-ruled volumes) that ``values`` holds, at t = 0.

        Amounts of species that no reaction moves (trapped impermeants, which an event may
        have changed) are set too.
        """
        self.runner.model.setTime(0.0)
        for sid in (*self.states, *self.floating):
            if sid in values:
                self.runner.setValue(sid, float(values[sid]))

    def run(
        self,
        overrides: Mapping[str, float],
        end: float,
        points: int,
        *,
        start: Mapping[str, float] | None = None,
    ) -> Trajectory:
        """Simulate from t = 0 to ``end`` (s) with ``points`` output points, t = 0 included.

        Parameters
        ----------
        overrides
            Checked values of settable quantities (model ids).
        end, points
            The output grid.
        start
            State values to start from (e.g. a steady state's values) instead of the model's
            initial state.

        Raises
        ------
        SimulationError
            If the integrator fails or the solution becomes non-finite.
        """
        self.reset(overrides)
        if start is not None:
            self.set_state(start)
        compiled = self.compiled
        return run_time_course(
            self.runner,
            compiled.model_id,
            end,
            points,
            units=compiled.units,
            events=compiled.events,
            columns=self.columns,
            volume=volume_id(compiled.ode),
            names={sid: q.name for sid, q in compiled.quantities.items() if q.name},
        )

    def advance(self, end: float) -> dict[str, float]:
        """Integrate from the current time to ``end`` (s); return every value there.

        Species are given as amounts by id and as concentrations as ``[S]``; parameters and
        volumes by id.

        Raises
        ------
        SimulationError
            If the integrator fails.
        """
        start = _snapshot(self.runner)
        try:
            self.runner.simulate(start[0], end, 2)
        except RuntimeError as err:
            raise _integrator_failure(self.runner, self.compiled.model_id, err, start) from err
        model = self.runner.model
        species = [*model.getFloatingSpeciesIds(), *model.getBoundarySpeciesIds()]
        ids = [*self.states, *species, *model.getGlobalParameterIds(), *model.getCompartmentIds()]
        values = {sid: float(self.runner[sid]) for sid in dict.fromkeys(ids)}
        values.update({f"[{sid}]": float(self.runner[f"[{sid}]"]) for sid in species})
        return values


@functools.lru_cache(maxsize=16)
def simulator_for(compiled: CompiledModel) -> Simulator:
    """Return the process's simulator of a compiled model (compiled by RoadRunner once)."""
    return Simulator(compiled)
