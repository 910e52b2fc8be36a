# SPDX-License-Identifier: MIT
"""Validate SBML with libsbml (strict unit checks on) and with our own scale check.

libsbml's unit consistency check compares *dimensions* only: it accepts an assignment of a
value in volts to a quantity declared in millivolts. :func:`validate_sbml` therefore adds a
second pass that compares the full unit, powers of ten included, of every rule, initial
assignment, kinetic law and event assignment with the unit of what it sets. Both passes
feed one :class:`ValidationReport`::

    report = validate_sbml(sbml_text)
    if not report.ok:
        print(report.format())
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import libsbml

from .errors import SBMLValidationError
from .limits import MAX_SBML_BYTES, check_text_size
from .sbml_document import si_factor

__all__ = ["ValidationIssue", "ValidationReport", "check_sbml", "validate_sbml"]

# A scale mismatch is a real error only if the factor differs from 1 by more than rounding.
_SCALE_TOLERANCE = 1e-9


@dataclass(frozen=True)
class ValidationIssue:
    """One finding: severity ``error`` or ``warning``, where it is, and what is wrong."""

    severity: str
    code: str
    line: int
    message: str

    def format(self) -> str:
        """Return the issue as one readable line."""
        where = f"line {self.line}: " if self.line else ""
        return f"{self.severity} {self.code}: {where}{self.message}"


@dataclass(frozen=True)
class ValidationReport:
    """Every issue libsbml and the scale check found in one SBML document."""

    issues: tuple[ValidationIssue, ...]

    @property
    def errors(self) -> tuple[ValidationIssue, ...]:
        """Issues of severity ``error`` (or worse)."""
        return tuple(issue for issue in self.issues if issue.severity == "error")

    @property
    def warnings(self) -> tuple[ValidationIssue, ...]:
        """Issues of severity ``warning``."""
        return tuple(issue for issue in self.issues if issue.severity == "warning")

    @property
    def ok(self) -> bool:
        """True when there is neither an error nor a warning."""
        return not self.issues

    def format(self) -> str:
        """Return a summary line followed by one line per issue."""
        head = f"{len(self.errors)} error(s), {len(self.warnings)} warning(s)"
        return "\n".join([head, *(issue.format() for issue in self.issues)])


def _is_unit_mismatch(error: libsbml.SBMLError) -> bool:
    """Tell whether a libsbml issue is a unit mismatch (rules 10501-10599).

    libsbml reports those as warnings; under strict unit checking they fail.
    """
    return 10501 <= int(error.getErrorId()) <= 10599


def _libsbml_issues(document: libsbml.SBMLDocument) -> list[ValidationIssue]:
    issues = []
    for index in range(document.getNumErrors()):
        error = document.getError(index)
        failed = error.getSeverity() > libsbml.LIBSBML_SEV_WARNING or _is_unit_mismatch(error)
        severity = "error" if failed else "warning"
        message = " ".join(error.getShortMessage().split())
        detail = " ".join(error.getMessage().split())
        issues.append(
            ValidationIssue(
                severity, f"libsbml-{error.getErrorId()}", error.getLine(), f"{message}: {detail}"
            )
        )
    return issues


@dataclass(frozen=True)
class _MathOwner:
    """An element with math, and what the math sets: a symbol's value or rate, or a reaction."""

    label: str
    element: libsbml.SBase
    symbol: str | None  # None for a kinetic law (its unit is extent/time)
    is_rate: bool = False


def _math_owners(model: libsbml.Model) -> list[_MathOwner]:
    owners = []
    for rule in model.getListOfRules():
        if rule.isAssignment():
            owners.append(
                _MathOwner(f"assignment rule for {rule.getVariable()}", rule, rule.getVariable())
            )
        elif rule.isRate():
            owners.append(
                _MathOwner(
                    f"rate rule for {rule.getVariable()}", rule, rule.getVariable(), is_rate=True
                )
            )
    for assignment in model.getListOfInitialAssignments():
        owners.append(
            _MathOwner(
                f"initial assignment of {assignment.getSymbol()}",
                assignment,
                assignment.getSymbol(),
            )
        )
    for reaction in model.getListOfReactions():
        if reaction.isSetKineticLaw():
            owners.append(
                _MathOwner(f"rate of reaction {reaction.getId()}", reaction.getKineticLaw(), None)
            )
    for event in model.getListOfEvents():
        for assignment in event.getListOfEventAssignments():
            owners.append(
                _MathOwner(
                    f"event {event.getId()} assignment to {assignment.getVariable()}",
                    assignment,
                    assignment.getVariable(),
                )
            )
    return owners


