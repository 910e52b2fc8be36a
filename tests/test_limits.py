# SPDX-License-Identifier: MIT
"""Limits and hostile values: refused before any work, with our error naming limit and value.

Each limit of :mod:`pumpleak_sbml.limits` is checked at its boundary (the limit itself is
accepted, one more is refused), and each value that used to escape as a Python traceback
(OverflowError, TypeError, ValueError, RecursionError) is checked to give a
:class:`~pumpleak_sbml.ModelDefinitionError` instead. The model names that Antimony cannot
take are checked against Antimony itself.
"""

from __future__ import annotations

import copy
import math
import pickle
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

import pumpleak_sbml as pl
from pumpleak_sbml import limits
from pumpleak_sbml.errors import short_repr
from pumpleak_sbml.sbml_compiler import antimony_to_sbml
from pumpleak_sbml.spec import _RESERVED_NAMES, NEW_SPEC_TEMPLATE, apply_spec_overrides

HUGE = 10**400  # an exact integer beyond float's range (TOML and Python allow it)
ENORMOUS = 10**5000  # beyond Python's 4,300-digit limit for int <-> str conversion


def template() -> dict[str, Any]:
    """Return the generic preset as a dict, with round compositions and a protocol step."""
    data = tomllib.loads(NEW_SPEC_TEMPLATE)
    data["medium"] = {"Na": 145.0, "K": 4.0, "Cl": 119.0, "X": 30.0, "z_X": -1.0}
    data["cell"] = {"Na": 14.0, "K": 120.0, "Cl": 5.0, "X": 129.0, "z_X": -1.0}
    data["protocol"] = [{"at": 5000.0, "set": {"I_max": 0.0}}]
    return data


def refusal(data: object) -> str:
    """Return the message of the ModelDefinitionError that validating ``data`` raises."""
    with pytest.raises(pl.ModelDefinitionError) as caught:
        pl.spec_from_dict(data)  # type: ignore[arg-type]
    message = str(caught.value)
    assert "\n" not in message
    assert len(message) < 400, message  # one readable line, whatever the input's size
    return message


# --- names ---------------------------------------------------------------------------------


def test_name_of_limit_length_is_accepted_and_one_more_is_refused() -> None:
    """A 64-character model name builds; 65 characters are refused naming both numbers."""
    data = template()
    data["name"] = "a" * limits.MAX_NAME_LENGTH
    assert pl.spec_from_dict(data).name == data["name"]
    data["name"] = "a" * (limits.MAX_NAME_LENGTH + 1)
    with pytest.raises(pl.LimitExceededError) as caught:
        pl.spec_from_dict(data)
    message = str(caught.value)
    assert message.startswith("spec key name = 'aaaaaaaaaaaaaaaaaaaa'...: 65 characters")
    assert "is above the limit of 64 characters" in message


def test_name_of_twenty_thousand_characters_is_refused_before_roadrunner() -> None:
    """The name that segfaulted RoadRunner is refused by the spec check, in every entry point."""
    data = template()
    data["name"] = "cell" * 5000
    for entry in (pl.spec_from_dict, pl.to_sbml, pl.load, pl.steady_state):
        with pytest.raises(pl.LimitExceededError, match="20,000 characters is above the limit"):
            entry(data)


def test_long_override_name_is_refused_without_echoing_it() -> None:
    """A 100,000-character override name is refused by the length limit, in a short message."""
    with pytest.raises(pl.LimitExceededError) as caught:
        apply_spec_overrides(template(), {"x" * 100_000: 1.0})
    assert "100,000 characters" in str(caught.value)
    assert len(str(caught.value)) < 200


def test_long_unknown_spec_key_is_refused_in_a_short_message() -> None:
    """An unknown 1,000,000-character key is refused without difflib and without echoing it."""
    data = template()
    data["k" * 1_000_000] = 1.0
    assert "unknown key" in refusal(data)


def test_long_unknown_library_model_name_is_shortened_in_the_message() -> None:
    """An unknown library model name of 100,000 characters is abbreviated in the message."""
    with pytest.raises(pl.UnknownModelError) as caught:
        pl.to_sbml("m" * 100_000)
    assert "(100,002 characters)" in str(caught.value)
    assert len(str(caught.value)) < 400


