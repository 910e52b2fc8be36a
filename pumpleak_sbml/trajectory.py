# SPDX-License-Identifier: MIT
"""A time course: one row per time point, one column per quantity, with units and events.

Simulators (:mod:`pumpleak_sbml.simulation`) return a :class:`Trajectory`; figures, CSV
files and comparisons read it::

    run = pl.simulate("pump_leak", end=1e4, points=101)
    run["time"], run["Vm"], run.units["Vm"]       # s, mV, 'mV'
    run["Na_i"], run["[Na_i]"]                    # amount (fmol), concentration (mM)
    frame = run.to_frame()                        # a pandas.DataFrame indexed by time
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import numpy as np

if TYPE_CHECKING:
    import pandas

__all__ = ["Trajectory"]


@dataclass(frozen=True)
class Trajectory:
    """A time course: one row per time point, one column per quantity."""

    model_id: str
    columns: tuple[str, ...]
    values: np.ndarray
    units: Mapping[str, str] = field(default_factory=dict)
    events: tuple[tuple[float, str], ...] = ()
    """(time in s, name) of the model's scenario events, for marking figures."""
    volume: str | None = None
    """The id of the cell's (or vesicle's) water volume, a column when it changes."""
    names: Mapping[str, str] = field(default_factory=dict)
    """Display names by column id (``conc_Na_i``: ``[Na+]i``), for figure legends."""
    start: str = "initial state"
    """What the time course starts from: ``"initial state"`` or ``"steady state"``."""
    overrides: Mapping[str, float] = field(default_factory=dict)
    """The values set for this run (id to value in the quantity's unit), for titles."""

    @property
    def description(self) -> str:
        """One line for a figure title: the model, the values set, where the run starts."""
        values = ", ".join(f"{sid} = {value:g}" for sid, value in self.overrides.items())
        model = f"{self.model_id} ({values})" if values else self.model_id
        return f"{model}: time course from the {self.start}"

    @property
    def event_times(self) -> tuple[float, ...]:
        """Times (s) at which the model's scenario events fire."""
        return tuple(time for time, _ in self.events)

    def __getitem__(self, column: str) -> np.ndarray:
        """Return one column by quantity id (``"time"``, ``"Vm"``, ``"cell"``, ...)."""
        try:
            return self.values[:, self.columns.index(column)]
        except ValueError:
            raise KeyError(
                f"{column!r} is not a column; columns: {', '.join(self.columns)}"
            ) from None

    def to_frame(self) -> pandas.DataFrame:
        """Return the time course as a ``pandas.DataFrame`` indexed by time (s).

        Columns are quantity ids (a species id is its amount, ``[S]`` its concentration, as
        in RoadRunner); ``frame.attrs`` holds ``units`` and ``names`` by column.
        """
        import pandas

        frame = pandas.DataFrame(self.values, columns=list(self.columns)).set_index("time")
        frame.attrs.update(model=self.model_id, units=dict(self.units), names=dict(self.names))
        return frame

    def write_csv(self, stream: TextIO) -> None:
        """Write the trajectory as CSV to a text stream, with a header ``id [unit]``."""
        header = [f"{c} [{self.units[c]}]" if self.units.get(c) else c for c in self.columns]
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(self.values.tolist())

    def to_csv(self, path: Path) -> None:
        """Write the trajectory as CSV to ``path`` (replacing it); see :meth:`write_csv`."""
        with path.open("w", newline="", encoding="utf-8") as stream:
            self.write_csv(stream)
