# SPDX-License-Identifier: MIT
"""Summaries of a steady state for people and programs: a dict (for JSON) and a text table.

The summary groups a model's quantities by what they are, using the identifier contract of
the models (``conc_<ion>`` concentrations, ``E_<ion>`` Nernst potentials, ``I_<x>``
currents, ``Vm``, and the volume that a rate rule changes)::

    summary = steady_state_summary(state, parameters)
    print(json.dumps(summary))
    print(format_table(summary))
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .sensitivity import NEGLIGIBLE_COEFFICIENT
from .steady import SteadyState

if TYPE_CHECKING:
    from .sensitivity import Sensitivities

__all__ = ["format_sensitivities", "format_table", "steady_state_summary"]


# Computed quantities that only serve the equations (unit bridges, GHK factors, charge).
_INTERNAL = frozenset({"A_F", "C_cell", "C_ves", "Q_net", "RT_F"})
_INTERNAL_PREFIXES = ("u_", "ghk_", "conc_", "E_", "I_", "V_")


def _group(state: SteadyState, prefix: str) -> dict[str, float]:
    return {sid: state.values[sid] for sid in state.derived if sid.startswith(prefix)}


def _observables(state: SteadyState) -> dict[str, float]:
    """Every other computed quantity: dp, Donnan ratio, osmotic pressures, gains, ..."""
    return {
        sid: state.values[sid]
        for sid in state.derived
        if sid not in _INTERNAL and sid != "Vm" and not sid.startswith(_INTERNAL_PREFIXES)
    }


def _concentrations(state: SteadyState) -> dict[str, float]:
    """Every species' concentration as ``[S]``: the cell's first, then the medium's."""
    return {f"[{sid}]": value for sid, value in state.concentrations.items()}


def _unit(state: SteadyState, sid: str) -> str:
    """Return the unit of a quantity (``[S]``, a concentration, has its own label)."""
    return state.units.get(sid, "")


def steady_state_summary(state: SteadyState, parameters: Mapping[str, float]) -> dict[str, Any]:
    """Return a steady state as a JSON-ready dict.

    Parameters
    ----------
    state
        A verified steady state.
    parameters
        The settable quantities the model was run with (id to value).

    Returns
    -------
    dict
        Keys ``model``, ``parameters``, ``Vm`` (mV), ``volume`` (``{"value", "unit"}``),
        ``concentrations`` (mM), ``reversal_potentials`` (mV), ``currents`` (µA/cm², outward
        positive), ``resting_potential`` (mV: e.g. ``V_chord``, the chord-conductance average,
        and ``V_pump``, the pump's direct electrogenic contribution), ``observables`` (every
        other computed quantity, e.g. ``dp``, ``donnan_ratio``, ``Pi_atm``), ``units``
        (quantity id to unit) and ``certificate`` (how the state was found and why it is
        believed: residuals relative to the gross fluxes, the tolerance, the Jacobian's
        eigenvalues in 1/s as [real, imaginary], stability, the slowest relaxation time in s).
    """
    concentrations = _concentrations(state)
    potentials = _group(state, "E_")
    currents = _group(state, "I_")
    resting = _group(state, "V_")
    observables = _observables(state)
    volume_id = state.volume
    shown = [*concentrations, *potentials, *currents, *resting, *observables, "Vm", *parameters]
    if volume_id:
        shown.append(volume_id)
    units = {sid: _unit(state, sid) for sid in shown}
    return {
        "model": state.model_id,
        "parameters": dict(parameters),
        "Vm": state.values.get("Vm"),
        "volume": (
            {"value": state.values[volume_id], "unit": state.units.get(volume_id, "")}
            if volume_id
            else None
        ),
        "concentrations": concentrations,
        "reversal_potentials": potentials,
        "currents": currents,
        "resting_potential": resting,
        "observables": observables,
        "units": units,
        "certificate": state.certificate.to_json(),
    }


def format_table(summary: Mapping[str, Any]) -> str:
    """Return a steady-state summary as an aligned text table, one quantity per line."""
    units = summary["units"]
    rows: list[tuple[str, str, str]] = []
    if summary["Vm"] is not None:
        rows.append(("Vm", f"{summary['Vm']:.4f}", "mV"))
    if summary["volume"] is not None:
        rows.append(("volume", f"{summary['volume']['value']:.6g}", summary["volume"]["unit"]))
    for group in (
        "concentrations",
        "reversal_potentials",
        "currents",
        "resting_potential",
        "observables",
    ):
        for sid, value in summary[group].items():
            rows.append((sid, f"{value:.6g}", units.get(sid, "")))
    width = max(len(name) for name, _, _ in rows)
    value_width = max(len(value) for _, value, _ in rows)
    lines = [f"steady state of {summary['model']}"]
    lines += [f"  {name:<{width}}  {value:>{value_width}}  {unit}" for name, value, unit in rows]
    lines.append(_certificate_line(summary["certificate"]))
    return "\n".join(lines)


def _certificate_line(certificate: Mapping[str, Any]) -> str:
    """One line: how the state was found, its largest residual, stability, slowest mode."""
    stability = "stable" if certificate["stable"] else "UNSTABLE"
    return (
        f"certified ({certificate['method']}): largest residual "
        f"{certificate['max_residual']:.1e} of the gross fluxes (tolerance "
        f"{certificate['tolerance']:.0e}); {stability}, slowest relaxation "
        f"{certificate['slowest_relaxation_time']:.3g} s"
    )


def format_sensitivities(result: Sensitivities, *, absolute: bool = False) -> str:
    """Return sensitivities as a text table: a parameter per line, an output per column.

    Coefficients below :data:`NEGLIGIBLE_COEFFICIENT` print as 0 (an exactly zero effect
    comes out of the linear solve as rounding, ~1e-12), and parameters with no effect on
    any output are named on one line at the end.
    """
    table = result.absolute if absolute else result.relative
    units = result.units
    outputs = list(table.index)
    headers = [f"{o} ({units[o]})" if absolute and units.get(o) else o for o in outputs]
    visible = result.relative.fillna(0.0).abs() > NEGLIGIBLE_COEFFICIENT
    effective = [p for p in table.columns if visible[p].any()]
    names = [f"{p} ({units[p]})" if absolute and units.get(p) else p for p in effective]
    cells = [
        [f"{table.loc[o, p]:+.4g}" if visible.loc[o, p] else "0" for o in outputs]
        for p in effective
    ]
    name_width = max((len(n) for n in names), default=0)
    widths = [max(len(h), *(len(row[i]) for row in cells)) for i, h in enumerate(headers)]
    kind = "d output / d parameter" if absolute else "control coefficients (p/x) dx/dp"
    lines = [f"{kind} at the steady state of {result.state.model_id}"]
    lines.append(
        "  "
        + " " * name_width
        + "".join(f"  {h:>{w}}" for h, w in zip(headers, widths, strict=True))
    )
    for name, row in zip(names, cells, strict=True):
        values = "".join(f"  {c:>{w}}" for c, w in zip(row, widths, strict=True))
        lines.append(f"  {name:<{name_width}}{values}")
    idle = [p for p in table.columns if p not in effective]
    if idle:
        lines.append(f"no effect on these outputs: {', '.join(idle)}")
    return "\n".join(lines)
