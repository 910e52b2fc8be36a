# SPDX-License-Identifier: MIT
"""Run a model in other ODE frameworks: Myokit, AMICI, SciPy and JAX (for the cross-check).

Each ``run_<tool>`` function simulates a resolved model (overrides applied) at the given
output times and returns the values of the requested quantities (volumes, Vm,
concentrations) as a :class:`ToolRun`. Every tool is an optional dependency, imported inside
its function; a missing one raises :class:`ToolUnavailableError`, which names the extra to
install. :mod:`pumpleak_sbml.crosscheck` compares the runs with RoadRunner::

    run = run_myokit(built, times, ["Vm", "cell"], rtol=1e-12, atol=1e-16)
    run.values["Vm"]            # mV, at ``times``

What each tool is given, and why (measured on every library model, issue 11):

- **Myokit** (SBML): the SBML with initial assignments evaluated (``sbml-expanded``, see
  :mod:`pumpleak_sbml.portable`); Myokit's SBML import reads them otherwise. Myokit
  ignores SBML events, so scenario models are compared up to their first event.
- **Myokit** (CellML): our CellML 2.0 export, through Myokit's CellML importer.
- **AMICI**: the expanded SBML too (AMICI 1.0 cannot import an initial assignment that uses
  a rate-ruled compartment). AMICI runs events. Models are compiled to C++ once per SBML
  text (about 30 s) and kept in the cache folder (:mod:`pumpleak_sbml.cache`).
- **SciPy** and **JAX**: :func:`pumpleak_sbml.ode` (``solve_ivp`` BDF with the exact
  Jacobian; ``diffrax`` Kvaerno4), the event-free system.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import shutil
import sys
import tempfile
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from . import cache
from .built_model import BuiltModel
from .errors import PumpLeakError, SimulationError

__all__ = [
    "ToolRun",
    "ToolUnavailableError",
    "run_amici",
    "run_jax",
    "run_myokit",
    "run_scipy",
    "tool_version",
]


class ToolUnavailableError(PumpLeakError):
    """A framework is not installed (or cannot build models here); the message says why."""


@dataclass(frozen=True)
class ToolRun:
    """A tool's time course of some quantities, and how it was computed.

    Attributes
    ----------
    values
        Quantity id to its values at the output times.
    settings
        The integrator and its tolerances, as the tool was told.
    events
        True if the tool ran the model's events.
    steady_solved
        True if the tool was asked for its own steady state.
    steady
        That steady state (quantity id to value), or ``None`` if the tool found none.
    """

    values: dict[str, np.ndarray]
    settings: str
    events: bool
    steady_solved: bool = False
    steady: dict[str, float] | None = None


def tool_version(distribution: str) -> str:
    """Return the installed version of a distribution, or ``"?"``."""
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "?"


@contextlib.contextmanager
def _sbml_file(text: str, suffix: str = ".xml") -> Iterator[Path]:
    """Write text to a temporary file for tools that read only files; remove it afterwards."""
    handle, name = tempfile.mkstemp(suffix=suffix)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        yield Path(name)
    finally:
        Path(name).unlink(missing_ok=True)


@contextlib.contextmanager
def _logging_kept() -> Iterator[None]:
    """Undo what a C build does to the root logger while compiling.

    Myokit and AMICI compile with setuptools, whose ``logging.configure()`` calls
    ``logging.basicConfig`` with handlers on the streams of the moment (which Myokit has
    redirected, and then closes) and sets the root level to DEBUG: afterwards every library's
    INFO message (JAX logs one on start) ends in "--- Logging error ---".
    """
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        yield
    finally:
        added = [handler for handler in root.handlers if handler not in handlers]
        root.handlers[:] = handlers
        root.setLevel(level)
        for handler in added:
            # Their streams are the build's redirected copies of stdout and stderr, which
            # nothing closes otherwise (a ResourceWarning when they are collected).
            stream = getattr(handler, "stream", None)
            if stream is not None and stream not in (sys.stdout, sys.stderr):
                with contextlib.suppress(OSError, ValueError):
                    stream.close()
            handler.close()


# --- Myokit --------------------------------------------------------------------------------------


def _myokit_model(text: str, kind: str, name: str) -> Any:
    try:
        import myokit
        import myokit.formats
    except ImportError as err:
        raise ToolUnavailableError(
            "Myokit is not installed: pip install 'pumpleak_sbml[myokit]'"
        ) from err
    # Myokit warns about SBML features it maps its own way (events, units); the comparison
    # with RoadRunner is the judge of what it made of the model.
    with (
        _sbml_file(text, ".cellml" if kind == "cellml" else ".xml") as path,
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore")
        try:
            return myokit.formats.importer(kind).model(str(path))
        except myokit.MyokitError as err:
            raise SimulationError(name, f"Myokit could not import the {kind}: {err}") from err


def _myokit_variable(model: Any, quantity: str) -> Any:
    """Find a quantity in a Myokit model: by name, a species' concentration, or a size."""
    by_name = {variable.name(): variable for variable in model.variables(deep=True)}
    for candidate in (quantity, f"{quantity}_concentration"):
        if candidate in by_name:
            return by_name[candidate]
    if model.has_component(quantity) and model.get(quantity).has_variable("size"):
        return model.get(quantity).get("size")
    raise KeyError(quantity)


