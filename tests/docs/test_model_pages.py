# SPDX-License-Identifier: MIT
"""The generated model pages: one per library model, a new model gets one, all from the model."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import textwrap
from importlib.resources.abc import Traversable
from pathlib import Path

import model_pages
import pytest

import pumpleak_sbml as pl
from pumpleak_sbml import library

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_every_library_model_has_a_page_in_the_navigation_and_the_index() -> None:
    """Each name pl.list_models() returns has a page path, a nav entry and an index row."""
    names = pl.list_models()
    navigation = model_pages.navigation(names)
    index = model_pages.index_page(names)
    for name in names:
        markdown, figure = model_pages.page_paths(name)
        assert markdown == f"models/{name}.md"
        assert figure == f"models/{name}.png"
        assert f"[{name}]({name}.md)" in navigation
        assert f"[`{name}`]({name}.md)" in index


def test_a_new_model_file_gets_a_page_without_any_edit(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A model added to the library is listed, navigated and rendered with no change to docs."""
    new = tmp_path / "new_cell.ant"
    new.write_text(pl.antimony("pump_leak").replace("pump_leak", "new_cell"), encoding="utf-8")
    files: dict[str, Traversable] = {**library._model_files(), "new_cell": new}
    monkeypatch.setattr(library, "_model_files", lambda: files)
    assert "new_cell" in pl.list_models()
    assert "[new_cell](new_cell.md)" in model_pages.navigation(pl.list_models())
    page = model_pages.model_page("new_cell")
    assert page.markdown.startswith("# new_cell\n")
    assert "## Steady state" in page.markdown
    assert page.figure.startswith(PNG_SIGNATURE)


@pytest.fixture(scope="module")
def pump_leak_page() -> model_pages.ModelPage:
    """Render pump_leak's page once for the tests that read it."""
    return model_pages.model_page("pump_leak")


def test_page_shows_the_rate_of_every_state_and_the_rules_that_matter(
    pump_leak_page: model_pages.ModelPage,
) -> None:
    """The equations list d/dt of each state and the Vm, E_*, I_*, J_* and osm_* rules."""
    text = pump_leak_page.markdown
    species = {"Na_i", "K_i", "Cl_i"}
    for state in pl.ode("pump_leak").state_names:
        assert rf"\frac{{d\,{model_pages.latex_name(state, species)}}}{{dt}}" in text
    for sid in ("Vm", "E_Na", "E_K", "E_Cl", "I_Na", "I_K", "I_Cl", "J_pump", "osm_i", "osm_o"):
        assert f"{{{model_pages.latex_name(sid)}}} &=" in text, sid


def test_parameter_table_has_every_settable_quantity_with_unit_and_source(
    pump_leak_page: model_pages.ModelPage,
) -> None:
    """Each settable quantity has a row with its value, unit and its .ant source comment."""
    rows = {
        line.split("|")[1].strip().strip("`"): line
        for line in pump_leak_page.markdown.splitlines()
        if line.startswith("| `")
    }
    for sid, quantity in pl.resolve("pump_leak").compiled.settable.items():
        assert sid in rows, sid
        assert f"| {quantity.unit} |" in rows[sid].replace("\\", ""), sid
    assert "Derivation: steady state needs I" in rows["g_K"]
    assert "Source: seed text" in rows["Na_o"]


def test_steady_state_and_certificate_come_from_the_engine(
    pump_leak_page: model_pages.ModelPage,
) -> None:
    """The page's Vm and certificate are pl.steady_state's, to the digits shown."""
    state = pl.steady_state("pump_leak")
    text = pump_leak_page.markdown
    assert f"| `Vm` | membrane potential | {state['Vm']:.6g} | mV |" in text
    certificate = state.certificate
    assert f"| method | {certificate.method}, {certificate.iterations} iterations |" in text


def test_figure_is_a_png_and_the_page_links_it(pump_leak_page: model_pages.ModelPage) -> None:
    """The figure is drawn at build time and the page shows it."""
    assert pump_leak_page.figure.startswith(PNG_SIGNATURE)
    assert "![Time course of pump_leak](pump_leak.png)" in pump_leak_page.markdown


def test_page_shows_how_to_load_the_model_in_other_tools(
    pump_leak_page: model_pages.ModelPage,
) -> None:
    """Tabs for tellurium, COPASI, Myokit, pl.ode and the command line, for this model."""
    text = pump_leak_page.markdown
    for tab in ("tellurium", "COPASI", "Myokit", "pl.ode (SciPy)", "command line"):
        assert f'=== "{tab}"' in text
    assert 'te.loada(pl.antimony("pump_leak"))' in text
    assert 'pl.ode("pump_leak")' in text


def test_a_model_without_steady_state_says_why() -> None:
    """donnan_swelling's page carries the engine's refusal instead of a state."""
    text = model_pages.model_page("donnan_swelling").markdown
    assert '!!! warning "SteadyStateNotFoundError"' in text
    assert "no finite steady state" in text


