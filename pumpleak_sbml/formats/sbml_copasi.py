# SPDX-License-Identifier: MIT
"""COPASI-ready SBML L3V2: the cell's volume in aL, amounts in zmol, current-balance Vm for GHK.

The same model in other units (concentrations keep their mM), so that COPASI's default
steady-state task finds the steady state: with the volume in pL beside particle numbers its
distance test refuses even the exact one. A species whose certified steady amount is negative
(an excess over the start) is written as its deficit, which is positive.
See :func:`pumpleak_sbml.portable.copasi_ready`.
"""

from __future__ import annotations

from ..built_model import BuiltModel
from ..errors import SteadyStateNotFoundError
from ..portable import copasi_ready

__all__ = ["dumps"]


def dumps(built: BuiltModel) -> str:
    """Return the model's COPASI-ready SBML (overrides applied)."""
    return copasi_ready(built.sbml, built.name, negative=_negative_at_steady_state(built))


def _negative_at_steady_state(built: BuiltModel) -> list[str]:
    """Return the state species whose amount is negative at the (pre-event) steady state.

    None when the model has no steady state: COPASI's steady-state task has nothing to find.
    """
    from ..steady import pre_event_steady_state

    try:
        steady = pre_event_steady_state(built)
    except SteadyStateNotFoundError:
        return []
    amounts = steady.amounts
    return [sid for sid in steady.states if amounts.get(sid, 0.0) < 0]
