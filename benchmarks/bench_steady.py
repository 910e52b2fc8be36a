# SPDX-License-Identifier: MIT
"""Steady states side by side: our engine, RoadRunner, COPASI and the closed form, in one run.

Every competitor solves the same problem, pump_leak with g_Na varied over a small range so
that no answer is a cached one, and prints the median time per call and its ratio to ours
(warm). Ratios, unlike seconds, survive a noisy shared machine. Each answer's Vm is compared
with the exact solution, so speed is never bought with accuracy.

- ours, warm: ``pl.steady_state("pump_leak", g_Na=v)`` after one call (compiled model in
  memory);
- ours, cold: the first call in a fresh process (``--cold``: with and without the disk cache);
- RoadRunner ``steadyState()`` with its defaults, reusing one instance, and with
  conserved-moiety analysis switched on for the instance (its fastest setting here);
- COPASI's steady-state task through basico, reusing one loaded model: with its defaults on
  the ``sbml-copasi`` export (volume in aL, amounts in zmol), and on the plain SBML with its
  defaults (which fail there) and with resolution 1e-6;
- the closed form of Keener & Sneyd (electroneutral), evaluated in Python;
- whole processes: ``pumpleak steady pump_leak --json`` against a bare ``import roadrunner``
  + load + ``steadyState()`` script;
- spec cells against hand-written ones (``models/specs/pump_leak.toml`` vs ``pump_leak``).

Run: ``python benchmarks/bench_steady.py [--calls N] [--processes N]``. Record the output in
``benchmarks/RESULTS.md``. No test asserts a time.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

import pumpleak_sbml as pl

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "models" / "specs" / "pump_leak.toml"
FARADAY = 96485.33212
GAS_CONSTANT = 8.314462618


def closed_form_vm(g_na: float) -> float:
    """Keener & Sneyd's electroneutral Vm (mV) of pump_leak's defaults with g_Na changed."""
    rt = 1e3 * GAS_CONSTANT * 310.15 / FARADAY
    pumped = 145.0 * math.exp(-3 * 0.5 / (g_na * rt)) + 4.0 * math.exp(2 * 0.5 / (0.041 * rt))
    # z_X = -1, no medium X: Na_i + K_i = Cl_o = 149 mM, so exp(-Vm/RT) = 149 / pumped.
    return -rt * math.log(149.0 / pumped)


def timed(calls: Sequence[Callable[[], float]]) -> tuple[float, float]:
    """Run each call once; return the median seconds and the largest |Vm - closed form|."""
    samples, errors = [], []
    for call in calls:
        start = time.perf_counter()
        error = call()
        samples.append(time.perf_counter() - start)
        errors.append(error)
    return statistics.median(samples), max(errors)


def conductances(count: int) -> list[float]:
    return list(np.linspace(0.010, 0.012, count))


def ours(count: int) -> tuple[float, float]:
    pl.steady_state("pump_leak")  # warm: compiled model in memory

    def call(g_na: float) -> Callable[[], float]:
        return lambda: abs(pl.steady_state("pump_leak", g_Na=g_na)["Vm"] - closed_form_vm(g_na))

    return timed([call(g) for g in conductances(count)])


def roadrunner(count: int, *, moieties: bool) -> tuple[float, float]:
    import roadrunner as rr

    rr.Logger.setLevel(rr.Logger.LOG_FATAL)
    runner = rr.RoadRunner(pl.to_sbml("pump_leak"))
    runner.conservedMoietyAnalysis = moieties

    def call(g_na: float) -> Callable[[], float]:
        def solve() -> float:
            runner.resetAll()
            runner["g_Na"] = g_na
            try:
                runner.steadyState()
            except RuntimeError:
                return math.inf
            return abs(runner["Vm"] - closed_form_vm(g_na))

        return solve

    return timed([call(g) for g in conductances(count)])


def copasi(count: int, resolution: float | None, export_format: str) -> tuple[float, float]:
    import basico

    handle, path = tempfile.mkstemp(suffix=".xml")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        stream.write(str(pl.export("pump_leak", export_format)))
    model = basico.load_model(path)
    os.unlink(path)
    table = basico.get_parameters(model=model)
    g_na_name = table.index[table["sbml_id"] == "g_Na"][0]  # basico names by display name
    if resolution is not None:
        basico.set_task_settings(
            basico.T.STEADY_STATE, {"method": {"Resolution": resolution}}, model=model
        )

    def call(g_na: float) -> Callable[[], float]:
        def solve() -> float:
            basico.set_parameters(g_na_name, initial_value=g_na, model=model, exact=True)
            # update_model=False: updating would make each found volume the next point's initial
            # volume, so X_i = X_i_init * cell would grow point by point (values are still read
            # from the steady state: basico reports the task's current values).
            status = basico.run_steadystate(
                model=model, update_model=False, use_initial_values=True
            )
            if status != 1:
                return math.inf
            table = basico.get_parameters(model=model)
            vm = float(table.loc[table["sbml_id"] == "Vm", "value"].iloc[0])
            return abs(vm - closed_form_vm(g_na))

        return solve

    try:
        return timed([call(g) for g in conductances(count)])
    finally:
        basico.remove_datamodel(model)


def closed_form(count: int) -> tuple[float, float]:
    return timed([lambda g=g: 0.0 * closed_form_vm(g) for g in conductances(count)])


def spec_cell(count: int) -> tuple[float, float]:
    pl.steady_state(SPEC)

    def call(g_na: float) -> Callable[[], float]:
        return lambda: abs(pl.steady_state(SPEC, g_Na=g_na)["Vm"] - closed_form_vm(g_na))

    return timed([call(g) for g in conductances(count)])


_BARE = """
import roadrunner
roadrunner.Logger.setLevel(roadrunner.Logger.LOG_FATAL)
runner = roadrunner.RoadRunner({path!r})
runner.conservedMoietyAnalysis = True
runner.steadyState()
print(runner["Vm"])
"""


def processes(count: int, cache: Path) -> dict[str, float]:
    """Median seconds of whole processes: our CLI (disk cache warm and off) and a bare script."""
    sbml = cache / "pump_leak.xml"
    sbml.write_text(pl.to_sbml("pump_leak"), encoding="utf-8")
    environment = {**os.environ, "PUMPLEAK_SBML_CACHE": str(cache / "entries")}
    commands = {
        "pumpleak steady pump_leak --json (disk cache)": (
            [sys.executable, "-m", "pumpleak_sbml", "steady", "pump_leak", "--json"],
            environment,
        ),
        "pumpleak steady pump_leak --json (no cache)": (
            [sys.executable, "-m", "pumpleak_sbml", "steady", "pump_leak", "--json"],
            {**os.environ, "PUMPLEAK_SBML_CACHE": "off"},
        ),
        "bare roadrunner script (load + steadyState)": (
            [sys.executable, "-c", _BARE.format(path=str(sbml))],
            dict(os.environ),
        ),
    }
    subprocess.run(
        commands["pumpleak steady pump_leak --json (disk cache)"][0],
        env=environment,
        check=True,
        capture_output=True,
    )  # fill the cache
    medians = {}
    for label, (command, env) in commands.items():
        samples = []
        for _ in range(count):
            start = time.perf_counter()
            subprocess.run(command, env=env, check=True, capture_output=True)
            samples.append(time.perf_counter() - start)
        medians[label] = statistics.median(samples)
    return medians


def main() -> None:
    """Print per-call medians, ratios to our warm engine, and each answer's error."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200, help="calls per competitor")
    parser.add_argument("--processes", type=int, default=7, help="runs of each process")
    args = parser.parse_args()
    rows: list[tuple[str, float, float]] = []
    reference, error = ours(args.calls)
    rows.append(("ours, warm (pl.steady_state)", reference, error))
    rows.append(("ours, spec cell (pump_leak.toml), warm", *spec_cell(args.calls)))
    few = min(args.calls, 20)
    rows.append(("RoadRunner steadyState(), defaults", *roadrunner(few, moieties=False)))
    rows.append(
        ("RoadRunner steadyState(), moiety analysis on", *roadrunner(args.calls, moieties=True))
    )
    some = min(args.calls, 50)
    try:
        rows.append(("COPASI task, defaults, sbml-copasi", *copasi(some, None, "sbml-copasi")))
        rows.append(("COPASI task, defaults, plain SBML", *copasi(some, None, "sbml")))
        rows.append(("COPASI task, resolution 1e-6, plain SBML", *copasi(some, 1e-6, "sbml")))
    except ImportError:
        print("(COPASI skipped: pip install copasi-basico)")
    rows.append(("closed form (Python, electroneutral)", *closed_form(args.calls)))
    print(f"{'per call':<46} {'median':>11} {'/ ours':>8} {'max |dVm| vs closed form':>26}")
    for label, seconds, worst in rows:
        failed = " (failed)" if math.isinf(worst) else ""
        ratio = seconds / reference
        print(f"{label:<46} {seconds * 1e3:>8.3f} ms {ratio:>8.2f} {worst:>22.2e} mV{failed}")
    print("(|dVm| includes the closed form's neglect of the capacitive charge, ~1e-3 mV)")
    with tempfile.TemporaryDirectory() as folder:
        medians = processes(args.processes, Path(folder))
    bare = medians["bare roadrunner script (load + steadyState)"]
    print(f"\n{'whole process':<46} {'median':>11} {'/ bare':>8}")
    for label, seconds in medians.items():
        print(f"{label:<46} {seconds:>9.3f} s {seconds / bare:>8.2f}")


if __name__ == "__main__":
    main()
