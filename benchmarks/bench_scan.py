# SPDX-License-Identifier: MIT
"""Parameter scans side by side: our scan, tellurium, RoadRunner, COPASI and the closed form.

Steady states on a 2-D grid of pump_leak (``I_pump_max`` x ``g_Na``, 2,000 points by default,
each with a steady state: Keener & Sneyd's a < Cl_o everywhere), in one process, so that the
ratios survive a noisy shared machine:

- ours: ``scan("pump_leak", grid, workers=1)`` and on every core. The marginal cost per
  point excludes start-up: a scan of the grid's first two blocks (100 points) on the same
  workers is timed too, and (full - small) / (N - 100) is the cost of one more point;
- a tellurium loop: ``te.loada(pl.antimony("pump_leak"))`` + ``steadyState()`` per point;
- RoadRunner ``steadyState()`` reusing one instance (``resetAll``, set both values), with its
  defaults and with conserved-moiety analysis switched on for the instance;
- COPASI's steady-state task through basico, reusing one loaded model (defaults, and with
  resolution 1e-6), values read back by ``sbml_id`` (basico names parameters by display name);
- the closed form (Keener & Sneyd, electroneutral), evaluated in Python.

The slow competitors run on an even sample of the grid (``--sample``); every time is the
mean per point of its loop (the model loaded once, before the loop), in wall-clock and in CPU
seconds (this process and its finished worker processes). On a shared machine the CPU
figures are the steadier; the speed-up on N workers is given both as measured (wall clock)
and as N x CPU(1 worker) / CPU(N workers), what N idle cores would give. Each answer (volume,
Vm, [Na+]i, [K+]i, [Cl-]i) is compared with two references, as the largest relative
deviation over the points that have a steady state:

- the closed form, which neglects the membrane's capacitive charge (electroneutrality): it is
  itself off by ~1e-5 relative, so deviations at that level are the closed form's;
- the exact steady state, capacitive charge included: the same equations reduced to one
  equation in Vm and solved to rounding (SciPy's brentq).

The same grid carried past the existence limit shows what points without a steady state
cost us. Then a time-course ensemble: 10^4 points (``mode="timecourse"``, to ``--end`` s)
with our scan against a serial RoadRunner loop on the same SBML with the same tolerances.

Run: ``python benchmarks/bench_scan.py [--sample N] [--tellurium N]``. Record the output in
``benchmarks/RESULTS.md``. No test asserts a time.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

import pumpleak_sbml as pl
from pumpleak_sbml import scan
from pumpleak_sbml.scanning import BLOCK_SIZE, grid
from pumpleak_sbml.simulation import INTEGRATOR_SETTINGS

FARADAY = 96485.33212  # C/mol
GAS_CONSTANT = 8.314462618  # J/(mol K)
RT_F = 1e3 * GAS_CONSTANT * 310.15 / FARADAY  # mV at 37 °C
# pump_leak's media (mM), its cell (models/pump_leak.ant): C_cell = C_m A_m = 1 µF/cm² x
# 314.159 µm² = 3.14159 pF; the impermeant amount is X_i_init x the initial volume.
NA_O, K_O, CL_O = 145.0, 4.0, 149.0
OSMOLARITY_O = NA_O + K_O + CL_O
G_K = 0.041  # mS/cm²
CAPACITANCE = 3.141592654  # pF
IMPERMEANT = 138.0 * 0.5235987756  # fmol
QUANTITIES = ("cell", "Vm", "conc_Na_i", "conc_K_i", "conc_Cl_i")

STEADY_GRID = {"I_pump_max": np.linspace(0.1, 1.9, 50), "g_Na": np.geomspace(0.005, 0.03, 40)}
# The same grid carried past the existence limit (I_pump_max ~1.98 µA/cm² whatever g_Na).
CROSSING_GRID = {"I_pump_max": np.linspace(0.1, 2.5, 50), "g_Na": np.geomspace(0.005, 0.03, 40)}
ENSEMBLE_GRID = {"I_pump_max": np.linspace(0.3, 1.0, 100), "g_Na": np.geomspace(0.008, 0.02, 100)}
SMALL = 2 * BLOCK_SIZE  # the start-up scan: one block per worker on two workers


# --- references ----------------------------------------------------------------------------


def _ions(vm: float, pump: float, g_na: float) -> tuple[float, float, float]:
    """Return [Na+]i, [K+]i, [Cl-]i (mM) balanced at Vm (mV): I_Na = -3 I, I_K = 2 I, I_Cl = 0."""
    sodium = NA_O * math.exp(-(vm + 3 * pump / g_na) / RT_F)
    potassium = K_O * math.exp(-(vm - 2 * pump / G_K) / RT_F)
    chloride = CL_O * math.exp(vm / RT_F)
    return sodium, potassium, chloride


def _state(vm: float, pump: float, g_na: float) -> dict[str, float]:
    sodium, potassium, chloride = _ions(vm, pump, g_na)
    volume = IMPERMEANT / (OSMOLARITY_O - sodium - potassium - chloride)  # osmotic balance
    return {
        "cell": volume,
        "Vm": vm,
        "conc_Na_i": sodium,
        "conc_K_i": potassium,
        "conc_Cl_i": chloride,
    }


def exists(pump: float, g_na: float) -> bool:
    """Tell whether a steady state exists (Keener & Sneyd): a < Cl_o."""
    return sodium_potassium_factor(pump, g_na) < CL_O


def sodium_potassium_factor(pump: float, g_na: float) -> float:
    """Return a = Na_o exp(-3I/(g_Na RT/F)) + K_o exp(2I/(g_K RT/F)) (mM)."""
    return NA_O * math.exp(-3 * pump / (g_na * RT_F)) + K_O * math.exp(2 * pump / (G_K * RT_F))


def closed_form(pump: float, g_na: float) -> dict[str, float]:
    """Keener & Sneyd's electroneutral steady state: [Na+]i + [K+]i = Cl_o (z_X = -1)."""
    return _state(-RT_F * math.log(CL_O / sodium_potassium_factor(pump, g_na)), pump, g_na)


