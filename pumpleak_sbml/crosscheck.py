# SPDX-License-Identifier: MIT
"""Proof of interchange: run the exported model in other simulators and compare the results.

:func:`crosscheck` simulates a model from its initial state with RoadRunner (the reference,
SBML Level 3 Version 2) and compares every compared quantity (the volume, Vm and every
concentration, or every mV output for a model without Vm) with other tools: the largest
difference over the time course relative to that quantity's largest magnitude::

    report = crosscheck("pump_leak", end=1e4)
    print(report.format())
    assert report.ok  # every difference <= report.tolerance

By default the other tools are COPASI (through ``copasi-basico``, the optional extra
``[crosscheck]``) on the same SBML file and RoadRunner on the SBML Level 2 Version 4 export.
``tools=`` asks for the framework matrix instead, any of :data:`TOOLS`::

    report = crosscheck("pump_leak", tools=TOOLS)   # RoadRunner L2V4, COPASI, Myokit, AMICI,
    print(report.format())                          # SciPy, JAX: what is installed runs

Each row then also says whether the tool ran the model's events (Myokit, SciPy and JAX have
none: scenario models are compared up to their first event), how far the tool's own
steady state is from ours (reported, not judged: see the README for each tool's settings),
and the integrator settings. Tools that are not installed are listed as skipped, with the
extra to install; a tool that is installed but fails makes the check fail.

Integrators run with tolerances far tighter (rel 1e-12; diffrax 1e-10) than the comparison
(1e-6): the charge-difference Vm is a difference of ion amounts about 1e5 times larger than
the net charge, so every tool needs a tight relative tolerance to resolve it.
"""

from __future__ import annotations

import logging
import math
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .built_model import BuiltModel, Model, resolve
from .errors import ModelDefinitionError, PumpLeakError, SimulationError
from .formats import sbml_l2v4
from .limits import check_time_grid
from .simulation import load, run_time_course
from .trajectory import Trajectory

__all__ = ["TOOLS", "Comparison", "CrosscheckReport", "ToolResult", "crosscheck"]

DEFAULT_TOLERANCE = 1e-6
"""Largest accepted difference, relative to each quantity's largest magnitude."""

TOOLS = ("roadrunner", "copasi", "myokit", "amici", "scipy", "jax")
"""The tools :func:`crosscheck` can compare with the reference (``tools=``)."""

_RELATIVE = 1e-12
_ABSOLUTE = 1e-16
# diffrax's implicit solvers stop converging their Newton iterations below ~1e-10 here
# (Kvaerno5 hits a million steps at rtol 1e-12; measured), so JAX runs at 1e-10/1e-14.
_JAX_RELATIVE = 1e-10
_JAX_ABSOLUTE = 1e-14

_COPASI_SETTINGS = {
    "Relative Tolerance": _RELATIVE,
    "Absolute Tolerance": _ABSOLUTE,
    "Max Internal Steps": 10_000_000,
}
# COPASI's default steady-state criterion ("Distance and Rate", resolution 1e-9) finds no
# steady state of any library cell, whatever the Vm formulation: its least-squares distance
# test cannot resolve a volume in pL beside particle numbers (README, issue 8); the rate
# criterion finds them to ~1e-9.
_COPASI_STEADY = {"Target Criterion": "Rate"}


@dataclass(frozen=True)
class Comparison:
    """The largest relative difference of one quantity between a simulator and the reference."""

    simulator: str
    quantity: str
    difference: float


@dataclass(frozen=True)
class ToolResult:
    """One row of the framework matrix: how one tool did on one model.

    Attributes
    ----------
    tool
        The key in :data:`TOOLS`.
    label
        The tool, its version and what it was given (``Myokit 1.39.2 (CellML 2.0)``).
    status
        ``ok``, ``FAIL`` (a difference above the tolerance), ``error`` (the tool failed on
        the model) or ``skipped`` (not installed here).
    detail
        Why a tool was skipped or failed.
    settings
        The integrator and tolerances the tool ran with (and its steady-state settings).
    events
        ``run``, ``none`` (the model has none) or ``not run: t < … s`` (the tool runs no
        events, so only the times before the first event are compared).
    quantity, difference
        The quantity with the largest difference and that difference (NaN if not run).
    steady
        The tool's own steady state against ours: the largest relative difference, ``agrees:
        none`` (neither finds one), ``false steady state``, ``none found`` or ``n/a``.
    """

    tool: str
    label: str
    status: str
    detail: str = ""
    settings: str = ""
    events: str = ""
    quantity: str = ""
    difference: float = math.nan
    steady: str = "n/a"


