# SPDX-License-Identifier: MIT
"""The rest of the site: references generated from the package, notebooks stripped and listed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import pumpleak_sbml as pl

ROOT = Path(__file__).resolve().parents[2]
TUTORIALS = sorted((ROOT / "docs" / "tutorials").glob("*.ipynb"))


def test_there_are_the_three_tutorials() -> None:
    """The issue's three tutorials exist as notebooks."""
    names = {path.stem for path in TUTORIALS}
    assert {"first_steady_state", "own_cell_scan", "scipy_ode"} <= names


@pytest.mark.parametrize("notebook", TUTORIALS, ids=lambda path: path.stem)
def test_notebooks_are_stored_without_outputs(notebook: Path) -> None:
    """Outputs are made by executing the notebook (nbmake, the site build), never committed."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [], notebook.name
            assert cell["execution_count"] is None, notebook.name


@pytest.mark.parametrize("notebook", TUTORIALS, ids=lambda path: path.stem)
def test_every_notebook_is_in_the_site_navigation(notebook: Path) -> None:
    """A notebook left out of mkdocs.yml's nav would be built but hard to find."""
    assert f"tutorials/{notebook.name}" in (ROOT / "mkdocs.yml").read_text(encoding="utf-8")


def test_cli_reference_has_the_help_of_every_subcommand() -> None:
    """The reference is the parser's own help, one section per subcommand."""
    pytest.importorskip("griffe", reason="the API reference needs the docs extra")
    import reference_pages

    from pumpleak_sbml import cli

    page = reference_pages.cli_reference()
    parser = cli._parser()
    for name, sub in reference_pages._subcommands(parser).items():
        assert f"## `pumpleak {name}`" in page
        assert f"usage: pumpleak {name}" in page
        for action in sub._actions:
            for option in action.option_strings:
                assert option in page, (name, option)


def test_api_reference_documents_every_public_name() -> None:
    """Every name in pl.__all__ has a mkdocstrings entry (the doc-coverage check)."""
    pytest.importorskip("griffe", reason="the API reference needs the docs extra")
    import reference_pages

    page = reference_pages.api_reference()
    for name in pl.__all__:
        if not name.startswith("_"):
            assert f".{name}\n" in page, name


def test_sphinx_roles_become_links_only_to_documented_names() -> None:
    """:func:`x` links when x is public, else it is plain code; E_* is code, not emphasis."""
    pytest.importorskip("griffe", reason="the API reference needs the docs extra")
    import griffe_roles

    assert griffe_roles.link_roles(":func:`steady_state`") == (
        "[`steady_state`][pumpleak_sbml.api.steady_state]"
    )
    assert griffe_roles.link_roles(":class:`~pumpleak_sbml.spec.CellSpec`") == (
        "[`CellSpec`][pumpleak_sbml.spec.CellSpec]"
    )
    assert griffe_roles.link_roles(":meth:`write_csv`") == "`write_csv`"
    assert griffe_roles.link_roles("(Vm, E_*, I_*)") == "(Vm, `E_*`, `I_*`)"
    assert griffe_roles.link_roles("``E_*``") == "``E_*``"


def test_mathjax_is_bundled_not_fetched() -> None:
    """The site's MathJax comes from an installed package, so the site renders offline."""
    pytest.importorskip("mathjax", reason="MathJax comes with the docs extra")
    import reference_pages

    bundle = reference_pages.mathjax_script()
    assert b'VERSION="3.' in bundle  # MathJax 3's TeX-to-SVG component, one file


def test_a_page_that_loads_from_the_network_fails_the_strict_build(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The offline hook warns (an error under --strict) on external scripts, not on links."""
    pytest.importorskip("mkdocs", reason="the hook runs inside MkDocs (the docs extra)")
    import hooks

    class Page:
        class file:  # noqa: N801 (MkDocs' attribute name)
            src_uri = "example.md"

    html = (
        '<a href="https://doi.org/10.1/x">a link is fine</a>'
        '<script src="https://cdn.example.org/mathjax.js"></script>'
        '<link rel="stylesheet" href="https://fonts.example.org/font.css">'
    )
    with caplog.at_level("WARNING", logger="mkdocs.hooks.offline"):
        assert hooks.on_post_page(html, Page(), None) == html
    warned = " ".join(record.getMessage() for record in caplog.records)
    assert "cdn.example.org/mathjax.js" in warned
    assert "fonts.example.org/font.css" in warned
    assert "doi.org" not in warned
