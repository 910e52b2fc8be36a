# SPDX-License-Identifier: MIT
"""Time courses and compiling, side by side with raw RoadRunner in one process.

- warm ``pl.simulate("pump_leak", end=1e4, points=101, g_Na=v)`` against raw RoadRunner
  on the same SBML with the same tolerances (rtol 1e-10, atol 1e-14) and the same output
  columns, reusing one instance (``resetAll``, set g_Na, ``simulate``);
- compiling a model: Antimony -> validated SBML -> generated ODE code (cold, no cache), the
  same read back from the disk cache, and RoadRunner's load of the SBML.

Prints medians and ratios (ours / RoadRunner). Run: ``python benchmarks/bench_core.py
[--calls N]``. Record the output in ``benchmarks/RESULTS.md``. No test asserts a time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable

import numpy as np

import pumpleak_sbml as pl
from pumpleak_sbml import built_model
from pumpleak_sbml.simulation import INTEGRATOR_SETTINGS, simulator_for


def median_seconds(steps: list[Callable[[], object]]) -> float:
    samples = []
    for step in steps:
        start = time.perf_counter()
        step()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def raw_runner(model: str):  # type: ignore[no-untyped-def]
    import roadrunner

    roadrunner.Logger.setLevel(roadrunner.Logger.LOG_FATAL)
    runner = roadrunner.RoadRunner(pl.to_sbml(model))
    for name, value in INTEGRATOR_SETTINGS.items():
        runner.integrator.setValue(name, value)
    return runner


def simulate_pair(calls: int) -> tuple[float, float]:
    """Warm pl.simulate against raw RoadRunner, same SBML, tolerances and columns."""
    built = built_model.resolve("pump_leak")
    columns = simulator_for(built.compiled).columns
    runner = raw_runner("pump_leak")
    values = np.linspace(0.010, 0.012, calls)
    pl.simulate("pump_leak", end=1e4, points=101)

    def ours(g_na: float) -> Callable[[], object]:
        return lambda: pl.simulate("pump_leak", end=1e4, points=101, g_Na=g_na)

    def theirs(g_na: float) -> Callable[[], object]:
        def run() -> object:
            runner.resetAll()
            runner["g_Na"] = g_na
            return runner.simulate(0.0, 1e4, 101, columns)

        return run

    return median_seconds([ours(v) for v in values]), median_seconds([theirs(v) for v in values])


def compile_times() -> dict[str, float]:
    """Seconds to compile pump_leak cold (no cache), from the disk cache, and RoadRunner's load."""
    import roadrunner

    sbml = pl.to_sbml("pump_leak")
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        os.environ["PUMPLEAK_SBML_CACHE"] = folder
        for label in ("compile cold (Antimony, validation, ODE code)", "compile from disk cache"):
            built_model._compiled_antimony.cache_clear()
            start = time.perf_counter()
            built_model.resolve("pump_leak")
            results[label] = time.perf_counter() - start
    start = time.perf_counter()
    roadrunner.RoadRunner(sbml)
    results["RoadRunner load of the SBML"] = time.perf_counter() - start
    return results


def main() -> None:
    """Print the medians and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200, help="calls per competitor")
    calls = parser.parse_args().calls
    ours, theirs = simulate_pair(calls)
    print(f"{'warm time course, 0-1e4 s, 101 points':<48} {'median':>10} {'ratio':>7}")
    print(
        f"{'ours: pl.simulate(pump_leak, g_Na=v)':<48} {ours * 1e3:>7.3f} ms {ours / theirs:>7.2f}"
    )
    print(f"{'raw RoadRunner: resetAll, set, simulate':<48} {theirs * 1e3:>7.3f} ms {1.0:>7.2f}")
    print()
    for label, seconds in compile_times().items():
        print(f"{label:<48} {seconds:>8.3f} s")


if __name__ == "__main__":
    main()
