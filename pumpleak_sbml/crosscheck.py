# SPDX-License-Identifier: MIT
"""Proof of interchange: run the exported SBML in other simulators and compare the results.

:func:`crosscheck` simulates a model from its initial state with RoadRunner (the reference),
with COPASI (through ``copasi-basico``, the optional extra ``[crosscheck]``) on the same SBML
file, and with RoadRunner on the SBML Level 2 Version 4 export. For every compared quantity
(the volume, Vm and every concentration, or every mV output for a model without Vm) it
reports the largest difference over the time course relative to that quantity's largest
magnitude::

    report = crosscheck("pump_leak", end=1e4)
    print(report.format())
    assert report.ok  # every difference <= report.tolerance

Both integrators run with tolerances far tighter (rel 1e-12) than the comparison (1e-6).
"""

from __future__ import annotations

import math
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .built_model import BuiltModel, Model, resolve
from .errors import ModelDefinitionError, PumpLeakError, SimulationError
from .formats import sbml_l2v4
from .simulation import load, run_time_course
from .trajectory import Trajectory

__all__ = ["Comparison", "CrosscheckReport", "crosscheck"]

DEFAULT_TOLERANCE = 1e-6
"""Largest accepted difference, relative to each quantity's largest magnitude."""

_COPASI_SETTINGS = {
    "Relative Tolerance": 1e-12,
    "Absolute Tolerance": 1e-16,
    "Max Internal Steps": 10_000_000,
}


@dataclass(frozen=True)
class Comparison:
    """The largest relative difference of one quantity between a simulator and the reference."""

    simulator: str
    quantity: str
    difference: float


@dataclass(frozen=True)
class CrosscheckReport:
    """Every comparison of one model, and the tolerance they are judged by."""

    model: str
    end: float
    tolerance: float
    comparisons: tuple[Comparison, ...]

    @property
    def ok(self) -> bool:
        """True when every difference is within the tolerance."""
        return all(c.difference <= self.tolerance for c in self.comparisons)

    def format(self) -> str:
        """Return a table: simulator, quantity, largest relative difference, verdict."""
        lines = [
            f"crosscheck of {self.model}, 0-{self.end:g} s, against RoadRunner (SBML L3V2);"
            f" tolerance {self.tolerance:g} relative to each quantity's largest magnitude"
        ]
        for c in self.comparisons:
            verdict = "ok" if c.difference <= self.tolerance else "FAIL"
            lines.append(f"  {c.simulator:<22} {c.quantity:<14} {c.difference:10.2e}  {verdict}")
        lines.append("all within tolerance" if self.ok else "some differences exceed the tolerance")
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
    for setting, value in (("relative_tolerance", 1e-12), ("absolute_tolerance", 1e-16)):
        runner.integrator.setValue(setting, value)
    return run_time_course(
        runner, name, end, points, units=built.compiled.units, volume=volume_id(built.compiled.ode)
    )


def _copasi(
    sbml: str, name: str, end: float, points: int, quantities: list[str]
) -> dict[str, np.ndarray]:
    try:
        import basico
    except ImportError as err:
        raise PumpLeakError(
            "the COPASI cross-check needs copasi-basico: pip install 'pumpleak_sbml[crosscheck]'"
        ) from err
    handle, path = tempfile.mkstemp(suffix=".xml")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(sbml)
        model = basico.load_model(path)
    finally:
        Path(path).unlink(missing_ok=True)
    if model is None:
        raise SimulationError(name, "COPASI could not load the exported SBML")
    try:
        basico.set_task_settings(basico.T.TIME_COURSE, {"method": _COPASI_SETTINGS}, model=model)
        result = basico.run_time_course(
            start_time=0.0, duration=end, intervals=points - 1, model=model, use_sbml_id=True
        )
    finally:
        basico.remove_datamodel(model)
    if result is None or len(result) != points:
        raise SimulationError(name, "COPASI's time course failed")
    missing = [q for q in quantities if q not in result.columns]
    if missing:
        raise SimulationError(name, f"COPASI's results lack {', '.join(missing)}")
    return {q: np.asarray(result[q], dtype=float) for q in quantities}


def crosscheck(
    model: Model,
    end: float = 1e4,
    points: int = 101,
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    copasi: bool = True,
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
        Include COPASI (needs the ``[crosscheck]`` extra).
    **overrides
        As for :func:`pumpleak_sbml.to_sbml`.

    Returns
    -------
    CrosscheckReport
        ``report.ok`` says whether every difference is within ``tolerance``.

    Raises
    ------
    PumpLeakError
        If COPASI is asked for but copasi-basico is not installed.
    SimulationError
        If a simulator fails.
    """
    if not (isinstance(tolerance, int | float) and math.isfinite(tolerance) and tolerance >= 0):
        raise ModelDefinitionError(f"the tolerance must be a finite number >= 0, got {tolerance!r}")
    built = resolve(model, **overrides)
    sbml = built.sbml
    name = built.compiled.model_id
    reference = _roadrunner(sbml, built, end, points)
    quantities = _quantities(reference)
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