def test_scenario_pages_list_their_events_and_the_state_after_them() -> None:
    """impermeant_load's page has its event table and the after-events steady state."""
    text = model_pages.model_page("impermeant_load").markdown
    assert "### Events" in text
    assert "`time >= t_load`" in text
    assert "### After the events" in text


def test_the_same_model_gives_the_same_page_byte_for_byte() -> None:
    """The generator is deterministic: two renders are identical, figure included."""
    first = model_pages.model_page("proton_vesicle")
    second = model_pages.model_page("proton_vesicle")
    assert first.markdown == second.markdown
    assert first.figure == second.figure


@pytest.mark.slow
@pytest.mark.parametrize("name", pl.list_models())
def test_every_library_model_page_renders(name: str) -> None:
    """Every library model's page renders: equations, parameters, a figure, the snippets."""
    page = model_pages.model_page(name)
    assert "## Equations" in page.markdown
    assert "## Parameters" in page.markdown
    assert "## Use it elsewhere" in page.markdown
    assert page.figure.startswith(PNG_SIGNATURE)


def test_source_comments_attach_to_the_value_they_follow() -> None:
    """Inline, own-line and continued Source/Derivation comments find their quantity."""
    text = """// header
model *m()
  model notes ```
    <p>x = 1 // not code</p>
  ```
  a = 1 mM                  // Source: inline
  a is "A"
  a.sboTerm = 2
  b = 2 mM
  b is "B"
  // Derivation: own line,
  // continued here.
  c_i identity "http://identifiers.org/CHEBI:1"   // not a value
  var compartment cell = 1 pL   // a note on the value
  // --- section
  d = 3 mM
  // Chosen: d.
end
"""
    assert model_pages.source_comments(text) == {
        "a": "Source: inline",
        "b": "Derivation: own line, continued here.",
        "cell": "a note on the value",
        "d": "Chosen: d.",
    }


@pytest.mark.parametrize(
    ("identifier", "latex"),
    [
        ("E_Na", r"E_{\mathrm{Na}}"),
        ("conc_Na_i", r"[\mathrm{Na}]_{\mathrm{i}}"),
        ("I_pump_max", r"I_{\mathrm{pump,max}}"),
        ("Vm", r"V_{\mathrm{m}}"),
        ("mV_per_V", r"\mathrm{mV\_per\_V}"),
        ("K_ATP", r"K_{\mathrm{ATP}}"),
        ("beta", r"\beta"),
    ],
)
def test_identifiers_are_written_as_the_physiology_writes_them(identifier: str, latex: str) -> None:
    """latex_name subscripts the rest of an id, brackets concentrations, keeps conversions."""
    assert model_pages.latex_name(identifier) == latex


def test_species_are_upright_and_parameters_italic() -> None:
    """K_i (potassium) is upright, K_ATP (a constant) italic."""
    assert model_pages.latex_name("K_i", {"K_i"}) == r"\mathrm{K}_{\mathrm{i}}"
    assert model_pages.latex_name("K_i") == r"K_{\mathrm{i}}"


def test_pages_send_copasi_steady_states_to_the_copasi_ready_export() -> None:
    """Pages with a steady state name ``--format sbml-copasi`` for COPASI's steady state.

    Where an amount of that steady state is negative (proton_vesicle's excess H+), the page
    says the export writes its deficit instead; a model without a steady state gets no such
    line.
    """
    pump_leak = model_pages.model_page("pump_leak").markdown
    assert "--format sbml-copasi" in pump_leak
    assert "deficit" not in pump_leak
    vesicle = model_pages.model_page("proton_vesicle").markdown
    assert pl.steady_state("proton_vesicle").amounts["H_i"] < 0
    assert "H_i, negative at steady state, is written there as its deficit" in vesicle
    assert "--format sbml-copasi" not in model_pages.model_page("donnan_swelling").markdown


def _snippets(markdown: str) -> dict[str, str]:
    """Return the Python code of each tab of a page's "Use it elsewhere" section, by label."""
    blocks = re.findall(r'=== "([^"]+)"\n\n    ```python\n(.*?)\n    ```', markdown, re.DOTALL)
    return {label: textwrap.dedent(code) for label, code in blocks}


@pytest.mark.slow
@pytest.mark.parametrize("name", ["pump_leak", "proton_vesicle"])
def test_the_code_to_load_a_model_elsewhere_runs(name: str, tmp_path: Path) -> None:
    """Each snippet runs as printed, in a fresh interpreter (Myokit's when it is installed)."""
    snippets = _snippets(model_pages.model_page(name).markdown)
    assert set(snippets) == {
        "tellurium",
        "COPASI",
        "COPASI steady state",
        "Myokit",
        "pl.ode (SciPy)",
    }
    for label, code in snippets.items():
        if label == "Myokit" and importlib.util.find_spec("myokit") is None:
            continue
        check = code + "\nassert 'result' in globals() or 'values' in globals()\n"
        run = subprocess.run(
            [sys.executable, "-c", check],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert run.returncode == 0, f"{label} snippet of {name} failed:\n{run.stderr}"
