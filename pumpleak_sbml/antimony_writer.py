# SPDX-License-Identifier: MIT
"""Write the Antimony text of a cell spec from the component modules in ``models/components``.

:func:`to_antimony` is pure and deterministic: the same :class:`~pumpleak_sbml.spec.CellSpec`
always gives byte-identical text, whatever the key order of the file it came from (the spec
is normalised: ions in the order Na, K, Cl; cotransporters and protocol steps sorted). The
generated model uses the identifiers of the hand-written models, so the rest of the pipeline
(compile, validate, simulate, export) treats both alike::

    text = to_antimony(load_spec(Path("cell.toml")))
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from .errors import ModelDefinitionError
from .spec import ION_VALENCES, CellSpec, Event, Leak, Pump
from .units import FARADAY, GAS_CONSTANT

__all__ = ["check_model_name", "to_antimony"]

_COMPONENTS = "pumpleak_sbml.models"
_LABELS = {"Na": "Na+", "K": "K+", "Cl": "Cl-"}
_CHEBI = {"Na": "29101", "K": "29103", "Cl": "17996"}
_PUMP_EQUATIONS = {
    "fixed": "I_pump = I_max",
    "na_cubic": "I_pump = I_max ([Na+]i/[Na+]o)^3",
    "na_linear": "I_pump = I_max [Na+]i/Na_ref",
    "saturating": "I_pump = I_max ([Na+]i/([Na+]i + K_Na))^3 ([K+]o/([K+]o + K_K))^2",
    "atp": "I_pump = I_max f_ATP ([Na+]i/([Na+]i + K_Na))^3 ([K+]o/([K+]o + K_K))^2, "
    "f_ATP = [ATP]/([ATP] + K_ATP (1 + [ADP]/K_ADP)); one ATP hydrolysed per cycle",
}
# Unit of every model quantity a protocol step may set, for the event assignments.
_UNITS = {
    "T": "kelvin",
    "C_m": "uF_per_cm2",
    "P_f": "cm_per_s",
    "I_pump_max": "uA_per_cm2",
    "Na_ref": "mM",
    "K_Na": "mM",
    "K_K": "mM",
    "K_ATP": "mM",
    "K_ADP": "mM",
    "ATP_i": "mM",
    "ADP_i": "mM",
    "Pi_i": "mM",
    "z_X_o": "dimensionless",
    "T_ref": "kelvin",
    "Q10_pump": "dimensionless",
    "Q10_leak": "dimensionless",
    "Q10_water": "dimensionless",
}


@cache
def _component(name: str) -> str:
    text = (resources.files(_COMPONENTS) / "components" / f"{name}.ant").read_text("utf-8")
    return "\n".join(line for line in text.splitlines() if not line.startswith("//!")) + "\n"


def _render(component: str, **fields: object) -> str:
    return _component(component).format(**fields)


def _number(value: float) -> str:
    """Shortest text that reads back as the same float (repr), without a trailing '.0'."""
    text = repr(float(value))
    return text.removesuffix(".0") if "e" not in text else text


def _unit(model_id: str) -> str:
    if model_id in _UNITS:
        return _UNITS[model_id]
    if model_id.endswith("_o"):
        return "mM"
    if model_id.startswith(("g_",)):
        return "mS_per_cm2"
    return "cm_per_s"  # P_<ion>


def _notes(spec: CellSpec) -> str:
    leaks = ", ".join(f"{leak.ion}: {leak.law}" for leak in spec.leaks) or "none"
    lines = [
        f"<p>Pump-leak cell '{spec.name}', built by pumpleak_sbml from a cell spec.</p>",
        "<p>State: amounts Na_i, K_i, Cl_i (fmol), fixed impermeant amount X_i (valence z_X), "
        "volume cell (pL).</p>",
        f"<p>Geometry: {spec.geometry.shape}; the membrane area A_m stays fixed.</p>",
        f"<p>Leaks ({leaks}): linear I = g (Vm - E); GHK I = P z F u (c_i - c_o exp(-u))/"
        "(1 - exp(-u)), u = z F Vm/(R T). Currents are outward positive.</p>",
    ]
    if spec.pump is not None:
        lines.append(
            f"<p>Na+/K+-ATPase ({spec.pump.law}): {_PUMP_EQUATIONS[spec.pump.law]}; "
            "3 Na+ out and 2 K+ in per cycle.</p>"
        )
    for cotransporter in spec.cotransporters:
        lines.append(
            f"<p>{cotransporter.name}: electroneutral cotransport driven by Nernst "
            "potential differences.</p>"
        )
    if spec.temperature_dependence is not None:
        lines.append(
            "<p>Temperature dependence: the pump, leak and water rates are multiplied by "
            "phi = Q10^((T - T_ref)/10 K) (phi_pump, phi_leak, phi_water; 1 at T = T_ref).</p>"
        )
    lines += [
        "<p>Membrane potential (charge difference): "
        "Vm = F (Na_i + K_i - Cl_i + z_X X_i)/(C_m A_m).</p>",
        "<p>Water: d(cell)/dt = v_w P_f A_m (osm_i - osm_o).</p>",
    ]
    return "\n".join(f"    {line}" for line in lines)


def _summary(spec: CellSpec) -> str:
    laws = sorted({leak.law for leak in spec.leaks})
    pump = f"{spec.pump.law} pump" if spec.pump else "no pump"
    extra = "".join(f", {c.name}" for c in spec.cotransporters)
    return f"pump-leak cell built from a spec: {'/'.join(laws) or 'no'} leaks, {pump}{extra}"


def _geometry(spec: CellSpec) -> str:
    geometry = spec.geometry
    fields = {
        "radius": geometry.radius,
        "length": geometry.length,
        "area": geometry.area,
        "volume": geometry.volume,
    }
    return _render(
        f"geometry_{geometry.shape}", **{key: _number(value) for key, value in fields.items()}
    )


def _ions(spec: CellSpec) -> list[str]:
    return [
        _render(
            "ion",
            ion=ion,
            label=_LABELS[ion],
            chebi=_CHEBI[ion],
            valence=_number(ION_VALENCES[ion]),
            medium=_number(getattr(spec.medium, ion)),
            initial=_number(getattr(spec.cell, ion)),
        )
        for ion in ION_VALENCES
    ]


def _scale(spec: CellSpec, factor: str) -> str:
    """Return the Q10 factor's product prefix (``"phi_pump * "``), or "" without the table.

    Without a [temperature_dependence] table nothing is added: the text, and so every number
    of a model built from it, is what it was before temperature dependence existed.
    """
    return f"{factor} * " if spec.temperature_dependence is not None else ""


def _leak(leak: Leak, scale: str) -> str:
    value = {"g": _number(leak.value)} if leak.law == "linear" else {"P": _number(leak.value)}
    return _render(f"leak_{leak.law}", ion=leak.ion, label=_LABELS[leak.ion], scale=scale, **value)


def _resting_potential(spec: CellSpec) -> list[str]:
    """Return V_chord (and V_pump) for all-ohmic leaks, V_GHK for all-GHK leaks, else nothing.

    A mix of the two laws has no closed form for its resting potential.
    """
    laws = {leak.law for leak in spec.leaks}
    if laws == {"linear"}:
        scale = _scale(spec, "phi_leak")
        conductance = " + ".join(f"g_{leak.ion}" for leak in spec.leaks)
        weighted = " + ".join(f"g_{leak.ion} * E_{leak.ion}" for leak in spec.leaks)
        pump = "I_pump" if spec.pump is not None else "0 uA_per_cm2"
        parts = [
            _render(
                "resting_chord", weighted=weighted, conductance=conductance, pump=pump, scale=scale
            )
        ]
        if spec.pump is not None:
            parts.append(_render("resting_pump", conductance=conductance, scale=scale))
        return parts
    if laws == {"ghk"}:
        outside, inside = [], []
        for leak in spec.leaks:
            medium, cell = f"P_{leak.ion} * {leak.ion}_o", f"P_{leak.ion} * conc_{leak.ion}_i"
            cation = ION_VALENCES[leak.ion] > 0
            outside.append(medium if cation else cell)
            inside.append(cell if cation else medium)
        return [_render("resting_ghk", outside=" + ".join(outside), inside=" + ".join(inside))]
    return []


def _temperature(spec: CellSpec) -> list[str]:
    dependence = spec.temperature_dependence
    if dependence is None:
        return []
    return [
        _render(
            "temperature",
            reference=_number(dependence.reference),
            pump_q10=_number(dependence.pump_q10),
            leak_q10=_number(dependence.leak_q10),
            water_q10=_number(dependence.water_q10),
        )
    ]


def _pump(pump: Pump, scale: str) -> str:
    return _render(
        f"pump_{pump.law}",
        scale=scale,
        I_max=_number(pump.I_max),
        Na_ref=_number(pump.Na_ref),
        K_Na=_number(pump.K_Na),
        K_K=_number(pump.K_K),
        K_ATP=_number(pump.K_ATP),
        K_ADP=_number(pump.K_ADP),
        ATP=_number(pump.ATP),
        ADP=_number(pump.ADP),
        Pi=_number(pump.Pi),
    )


def _event(index: int, event: Event) -> str:
    assignments = ", ".join(
        f"{model_id} = {_number(value)} {_unit(model_id)}" for model_id, value in event.settings
    )
    return _render("event", index=index, time=_number(event.time), assignments=assignments)


def to_antimony(spec: CellSpec) -> str:
    """Return the Antimony text of a validated cell spec.

    Parameters
    ----------
    spec
        From :func:`~pumpleak_sbml.spec.load_spec` or :func:`~pumpleak_sbml.spec.spec_from_dict`.

    Returns
    -------
    str
        A complete Antimony model named ``spec.name``; deterministic for equal specs.

    Raises
    ------
    ModelDefinitionError
        If the model name is an identifier the model itself uses (e.g. ``cell`` or ``Vm``).
    """
    ions = (*ION_VALENCES, "X")
    body = "".join(_body_parts(spec, ions))
    check_model_name(spec, body)
    header = _render("header", name=spec.name, summary=_summary(spec), notes=_notes(spec))
    return header + body + "end\n"


_COMMENT_OR_STRING = re.compile(r'//[^\n]*|"[^"\n]*"')
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def check_model_name(spec: CellSpec, body: str | None = None) -> None:
    """Raise if the spec's name is an identifier its own model uses (``cell``, ``Vm``, ``F``).

    Only identifiers count: comments and quoted display names are ignored.

    Raises
    ------
    ModelDefinitionError
        Naming the key, the value and the rule.
    """
    text = body if body is not None else "".join(_body_parts(spec, (*ION_VALENCES, "X")))
    used = set(_IDENTIFIER.findall(_COMMENT_OR_STRING.sub(" ", text)))
    if spec.name in used:
        raise ModelDefinitionError(
            f"spec key name = {spec.name!r}: the built model already uses that identifier "
            "(for a quantity or a unit); choose another model name"
        )


def _body_parts(spec: CellSpec, ions: tuple[str, ...]) -> list[str]:
    return [
        _render(
            "constants",
            faraday=_number(FARADAY),
            gas_constant=_number(GAS_CONSTANT),
            temperature=_number(spec.temperature),
        ),
        _geometry(spec),
        _render(
            "membrane",
            capacitance=_number(spec.capacitance),
            water_permeability=_number(spec.water_permeability),
        ),
        *_ions(spec),
        _render(
            "impermeant",
            initial=_number(spec.cell.X),
            valence=_number(spec.cell.z_X),
            medium=_number(spec.medium.X),
            medium_valence=_number(spec.medium.z_X),
        ),
        _render(
            "electrical",
            osm_i=" + ".join(f"{ion}_i" for ion in ions),
            osm_o=" + ".join(f"{ion}_o" for ion in ions),
            charge=" + ".join(f"z_{ion} * {ion}_i" for ion in ions),
        ),
        *_temperature(spec),
        *(_leak(leak, _scale(spec, "phi_leak")) for leak in spec.leaks),
        *([_pump(spec.pump, _scale(spec, "phi_pump"))] if spec.pump is not None else []),
        *_resting_potential(spec),
        *(_render(c.name.lower(), g=_number(c.g)) for c in spec.cotransporters),
        _render("water", scale=_scale(spec, "phi_water")),
        *(_event(index, event) for index, event in enumerate(spec.protocol, start=1)),
    ]