@dataclass(frozen=True)
class CrosscheckReport:
    """Every comparison of one model, and the tolerance they are judged by."""

    model: str
    end: float
    tolerance: float
    comparisons: tuple[Comparison, ...]
    tools: tuple[ToolResult, ...] = ()
    reference: str = ""

    @property
    def ok(self) -> bool:
        """True when every difference is within the tolerance and no installed tool failed."""
        return all(c.difference <= self.tolerance for c in self.comparisons) and not any(
            t.status == "error" for t in self.tools
        )

    def format(self) -> str:
        """Return a table: one line per comparison (or per tool), then the verdict."""
        if self.tools:
            return self._matrix()
        lines = [
            f"crosscheck of {self.model}, 0-{self.end:g} s, against RoadRunner (SBML L3V2);"
            f" tolerance {self.tolerance:g} relative to each quantity's largest magnitude"
        ]
        for c in self.comparisons:
            verdict = "ok" if c.difference <= self.tolerance else "FAIL"
            lines.append(f"  {c.simulator:<22} {c.quantity:<14} {c.difference:10.2e}  {verdict}")
        lines.append(self._verdict())
        return "\n".join(lines)

    def _verdict(self) -> str:
        if self.ok:
            return "all within tolerance"
        if any(t.status == "error" for t in self.tools):
            return "some tools failed or differences exceed the tolerance"
        return "some differences exceed the tolerance"

    def _matrix(self) -> str:
        lines = [
            f"crosscheck of {self.model}, 0-{self.end:g} s, against {self.reference}",
            f"time course: largest difference relative to each quantity's largest magnitude"
            f" (tolerance {self.tolerance:g}); steady state: largest relative difference from"
            " pumpleak_sbml's (reported, not judged)",
            f"  {'tool':<44} {'time course':<22} {'events':<24} {'steady state':<18} settings",
        ]
        for t in self.tools:
            if t.status == "skipped":
                lines.append(f"  {t.label:<44} skipped: {t.detail}")
                continue
            if t.status == "error":
                lines.append(f"  {t.label:<44} error: {t.detail}")
                continue
            course = f"{t.difference:.1e} {t.quantity:<10} {t.status}"
            lines.append(f"  {t.label:<44} {course:<22} {t.events:<24} {t.steady:<18} {t.settings}")
        lines.append(self._verdict())
        return "\n".join(lines)


def _quantities(trajectory: Trajectory) -> list[str]:
    volumes = [trajectory.volume] if trajectory.volume in trajectory.columns else []
    concentrations = [c for c in trajectory.columns if c.startswith("conc_")]
    if "Vm" in trajectory.columns:
        potentials = ["Vm"]
    else:
        potentials = [
            c for c in trajectory.columns if trajectory.units.get(c) == "mV" and c != "RT_F"
        ]
        potentials += [c for c in ("pH_i",) if c in trajectory.columns]
    return [*volumes, *potentials, *concentrations]


def _difference(found: np.ndarray, reference: np.ndarray) -> float:
    scale = float(np.max(np.abs(reference)))
    if scale == 0:
        return float(np.max(np.abs(found)))
    return float(np.max(np.abs(found - reference)) / scale)


def _roadrunner(sbml: str, built: BuiltModel, end: float, points: int) -> Trajectory:
    from .identifiers import volume_id

    name = built.compiled.model_id
    runner = load(sbml, name)
    for setting, value in (("relative_tolerance", _RELATIVE), ("absolute_tolerance", _ABSOLUTE)):
        runner.integrator.setValue(setting, value)
    return run_time_course(
        runner, name, end, points, units=built.compiled.units, volume=volume_id(built.compiled.ode)
    )


def _basico() -> object:
    try:
        import basico
    except ImportError as err:
        raise PumpLeakError(
            "the COPASI cross-check needs copasi-basico: pip install 'pumpleak_sbml[crosscheck]'"
        ) from err
    return basico


def _copasi_model(sbml: str, name: str) -> object:
    basico = _basico()
    handle, path = tempfile.mkstemp(suffix=".xml")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(sbml)
        model = basico.load_model(path)  # type: ignore[attr-defined]
    finally:
        Path(path).unlink(missing_ok=True)
    if model is None:
        raise SimulationError(name, "COPASI could not load the exported SBML")
    return model