def exact(pump: float, g_na: float) -> dict[str, float]:
    """Return the steady state with the capacitive charge: C_cell Vm / F = net charge (brentq)."""
    from scipy.optimize import brentq  # type: ignore[import-untyped]  # SciPy ships no stubs

    def charge_excess(vm: float) -> float:
        sodium, potassium, chloride = _ions(vm, pump, g_na)
        volume = IMPERMEANT / (OSMOLARITY_O - sodium - potassium - chloride)
        net = volume * (sodium + potassium - chloride) - IMPERMEANT  # fmol, z_X = -1
        return CAPACITANCE * vm / FARADAY - net  # pF mV / (C/mol) = fmol

    guess = closed_form(pump, g_na)["Vm"]
    vm = brentq(charge_excess, guess - 1.0, guess + 1.0, xtol=1e-13, rtol=4 * np.finfo(float).eps)
    return _state(float(vm), pump, g_na)


def deviation(
    points: np.ndarray, answers: Sequence[Mapping[str, float] | None], reference: Callable[..., Any]
) -> tuple[float, str, int]:
    """Return the largest relative deviation from a reference, its quantity, and the failures.

    The deviation is over the points that have a steady state and an answer (NaN if none
    has); the failures are the points that have a steady state but no answer.
    """
    worst, where, failed, answered = 0.0, "", 0, 0
    for (pump, g_na), answer in zip(points, answers, strict=True):
        if not exists(pump, g_na):
            continue
        if answer is None or any(not math.isfinite(answer[q]) for q in QUANTITIES):
            failed += 1
            continue
        answered += 1
        expected = reference(pump, g_na)
        for quantity in QUANTITIES:
            off = abs(answer[quantity] / expected[quantity] - 1.0)
            if off > worst:
                worst, where = off, quantity
    return (worst if answered else math.nan), where, failed


# --- clocks ------------------------------------------------------------------------------------


@dataclass
class Cost:
    """Seconds per point: wall clock, and CPU of this process and its finished workers."""

    wall: float
    cpu: float


class Clock:
    """Wall and CPU time of a block (CPU includes worker processes reaped inside it)."""

    def __enter__(self) -> Clock:
        self._wall, self._cpu = time.perf_counter(), _cpu()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall, self.cpu = time.perf_counter() - self._wall, _cpu() - self._cpu


