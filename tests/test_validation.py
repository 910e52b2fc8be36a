# SPDX-License-Identifier: MIT
"""Validation: the scale check catches what libsbml's unit check cannot; typed compile errors."""

from __future__ import annotations

import re
from pathlib import Path

import libsbml
import pytest

import pumpleak_sbml as pl
from pumpleak_sbml.sbml_compiler import antimony_to_sbml
from pumpleak_sbml.validation import ValidationIssue, check_sbml

# (name, exact text in pump_leak.ant, replacement without the conversion constant, what the
# scale error must name, the factor between the equation's unit and its target's unit)
_DROPPED_CONVERSIONS = [
    (
        "mV_per_V",
        "RT_F := mV_per_V * R * T / F",
        "RT_F := R * T / F",
        "assignment rule for RT_F",
        1e3,
    ),
    ("pL_per_cm3", "cell' = pL_per_cm3 * P_f", "cell' = P_f", "rate rule for cell", 1e9),
]
_FACTOR = re.compile(r"units are ([0-9.eE+-]+) times")


def _pump_leak_without(old: str, new: str) -> str:
    text = pl.antimony("pump_leak")
    assert text.count(old) == 1, f"the model no longer contains {old!r} exactly once"
    return antimony_to_sbml(text.replace(old, new))


def _libsbml_issues(sbml: str) -> list[str]:
    """Every libsbml finding (any severity) with strict unit checks on."""
    document = libsbml.readSBMLFromString(sbml)
    document.setConsistencyChecks(libsbml.LIBSBML_CAT_UNITS_CONSISTENCY, True)
    document.setConsistencyChecks(libsbml.LIBSBML_CAT_MODELING_PRACTICE, True)
    document.checkConsistency()
    return [
        f"{document.getError(i).getErrorId()}: {document.getError(i).getShortMessage()}"
        for i in range(document.getNumErrors())
    ]


def test_validate_sbml_unmodified_pump_leak_is_ok() -> None:
    """The shipped pump_leak compiles to SBML with no error and no warning at all."""
    report = pl.validate_sbml(antimony_to_sbml(pl.antimony("pump_leak")))
    assert report.ok, report.format()
    assert report.format().splitlines()[0] == "0 error(s), 0 warning(s)"


@pytest.mark.parametrize(
    ("constant", "old", "new", "where", "factor"),
    _DROPPED_CONVERSIONS,
    ids=[case[0] for case in _DROPPED_CONVERSIONS],
)
def test_scale_check_missing_conversion_constant_is_an_error_naming_quantity_and_factor(
    constant: str, old: str, new: str, where: str, factor: float
) -> None:
    """Dropping a unit conversion constant gives one 'scale' error naming the rule and factor."""
    report = pl.validate_sbml(_pump_leak_without(old, new))
    assert not report.ok
    assert [issue.code for issue in report.errors] == ["scale"], report.format()
    issue = report.errors[0]
    assert where in issue.message
    match = _FACTOR.search(issue.message)
    assert match is not None, issue.message
    assert float(match.group(1)) == pytest.approx(factor, rel=1e-9)
    assert "conversion constant" in issue.message
    assert issue.line > 0
    assert issue.format().startswith("error scale: line ")


@pytest.mark.parametrize(
    ("constant", "old", "new", "where", "factor"),
    _DROPPED_CONVERSIONS,
    ids=[case[0] for case in _DROPPED_CONVERSIONS],
)
def test_libsbml_alone_misses_missing_conversion_constant(
    constant: str, old: str, new: str, where: str, factor: float
) -> None:
    """The strict libsbml unit check misses a lost power of ten (which is why ours exists)."""
    assert _libsbml_issues(_pump_leak_without(old, new)) == []


def test_check_sbml_raises_sbml_validation_error_carrying_the_report() -> None:
    """check_sbml raises SBMLValidationError (a ValueError) whose .report is the full report."""
    sbml = _pump_leak_without(*_DROPPED_CONVERSIONS[0][1:3])
    with pytest.raises(pl.SBMLValidationError) as caught:
        check_sbml(sbml, "edited pump_leak")
    error = caught.value
    assert isinstance(error, ValueError)
    assert isinstance(error.report, pl.ValidationReport)
    assert error.report == pl.validate_sbml(sbml)
    message = str(error)
    assert message.startswith("edited pump_leak: SBML validation found 1 error(s), 0 warning(s)")
    assert "scale" in message
    assert "RT_F" in message