def _copasi(
    sbml: str, name: str, end: float, points: int, quantities: list[str]
) -> dict[str, np.ndarray]:
    basico = _basico()
    model = _copasi_model(sbml, name)
    try:
        basico.set_task_settings(  # type: ignore[attr-defined]
            basico.T.TIME_COURSE,  # type: ignore[attr-defined]
            {"method": _COPASI_SETTINGS},
            model=model,
        )
        result = basico.run_time_course(  # type: ignore[attr-defined]
            start_time=0.0, duration=end, intervals=points - 1, model=model, use_sbml_id=True
        )
    finally:
        basico.remove_datamodel(model)  # type: ignore[attr-defined]
    if result is None or len(result) != points:
        raise SimulationError(name, "COPASI's time course failed")
    missing = [q for q in quantities if q not in result.columns]
    if missing:
        raise SimulationError(name, f"COPASI's results lack {', '.join(missing)}")
    return {q: np.asarray(result[q], dtype=float) for q in quantities}


def _copasi_steady(sbml: str, name: str, quantities: list[str]) -> dict[str, float] | None:
    """COPASI's steady state (rate criterion) of the event-free model, or None if none found."""
    basico = _basico()
    model = _copasi_model(sbml, name)
    try:
        basico.set_task_settings(  # type: ignore[attr-defined]
            basico.T.STEADY_STATE,  # type: ignore[attr-defined]
            {"method": _COPASI_STEADY},
            model=model,
        )
        # basico logs COPASI's "No steady state was found" as an error; the row says it.
        quiet = logging.getLogger("basico.task_steadystate")
        disabled, quiet.disabled = quiet.disabled, True
        try:
            status = basico.run_steadystate(model=model)  # type: ignore[attr-defined]
        finally:
            quiet.disabled = disabled
        if status not in (1, 2):  # 1: found, 2: found with an equilibrium (COPASI's codes)
            return None
        values: dict[str, float] = {}
        for table, column in (
            (basico.get_parameters(model=model), "value"),  # type: ignore[attr-defined]
            (basico.get_compartments(model=model), "size"),  # type: ignore[attr-defined]
        ):
            if table is None:
                continue
            for sid, value in zip(table["sbml_id"], table[column], strict=True):
                if sid in quantities:
                    values[str(sid)] = float(value)
    finally:
        basico.remove_datamodel(model)  # type: ignore[attr-defined]
    return values if set(values) == set(quantities) else None


def _roadrunner_steady(sbml: str, name: str, quantities: list[str]) -> dict[str, float] | None:
    """RoadRunner's own steadyState() (NLEQ2, its defaults) of the event-free model."""
    runner = load(sbml, name)
    try:
        runner.steadyState()
    except RuntimeError:
        return None
    values = {q: float(runner[q]) for q in quantities}
    return values if all(math.isfinite(v) for v in values.values()) else None


# --- the framework matrix ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Reference:
    built: BuiltModel
    trajectory: Trajectory
    quantities: list[str]
    first_event: float | None
    steady: dict[str, float] | None

    def before_events(self) -> np.ndarray:
        """Return the indices of the output times before the first event (all without events)."""
        times = self.trajectory["time"]
        if self.first_event is None:
            return np.arange(len(times))
        return np.flatnonzero(times < self.first_event)

    def events(self, ran: bool) -> str:
        if self.first_event is None:
            return "none"
        if ran:
            return "run"
        return f"not run: t < {self.first_event:g} s"

    def steady_text(self, found: dict[str, float] | None) -> str:
        if self.steady is None:
            return "agrees: none" if found is None else "false steady state"
        if found is None:
            return "none found"
        worst = max(
            abs(found[q] - v) / abs(v) if v else abs(found[q]) for q, v in self.steady.items()
        )
        return f"{worst:.1e}"


def _our_steady(built: BuiltModel, quantities: list[str]) -> dict[str, float] | None:
    from .api import steady_state
    from .errors import SteadyStateNotFoundError

    try:
        state = steady_state(built)
    except SteadyStateNotFoundError:
        return None
    return {q: float(state[q]) for q in quantities}


