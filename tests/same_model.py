# SPDX-License-Identifier: MIT
"""Comparing two runs of the same equations: an export, a round trip, a flattened module.

RoadRunner 2.10 integrates the same SBML along slightly different paths depending on whether
it compiled the model afresh or reused the compiled model of another live instance (measured:
1.1e-9 of Vm's range for pump_leak_ghk at the package's rtol 1e-10, and nothing else
changed). Vm, a difference of charges, carries ~7e4 times the amounts' relative error, so
those comparisons run CVODE tighter: at rtol 1e-12 two runs agree to ~2e-11 of Vm's range,
50 times inside the tolerance of 1e-9 of each quantity's largest magnitude. A change to the
equations (a lost factor, a changed constant) shows at 1e-6 or far more.
"""

from __future__ import annotations

from typing import Any

SAME_MODEL_TOLERANCE = 1e-9
SAME_MODEL_SETTINGS = {"relative_tolerance": 1e-12, "absolute_tolerance": 1e-16}


def tightened(runner: Any) -> Any:
    """Return a RoadRunner instance with the same-model CVODE settings applied."""
    for name, value in SAME_MODEL_SETTINGS.items():
        runner.integrator.setValue(name, value)
    return runner
