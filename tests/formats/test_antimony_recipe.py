# SPDX-License-Identifier: MIT
"""The README's Antimony recipe: import an exported model into your own top model.

``import "pump_leak.ant"`` then ``model top() A: pump_leak(); end`` silently compiled
``pump_leak`` (issue #9): the imported file marks its model as the main one. The checks here
compile the recipe with libAntimony and simulate the result against the library model.
"""

from __future__ import annotations

from pathlib import Path

import libsbml
import pytest

import pumpleak_sbml as pl
from pumpleak_sbml.formats import export
from pumpleak_sbml.formats.antimony import importable
from pumpleak_sbml.sbml_compiler import antimony_to_sbml

TOP = 'import "pump_leak.ant"\n\nmodel {star}top()\n  A: pump_leak()\nend\n'


def _compile_in(folder: Path, imported: str, top: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Compile ``top`` with ``imported`` saved beside it as pump_leak.ant.

    Antimony resolves imports from the working folder.
    """
    (folder / "pump_leak.ant").write_text(imported, encoding="utf-8")
    monkeypatch.chdir(folder)
    return antimony_to_sbml(top)


def _model_id(sbml: str) -> str:
    document = libsbml.readSBMLFromString(sbml)
    return str(document.getModel().getId())


@pytest.mark.parametrize("name", ["pump_leak", "red_cell"])
def test_importable_text_only_drops_the_main_model_mark(name: str) -> None:
    """``model *m(`` becomes ``model m(``; the text compiles to the same SBML."""
    text = pl.antimony(name)
    changed = importable(text)
    assert f"model *{name}()" in text
    assert f"model {name}()" in changed
    assert changed.replace(f"model {name}()", f"model *{name}()") == text
    assert antimony_to_sbml(changed) == antimony_to_sbml(text)


def test_recipe_with_the_importable_text_compiles_the_top_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The plain recipe (``model top()``) gives ``top``, whose cell A is pump_leak: same Vm."""
    sbml = _compile_in(
        tmp_path, importable(pl.antimony("pump_leak")), TOP.format(star=""), monkeypatch
    )
    assert _model_id(sbml) == "top"
    (tmp_path / "top.xml").write_text(sbml, encoding="utf-8")
    state = pl.steady_state(tmp_path / "top.xml")
    reference = pl.steady_state("pump_leak")
    # Same equations under ids Antimony prefixes with "A_": the same steady state to the
    # solver's precision.
    assert state["A_Vm"] == pytest.approx(reference["Vm"], rel=1e-9)
    assert state["A_cell"] == pytest.approx(reference["cell"], rel=1e-9)


def test_recipe_with_a_marked_top_model_works_with_the_library_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``model *top()`` (the README's recipe) selects top even when the import is marked."""
    sbml = _compile_in(tmp_path, pl.antimony("pump_leak"), TOP.format(star="*"), monkeypatch)
    assert _model_id(sbml) == "top"


def test_plain_recipe_with_a_marked_import_loads_the_wrong_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The trap itself: marked import + unmarked top compiles pump_leak, silently."""
    sbml = _compile_in(tmp_path, pl.antimony("pump_leak"), TOP.format(star=""), monkeypatch)
    assert _model_id(sbml) == "pump_leak"


def test_antimony_export_is_importable() -> None:
    """``pumpleak export --format antimony`` writes no main-model mark."""
    assert "model *pump_leak()" not in str(export("pump_leak", "antimony"))