def _tool_label(tool: str) -> str:
    from .frameworks import tool_version

    return {
        "roadrunner": f"RoadRunner {tool_version('libroadrunner')} (SBML L2V4)",
        "copasi": f"COPASI {tool_version('python-copasi')} (SBML)",
        "myokit": f"Myokit {tool_version('myokit')} (SBML, expanded)",
        "myokit-cellml": f"Myokit {tool_version('myokit')} (CellML 2.0)",
        "amici": f"AMICI {tool_version('amici')} (SBML, expanded)",
        "scipy": f"SciPy {tool_version('scipy')} (pl.ode, BDF)",
        "jax": f"JAX {tool_version('jax')} (pl.ode, diffrax)",
    }[tool]


def _row(
    reference: _Reference,
    key: str,
    values: dict[str, np.ndarray],
    indices: np.ndarray,
    tolerance: float,
    **fields: str,
) -> tuple[ToolResult, list[Comparison]]:
    label = _tool_label(key)
    comparisons = [
        Comparison(label, q, _difference(values[q], reference.trajectory[q][indices]))
        for q in reference.quantities
    ]
    worst = max(
        comparisons, key=lambda c: c.difference if math.isfinite(c.difference) else math.inf
    )
    status = "ok" if worst.difference <= tolerance else "FAIL"
    tool = key.partition("-")[0]
    result = ToolResult(
        tool, label, status, quantity=worst.quantity, difference=worst.difference, **fields
    )
    return result, comparisons


def _run_tool(
    key: str, reference: _Reference, end: float, points: int, tolerance: float
) -> tuple[ToolResult, list[Comparison]]:
    from . import frameworks
    from .sbml_document import without_events

    built, quantities = reference.built, reference.quantities
    times = reference.trajectory["time"]
    before = reference.before_events()
    tight = f"rtol {_RELATIVE:g} atol {_ABSOLUTE:g}"
    if key == "roadrunner":
        level2 = _roadrunner(
            sbml_l2v4.to_l2v4(built.sbml, built.compiled.model_id), built, end, points
        )
        steady = _roadrunner_steady(without_events(built.sbml), built.name, quantities)
        return _row(
            reference,
            key,
            {q: level2[q] for q in quantities},
            np.arange(len(times)),
            tolerance,
            settings=f"CVODE {tight}; steadyState NLEQ2 defaults",
            events=reference.events(True),
            steady=reference.steady_text(steady),
        )
    if key == "copasi":
        values = _copasi(built.sbml, built.compiled.model_id, end, points, quantities)
        steady = _copasi_steady(without_events(built.sbml), built.name, quantities)
        return _row(
            reference,
            key,
            values,
            np.arange(len(times)),
            tolerance,
            settings=f"LSODA {tight}; steady state: Target Criterion = Rate",
            events=reference.events(True),
            steady=reference.steady_text(steady),
        )
    if key == "amici":
        run = frameworks.run_amici(
            built,
            times,
            quantities,
            rtol=_RELATIVE,
            atol=_ABSOLUTE,
            steady=reference.first_event is None,
        )
        steady_text = reference.steady_text(run.steady) if run.steady_solved else "n/a (events)"
        return _row(
            reference,
            key,
            run.values,
            np.arange(len(times)),
            tolerance,
            settings=f"{run.settings}; steady state at the same tolerances",
            events=reference.events(True),
            steady=steady_text,
        )
    runners: dict[str, Callable[..., frameworks.ToolRun]] = {
        "myokit": frameworks.run_myokit,
        "myokit-cellml": lambda *a, **k: frameworks.run_myokit(*a, cellml=True, **k),
        "scipy": frameworks.run_scipy,
        "jax": frameworks.run_jax,
    }
    relative, absolute = (_JAX_RELATIVE, _JAX_ABSOLUTE) if key == "jax" else (_RELATIVE, _ABSOLUTE)
    run = runners[key](built, times[before], quantities, rtol=relative, atol=absolute)
    return _row(
        reference,
        key,
        run.values,
        before,
        tolerance,
        settings=run.settings,
        events=reference.events(False),
        steady="n/a",
    )