def _scale_issues(document: libsbml.SBMLDocument) -> list[ValidationIssue]:
    model = document.getModel()
    issues = []
    for owner in _math_owners(model):
        if owner.element.containsUndeclaredUnits():
            continue  # libsbml already warns that it cannot check this expression
        derived = owner.element.getDerivedUnitDefinition()
        expected = _expected_unit(model, owner)
        if derived is None or expected is None or derived.getNumUnits() == 0:
            continue
        found_factor, found_si = si_factor(derived)
        expected_factor, expected_si = si_factor(expected)
        if not libsbml.UnitDefinition.areEquivalent(found_si, expected_si):
            continue  # a dimension mismatch: libsbml reports it already
        ratio = found_factor / expected_factor
        if abs(math.log10(ratio)) > _SCALE_TOLERANCE:
            issues.append(
                ValidationIssue(
                    "error",
                    "scale",
                    owner.element.getLine(),
                    f"{owner.label}: the equation's units are {ratio:g} times the units of what "
                    f"it sets ({libsbml.UnitDefinition.printUnits(derived, True)} vs "
                    f"{libsbml.UnitDefinition.printUnits(expected, True)}); insert the exact "
                    "unit conversion constant",
                )
            )
    return issues


def _expected_unit(model: libsbml.Model, owner: _MathOwner) -> libsbml.UnitDefinition | None:
    """Return the unit the owner's math must have, or None if it cannot be known."""
    if owner.symbol is None:
        return _extent_per_time(model)
    target = model.getElementBySId(owner.symbol)
    unit = target.getDerivedUnitDefinition() if target is not None else None
    if unit is None or not owner.is_rate:
        return unit
    return libsbml.UnitDefinition.combine(unit, _per_time(model))


def _per_time(model: libsbml.Model) -> libsbml.UnitDefinition:
    definition = libsbml.UnitDefinition(model.getLevel(), model.getVersion())
    time_unit = model.getTimeUnits() or "second"
    user = model.getUnitDefinition(time_unit)
    if user is not None:
        for unit in user.getListOfUnits():
            inverted = unit.clone()
            inverted.setExponent(-unit.getExponent())
            definition.addUnit(inverted)
    else:
        unit = definition.createUnit()
        unit.initDefaults()
        unit.setKind(libsbml.UnitKind_forName(time_unit))
        unit.setExponent(-1)
    return definition


def _extent_per_time(model: libsbml.Model) -> libsbml.UnitDefinition | None:
    extent = model.getExtentUnits()
    if not extent:
        return None
    definition = model.getUnitDefinition(extent)
    if definition is None:
        definition = libsbml.UnitDefinition(model.getLevel(), model.getVersion())
        unit = definition.createUnit()
        unit.initDefaults()
        unit.setKind(libsbml.UnitKind_forName(extent))
    return libsbml.UnitDefinition.combine(definition, _per_time(model))


def validate_sbml(sbml: str) -> ValidationReport:
    """Validate SBML text: libsbml consistency with strict units, then the scale check.

    Strict units means that libsbml's unit mismatches (rules 10501-10599, which libsbml itself
    reports as warnings) count as errors.

    Parameters
    ----------
    sbml
        An SBML document as text.

    Returns
    -------
    ValidationReport
        Every error and warning found; ``report.ok`` is True only if there are none.

    Raises
    ------
    LimitExceededError
        If the text is larger than :data:`~pumpleak_sbml.limits.MAX_SBML_BYTES` (libsbml's
        consistency check needs about 350 times the document's size in memory).
    """
    check_text_size("SBML document size", sbml, MAX_SBML_BYTES)
    document = libsbml.readSBMLFromString(sbml)
    if document.getNumErrors(libsbml.LIBSBML_SEV_ERROR) + document.getNumErrors(
        libsbml.LIBSBML_SEV_FATAL
    ):
        return ValidationReport(tuple(_libsbml_issues(document)))
    document.setConsistencyChecks(libsbml.LIBSBML_CAT_UNITS_CONSISTENCY, True)
    document.setConsistencyChecks(libsbml.LIBSBML_CAT_MODELING_PRACTICE, True)
    document.checkConsistency()
    issues = _libsbml_issues(document)
    if document.getModel() is None:
        issues.append(ValidationIssue("error", "no-model", 0, "the document contains no model"))
    else:
        issues.extend(_scale_issues(document))
    return ValidationReport(tuple(issues))


def check_sbml(sbml: str, what: str) -> None:
    """Raise if SBML text has any validation error or warning.

    Parameters
    ----------
    sbml
        An SBML document as text.
    what
        What the document is (a model name or file), for the error message.

    Raises
    ------
    SBMLValidationError
        Naming the first issue and carrying the whole report.
    """
    report = validate_sbml(sbml)
    if not report.ok:
        first = report.issues[0].format()
        raise SBMLValidationError(
            f"{what}: SBML validation found {report.format().splitlines()[0]}; first: {first}",
            report,
        )


def check_readable_sbml(sbml: str, what: str) -> None:
    """Raise if SBML text from elsewhere cannot be read (libsbml errors); units are not judged.

    A collaborator's model need not pass our strict unit rules to be simulated, but it must
    be SBML that libsbml reads without errors.

    Raises
    ------
    SBMLValidationError
        Naming the first error and carrying every issue libsbml reported while reading.
    """
    document = libsbml.readSBMLFromString(sbml)
    issues = [
        issue
        for issue in _libsbml_issues(document)
        if not issue.code.startswith("libsbml-105")  # unit mismatches: not judged here
    ]
    errors = [issue for issue in issues if issue.severity == "error"]
    if errors or document.getModel() is None:
        first = errors[0].format() if errors else "the document contains no model"
        raise SBMLValidationError(
            f"{what}: not readable SBML: {first}", ValidationReport(tuple(issues))
        )
