# SPDX-License-Identifier: MIT
"""Benchmark the core pipeline on pump_leak, as ratios to a minimal model run in-process.

Times four steps: Antimony -> validated SBML, RoadRunner load, one 0-1e4 s simulation (1001
points) and one steady state. Each step also runs on a one-species decay model with the same
code, and the script prints the ratio pump_leak / baseline. Ratios, unlike seconds, are
comparable across machines. Run: ``python benchmarks/bench_core.py [--repeat N]``.
There are no timing assertions anywhere in the test suite.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import pumpleak_sbml as pl
from pumpleak_sbml.sbml_compiler import antimony_to_sbml
from pumpleak_sbml.simulation import find_steady_state, load
from pumpleak_sbml.validation import check_sbml

BASELINE = """
model *baseline()
  model creator.givenName "pumpleak_sbml"
  model creator.familyName "benchmark"
  unit time_unit = second
  unit substance = 1e-15 mole
  unit extent = 1e-15 mole
  unit volume = 1e-12 litre
  unit fmol = 1e-15 mole
  unit pL = 1e-12 litre
  unit per_second = 1 / second
  compartment cell = 1 pL
  cell.sboTerm = 290
  cell is "cell"
  substanceOnly species S in cell = 10 fmol
  S has fmol
  S.sboTerm = 247
  S is "S"
  k = 1e-3 per_second
  k.sboTerm = 2
  k is "k"
  J: S -> ; k * S
  J.sboTerm = 179
  J is "decay"
end
"""


def _median_seconds(step: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        step()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def _steps(antimony_text: str, name: str) -> dict[str, Callable[[], object]]:
    sbml = antimony_to_sbml(antimony_text)

    def compile_and_validate() -> None:
        check_sbml(antimony_to_sbml(antimony_text), name)

    def simulate() -> None:
        load(sbml, name).simulate(0.0, 1e4, 1001)

    def steady() -> None:
        find_steady_state(load(sbml, name), name, {})

    return {
        "Antimony -> validated SBML": compile_and_validate,
        "RoadRunner load": lambda: load(sbml, name),
        "simulate 0-1e4 s, 1001 points": simulate,
        "steady state": steady,
    }


def main() -> None:
    """Print the timings and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per step (median is shown)")
    repeat = parser.parse_args().repeat
    baseline = _steps(BASELINE, "baseline")
    core = _steps(pl.antimony("pump_leak"), "pump_leak")
    print(f"{'step':<32} {'pump_leak (s)':>14} {'baseline (s)':>13} {'ratio':>8}")
    for step in core:
        ours = _median_seconds(core[step], repeat)
        base = _median_seconds(baseline[step], repeat)
        print(f"{step:<32} {ours:>14.4f} {base:>13.4f} {ours / base:>8.1f}")


if __name__ == "__main__":
    main()
