# SPDX-License-Identifier: MIT
"""Fuzzing with invalid input: our error type (or exit code 2 and one line), nothing else.

Hypothesis breaks valid specs (a random value replaced by junk, a key removed or added),
draws override mappings, and builds command lines that each carry at least one invalid
element. Whatever it draws, the outcome must be one of ours: a valid result, a
:class:`~pumpleak_sbml.ModelDefinitionError` (or a
:class:`~pumpleak_sbml.PlausibilityWarning` raised as an error by the test configuration),
or for the command line exit code 2 with one ``pumpleak: error:`` line, no traceback and no
file written. Any other exception fails the test with the input that caused it.
"""

from __future__ import annotations

import contextlib
import copy
import io
import os
import tempfile
import tomllib
from pathlib import Path
from typing import Any

import pytest
import strategies
from hypothesis import given, note
from hypothesis import strategies as st

import pumpleak_sbml as pl
from pumpleak_sbml.cli import main
from pumpleak_sbml.spec import NEW_SPEC_TEMPLATE, apply_spec_overrides, spec_override_names

# Characters: one line, whatever the size of the input. An unknown override name is answered
# with the list of settable names (~650 characters for a full spec), hence the margin.
_MESSAGE_LENGTH = 1500

# Junk that a file or a careless caller can put where a spec expects something else.
junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from([10**400, -(10**400), 10**5000, 2**63, -1, 0]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1e308, -1e308, 5e-324, 1e-300, -0.0]),
    st.text(max_size=30),
    st.sampled_from(["x" * 100_000, "NaN", "inf", "operator", "\n", "a\x00b", "😀"]),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.one_of(st.text(max_size=5), st.integers()), st.integers(), max_size=3),
)
odd_keys = st.one_of(
    st.text(max_size=20),
    st.integers(),
    st.none(),
    st.tuples(st.integers()),
    st.sampled_from(["k" * 100_000, "", "name ", "Name"]),
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path into nested dicts and lists (the root excluded)."""
    found = []
    if isinstance(value, dict):
        items: list[tuple[Any, Any]] = list(value.items())
    elif isinstance(value, list):
        items = list(enumerate(value))
    else:
        return []
    for key, item in items:
        found.append((*prefix, key))
        found.extend(_paths(item, (*prefix, key)))
    return found


@st.composite
def broken_specs(draw: st.DrawFn) -> dict[str, Any]:
    """Draw a valid spec, then break it: replace, delete or add one entry (at any depth)."""
    data = copy.deepcopy(draw(strategies.cell_specs()))
    path = draw(st.sampled_from(_paths(data)))
    parent: Any = data
    for step in path[:-1]:
        parent = parent[step]
    action = draw(st.sampled_from(["replace", "delete", "add"]))
    if action == "replace":
        parent[path[-1]] = draw(junk)
    elif action == "delete":
        del parent[path[-1]]
    elif isinstance(parent, dict):
        parent[draw(odd_keys)] = draw(junk)
    else:
        parent.append(draw(junk))
    note(f"{action} at {path!r}")
    return data


def _check_message(error: BaseException) -> None:
    message = str(error)
    assert "\n" not in message, message
    assert len(message) <= _MESSAGE_LENGTH, message[:200]


@given(broken_specs())
def test_fuzz_broken_spec_gives_our_error_or_a_valid_spec(data: dict[str, Any]) -> None:
    """A broken spec is refused with a one-line ModelDefinitionError, or is still valid."""
    try:
        spec = pl.spec_from_dict(data)
    except (pl.ModelDefinitionError, pl.PlausibilityWarning) as err:
        _check_message(err)
        return
    assert pl.to_antimony(spec).startswith("//")  # still valid: it builds to text


@given(
    st.one_of(st.none(), st.integers(), st.text(max_size=10), st.lists(st.integers())),
)
def test_fuzz_spec_that_is_not_a_table_is_refused(data: object) -> None:
    """A spec that is not a mapping at all is a ModelDefinitionError naming its type."""
    with pytest.raises(pl.ModelDefinitionError) as caught:
        pl.spec_from_dict(data)  # type: ignore[arg-type]
    assert type(data).__name__ in str(caught.value)


TEMPLATE = tomllib.loads(NEW_SPEC_TEMPLATE)
_SPEC_NAMES = spec_override_names(TEMPLATE)
override_names = st.one_of(
    st.sampled_from(_SPEC_NAMES), st.text(max_size=12), st.sampled_from(["x" * 10_000, ""])
)


@given(st.dictionaries(override_names, junk, max_size=4))
def test_fuzz_spec_overrides_give_our_error_or_a_valid_spec(overrides: dict[str, Any]) -> None:
    """Random overrides of a spec are refused with our error, or give a valid spec."""
    try:
        pl.spec_from_dict(apply_spec_overrides(TEMPLATE, overrides))
    except (pl.ModelDefinitionError, pl.PlausibilityWarning) as err:
        _check_message(err)


_LIBRARY_NAMES = sorted(pl.parameters("pump_leak"))
# Integers beyond float's range are left out here: for library models they still raise
# OverflowError in sbml_document (a strict xfail in tests/test_messages.py records it).
library_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**300), 10**300),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=5),
)


@given(
    st.dictionaries(
        st.one_of(st.sampled_from([*_LIBRARY_NAMES, "Vm", "F", "E_K"]), st.text(max_size=8)),
        library_values,
        max_size=3,
    )
)
def test_fuzz_library_overrides_give_our_error_or_valid_sbml(overrides: dict[str, Any]) -> None:
    """Random overrides of pump_leak are refused with our error, or give SBML text."""
    try:
        text = pl.to_sbml("pump_leak", **overrides)
    except (pl.ModelDefinitionError, pl.PlausibilityWarning) as err:
        _check_message(err)
        return
    assert text.startswith("<?xml")


# --- command lines -------------------------------------------------------------------------------

_COMMANDS = ["build", "check", "simulate", "steady", "export", "crosscheck", "new-spec", "demo"]


@st.composite
def invalid_command_lines(draw: st.DrawFn, folder: str) -> list[str]:
    """Draw a command line with at least one element that makes it invalid."""
    command = draw(st.sampled_from(_COMMANDS))
    model = draw(st.sampled_from(["pump_leak", f"{folder}/cell.toml"]))
    poisons = [
        ["--bogus"],
        ["--end", draw(st.sampled_from(["-5", "0", "nan", "inf", "1e300", "1e400", "ten"]))],
        ["--points", draw(st.sampled_from(["0", "1", "-3", "1000000", "2.5", "x"]))],
        ["--set", draw(st.sampled_from(["g_K", "=1", "g_K=", "g_K=abc", "g_K=-1", "g_K=nan"]))],
        ["--set", draw(st.sampled_from(["T=0", "Vm=3", "F=1", "nope=1", "x" * 500 + "=1"]))],
        ["--set", "g_K=1" + "0" * 400],
        ["--format", draw(st.sampled_from(["pdf", "", "SBML"]))],
        ["-o", f"{folder}/missing/out.xml"],
        [draw(st.sampled_from(["no_such_model", "m" * 10_000, f"{folder}/absent.toml"]))],
        [f"{folder}/bad.toml"],
    ]
    argv = [command]
    if command not in {"new-spec", "demo"} and draw(st.booleans()):
        argv.append(model if command != "check" else f"{folder}/cell.toml")
    if command == "simulate" and draw(st.booleans()):
        argv += ["--end", "10"]
    # Last, so that no valid option drawn above can override it (argparse: the last wins).
    argv += draw(st.sampled_from(poisons))
    if draw(st.booleans()):
        argv.insert(0, draw(st.sampled_from(["--strict", "--debug"])))
    return argv


@given(st.data())
def test_fuzz_invalid_command_line_exits_2_with_one_line_and_writes_nothing(
    data: st.DataObject,
) -> None:
    """An invalid command line exits 2, prints one error line (no traceback), writes no file."""
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "cell.toml").write_text(NEW_SPEC_TEMPLATE, encoding="utf-8")
        Path(folder, "bad.toml").write_text("name = [", encoding="utf-8")
        before = sorted(os.listdir(folder))
        argv = data.draw(invalid_command_lines(folder))
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)
        after = sorted(os.listdir(folder))
    message = err.getvalue()
    debug = "--debug" in argv
    assert code == 2, (argv, message)
    assert out.getvalue() == "", argv
    assert message.rstrip().splitlines()[-1].startswith("pumpleak: error: "), message
    if not debug:
        assert message.count("\n") == 1, message
        assert "Traceback" not in message
    assert after == before, argv
