# SPDX-License-Identifier: MIT
"""A griffe extension: our docstrings, written for Sphinx, read well on the MkDocs API page.

The package's docstrings cross-reference with Sphinx roles (``:func:`steady_state```,
``:class:`~pumpleak_sbml.spec.CellSpec```), which mkdocstrings would print as they are. A
role naming a public name (``pumpleak_sbml.__all__``) becomes a link to its entry on the API
reference page; any other becomes plain code, so that no link can dangle. Wildcard ids
(``E_*``, ``I_*``) become code too: markdown would read their stars as emphasis.
"""

import re
from typing import Any

import griffe

import pumpleak_sbml as pl

__all__ = ["SphinxRoles", "defining_module", "link_roles"]

_ROLE = re.compile(r":(?:func|class|meth|attr|data|exc|mod|obj):`(?P<tilde>~?)(?P<target>[\w.]+)`")


def defining_module(name: str) -> str:
    """Return the module whose entry documents a public name on the API reference page.

    A function or class is documented where it is defined; a value without a module of its
    own (``FORMATS``, the ``Model`` type alias) where ``pumpleak_sbml`` imports it from.
    """
    value = getattr(pl, name)
    module = getattr(value, "__module__", None)
    if isinstance(module, str) and module.startswith("pumpleak_sbml."):
        return module
    lazy: dict[str, str] = getattr(pl, "_LAZY", {})
    return f"pumpleak_sbml.{lazy[name]}" if name in lazy else "pumpleak_sbml"


def _replace(match: re.Match[str]) -> str:
    target = match["target"]
    name = target.rsplit(".", 1)[-1]
    shown = name if match["tilde"] else target
    if name not in pl.__all__:
        return f"`{shown}`"
    documented = f"{defining_module(name)}.{name}"
    if target not in (name, f"pumpleak_sbml.{name}", documented):
        return f"`{shown}`"  # a name that is public elsewhere under another path
    return f"[`{shown}`][{documented}]"


_WILDCARD = re.compile(r"(?<![`\w*])([A-Za-z][A-Za-z0-9]*_\*)(?![`\w*])")


def link_roles(text: str) -> str:
    """Return a docstring with its Sphinx roles made links or plain code, wildcards code."""
    return _WILDCARD.sub(r"`\1`", _ROLE.sub(_replace, text))


class SphinxRoles(griffe.Extension):
    """Rewrite the Sphinx roles of every docstring griffe loads (see the module docstring)."""

    def on_object(self, *, obj: griffe.Object, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        """Rewrite the roles of one object's docstring."""
        if obj.docstring is not None:
            obj.docstring.value = link_roles(obj.docstring.value)