@pytest.mark.parametrize("name", sorted(_RESERVED_NAMES))
def test_reserved_name_is_refused_by_the_spec_check(name: str) -> None:
    """Every word Antimony reserves is refused as a model name, before anything is built."""
    data = template()
    data["name"] = name
    message = refusal(data)
    assert f"spec key name = {name!r}" in message
    assert "reserves" in message or "already uses" in message


# Candidate model names: Antimony's keywords, its constants and MathML function names, the
# words of its model annotations, C++ keywords and SBML's own words, each in several cases.
_CANDIDATE_TEXT = """
model module end function species compartment formula var const unit import is has in at after
priority delete substanceOnly DNA gene operator reaction event interaction ext notes creator
created modified publication givenName familyName organization email identity sboTerm
hasPart isPartOf isVersionOf isDescribedBy t0 fromTrigger persistent
abs acos acosh asin asinh atan atanh arccos arccosh arccot arccoth arccsc arccsch arcsec arcsech
arcsin arcsinh arctan arctanh ceil ceiling cos cosh cot coth csc csch exp factorial floor ln log
log10 log2 max min piecewise pow power quotient rem root sec sech sin sinh sqr sqrt tan tanh
implies otherwise lambda plus minus times divide gt lt eq neq geq leq delay rateOf time
avogadro inf infinity nan notanumber true false pi e exponentiale exponential and or not xor
class int double float return operator new delete namespace template this NULL None
Species Compartment Parameter Reaction Event Rule Model Unit
"""
_CANDIDATE_WORDS = _CANDIDATE_TEXT.split()
_CANDIDATES = sorted(
    {
        variant
        for word in _CANDIDATE_WORDS
        for variant in (word, word.lower(), word.upper(), word.capitalize())
    }
    | {"NaN", "Inf", "Infinity", "INFINITY"}
)


@pytest.mark.slow
def test_every_candidate_name_the_spec_accepts_compiles_in_antimony() -> None:
    """Each candidate word is either refused by the spec check or compiles in Antimony.

    This checks the reserved-name list against Antimony itself (the version installed), so
    an Antimony update that reserves a new word makes this test fail, not a user's build.
    """
    data = template()
    data.pop("protocol")
    late: list[str] = []
    for name in _CANDIDATES:
        data["name"] = name
        try:
            text = pl.model_antimony(data)
        except pl.ModelDefinitionError:
            continue  # refused up front: what we want for a reserved word
        try:
            antimony_to_sbml(text)
        except pl.AntimonyError as err:
            late.append(f"{name}: {err}")
    assert not late, "\n".join(late)


# --- sizes ---------------------------------------------------------------------------------


def test_read_limited_accepts_the_limit_and_refuses_one_byte_more(tmp_path: Path) -> None:
    """A file of exactly the limit is read whole; one byte more is refused before parsing."""
    path = tmp_path / "data.xml"
    path.write_bytes(b"x" * 1000)
    assert limits.read_limited(path, 1000, "test size") == b"x" * 1000
    path.write_bytes(b"x" * 1001)
    with pytest.raises(pl.LimitExceededError) as caught:
        limits.read_limited(path, 1000, "test size")
    assert str(caught.value).startswith(
        f"{path}: test size: 1,001 bytes is above the limit of 1,000 bytes"
    )


def test_read_limited_stops_reading_an_endless_device() -> None:
    """/dev/zero (size 0 for stat, endless for read) is refused after reading limit+1 bytes."""
    with pytest.raises(pl.LimitExceededError, match="above the limit of 1,000 bytes"):
        limits.read_limited(Path("/dev/zero"), 1000, "test size")


def test_validate_sbml_refuses_text_above_the_limit_before_parsing() -> None:
    """SBML text above MAX_SBML_BYTES is refused, naming its size, before libsbml sees it."""
    text = "<" * (limits.MAX_SBML_BYTES + 1)
    with pytest.raises(pl.LimitExceededError) as caught:
        pl.validate_sbml(text)
    assert "1,000,001 characters" in str(caught.value)