def test_check_sbml_valid_model_returns_none() -> None:
    """check_sbml is silent (returns None) for the shipped pump_leak SBML."""
    assert check_sbml(pl.to_sbml("pump_leak"), "pump_leak") is None


def test_validate_sbml_garbage_text_reports_error_without_raising() -> None:
    """Text that is not XML gives a report with a libsbml error, not an exception."""
    report = pl.validate_sbml("this is not <sbml")
    assert not report.ok
    assert report.errors
    assert all(isinstance(issue, ValidationIssue) for issue in report.issues)
    assert report.errors[0].code.startswith("libsbml-")


def test_antimony_syntax_error_raises_antimony_error_with_line() -> None:
    """A syntax error raises AntimonyError whose .line is the 1-based line of the error."""
    text = "model m()\n  x = 1\n  y = = 2\n  z = 3\nend\n"
    with pytest.raises(pl.AntimonyError) as caught:
        antimony_to_sbml(text)
    assert caught.value.line == 3
    assert caught.value.source is None
    assert str(caught.value).startswith("<antimony text>:3: ")


def test_antimony_error_names_the_source_file() -> None:
    """With a source path, the AntimonyError message reads ``file:line: message``."""
    source = Path("models") / "broken.ant"
    with pytest.raises(pl.AntimonyError) as caught:
        antimony_to_sbml("model m()\n  y := 1 +\nend\n", source=source)
    assert caught.value.source == source
    assert caught.value.line == 2
    assert str(caught.value).startswith(f"{source}:2: ")


def test_antimony_syntax_error_in_pump_leak_before_notes_has_right_line() -> None:
    """A bad line inserted in pump_leak before the notes block is reported at its line."""
    lines = pl.antimony("pump_leak").splitlines()
    model_line = next(i for i, line in enumerate(lines) if line.startswith("model *pump_leak"))
    lines.insert(model_line + 1, "  g_K = = 3")
    with pytest.raises(pl.AntimonyError) as caught:
        antimony_to_sbml("\n".join(lines))
    assert caught.value.line == model_line + 2


def test_antimony_syntax_error_after_notes_block_has_right_line() -> None:
    """A syntax error after a multi-line ``model notes`` block is reported at its true line."""
    text = "model m()\n  model notes ```\n  <p>a</p>\n  <p>b</p>\n  ```\n  y = = 2\nend\n"
    with pytest.raises(pl.AntimonyError) as caught:
        antimony_to_sbml(text)
    assert caught.value.line == 6


def test_antimony_empty_text_raises_antimony_error() -> None:
    """Text that defines no model at all is refused with AntimonyError, not empty SBML."""
    with pytest.raises(pl.AntimonyError):
        antimony_to_sbml("// just a comment\n")


# --- severities: what counts as an error ---------------------------------------------------


@pytest.mark.parametrize(
    ("error_id", "mismatch"),
    [(10500, False), (10501, True), (10513, True), (10599, True), (10600, False)],
)
def test_unit_mismatch_rules_are_exactly_10501_to_10599(error_id: int, mismatch: bool) -> None:
    """The unit-consistency rules 10501-10599 of libsbml (no others) count as unit mismatches."""
    from pumpleak_sbml.validation import _is_unit_mismatch

    assert _is_unit_mismatch(libsbml.SBMLError(error_id, 3, 2)) is mismatch


def test_libsbml_warning_stays_a_warning() -> None:
    """A parameter without units gives libsbml warnings only: no errors, report not ok."""
    sbml = pl.to_sbml("pump_leak").replace(
        "</listOfParameters>",
        '  <parameter id="unused" value="1" constant="true"/>\n    </listOfParameters>',
        1,
    )
    report = pl.validate_sbml(sbml)
    assert report.errors == ()
    assert report.warnings
    assert {issue.code for issue in report.warnings} >= {"libsbml-99508"}
    assert not report.ok
