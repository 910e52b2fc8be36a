# SPDX-License-Identifier: MIT
"""Exceptions raised by pumpleak_sbml, each naming what failed, where, and what to do next.

Every error derives from :class:`PumpLeakError`, so ``except PumpLeakError`` catches
everything the library raises on purpose. Each subclass also inherits the builtin whose
meaning it shares, so ``except ValueError`` keeps working for callers who expect it::

    PumpLeakError(Exception)
    ├── UnknownModelError(PumpLeakError, LookupError)       no model of that name
    ├── ModelDefinitionError(PumpLeakError, ValueError)     impossible model input
    │   ├── InvalidOverrideError                            bad --set / **overrides
    │   └── LimitExceededError                              above a documented limit (limits.py)
    ├── AntimonyError(PumpLeakError)                        Antimony text does not compile
    ├── SBMLValidationError(PumpLeakError, ValueError)      libsbml or scale check failed
    ├── SimulationError(PumpLeakError, RuntimeError)        the integrator failed
    │   └── SteadyStateNotFoundError                        no finite steady state
    ├── ExportError(PumpLeakError)                          a model cannot be exported as asked
    ├── UnsupportedSBMLError(PumpLeakError, NotImplementedError)
    │                                                       SBML the ODE engine cannot run
    └── OutputError(PumpLeakError, OSError)                 a result could not be written

    PumpLeakWarning(UserWarning)
    └── PlausibilityWarning                                 legal but almost surely a slip

All errors are picklable (their constructor arguments are kept in ``args``), so parameter
sweeps run with :mod:`multiprocessing` still report them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from pathlib import Path

__all__ = [
    "AntimonyError",
    "ExportError",
    "InvalidOverrideError",
    "LimitExceededError",
    "ModelDefinitionError",
    "OutputError",
    "PlausibilityWarning",
    "PumpLeakError",
    "PumpLeakWarning",
    "SBMLValidationError",
    "SimulationError",
    "SteadyStateNotFoundError",
    "UnknownModelError",
    "UnsupportedSBMLError",
    "short_repr",
]

_SHOWN_CHARACTERS = 60  # a value longer than this is abbreviated in messages
_PLAIN_NAME = re.compile(r"[A-Za-z0-9_.]+")  # a name shown as it is; others by repr


def short_repr(value: object) -> str:
    """Return ``repr(value)`` for a one-line message, abbreviated if it is long.

    A huge integer is described by its number of digits (``repr`` itself refuses integers
    of more than 4,300 digits), and a long text is cut, with its length given.
    """
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 100:
        digits = math.floor(value.bit_length() * math.log10(2)) + 1
        sign = "a negative" if value < 0 else "an"
        return f"<{sign} integer of about {digits} digits>"
    try:
        text = repr(value)
    except ValueError:  # e.g. a numpy object array holding a huge integer
        return f"<a {type(value).__name__} that cannot be shown>"
    if len(text) <= _SHOWN_CHARACTERS:
        return text
    return f"{text[:_SHOWN_CHARACTERS]}... ({len(text):,} characters)"


class PumpLeakError(Exception):
    """Base class of every error raised on purpose by pumpleak_sbml."""


class UnknownModelError(PumpLeakError, LookupError):
    """No model of that name exists in the library."""

    def __init__(self, name: str, available: Sequence[str]) -> None:
        super().__init__(name, tuple(available))
        self.name = name
        self.available = tuple(available)

    def __str__(self) -> str:
        return (
            f"unknown model {short_repr(self.name)}; available models: {', '.join(self.available)}"
        )


class ModelDefinitionError(PumpLeakError, ValueError):
    """The model, as asked for, describes something impossible (e.g. a negative volume)."""


class InvalidOverrideError(ModelDefinitionError):
    """An override names no settable quantity, has the wrong type or an impossible value."""

    def __init__(self, name: str, value: object, reason: str, valid: Sequence[str] = ()) -> None:
        super().__init__(name, value, reason, tuple(valid))
        self.name = name
        self.value = value
        self.reason = reason
        self.valid = tuple(valid)

    def __str__(self) -> str:
        plain = _PLAIN_NAME.fullmatch(self.name) and len(self.name) <= _SHOWN_CHARACTERS
        name = self.name if plain else short_repr(self.name)  # e.g. a newline, shown escaped
        message = f"cannot set {name} = {short_repr(self.value)}: {self.reason}"
        if self.valid:
            message += f" (settable: {', '.join(self.valid)})"
        return message


class LimitExceededError(ModelDefinitionError):
    """An input is beyond a documented limit (name length, file size, points, simulated time).

    ``what`` names the input, ``value`` shows it (possibly abbreviated, may be empty),
    ``measured`` is its size (may be empty when ``value`` says it) and ``limit`` the limit,
    each with its unit. The limits and their
    reasons are in :mod:`pumpleak_sbml.limits` and the README ("Limits").
    """

    def __init__(self, what: str, value: str, measured: str, limit: str) -> None:
        super().__init__(what, value, measured, limit)
        self.what = what
        self.value = value
        self.measured = measured
        self.limit = limit

    def __str__(self) -> str:
        shown = f" = {self.value}" if self.value else ""
        measured = f": {self.measured}" if self.measured else ""
        return (
            f"{self.what}{shown}{measured} is above the limit of {self.limit} "
            "(see Limits in the README)"
        )


class AntimonyError(PumpLeakError):
    """Antimony text failed to compile; ``line`` is 1-based, ``source`` the file if any."""

    def __init__(self, message: str, source: Path | None = None, line: int | None = None) -> None:
        super().__init__(message, source, line)
        self.message = message
        self.source = source
        self.line = line

    def __str__(self) -> str:
        where = str(self.source) if self.source is not None else "<antimony text>"
        if self.line is not None:
            where += f":{self.line}"
        return f"{where}: {self.message}"


class SBMLValidationError(PumpLeakError, ValueError):
    """SBML failed validation; ``report`` holds every issue found."""

    def __init__(self, summary: str, report: object) -> None:
        super().__init__(summary, report)
        self.summary = summary
        self.report = report

    def __str__(self) -> str:
        return self.summary


class SimulationError(PumpLeakError, RuntimeError):
    """The integrator or the steady-state solver failed for a model."""

    def __init__(self, model_id: str, message: str, t_reached: float | None = None) -> None:
        super().__init__(model_id, message, t_reached)
        self.model_id = model_id
        self.message = message
        self.t_reached = t_reached

    def __str__(self) -> str:
        where = f" at t = {self.t_reached:g} s" if self.t_reached is not None else ""
        return f"{self.model_id}: {self.message}{where}"


class SteadyStateNotFoundError(SimulationError):
    """The model has no finite steady state for these parameters, or it could not be found."""


class ExportError(PumpLeakError):
    """A model cannot be written in the requested format."""


class UnsupportedSBMLError(PumpLeakError, NotImplementedError):
    """The SBML uses a construct that an ODE right-hand side cannot hold (delay, algebraic rule)."""


class OutputError(PumpLeakError, OSError):
    """A result could not be written where the user asked."""


class PumpLeakWarning(UserWarning):
    """Base class of every warning issued by pumpleak_sbml."""


class PlausibilityWarning(PumpLeakWarning):
    """A value is legal but almost surely a slip (e.g. 37 K: Celsius typed for kelvin).

    ``pumpleak --strict`` turns it into an error; in Python use
    ``warnings.simplefilter("error", PlausibilityWarning)``.
    """