def test_validate_sbml_counts_utf8_bytes() -> None:
    """A text under the limit in characters but over it in UTF-8 bytes (µ is 2) is refused."""
    text = "µ" * (limits.MAX_SBML_BYTES // 2 + 1)
    with pytest.raises(pl.LimitExceededError, match="1,000,002 bytes"):
        pl.validate_sbml(text)


def test_spec_file_above_the_limit_is_refused_naming_file_and_size(tmp_path: Path) -> None:
    """A spec file larger than MAX_SPEC_BYTES (a comment pads it) is refused before TOML."""
    path = tmp_path / "cell.toml"
    path.write_text(NEW_SPEC_TEMPLATE + "#" * limits.MAX_SPEC_BYTES, encoding="utf-8")
    with pytest.raises(pl.LimitExceededError) as caught:
        pl.load_spec(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: spec file size: ")
    assert "is above the limit of 100,000 bytes" in message


# --- time grid -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("end", "points", "fragment"),
    [
        (1e300, 11, "end time = 1e+300 s is above the limit of 1e+09 s"),
        (math.inf, 11, "end time = inf is above the limit of 1e+09 s"),
        (HUGE, 11, "end time = <an integer of about 401 digits> is above the limit"),
        (-5.0, 11, "the end time must be a positive number of seconds, got -5.0"),
        (0.0, 11, "the end time must be a positive number of seconds, got 0.0"),
        (math.nan, 11, "got nan"),
        (-HUGE, 11, "got <a negative integer of about 401 digits>"),
        ("10", 11, "got '10'"),
        (10.0, 1, "the number of points must be an integer >= 2, got 1"),
        (10.0, 0, "got 0"),
        (10.0, 2.5, "got 2.5"),
        (10.0, limits.MAX_POINTS + 1, "number of points = 100001 is above the limit of 100,000"),
        (10.0, HUGE, "number of points = <an integer of about 401 digits> is above the limit"),
    ],
    ids=lambda value: short_repr(value)[:20],
)
def test_time_grid_refusals_name_value_and_limit(
    end: object, points: object, fragment: str
) -> None:
    """Each invalid end time or point count is refused with a message naming value and rule."""
    with pytest.raises(pl.ModelDefinitionError) as caught:
        limits.check_time_grid(end, points)
    assert fragment in str(caught.value)


def test_time_grid_limits_themselves_are_accepted() -> None:
    """The largest end time and point count are accepted and returned as float and int."""
    assert limits.check_time_grid(limits.MAX_END_TIME, limits.MAX_POINTS) == (1e9, 100_000)
    assert limits.check_time_grid(1, 2) == (1.0, 2)


def test_protocol_step_after_the_longest_simulated_time_is_refused() -> None:
    """A protocol step later than MAX_END_TIME is refused, naming the step and the limit."""
    data = template()
    data["protocol"][0]["at"] = 1e10
    message = refusal(data)
    assert "spec key protocol[0].at = 10000000000.0" in message
    assert "1e+09 s" in message


# --- values and structures that used to escape as tracebacks -------------------------------


@pytest.mark.parametrize("value", [HUGE, -HUGE, ENORMOUS], ids=["huge", "-huge", "enormous"])
def test_huge_integer_in_spec_is_refused_not_overflowed(value: int) -> None:
    """An integer beyond float's range is refused with the key named (was OverflowError)."""
    data = template()
    data["temperature"] = value
    message = refusal(data)
    assert message.startswith("spec key temperature = <")
    assert "too large for a floating-point number" in message


def test_huge_integer_in_toml_file_is_refused(tmp_path: Path) -> None:
    """``temperature = 1`` followed by 400 zeros in a TOML file is refused naming the key."""
    path = tmp_path / "cell.toml"
    path.write_text(
        NEW_SPEC_TEMPLATE.replace("temperature = 310.15", f"temperature = {HUGE}"),
        encoding="utf-8",
    )
    with pytest.raises(pl.ModelDefinitionError, match="spec key temperature = <an integer"):
        pl.load_spec(path)


def test_integer_beyond_python_digit_limit_in_toml_is_refused(tmp_path: Path) -> None:
    """A 5,001-digit integer, which tomllib refuses with ValueError, is our error instead."""
    path = tmp_path / "cell.toml"
    path.write_text(f"temperature = 1{'0' * 5000}\n", encoding="utf-8")
    with pytest.raises(pl.ModelDefinitionError) as caught:
        pl.load_spec(path)
    assert str(caught.value).startswith(f"{path}: not a usable spec: ")


def test_deeply_nested_toml_is_refused(tmp_path: Path) -> None:
    """An array nested 20,000 deep (tomllib: RecursionError) is refused as a spec error."""
    path = tmp_path / "cell.toml"
    path.write_text("a = " + "[" * 20_000 + "]" * 20_000 + "\n", encoding="utf-8")
    with pytest.raises(pl.ModelDefinitionError, match="nested too deeply"):
        pl.load_spec(path)


@pytest.mark.parametrize("value", [HUGE, ENORMOUS, -HUGE], ids=["huge", "enormous", "-huge"])
def test_huge_integer_override_of_spec_is_refused(value: int) -> None:
    """A huge integer as a spec override is an InvalidOverrideError (was OverflowError)."""
    with pytest.raises(pl.InvalidOverrideError, match="expected a finite number"):
        pl.to_sbml(template(), I_max=value)


@pytest.mark.parametrize(
    "path",
    [(), ("medium",), ("leaks", "Na"), ("protocol", 0), ("protocol", 0, "set")],
    ids=["top", "medium", "leak", "protocol-step", "protocol-set"],
)
@pytest.mark.parametrize("key", [1, None, ("a",), 2.5])
def test_non_text_key_is_refused_naming_where(path: tuple[object, ...], key: object) -> None:
    """A non-text key anywhere in a spec dict is refused (was TypeError from difflib)."""
    data = template()
    target: Any = data
    for step in path:
        target = target[step]
    target[key] = 1.0
    message = refusal(data)
    assert f"{short_repr(key)}: keys must be text, not {type(key).__name__}" in message


def test_non_text_key_in_spec_override_source_is_refused() -> None:
    """apply_spec_overrides checks the structure too (it deep-copies before validation)."""
    data = template()
    data[3] = 1.0
    with pytest.raises(pl.ModelDefinitionError, match="keys must be text"):
        apply_spec_overrides(data, {"I_max": 1.0})


def test_non_text_override_name_is_refused() -> None:
    """An override mapping with a non-text name is refused (was TypeError from difflib)."""
    with pytest.raises(pl.InvalidOverrideError, match="an override name must be text"):
        apply_spec_overrides(template(), {1: 1.0})  # type: ignore[dict-item]


def test_deeply_nested_spec_dict_is_refused() -> None:
    """A dict nested 10,000 deep is refused at the first level deeper than a spec's."""
    deep: dict[str, Any] = {}
    inner = deep
    for _ in range(10_000):
        inner["x"] = {}
        inner = inner["x"]
    data = template()
    data["leaks"]["Na"] = deep
    message = refusal(data)
    assert "nested deeper than any spec key" in message


# --- messages and errors -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (1.5, "1.5"),
        ("abc", "'abc'"),
        (HUGE, "<an integer of about 401 digits>"),
        (-ENORMOUS, "<a negative integer of about 5001 digits>"),
        ("x" * 1000, "'" + "x" * 59 + "... (1,002 characters)"),
    ],
    ids=["float", "text", "huge", "-enormous", "long-text"],
)
def test_short_repr_keeps_messages_short(value: object, shown: str) -> None:
    """short_repr shows small values as repr and abbreviates huge integers and long texts."""
    assert short_repr(value) == shown