def run_myokit(
    built: BuiltModel,
    times: np.ndarray,
    quantities: Sequence[str],
    *,
    rtol: float,
    atol: float,
    cellml: bool = False,
) -> ToolRun:
    """Simulate with Myokit's CVODE simulation, from our SBML or from our CellML export.

    Parameters
    ----------
    built
        The resolved model.
    times
        Output times (s), increasing, starting at 0; Myokit runs no events, so pass times
        before the first event of a scenario model.
    quantities
        Ids to return.
    rtol, atol
        CVODE's relative and absolute tolerance.
    cellml
        Import our CellML 2.0 export instead of the (expanded) SBML.

    Raises
    ------
    ToolUnavailableError
        If Myokit is not installed or cannot compile its simulation (no C compiler or no
        SUNDIALS headers).
    SimulationError
        If the import or the simulation fails.
    """
    from .formats import export

    if cellml:
        model = _myokit_model(str(export(built, "cellml")), "cellml", built.name)
    else:
        model = _myokit_model(str(export(built, "sbml-expanded")), "sbml", built.name)
    import myokit

    variables = {q: _myokit_variable(model, q) for q in quantities}
    states = {q: v for q, v in variables.items() if not v.is_constant()}
    try:
        with _logging_kept(), warnings.catch_warnings():
            # Under a non-UTF-8 locale, setuptools re-wraps sys.stdout (dist.py,
            # handle_display_options) while Myokit captures it into a temporary file; Myokit
            # then cannot close that file, and it is collected later with a ResourceWarning.
            # Collect it here, where that warning is expected and ignored.
            warnings.simplefilter("ignore", ResourceWarning)
            simulation = myokit.Simulation(model)
            gc.collect()
    except (myokit.CompilationError, myokit.MyokitError) as err:
        raise ToolUnavailableError(
            "Myokit cannot compile its simulation here (it needs a C compiler and the "
            f"SUNDIALS headers, e.g. apt-get install libsundials-dev): {err}"
        ) from err
    simulation.set_tolerance(abs_tol=atol, rel_tol=rtol)
    end = float(times[-1])
    try:
        log = simulation.run(
            end + max(end, 1.0) * 1e-9, log=[v.qname() for v in states.values()], log_times=times
        )
    except myokit.SimulationError as err:
        raise SimulationError(built.name, f"Myokit's simulation failed: {err}") from err
    values = {
        q: np.asarray(log[v.qname()], dtype=float)
        if q in states
        else np.full(len(times), float(v.eval()))
        for q, v in variables.items()
    }
    return ToolRun(values, f"CVODE rtol {rtol:g} atol {atol:g}", events=False)


# --- AMICI ---------------------------------------------------------------------------------------