def _cpu() -> float:
    children = os.times()  # finished workers, to the clock tick (long scans only)
    return time.process_time() + children.children_user + children.children_system


Answer = Mapping[str, float] | None
Solve = Callable[[float, float], Callable[[], Answer] | None]


# --- competitors -----------------------------------------------------------------------------


def ours(points: np.ndarray, workers: int, **mode: Any) -> tuple[Cost, float, Any]:
    """Return the marginal cost per point, the total wall seconds and the table of our scan.

    The marginal cost excludes start-up: (full - small) / (N - small), the small scan being
    the first 100 points on the same number of workers (one block each on two).
    """
    frame = {"I_pump_max": points[:, 0], "g_Na": points[:, 1]}
    small = {name: values[:SMALL] for name, values in frame.items()}
    scan("pump_leak", points=small, workers=1, **mode)  # compile here, fill the disk cache
    with Clock() as startup:
        scan("pump_leak", points=small, workers=workers, **mode)
    with Clock() as full:
        table = scan("pump_leak", points=frame, workers=workers, **mode)
    extra = len(points) - SMALL
    return (
        Cost((full.wall - startup.wall) / extra, (full.cpu - startup.cpu) / extra),
        full.wall,
        table,
    )


def _answers(table: Any) -> list[Answer]:
    return [
        {q: float(row[q]) for q in QUANTITIES} if row["status"] == "ok" else None
        for row in table.to_dict("records")
    ]


def _loop(points: np.ndarray, solve: Solve) -> tuple[Cost, list[Answer]]:
    """Return the mean cost per point of a loop, and its answers (read outside the clock)."""
    walls, cpus, answers = [], [], []
    for pump, g_na in points:
        with Clock() as clock:
            read = solve(float(pump), float(g_na))
        walls.append(clock.wall)
        cpus.append(clock.cpu)
        answers.append(None if read is None else read())
    return Cost(statistics.fmean(walls), statistics.fmean(cpus)), answers


def _reader(runner: Any) -> Callable[[], Answer]:
    return lambda: {q: float(runner[q]) for q in QUANTITIES}


def roadrunner(points: np.ndarray, *, moieties: bool) -> tuple[Cost, list[Answer]]:
    import roadrunner as rr

    rr.Logger.setLevel(rr.Logger.LOG_FATAL)
    runner = rr.RoadRunner(pl.to_sbml("pump_leak"))
    runner.conservedMoietyAnalysis = moieties

    def solve(pump: float, g_na: float) -> Callable[[], Answer] | None:
        runner.resetAll()
        runner["I_pump_max"] = pump
        runner["g_Na"] = g_na
        try:
            runner.steadyState()
        except RuntimeError:
            return None
        return _reader(runner)

    return _loop(points, solve)


def tellurium(points: np.ndarray) -> tuple[Cost, list[Answer]]:
    import roadrunner as rr
    import tellurium as te

    rr.Logger.setLevel(rr.Logger.LOG_FATAL)
    text = pl.antimony("pump_leak")

    def solve(pump: float, g_na: float) -> Callable[[], Answer] | None:
        runner = te.loada(text)
        runner["I_pump_max"] = pump
        runner["g_Na"] = g_na
        try:
            runner.steadyState()
        except RuntimeError:
            return None
        return _reader(runner)

    return _loop(points, solve)