def test_limit_exceeded_error_pickles_with_its_attributes() -> None:
    """A LimitExceededError raised by a check survives pickling with what, value and limit."""
    with pytest.raises(pl.LimitExceededError) as caught:
        limits.check_time_grid(1e12, 10)
    copy_ = pickle.loads(pickle.dumps(caught.value))
    assert str(copy_) == str(caught.value)
    assert (copy_.what, copy_.value, copy_.limit) == ("end time", "1e+12 s", "1e+09 s")
    assert isinstance(copy_, pl.ModelDefinitionError)
    assert isinstance(copy_, ValueError)


def test_every_limit_is_documented_in_the_readme() -> None:
    """The README's Limits table gives each limit's value as the code has it."""
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Limits", 1)[1].split("\n## ", 1)[0]
    documented = {
        "MAX_NAME_LENGTH": "64 characters",
        "MAX_SBML_BYTES": "1,000,000 bytes",
        "MAX_SPEC_BYTES": "100,000 bytes",
        "MAX_POINTS": "100,000",
        "MAX_END_TIME": "1e9 s",
    }
    for name, text in documented.items():
        assert text in section, name
    assert limits.MAX_NAME_LENGTH == 64
    assert limits.MAX_SBML_BYTES == 1_000_000
    assert limits.MAX_SPEC_BYTES == 100_000
    assert limits.MAX_POINTS == 100_000
    assert limits.MAX_END_TIME == 1e9