def _matrix(
    built: BuiltModel,
    *,
    reference: Trajectory,
    quantities: list[str],
    tools: Sequence[str],
    end: float,
    points: int,
    tolerance: float,
) -> tuple[list[ToolResult], list[Comparison]]:
    from .frameworks import ToolUnavailableError

    first_event = min((t for t, _ in built.compiled.events), default=None)
    if built.compiled.has_events and first_event is None:
        first_event = 0.0  # events not triggered at a fixed time: compare only t = 0
    context = _Reference(built, reference, quantities, first_event, _our_steady(built, quantities))
    keys = [k for tool in tools for k in ((tool, "myokit-cellml") if tool == "myokit" else (tool,))]
    results: list[ToolResult] = []
    comparisons: list[Comparison] = []
    for key in keys:
        try:
            result, compared = _run_tool(key, context, end, points, tolerance)
        except ToolUnavailableError as err:
            results.append(ToolResult(key.partition("-")[0], _tool_label(key), "skipped", str(err)))
            continue
        except PumpLeakError as err:
            if key == "copasi" and "copasi-basico" in str(err):
                results.append(ToolResult(key, _tool_label(key), "skipped", str(err)))
            else:
                results.append(
                    ToolResult(key.partition("-")[0], _tool_label(key), "error", str(err))
                )
            continue
        results.append(result)
        comparisons += compared
    return results, comparisons


def _check_tools(tools: Sequence[str]) -> list[str]:
    if isinstance(tools, str):
        tools = [t.strip() for t in tools.split(",") if t.strip()]
    unknown = [t for t in tools if t not in TOOLS]
    if unknown or not tools:
        raise ModelDefinitionError(
            f"unknown tool {', '.join(map(repr, unknown)) or '(none given)'}; tools: "
            + ", ".join(TOOLS)
        )
    return list(dict.fromkeys(tools))


def crosscheck(
    model: Model,
    end: float = 1e4,
    points: int = 101,
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    copasi: bool = True,
    tools: Sequence[str] | None = None,
    **overrides: float,
) -> CrosscheckReport:
    """Compare a model's time course across simulators and SBML levels.

    Parameters
    ----------
    model
        A library name, a spec file (Path) or a spec dict.
    end
        End time in s.
    points
        Output points, t = 0 included.
    tolerance
        Largest accepted difference relative to each quantity's largest magnitude.
    copasi
        Include COPASI (needs the ``[crosscheck]`` extra); without ``tools`` only.
    tools
        The framework matrix: any of :data:`TOOLS` (a sequence, or one comma-separated
        string). Tools that are not installed are reported as skipped. ``None`` (default)
        compares RoadRunner's SBML L2V4 run and, with ``copasi``, COPASI.
    **overrides
        As for :func:`pumpleak_sbml.to_sbml`.

    Returns
    -------
    CrosscheckReport
        ``report.ok`` says whether every difference is within ``tolerance``.

    Raises
    ------
    ModelDefinitionError
        If the tolerance is not a number >= 0 or a tool is unknown.
    PumpLeakError
        If COPASI is asked for (without ``tools``) but copasi-basico is not installed.
    SimulationError
        If the reference simulation fails (without ``tools``: any simulator).
    """
    if not (isinstance(tolerance, int | float) and math.isfinite(tolerance) and tolerance >= 0):
        raise ModelDefinitionError(f"the tolerance must be a finite number >= 0, got {tolerance!r}")
    chosen = _check_tools(tools) if tools is not None else None
    end, points = check_time_grid(end, points)
    built = resolve(model, **overrides)
    sbml = built.sbml
    name = built.compiled.model_id
    reference = _roadrunner(sbml, built, end, points)
    quantities = _quantities(reference)
    if chosen is not None:
        from .frameworks import tool_version

        rows, compared = _matrix(
            built,
            reference=reference,
            quantities=quantities,
            tools=chosen,
            end=end,
            points=points,
            tolerance=tolerance,
        )
        label = (
            f"RoadRunner {tool_version('libroadrunner')} (SBML L3V2, CVODE rtol {_RELATIVE:g}"
            f" atol {_ABSOLUTE:g})"
        )
        return CrosscheckReport(name, end, tolerance, tuple(compared), tuple(rows), label)
    comparisons = []
    level2 = _roadrunner(sbml_l2v4.to_l2v4(sbml, name), built, end, points)
    comparisons += [
        Comparison("RoadRunner (SBML L2V4)", q, _difference(level2[q], reference[q]))
        for q in quantities
    ]
    if copasi:
        results = _copasi(sbml, name, end, points, quantities)
        comparisons += [
            Comparison("COPASI", q, _difference(results[q], reference[q])) for q in quantities
        ]
    return CrosscheckReport(name, end, tolerance, tuple(comparisons))
