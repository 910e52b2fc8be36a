# SPDX-License-Identifier: MIT
"""Small edits of libsbml models that tests make to build a case: a constant, a timed event."""

from __future__ import annotations

import libsbml


def add_constant(model: libsbml.Model, sid: str, value: float, units: str) -> libsbml.Parameter:
    """Add a constant parameter ``sid`` = ``value`` in ``units`` to the model."""
    parameter = model.createParameter()
    parameter.setId(sid)
    parameter.setConstant(True)
    parameter.setValue(value)
    parameter.setUnits(units)
    return parameter


def add_timed_event(
    model: libsbml.Model, trigger: str, variable: str, formula: str, event_id: str = ""
) -> libsbml.Event:
    """Add an event that sets ``variable`` to ``formula`` once ``trigger`` (L3 text) holds.

    The trigger is persistent and false at t = 0 (SBML L3 needs both stated), and the
    assignment uses the values at the trigger time.
    """
    event = model.createEvent()
    if event_id:
        event.setId(event_id)
    event.setUseValuesFromTriggerTime(True)
    condition = event.createTrigger()
    condition.setInitialValue(False)
    condition.setPersistent(True)
    condition.setMath(libsbml.parseL3Formula(trigger))
    assignment = event.createEventAssignment()
    assignment.setVariable(variable)
    assignment.setMath(libsbml.parseL3Formula(formula))
    return event
