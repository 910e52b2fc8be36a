# SPDX-License-Identifier: MIT
"""Transport moves ions across the membrane; it never creates or destroys them.

In every reaction of every model (the library, and cells built with every component), each
ion leaves one side exactly as often as it arrives on the other: the stoichiometry of
``X_i`` and ``X_o`` cancels. Medium species are constant (boundary) species, so a wrong
coefficient on the medium side does not change any time course; only this check sees it
(the mutation check found ``2 K_o`` -> ``3 K_o`` in the pump and ``2 Cl_o`` -> ``3 Cl_o``
in NKCC1 surviving every dynamic test).
"""

from __future__ import annotations

import tomllib
from collections import Counter
from typing import Any

import libsbml
import pytest

import pumpleak_sbml as pl
from pumpleak_sbml.spec import NEW_SPEC_TEMPLATE

_SIDES = ("_i", "_o")


def _built(pump: dict[str, Any]) -> dict[str, Any]:
    """Return the generic cell with both leak laws, KCC2, NKCC1 and a protocol step; this pump."""
    data = tomllib.loads(NEW_SPEC_TEMPLATE)
    data["leaks"]["K"] = {"law": "ghk", "P": 6.1e-7}
    data["cotransporters"] = {"KCC2": {"g": 1e-4}, "NKCC1": {"g": 1e-4}}
    data["protocol"] = [{"at": 5000.0, "set": {"I_max": 0.0}}]
    data["pump"] = pump
    return data


# The ATP pump also hydrolyses one ATP to ADP + Pi inside the cell per cycle: chemistry, not
# transport, checked on its own below.
_METABOLITES = {"ATP": -1.0, "ADP": 1.0, "Pi": 1.0}


MODELS: dict[str, Any] = {name: name for name in pl.list_models()}
MODELS.update(
    {
        f"built-{pump['law']}": _built(pump)
        for pump in (
            {"law": "fixed", "I_max": 0.5},
            {"law": "na_cubic", "I_max": 80.0},
            {"law": "na_linear", "I_max": 0.5, "Na_ref": 12.0},
            {"law": "saturating", "I_max": 6.0, "K_Na": 10.0, "K_K": 1.5},
            {
                "law": "atp",
                "I_max": 6.0,
                "K_Na": 10.0,
                "K_K": 1.5,
                "K_ATP": 0.25,
                "K_ADP": 0.1,
                "ATP": 1.4,
                "ADP": 0.14,
                "Pi": 1.0,
            },
        )
    }
)


def net_change(reaction: libsbml.Reaction) -> Counter[str]:
    """Amount of each ion (species id without _i/_o) created by one unit of the reaction."""
    change: Counter[str] = Counter()
    for sign, references in (
        (-1, reaction.getListOfReactants()),
        (1, reaction.getListOfProducts()),
    ):
        for reference in references:
            species = reference.getSpecies()
            assert species.endswith(_SIDES), f"{reaction.getId()}: {species} has no side"
            change[species[:-2]] += sign * reference.getStoichiometry()
    return change


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_reaction_moves_ions_without_creating_them(name: str) -> None:
    """For each reaction, every ion's coefficients inside and outside cancel exactly."""
    document = libsbml.readSBMLFromString(pl.to_sbml(MODELS[name]))
    model = document.getModel()
    assert model.getNumReactions() > 0 or name.startswith("donnan")
    for reaction in model.getListOfReactions():
        change = net_change(reaction)
        created = {
            ion: amount for ion, amount in change.items() if amount != 0 and ion not in _METABOLITES
        }
        assert created == {}, f"{reaction.getId()} creates {created}"
        hydrolysis = {m: change[m] for m in _METABOLITES if m in change}
        assert hydrolysis in ({}, _METABOLITES), f"{reaction.getId()}: {hydrolysis}"


def test_every_transport_reaction_crosses_the_membrane() -> None:
    """No reaction of the core cell moves an ion from a side to the same side."""
    document = libsbml.readSBMLFromString(pl.to_sbml("pump_leak"))
    for reaction in document.getModel().getListOfReactions():
        sides = {
            reference.getSpecies()[-2:]
            for references in (reaction.getListOfReactants(), reaction.getListOfProducts())
            for reference in references
        }
        assert sides == {"_i", "_o"}, reaction.getId()