def copasi(points: np.ndarray, resolution: float | None) -> tuple[Cost, list[Answer]]:
    import logging

    import basico

    logging.getLogger("basico").setLevel(logging.CRITICAL)  # a failed point is counted instead
    handle, path = tempfile.mkstemp(suffix=".xml")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        stream.write(pl.to_sbml("pump_leak"))
    model = basico.load_model(path)
    os.unlink(path)
    table = basico.get_parameters(model=model)
    names = {sid: table.index[table["sbml_id"] == sid][0] for sid in ("I_pump_max", "g_Na")}
    if resolution is not None:
        basico.set_task_settings(
            basico.T.STEADY_STATE, {"method": {"Resolution": resolution}}, model=model
        )

    def read() -> Answer:
        values = basico.get_parameters(model=model).set_index("sbml_id")["value"]
        volumes = basico.get_compartments(model=model).set_index("sbml_id")["size"]
        answer = {q: float(values[q]) for q in QUANTITIES if q != "cell"}
        return {"cell": float(volumes["cell"]), **answer}

    def solve(pump: float, g_na: float) -> Callable[[], Answer] | None:
        basico.set_parameters(names["I_pump_max"], initial_value=pump, model=model, exact=True)
        basico.set_parameters(names["g_Na"], initial_value=g_na, model=model, exact=True)
        # update_model=False: updating would make the found volume the next point's initial
        # volume, and the initial assignment X_i = X_i_init * cell would grow X_i point by point.
        status = basico.run_steadystate(model=model, update_model=False, use_initial_values=True)
        return read if status == 1 else None

    try:
        return _loop(points, solve)
    finally:
        basico.remove_datamodel(model)


def closed_form_loop(points: np.ndarray) -> tuple[Cost, list[Answer]]:
    def solve(pump: float, g_na: float) -> Callable[[], Answer] | None:
        if not exists(pump, g_na):
            return None
        answer = closed_form(pump, g_na)
        return lambda: answer

    return _loop(points, solve)


# --- time-course ensemble ----------------------------------------------------------------------


def ensemble(end: float, workers: int) -> list[tuple[str, Cost, float, str]]:
    """Rows (label, cost per point, total s, note) of the 10^4-point time-course ensemble."""
    import roadrunner as rr

    _, points = grid(ENSEMBLE_GRID)
    rows = []
    tables = {}
    for count in sorted({1, workers}):
        cost, total, tables[count] = ours(points, count, mode="timecourse", end=end)
        failed = int((tables[count].status != "ok").sum())
        label = f"ours, scan(mode='timecourse'), {count} worker{'s' * (count > 1)}"
        rows.append((label, cost, total, f"{failed} failed"))
    rr.Logger.setLevel(rr.Logger.LOG_FATAL)
    runner = rr.RoadRunner(pl.to_sbml("pump_leak"))
    for name, value in INTEGRATOR_SETTINGS.items():
        runner.integrator.setValue(name, value)
    ends = np.full((len(points), len(QUANTITIES)), math.nan)
    with Clock() as clock:
        for index, (pump, g_na) in enumerate(points):
            runner.resetAll()
            runner["I_pump_max"] = pump
            runner["g_Na"] = g_na
            try:
                ends[index] = runner.simulate(0.0, end, 2, list(QUANTITIES))[-1]
            except RuntimeError:
                continue
    ours_ends = tables[1][list(QUANTITIES)].to_numpy()
    columns = [i for i, q in enumerate(QUANTITIES) if q != "Vm"]
    relative = np.nanmax(np.abs(ends[:, columns] / ours_ends[:, columns] - 1.0))
    vm = np.nanmax(np.abs(ends[:, QUANTITIES.index("Vm")] - ours_ends[:, QUANTITIES.index("Vm")]))
    failed = int(np.isnan(ends[:, 0]).sum())
    note = f"{failed} failed; vs ours: max rel {relative:.1e} (volume, ions), |dVm| {vm:.1e} mV"
    cost = Cost(clock.wall / len(points), clock.cpu / len(points))
    rows.append(("RoadRunner loop (resetAll, set, simulate)", cost, clock.wall, note))
    return rows


# --- report ------------------------------------------------------------------------------------


def _sample(points: np.ndarray, count: int) -> np.ndarray:
    chosen: np.ndarray = points[np.unique(np.linspace(0, len(points) - 1, count).astype(int))]
    return chosen