def _amici_model(sbml: str, name: str) -> Any:
    """Compile (or load from the cache folder) the AMICI model of an SBML text."""
    try:
        import amici
        import amici.sim.sundials  # a compiled model module needs it loaded (SWIG version check)
        from amici.importers.sbml import SbmlImporter
    except ImportError as err:
        raise ToolUnavailableError(
            "AMICI is not installed: pip install 'pumpleak_sbml[amici]' (it builds from "
            "source: a C++ compiler, BLAS and SWIG are needed)"
        ) from err
    compiler = os.environ.get("CXX") or shutil.which("c++") or shutil.which("g++")
    if not compiler:
        raise ToolUnavailableError("AMICI needs a C++ compiler to build models; none found")
    key = cache.cache_key("amici", amici.__version__, sbml)
    module_name = f"pumpleak_{key.rsplit('-', 1)[-1][:16]}"
    root = cache.cache_directory()
    target = (root / "amici" / module_name) if root is not None else None
    if target is None or not target.is_dir():
        building = Path(tempfile.mkdtemp(prefix="pumpleak-amici-"))
        try:
            with _sbml_file(sbml) as path, warnings.catch_warnings(), _logging_kept():
                warnings.simplefilter("ignore")
                SbmlImporter(str(path)).sbml2amici(
                    module_name,
                    building / module_name,
                    generate_sensitivity_code=False,
                    compute_conservation_laws=False,
                    simplify=None,
                    verbose=False,
                )
        except Exception as err:  # AMICI's importer and build raise many types, bare ones too
            shutil.rmtree(building, ignore_errors=True)
            detail = str(err).splitlines()[0] if str(err) else ""
            raise SimulationError(
                name, f"AMICI could not import or build the model: {type(err).__name__}: {detail}"
            ) from err
        if target is None:
            target = building / module_name
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(OSError):  # another process may have won the race
                (building / module_name).rename(target)
            if not target.is_dir():
                target = building / module_name
    return amici.import_model_module(module_name, target).get_model()


def run_amici(
    built: BuiltModel,
    times: np.ndarray,
    quantities: Sequence[str],
    *,
    rtol: float,
    atol: float,
    steady: bool = False,
) -> ToolRun:
    """Simulate with AMICI (CVODES) from the expanded SBML, events included.

    With ``steady``, also ask AMICI for its steady state (simulation to t = inf with
    steady-state tolerances ``rtol``/``atol``; its defaults, 1e-6/1e-14, stop while the
    volume still drifts).

    Raises
    ------
    ToolUnavailableError
        If AMICI is not installed or cannot build the model.
    SimulationError
        If the simulation fails.
    """
    from .formats import export

    model = _amici_model(str(export(built, "sbml-expanded")), built.name)
    from amici.sim import sundials

    observables = list(model.get_observable_ids())

    def simulate(points: Sequence[float] | np.ndarray, steady_tolerances: bool) -> Any:
        model.set_timepoints(list(points))
        solver = model.create_solver()
        solver.set_relative_tolerance(rtol)
        solver.set_absolute_tolerance(atol)
        solver.set_max_steps(10**7)
        if steady_tolerances:
            solver.set_relative_tolerance_steady_state(rtol)
            solver.set_absolute_tolerance_steady_state(atol)
        result = sundials.run_simulation(model, solver)
        return result

    result = simulate(times, False)
    if result.status != 0:
        raise SimulationError(built.name, f"AMICI's simulation failed (status {result.status})")
    values = {q: np.asarray(result.y[:, observables.index(f"y{q}")]) for q in quantities}
    found: dict[str, float] | None = None
    if steady:
        final = simulate([np.inf], True)
        if final.status == 0:
            found = {q: float(final.y[0, observables.index(f"y{q}")]) for q in quantities}
    return ToolRun(
        values,
        f"CVODES rtol {rtol:g} atol {atol:g}",
        events=True,
        steady_solved=steady,
        steady=found,
    )


# --- SciPy and JAX -------------------------------------------------------------------------------


