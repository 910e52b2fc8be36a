# SPDX-License-Identifier: MIT
"""The identifier contract: the model ids that the code finds quantities by, in one place.

Every library model and every built cell names its quantities the same way, so reports,
figures, the cross-check and the exports can find "the membrane potential" or "the
concentration of Na_i" without knowing the model::

    MEMBRANE_POTENTIAL            # 'Vm' (mV)
    concentration_id("Na_i")      # 'conc_Na_i' (mM)
    is_potential("E_K")           # True: a Nernst potential (mV)

The comp export's ports (:data:`PORTS`) are part of the contract too.
``tests/test_identifiers.py`` checks the contract against every model and component.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .ode_functions import CompiledOde

__all__ = [
    "PORTS",
    "CONCENTRATION_PREFIX",
    "CURRENT_PREFIX",
    "INITIAL_VOLUME",
    "MEMBRANE_POTENTIAL",
    "NERNST_PREFIX",
    "OSMOLARITY_INSIDE",
    "OSMOLARITY_OUTSIDE",
    "POTENTIAL_IDS",
    "RESTING_POTENTIAL_PREFIX",
    "concentration_id",
    "is_potential",
    "volume_id",
]

MEMBRANE_POTENTIAL = "Vm"
"""The membrane potential, inside minus outside (mV)."""

CONCENTRATION_PREFIX = "conc_"
"""``conc_<species>``: the concentration (mM) of a species whose state is its amount."""

NERNST_PREFIX = "E_"
"""``E_<ion>``: the Nernst (reversal) potential of an ion (mV)."""

CURRENT_PREFIX = "I_"
"""``I_<mechanism>``: a cell's membrane current density, outward positive (µA/cm²).

The proton vesicle's ``I_pump`` and ``I_leak`` are whole-vesicle H+ currents in fA instead.
"""

RESTING_POTENTIAL_PREFIX = "V_"
"""``V_<name>``: an analytic resting-potential estimate (``V_chord``, ``V_pump``, mV)."""

INITIAL_VOLUME = "V_init"
"""A built cell's initial water volume (pL): a ``V_`` id that is not a potential."""

OSMOLARITY_INSIDE = "osm_i"
OSMOLARITY_OUTSIDE = "osm_o"
"""Intracellular and extracellular osmolarity (mM); water flows along their difference."""

POTENTIAL_IDS = frozenset({MEMBRANE_POTENTIAL, "dp", "dpsi", "V_donnan", "V_MN"})
"""Potentials that are not ``E_*`` or ``V_*`` by prefix: Δp and Δψ of the proton vesicle."""


PORTS: tuple[tuple[str, str], ...] = (
    ("Na_i", "intracellular Na+ pool"),
    ("K_i", "intracellular K+ pool"),
    ("Cl_i", "intracellular Cl- pool"),
    ("X_i", "intracellular impermeant anions"),
    ("H_i", "lumenal H+ (excess)"),
    ("Na_o", "medium Na+"),
    ("K_o", "medium K+"),
    ("Cl_o", "medium Cl-"),
    ("Vm", "membrane potential"),
    ("dp", "proton motive force"),
    ("I_pump", "pump current"),
    ("J_pump", "pump flux (cycles per second)"),
    ("f_ATP", "pump ATP factor"),
    ("ATP_i", "intracellular ATP the pump hydrolyses"),
    ("ADP_i", "intracellular ADP the pump produces"),
    ("Pi_i", "intracellular phosphate the pump produces"),
    ("cell", "cell water volume"),
    ("vesicle", "vesicle volume"),
)
"""(element id, what it is) of every contract port a model may expose; settable parameters
get a port too, labelled with their display name."""


def volume_id(ode: CompiledOde) -> str | None:
    """Return the id of a model's cell (or vesicle) volume.

    It is the compartment whose size a rate rule changes (water flow), or else the
    compartment of the first species the model moves (a rigid cell, the vesicle).
    """
    for sid, kind in zip(ode.states, ode.state_kinds, strict=True):
        if kind == "compartment":
            return sid
    for kind, compartment in zip(ode.state_kinds, ode.state_compartments, strict=True):
        if kind == "amount" and compartment:
            return compartment
    return None


def concentration_id(species_id: str) -> str:
    """Return the id of a species' concentration rule, e.g. ``conc_Na_i``."""
    return f"{CONCENTRATION_PREFIX}{species_id}"


def is_potential(sid: str) -> bool:
    """Tell whether an id names an electrical potential of the contract (mV)."""
    return (
        sid in POTENTIAL_IDS
        or sid.startswith(NERNST_PREFIX)
        or (sid.startswith(RESTING_POTENTIAL_PREFIX) and sid != INITIAL_VOLUME)
    )
