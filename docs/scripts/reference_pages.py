# SPDX-License-Identifier: MIT
"""Reference pages generated from the package, so that they cannot drift from it.

- ``cli-reference.md``: the help of ``pumpleak`` and of every subcommand, from the same
  ``argparse`` parser the command line uses (:func:`pumpleak_sbml.cli._parser`);
- ``api-reference.md``: a mkdocstrings entry for every name in ``pumpleak_sbml.__all__``,
  grouped by the module that defines it;
- MathJax, copied from the ``django-static-mathjax`` package (the docs extra) into the site,
  so that no page loads anything from the network.
"""

from __future__ import annotations

import argparse
import contextlib
import os
from collections.abc import Iterator
from importlib import resources

from griffe_roles import defining_module

import pumpleak_sbml as pl
from pumpleak_sbml import cli

__all__ = ["MATHJAX_PATH", "api_reference", "cli_reference", "mathjax_script"]

MATHJAX_PATH = "javascripts/vendor/mathjax/tex-svg.js"
_HELP_COLUMNS = "80"  # argparse wraps help to the terminal width: fix it for a stable page


@contextlib.contextmanager
def _fixed_width() -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in ("COLUMNS", "NO_COLOR")}
    os.environ["COLUMNS"] = _HELP_COLUMNS
    os.environ["NO_COLOR"] = "1"
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def cli_reference() -> str:
    """Return the command-line reference page: ``--help`` of the program and each subcommand."""
    with _fixed_width():
        parser = cli._parser()
        sections = [
            "# Every subcommand\n",
            "The help of each subcommand, as `pumpleak SUBCOMMAND --help` prints it. This page is "
            "generated from the command line's own parser when the site is built.\n",
            f"```text\n{parser.format_help().rstrip()}\n```\n",
        ]
        for name, sub in _subcommands(parser).items():
            sections += [f"## `pumpleak {name}`\n", f"```text\n{sub.format_help().rstrip()}\n```\n"]
    return "\n".join(sections)


def api_reference() -> str:
    """Return the API reference page: every public name, grouped by its module."""
    names = [name for name in pl.__all__ if not name.startswith("_")]
    modules: dict[str, list[str]] = {}
    for name in names:
        modules.setdefault(defining_module(name), []).append(name)
    sections = [
        "# API reference\n",
        "Every name `import pumpleak_sbml as pl` exports (`pl.__all__`), from its docstring, "
        "grouped by the module that defines it. Generated when the site is built.\n",
    ]
    for module in sorted(modules):
        sections.append(f"## `{module}`\n")
        sections += [f"::: {module}.{name}\n" for name in sorted(modules[module])]
    return "\n".join(sections)


def mathjax_script() -> bytes:
    """Return MathJax 3's TeX-to-SVG bundle (one file: no fonts or other files to load)."""
    bundle = resources.files("mathjax").joinpath("static", "mathjax", "es5", "tex-svg.js")
    return bundle.read_bytes()