def _observed(
    quantities: Sequence[str], states: Sequence[str], observables: Sequence[str]
) -> dict[str, tuple[str, int]]:
    where: dict[str, tuple[str, int]] = {}
    for q in quantities:
        if q in states:
            where[q] = ("state", list(states).index(q))
        elif q in observables:
            where[q] = ("rule", list(observables).index(q))
        else:
            raise KeyError(q)
    return where


def run_scipy(
    built: BuiltModel, times: np.ndarray, quantities: Sequence[str], *, rtol: float, atol: float
) -> ToolRun:
    """Integrate :func:`pumpleak_sbml.ode` with ``scipy.integrate.solve_ivp`` (BDF, exact Jacobian).

    Raises
    ------
    ToolUnavailableError
        If SciPy is not installed.
    SimulationError
        If the integration fails.
    """
    try:
        from scipy.integrate import solve_ivp
    except ImportError as err:
        raise ToolUnavailableError("SciPy is not installed: pip install scipy") from err
    from .ode_functions import ode

    system = ode(built)
    solution = solve_ivp(
        system.rhs,
        (0.0, float(times[-1])),
        system.y0,
        method="BDF",
        jac=system.jac,
        t_eval=times,
        rtol=rtol,
        atol=atol,
    )
    if not solution.success:
        raise SimulationError(built.name, f"SciPy's BDF failed: {solution.message}")
    observables = system.functions.compiled.observables
    where = _observed(quantities, system.state_names, observables)
    rows = [
        system.functions.observe(t, y, system.p) for t, y in zip(times, solution.y.T, strict=True)
    ]
    values = {
        q: solution.y[index] if kind == "state" else np.array([row[index] for row in rows])
        for q, (kind, index) in where.items()
    }
    return ToolRun(values, f"BDF rtol {rtol:g} atol {atol:g}", events=False)


def _diffrax_reason(error: Exception) -> str:
    """Return the line of an equinox error that says what went wrong (not the JIT banner)."""
    lines = str(error).splitlines()
    for line in lines:
        if "EquinoxRuntimeError:" in line:
            return line.split("EquinoxRuntimeError:", 1)[1].strip()
    return lines[0] if lines else type(error).__name__


def run_jax(
    built: BuiltModel, times: np.ndarray, quantities: Sequence[str], *, rtol: float, atol: float
) -> ToolRun:
    """Integrate ``pl.ode(model, backend="jax")`` with diffrax (Kvaerno4, PID step control).

    Kvaerno4, not Kvaerno5: at rtol 1e-10 and atol 1e-14 Kvaerno5 exhausts a million steps
    near donnan_rigid's equilibrium (measured), while Kvaerno4 agrees with RoadRunner to 2e-9.

    Raises
    ------
    ToolUnavailableError
        If JAX or diffrax is not installed.
    SimulationError
        If the integration fails.
    """
    try:
        import diffrax
        import jax
    except ImportError as err:
        raise ToolUnavailableError(
            "JAX or diffrax is not installed: pip install 'pumpleak_sbml[jax]'"
        ) from err
    from .ode_functions import ode

    system = ode(built, backend="jax")
    term = diffrax.ODETerm(system.rhs)  # (t, y, args): args are the constants p
    end = float(times[-1])
    try:
        solution = diffrax.diffeqsolve(
            term,
            diffrax.Kvaerno4(),
            0.0,
            end,
            end * 1e-9,
            system.y0,
            args=system.p,
            saveat=diffrax.SaveAt(ts=jax.numpy.asarray(times)),
            stepsize_controller=diffrax.PIDController(rtol=rtol, atol=atol),
            max_steps=1_000_000,
        )
    except Exception as err:  # equinox raises its own runtime error type on a failed solve
        raise SimulationError(built.name, f"diffrax failed: {_diffrax_reason(err)}") from err
    states = np.asarray(solution.ys)
    where = _observed(quantities, system.state_names, system.observable_names)
    observed = np.asarray(jax.vmap(system.observe_vector)(jax.numpy.asarray(times), solution.ys))
    values = {
        q: states[:, index] if kind == "state" else observed[:, index]
        for q, (kind, index) in where.items()
    }
    return ToolRun(values, f"Kvaerno4 rtol {rtol:g} atol {atol:g}", events=False)