def _steady_rows(args: argparse.Namespace, points: np.ndarray, cores: int) -> list[Any]:
    rows: list[tuple[str, Cost, np.ndarray, list[Answer]]] = []
    for count in sorted({1, cores}):
        cost, total, table = ours(points, count)
        label = f"ours, scan, {count} worker{'s' * (count > 1)}"
        rows.append((label, cost, points, _answers(table)))
        print(f"{label}: {total:.2f} s in all, start-up included")
    sample, few = _sample(points, args.sample), _sample(points, args.tellurium)
    competitors: list[tuple[str, Callable[[], tuple[Cost, list[Answer]]], np.ndarray]] = [
        ("tellurium loop (te.loada + steadyState)", lambda: tellurium(few), few),
        ("RoadRunner steadyState(), defaults", lambda: roadrunner(sample, moieties=False), sample),
        (
            "RoadRunner steadyState(), moiety analysis on",
            lambda: roadrunner(points, moieties=True),
            points,
        ),
        ("COPASI steady-state task, defaults", lambda: copasi(sample, None), sample),
        ("COPASI steady-state task, resolution 1e-6", lambda: copasi(sample, 1e-6), sample),
        ("closed form (Python, electroneutral)", lambda: closed_form_loop(points), points),
    ]
    for label, run, where in competitors:
        try:
            cost, answers = run()
        except ImportError as err:
            print(f"({label} skipped: {err})")
            continue
        rows.append((label, cost, where, answers))
    return rows


def main() -> None:
    """Print per-point costs, ratios to ours, speed-ups and deviations from the references."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=100, help="points for RoadRunner, COPASI")
    parser.add_argument("--tellurium", type=int, default=20, help="points for the te loop")
    parser.add_argument("--end", type=float, default=100.0, help="ensemble end time (s)")
    args = parser.parse_args()
    names, points = grid(STEADY_GRID)
    cores = os.cpu_count() or 1
    has_state = sum(exists(*point) for point in points)
    print(f"grid {' x '.join(names)}: {len(points)} points ({has_state} with a steady state)")
    print(f"{cores} cores, load average {os.getloadavg()[0]:.1f} at the start")
    rows = _steady_rows(args, points, cores)
    reference = rows[0][1]
    print(
        f"\n{'steady states, per point':<46} {'points':>6} {'wall':>11} {'CPU':>11} "
        f"{'CPU/ours':>9} {'failed':>6} {'dev: closed form':>16} {'exact':>8} {'(in)':<10}"
    )
    for label, cost, where, answers in rows:
        closed, _, failed = deviation(where, answers, closed_form)
        true, quantity, _ = deviation(where, answers, exact)
        print(
            f"{label:<46} {len(where):>6} {cost.wall * 1e3:>8.3f} ms {cost.cpu * 1e3:>8.3f} ms "
            f"{cost.cpu / reference.cpu:>9.3g} {failed:>6} {closed:>16.1e} {true:>8.1e} "
            f"{quantity:<10}"
        )
    print(
        "(CPU: of this process and its workers; for N workers, CPU per point is per point per"
        " core. failed: points with a steady state left without one. Deviations: largest"
        " |x / reference - 1| over volume, Vm, [Na+]i, [K+]i, [Cl-]i at the other points. The"
        " closed form neglects the capacitive charge, ~1e-5 relative: deviations at that level"
        " are the closed form's; 'exact' includes it.)"
    )
    _, crossing = grid(CROSSING_GRID)
    cost, _, table = ours(crossing, 1)
    past = np.array([not exists(*point) for point in crossing])
    marked = int((table.status[past] == "no finite steady state").sum())
    print(
        f"\nthe grid carried to I_pump_max = 2.5 ({past.sum()} points past the existence limit, "
        f"{marked} of them marked 'no finite steady state'): ours, 1 worker, "
        f"{cost.wall * 1e3:.3f} ms wall, {cost.cpu * 1e3:.3f} ms CPU per point"
    )
    if cores > 1:
        many = rows[1][1]
        print(
            f"\nspeed-up on {cores} workers: {reference.wall / many.wall:.2f}x wall clock; CPU per "
            f"point {many.cpu / reference.cpu:.2f}x that of 1 worker, so "
            f"{cores * reference.cpu / many.cpu:.2f}x on {cores} idle cores"
        )
    print(f"\n{'time-course ensemble, 10^4 points, to ' + format(args.end, 'g') + ' s':<46}")
    for label, cost, total, note in ensemble(args.end, cores):
        print(
            f"{label:<46} {cost.wall * 1e3:>8.3f} ms {cost.cpu * 1e3:>8.3f} ms "
            f"{total:>7.2f} s  {note}"
        )
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