def test_template_and_library_stay_within_the_limits() -> None:
    """The shipped spec template and every library model's SBML are well inside the limits."""
    assert len(NEW_SPEC_TEMPLATE.encode("utf-8")) < limits.MAX_SPEC_BYTES / 10
    for name in pl.list_models():
        assert len(name) <= limits.MAX_NAME_LENGTH
        assert len(pl.to_sbml(name).encode("utf-8")) < limits.MAX_SBML_BYTES / 10


def test_refusal_messages_do_not_contain_control_characters() -> None:
    """A name with a newline is shown escaped, so the error stays on one line."""
    data = copy.deepcopy(template())
    data["name"] = "bad\nname"
    message = refusal(data)
    assert "'bad\\nname'" in message
    assert re.search(r"[\x00-\x1f]", message) is None


def _leaf_paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a key or list item of a spec dict, at every depth."""
    items = value.items() if isinstance(value, dict) else enumerate(value)
    found = []
    for key, item in items:
        found.append((*prefix, key))
        if isinstance(item, dict | list):
            found.extend(_leaf_paths(item, (*prefix, key)))
    return found


_NASTY = {
    "enormous-int": ENORMOUS,
    "nan": math.nan,
    "long-text": "x" * 100_000,
    "none": None,
    "list": [1, 2],
    "table-with-int-key": {1: 2},
    "newline": "a\nb",
}


@pytest.mark.parametrize("nasty", sorted(_NASTY))
def test_every_spec_entry_refuses_each_nasty_value_with_our_error(nasty: str) -> None:
    """Each entry of the template, replaced in turn by a nasty value, gives our error or passes.

    An exhaustive companion of the Hypothesis fuzz (which draws paths and values at random):
    str(10**5000) raises ValueError in Python, and three spec checks once called it.
    """
    for path in _leaf_paths(template()):
        data = template()
        parent: Any = data
        for step in path[:-1]:
            parent = parent[step]
        parent[path[-1]] = copy.deepcopy(_NASTY[nasty])
        for check in (pl.spec_from_dict, lambda spec: apply_spec_overrides(spec, {"I_max": 1})):
            message = ""
            try:
                check(data)  # apply_spec_overrides looks names up before any validation
            except pl.ModelDefinitionError as err:
                message = str(err)
            assert "\n" not in message, path
            assert len(message) < 1500, path


@pytest.mark.parametrize(
    ("text", "accepted"),
    [
        ("x" * 10, True),  # 10 characters, 10 bytes: the limit itself
        ("x" * 11, False),
        ("µ" * 5, True),  # 5 characters, 10 bytes in UTF-8
        ("µ" * 5 + "x", False),  # 6 characters, 11 bytes
    ],
)
def test_text_size_limit_counts_utf8_bytes_and_accepts_the_limit(text: str, accepted: bool) -> None:
    """check_text_size accepts exactly the limit in UTF-8 bytes and refuses one byte more."""
    if accepted:
        limits.check_text_size("text", text, 10)
    else:
        with pytest.raises(pl.LimitExceededError, match="above the limit of 10 bytes"):
            limits.check_text_size("text", text, 10)
