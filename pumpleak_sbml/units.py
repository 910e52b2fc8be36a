# SPDX-License-Identifier: MIT
"""Physical constants and unit labels: the one place where their values are written.

The hand-written models in ``models/`` carry the same constants (a test checks that they
agree with these). Values are CODATA 2018, exact in the 2019 SI.
"""

from __future__ import annotations

from .errors import ModelDefinitionError

__all__ = [
    "FARADAY",
    "GAS_CONSTANT",
    "PASCAL_PER_ATM",
    "UNIT_LABELS",
    "ZERO_CELSIUS",
    "osmotic_pressure",
]

FARADAY = 96485.33212
"""Faraday constant, C/mol."""

GAS_CONSTANT = 8.314462618
"""Molar gas constant, J/(mol K)."""

ZERO_CELSIUS = 273.15
"""0 degrees Celsius in kelvin."""

PASCAL_PER_ATM = 101325.0
"""One standard atmosphere in pascal (exact)."""

UNIT_LABELS: dict[str, str] = {
    "second": "s",
    "kelvin": "K",
    "dimensionless": "1",
    "fmol": "fmol",
    "pL": "pL",
    "mM": "mM",
    "mV": "mV",
    "um2": "µm²",
    "uA_per_cm2": "µA/cm²",
    "mS_per_cm2": "mS/cm²",
    "uF_per_cm2": "µF/cm²",
    "cm_per_s": "cm/s",
    "pL_per_fmol": "pL/fmol",
    "pF": "pF",
    "uF": "µF",
    "fA": "fA",
    "pS": "pS",
    "kPa": "kPa",
    "atm": "atm",
    "mM_per_pH": "mM/pH",
    "fC": "fC",
    "C_per_mol": "C/mol",
    "J_per_mol_per_K": "J/(mol·K)",
    "flux_per_current_density": "fmol·cm²/(s·µA)",
}
"""Readable labels of the unit identifiers used in ``models/*.ant``."""


def osmotic_pressure(delta_mosm_per_l: float, temperature: float) -> float:
    """Return the van 't Hoff osmotic pressure of an osmolarity difference, in atm.

    Parameters
    ----------
    delta_mosm_per_l
        Osmolarity difference in mOsm/L (numerically equal to mol/m³).
    temperature
        Absolute temperature in K; must be positive.

    Returns
    -------
    float
        Pressure in standard atmospheres: ``Δc · R · T / 101325``.

    Raises
    ------
    ModelDefinitionError
        If the temperature is not positive.

    Examples
    --------
    The seed's pump-failure example, +40 mOsm/L at 37 °C:

    >>> round(osmotic_pressure(40.0, 310.15), 2)
    1.02
    """
    if not temperature > 0:
        raise ModelDefinitionError(f"temperature must be positive (in K), got {temperature!r}")
    return delta_mosm_per_l * GAS_CONSTANT * temperature / PASCAL_PER_ATM
