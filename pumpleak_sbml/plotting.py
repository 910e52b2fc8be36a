# SPDX-License-Identifier: MIT
"""Figures for a slide: a time course (volume, potentials, concentrations), a scan, a tornado.

matplotlib is an optional dependency (``pip install 'pumpleak_sbml[plot]'``) imported only
when a figure is drawn. :func:`plot_trajectory` draws up to three stacked panels that share
the time axis: the volume relative to its start, the membrane potential with the Nernst
potentials (every quantity in mV), and the intracellular concentrations (mM). Event times
are marked with dashed vertical lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .errors import OutputError, PumpLeakError
from .files import check_writable, write_atomically
from .trajectory import Trajectory

__all__ = ["check_figure_path", "plot_scan", "plot_sensitivities", "plot_trajectory"]

_POTENTIAL_STYLE = {
    "E_Na": ("tab:orange", "--"),
    "E_K": ("tab:green", "--"),
    "E_Cl": ("tab:purple", "--"),
    "Vm": ("black", "-"),
}


def _time_axis(seconds: np.ndarray) -> tuple[np.ndarray, str]:
    end = float(seconds[-1])
    if end >= 3 * 3600:
        return seconds / 3600.0, "time (h)"
    if end >= 3 * 60:
        return seconds / 60.0, "time (min)"
    return seconds, "time (s)"


def _potentials(trajectory: Trajectory) -> list[str]:
    """Vm with the Nernst potentials; for a model without Vm (the vesicle), its mV outputs."""
    if "Vm" in trajectory.columns:
        return ["Vm", *(c for c in ("E_Na", "E_K", "E_Cl") if c in trajectory.columns)]
    return [
        c
        for c in trajectory.columns
        if trajectory.units.get(c) == "mV" and c != "RT_F" and not c.startswith("V_")
    ]


def _concentrations(trajectory: Trajectory) -> list[str]:
    """Return the cell's concentrations in model order.

    ``conc_<S>`` where the model names them so (ours do), else every ``[S]`` of a species
    that changes (another tool's SBML).
    """
    named = [f"conc_{c}" for c in trajectory.columns if f"conc_{c}" in trajectory.columns]
    if named:
        return named
    return [
        f"[{c}]"
        for c in trajectory.columns
        if f"[{c}]" in trajectory.columns and np.ptp(trajectory[f"[{c}]"]) > 0
    ]


def _legend(trajectory: Trajectory, column: str) -> str:
    """Return a curve's legend: Vm, E_X, or the model's short display name, else the id.

    Physiologists write Vm and E_Na; a concentration reads [Na+]i, a volume "cell water
    volume" (the models' own names).
    """
    if column == "Vm" or column.startswith("E_"):
        return column
    name = trajectory.names.get(column, "")
    return name if name and len(name) <= _LEGEND_LENGTH else column


_LEGEND_LENGTH = 32  # characters: longer display names are descriptions, not labels


def _panels(trajectory: Trajectory) -> list[tuple[str, list[str]]]:
    volumes = [trajectory.volume] if trajectory.volume in trajectory.columns else []
    potentials = _potentials(trajectory)
    concentrations = _concentrations(trajectory)
    panels = [
        ("volume / initial volume", volumes),
        ("potential (mV)", potentials),
        ("intracellular concentration (mM)", concentrations),
    ]
    return [(label, columns) for label, columns in panels if columns]


def _pyplot() -> Any:
    try:
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib import pyplot
    except ImportError as err:
        raise PumpLeakError(
            "drawing figures needs matplotlib: pip install 'pumpleak_sbml[plot]'"
        ) from err
    return pyplot


def _draw(trajectory: Trajectory, events: Sequence[tuple[float, str]], title: str) -> Any:
    pyplot = _pyplot()
    panels = _panels(trajectory)
    time, time_label = _time_axis(trajectory["time"])
    figure, axes = pyplot.subplots(
        len(panels), 1, sharex=True, figsize=(7.0, 2.6 * len(panels)), squeeze=False
    )
    for axis, (label, columns) in zip(axes[:, 0], panels, strict=True):
        for column in columns:
            values = trajectory[column]
            if label.startswith("volume"):
                values = values / values[0]
            color, style = _POTENTIAL_STYLE.get(column, (None, "-"))
            axis.plot(time, values, style, color=color, label=_legend(trajectory, column))
        for event_time, _ in events:
            scaled = event_time * time[-1] / trajectory["time"][-1]
            axis.axvline(scaled, color="grey", linestyle=":", linewidth=1.0)
        axis.set_ylabel(label)
        axis.legend(loc="best", fontsize="small", frameon=False)
        axis.grid(alpha=0.3)
    top = axes[0, 0]
    for event_time, name in events:
        scaled = event_time * time[-1] / trajectory["time"][-1]
        top.annotate(
            name,
            xy=(scaled, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(3, -12),
            textcoords="offset points",
            fontsize="small",
            color="grey",
        )
    axes[-1, 0].set_xlabel(time_label)
    top.set_title(title)
    figure.tight_layout()
    return figure


def check_figure_path(path: Path, *, overwrite: bool = False) -> None:
    """Raise now if a figure cannot be written to ``path`` (format, existing file, folder).

    Raises
    ------
    OutputError
        If matplotlib cannot write the file's format, or :func:`check_writable` refuses it.
    PumpLeakError
        If matplotlib is not installed.
    """
    formats = _pyplot().figure().canvas.get_supported_filetypes()
    _pyplot().close("all")
    suffix = path.suffix.lstrip(".").lower()
    if suffix not in formats:
        raise OutputError(
            f"cannot draw {path}: unknown figure format {path.suffix or '(none)'!r}; "
            f"use one of {', '.join('.' + name for name in sorted(formats))}"
        )
    check_writable(path, overwrite=overwrite)


def plot_trajectory(
    trajectory: Trajectory,
    path: Path,
    *,
    events: Sequence[tuple[float, str]] | None = None,
    title: str | None = None,
    overwrite: bool = False,
) -> Path:
    """Draw a time course to an image file (the format follows the suffix, e.g. ``.png``).

    Parameters
    ----------
    trajectory
        A result of :func:`~pumpleak_sbml.simulate`.
    path
        Destination image file.
    events
        (time in s, label) pairs to mark with labelled vertical lines; default: the
        trajectory's own events.
    title
        Figure title; default: the model, the values set and where the run starts.
    overwrite
        Replace ``path`` if it exists (default False).

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    OutputError
        If the file exists (and ``overwrite`` is False) or cannot be written.
    PumpLeakError
        If matplotlib is not installed.
    """
    check_figure_path(path, overwrite=overwrite)
    marks = trajectory.events if events is None else events
    figure = _draw(trajectory, marks, title or trajectory.description)
    return _save(figure, path, overwrite)


def _save(figure: Any, path: Path, overwrite: bool) -> Path:
    suffix = path.suffix.lstrip(".").lower()
    try:
        return write_atomically(
            path, lambda tmp: figure.savefig(tmp, format=suffix, dpi=150), overwrite=overwrite
        )
    finally:
        _pyplot().close(figure)


def _scan_quantities(table: Any) -> list[tuple[str, str]]:
    """Return the volume (named in the table's ``attrs``) and Vm, with axis labels."""
    volume = table.attrs.get("volume")
    found = [(volume, "volume (pL)")] if volume in table.columns else []
    found += [("Vm", "Vm (mV)")] if "Vm" in table.columns else []
    return found


def _spans_decades(values: np.ndarray) -> bool:
    """Tell whether positive values span more than a factor of 50 (draw them on a log axis)."""
    return bool(values.size > 2 and np.all(values > 0) and values.max() / values.min() > 50)


def _existence_limits(values: np.ndarray, ok: np.ndarray) -> list[tuple[float, float]]:
    """Return the pairs of neighbouring points between which a steady state stops existing."""
    return [
        (float(values[i]), float(values[i + 1]))
        for i in range(len(values) - 1)
        if ok[i] != ok[i + 1]
    ]


def _draw_scan_1d(table: Any, name: str, title: str) -> Any:
    pyplot = _pyplot()
    quantities = _scan_quantities(table)
    ordered = table.sort_values(name)
    values = ordered[name].to_numpy(dtype=float)
    ok = (ordered["status"] == "ok").to_numpy()
    figure, axes = pyplot.subplots(
        len(quantities), 1, sharex=True, figsize=(7.0, 2.6 * len(quantities)), squeeze=False
    )
    for axis, (column, label) in zip(axes[:, 0], quantities, strict=True):
        shown = np.where(ok, ordered[column].to_numpy(dtype=float), np.nan)  # gaps, not lines
        axis.plot(values, shown, "-o", color="black", markersize=2.5)
        for low, high in _existence_limits(values, ok):
            axis.axvline((low + high) / 2, color="tab:red", linestyle="--", linewidth=1.0)
        axis.set_ylabel(label)
        axis.grid(alpha=0.3)
    top = axes[0, 0]
    for low, high in _existence_limits(values, ok):
        top.annotate(
            f"steady states end between {name} = {low:.4g} and {high:.4g}",
            xy=((low + high) / 2, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(-4, -12),
            textcoords="offset points",
            horizontalalignment="right",
            fontsize="small",
            color="tab:red",
        )
    if _spans_decades(values):
        top.set_xscale("log")
    axes[-1, 0].set_xlabel(name)
    top.set_title(title)
    figure.tight_layout()
    return figure


def _draw_scan_2d(table: Any, names: Sequence[str], title: str) -> Any:
    pyplot = _pyplot()
    quantities = _scan_quantities(table)
    first, second = names
    xs = np.unique(table[second].to_numpy(dtype=float))
    ys = np.unique(table[first].to_numpy(dtype=float))
    figure, axes = pyplot.subplots(
        1, len(quantities), figsize=(5.2 * len(quantities), 4.2), squeeze=False
    )
    ok = table["status"] == "ok"
    for axis, (column, label) in zip(axes[0], quantities, strict=True):
        grid = table.assign(value=table[column].where(ok)).pivot_table(
            index=first, columns=second, values="value", aggfunc="first", dropna=False
        )
        grid = grid.reindex(index=ys, columns=xs)
        mesh = axis.pcolormesh(xs, ys, grid.to_numpy(dtype=float), shading="nearest")
        figure.colorbar(mesh, ax=axis, label=label)
        if _spans_decades(xs):
            axis.set_xscale("log")
        if _spans_decades(ys):
            axis.set_yscale("log")
        axis.set_xlabel(second)
        axis.set_ylabel(first)
        axis.set_title(f"{label}; blank: no steady state", fontsize="small")
    figure.suptitle(title)
    figure.tight_layout()
    return figure


def plot_scan(
    table: Any,
    names: Sequence[str],
    path: Path,
    *,
    title: str | None = None,
    overwrite: bool = False,
) -> Path:
    """Draw a scan: volume and Vm against one parameter, or heat maps over two.

    Points without a steady state are gaps (blank cells in a heat map), and a 1-D figure
    marks where a steady state stops existing (a dashed line between the last point with one
    and the first without).

    Parameters
    ----------
    table
        A result of :func:`~pumpleak_sbml.scanning.scan`.
    names
        The varied parameters (one or two).
    path
        Destination image file.
    title
        Figure title; default: what was scanned.
    overwrite
        Replace ``path`` if it exists (default False).

    Raises
    ------
    OutputError
        If the file exists (and ``overwrite`` is False), cannot be written, or the scan has
        more than two parameters (draw a slice of it instead).
    """
    check_figure_path(path, overwrite=overwrite)
    label = title or f"scan of {', '.join(names)}"
    if len(names) == 1:
        figure = _draw_scan_1d(table, names[0], label)
    elif len(names) == 2:
        figure = _draw_scan_2d(table, names, label)
    else:
        raise OutputError(f"cannot draw a scan of {len(names)} parameters; draw one or two of them")
    return _save(figure, path, overwrite)


_TORNADO_BARS = 12  # the largest coefficients of each output; the rest are listed in the table


def _draw_tornado(relative: Any, title: str) -> Any:
    from .sensitivity import NEGLIGIBLE_COEFFICIENT

    pyplot = _pyplot()
    outputs = list(relative.index)
    figure, axes = pyplot.subplots(
        1, len(outputs), figsize=(3.2 * len(outputs) + 1, 4.5), squeeze=False
    )
    for axis, output in zip(axes[0], outputs, strict=True):
        row = relative.loc[output].dropna()
        row = row[row.abs() > NEGLIGIBLE_COEFFICIENT]
        largest = row.reindex(row.abs().sort_values(ascending=True).index)[-_TORNADO_BARS:]
        colours = ["tab:red" if value < 0 else "tab:blue" for value in largest]
        axis.barh(list(largest.index), list(largest.values), color=colours)
        axis.axvline(0.0, color="black", linewidth=0.8)
        axis.set_title(output)
        axis.set_xlabel("(p/x) dx/dp")
    figure.suptitle(title)
    figure.tight_layout()
    return figure


def plot_sensitivities(
    relative: Any, path: Path, *, title: str | None = None, overwrite: bool = False
) -> Path:
    """Draw control coefficients as a tornado: a panel per output, largest bars on top.

    Parameters
    ----------
    relative
        Control coefficients (``Sensitivities.relative``: rows outputs, columns parameters).
    path
        Destination image file.
    title
        Figure title; default: "control coefficients at steady state".
    overwrite
        Replace ``path`` if it exists (default False).
    """
    check_figure_path(path, overwrite=overwrite)
    figure = _draw_tornado(relative, title or "control coefficients at steady state")
    return _save(figure, path, overwrite)
