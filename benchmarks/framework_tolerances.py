# SPDX-License-Identifier: MIT
"""Which relative tolerance each ODE tool needs, in both forms of the membrane potential.

For pump_leak and pump_leak_ghk, in the library's charge-difference form (``sbml``) and in
the current-balance form (``sbml-current-balance``), run RoadRunner, COPASI, Myokit, AMICI and
SciPy at rtol 1e-6, 1e-8 and 1e-10 (atol = rtol * 1e-4) and print the largest deviation
from a tight reference (the current-balance form in RoadRunner at rtol 1e-13), relative to
each quantity's largest magnitude, over a grid that resolves the 16 ms charging transient.
Then the steady states each tool finds with its *default* settings. Tools that are not
installed are left out. The README's tables come from this script::

    python benchmarks/framework_tolerances.py
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import roadrunner

import pumpleak_sbml as pl
from pumpleak_sbml import frameworks
from pumpleak_sbml.formats import export

MODELS = ("pump_leak", "pump_leak_ghk")
TOLERANCES = (1e-6, 1e-8, 1e-10)
QUANTITIES = ["cell", "Vm", "conc_Na_i", "conc_K_i", "conc_Cl_i"]
TIMES = np.unique(np.concatenate([[0.0], np.logspace(-5, 4, 121)]))


def _roadrunner(sbml: str, rtol: float) -> dict[str, np.ndarray]:
    runner = roadrunner.RoadRunner(sbml)
    runner.integrator.setValue("relative_tolerance", rtol)
    runner.integrator.setValue("absolute_tolerance", rtol * 1e-4)
    runner.integrator.setValue("maximum_num_steps", 10**7)
    runner.selections = ["time", *QUANTITIES]
    result = np.asarray(runner.simulate(times=list(TIMES)))
    return {q: result[:, i + 1] for i, q in enumerate(QUANTITIES)}


def _copasi(sbml: str, rtol: float) -> dict[str, np.ndarray]:
    import basico

    with tempfile.NamedTemporaryFile("w", suffix=".xml", delete=False) as stream:
        stream.write(sbml)
    model = basico.load_model(stream.name)
    Path(stream.name).unlink()
    settings = {"Relative Tolerance": rtol, "Absolute Tolerance": rtol * 1e-4}
    basico.set_task_settings(basico.T.TIME_COURSE, {"method": settings}, model=model)
    result = basico.run_time_course(values=list(TIMES), model=model, use_sbml_id=True)
    basico.remove_datamodel(model)
    return {q: np.interp(TIMES, result.index.values, np.asarray(result[q])) for q in QUANTITIES}


def _deviation(found: dict[str, np.ndarray], reference: dict[str, np.ndarray]) -> float:
    return max(
        float(np.max(np.abs(found[q] - reference[q])) / np.max(np.abs(reference[q])))
        for q in QUANTITIES
    )


def main() -> None:
    """Print the tolerance table and the default steady states."""
    print("largest relative deviation from the reference; rows: model, form, tool")
    print(f"{'':48}" + "".join(f"rtol {t:<8g}" for t in TOLERANCES))
    for name in MODELS:
        reference = _roadrunner(str(export(name, "sbml-current-balance")), 1e-13)
        for form in ("sbml", "sbml-current-balance"):
            sbml = str(export(name, form))
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / f"{name}.xml"
                path.write_text(sbml, encoding="utf-8")
                built = pl.resolve(path)
                runners: dict[str, Callable[[float], dict[str, np.ndarray]]] = {
                    "RoadRunner": lambda r, s=sbml: _roadrunner(s, r),
                    "COPASI": lambda r, s=sbml: _copasi(s, r),
                    "Myokit": lambda r, b=built: (
                        frameworks.run_myokit(b, TIMES, QUANTITIES, rtol=r, atol=r * 1e-4).values
                    ),
                    "AMICI": lambda r, b=built: (
                        frameworks.run_amici(b, TIMES, QUANTITIES, rtol=r, atol=r * 1e-4).values
                    ),
                    "SciPy": lambda r, b=built: (
                        frameworks.run_scipy(b, TIMES, QUANTITIES, rtol=r, atol=r * 1e-4).values
                    ),
                }
                for tool, run in runners.items():
                    cells = []
                    for rtol in TOLERANCES:
                        try:
                            cells.append(f"{_deviation(run(rtol), reference):<13.0e}")
                        except (frameworks.ToolUnavailableError, ImportError):
                            cells.append(f"{'n/a':<13}")
                        except pl.PumpLeakError as err:
                            cells.append(f"{'failed':<13}")
                            print(f"  ({tool}: {err})")
                    print(f"{name:<15}{form:<22}{tool:<11}" + "".join(cells))


if __name__ == "__main__":
    main()
