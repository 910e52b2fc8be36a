# SPDX-License-Identifier: MIT
"""Exceptions raised by pumpleak_sbml, each naming what failed, where, and what to do next.

Every error derives from :class:`PumpLeakError`, so ``except PumpLeakError`` catches
everything the library raises on purpose. Each subclass also inherits the builtin whose
meaning it shares, so ``except ValueError`` keeps working for callers who expect it::

    PumpLeakError(Exception)
    ├── UnknownModelError(PumpLeakError, LookupError)       no model of that name
    ├── ModelDefinitionError(PumpLeakError, ValueError)     impossible model input
    │   └── InvalidOverrideError                            bad --set / **overrides
    ├── AntimonyError(PumpLeakError)                        Antimony text does not compile
    ├── SBMLValidationError(PumpLeakError, ValueError)      libsbml or scale check failed
    ├── SimulationError(PumpLeakError, RuntimeError)        the integrator failed
    │   └── SteadyStateNotFoundError                        no finite steady state
    ├── ExportError(PumpLeakError)                          a model cannot be exported as asked
    ├── UnsupportedSBMLError(PumpLeakError, NotImplementedError)
    │                                                       SBML the ODE engine cannot run
    └── OutputError(PumpLeakError, OSError)                 a result could not be written

All errors are picklable (their constructor arguments are kept in ``args``), so parameter
sweeps run with :mod:`multiprocessing` still report them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

__all__ = [
    "AntimonyError",
    "ExportError",
    "InvalidOverrideError",
    "ModelDefinitionError",
    "OutputError",
    "PumpLeakError",
    "SBMLValidationError",
    "SimulationError",
    "SteadyStateNotFoundError",
    "UnknownModelError",
    "UnsupportedSBMLError",
]


class PumpLeakError(Exception):
    """Base class of every error raised on purpose by pumpleak_sbml."""


class UnknownModelError(PumpLeakError, LookupError):
    """No model of that name exists in the library."""

    def __init__(self, name: str, available: Sequence[str]) -> None:
        super().__init__(name, tuple(available))
        self.name = name
        self.available = tuple(available)

    def __str__(self) -> str:
        return f"unknown model {self.name!r}; available models: {', '.join(self.available)}"


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
        message = f"cannot set {self.name} = {self.value!r}: {self.reason}"
        if self.valid:
            message += f" (settable: {', '.join(self.valid)})"
        return message


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
