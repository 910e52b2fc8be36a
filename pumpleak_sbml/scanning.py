# SPDX-License-Identifier: MIT
"""Parameter scans: steady states (or time-course end points) over grids and point lists.

:func:`scan` runs a model at many parameter values and returns one table row per point, in
the order of the points, whatever the number of workers::

    table = pl.scan("pump_leak", {"I_pump_max": np.linspace(0.1, 2.5, 50),
                                  "g_Na": [0.005, 0.011, 0.02]})
    table[table.status == "ok"].plot(x="I_pump_max", y="cell")

A grid is the product of the value lists (the last parameter varies fastest); ``points=``
takes an explicit list of points instead (a table of values, one column per parameter).

How it is fast: the model is compiled once (per worker process), every point is set as
values on it, and each point starts its steady-state search from the answer of the point
before it (continuation along the grid). Points are split into blocks of a fixed size that
are solved in order, each block by one worker, and each point's warm start comes from its
own block; so the results, to the last digit, do not depend on how many workers there are.
Every reported state is certified (:mod:`pumpleak_sbml.steady`); a point with no steady state
gets its status (``no finite steady state``, ``no physical steady state``, ``not found``,
``invalid``) and empty values, and never stops the scan.

Parallelism: ``workers`` local processes (default: every core), or a Dask distributed
``client`` (the optional extra ``[dask]``), which runs the same blocks on a cluster.
"""

from __future__ import annotations

import itertools
import math
import os
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .built_model import BuiltModel, Model, resolve
from .errors import ModelDefinitionError, PumpLeakError, SimulationError
from .identifiers import CONCENTRATION_PREFIX, CURRENT_PREFIX, MEMBRANE_POTENTIAL

if TYPE_CHECKING:
    import pandas

__all__ = [
    "MAX_POINTS",
    "STATUSES",
    "ScanRequest",
    "grid",
    "parse_range",
    "read_points",
    "save_table",
    "scan",
    "solve_block",
]

MAX_POINTS = 10_000_000
"""The largest number of points one scan may have (checked before any work)."""

BLOCK_SIZE = 50
"""Points per unit of work: fixed, so that results do not depend on the number of workers."""

STATUSES = (
    "ok",
    "no finite steady state",
    "no physical steady state",
    "no stable steady state",
    "not found",
    "integration failed",
    "invalid",
)
"""Every status a row may have (``ok``: a certified steady state, or a finished run)."""

_CERTIFICATE_COLUMNS = (
    "max_residual",
    "tolerance",
    "stable",
    "slowest_relaxation_time",
    "method",
    "iterations",
)


@dataclass(frozen=True)
class ScanRequest:
    """What to compute at every point: the model, the parameter names, the mode."""

    model: BuiltModel
    names: tuple[str, ...]
    mode: str  # "steady" | "timecourse"
    end: float = 0.0  # s, for time courses

    def columns(self) -> list[str]:
        """Return the columns after the inputs and ``status``: quantities, then certificate."""
        compiled = self.model.compiled
        observables = compiled.ode.observables
        volume = _volume(self.model)
        quantities = [MEMBRANE_POTENTIAL] if MEMBRANE_POTENTIAL in observables else []
        quantities += [volume] if volume else []
        quantities += [o for o in observables if o.startswith(CONCENTRATION_PREFIX)]
        quantities += [o for o in observables if o.startswith(CURRENT_PREFIX)]
        extra = list(_CERTIFICATE_COLUMNS) if self.mode == "steady" else []
        return [*quantities, *extra, "message"]


def _volume(model: BuiltModel) -> str | None:
    from .identifiers import volume_id

    return volume_id(model.compiled.ode)


# --- one block of points ----------------------------------------------------------------------


def _status(error: PumpLeakError) -> str:
    message = str(error)
    for status in STATUSES[1:5]:
        if f": {status}" in message:
            return status
    return "integration failed" if isinstance(error, SimulationError) else "not found"


def _steady_row(
    request: ScanRequest, columns: Sequence[str], point: Mapping[str, float], guess: Any
) -> tuple[dict[str, Any], Any]:
    from .api import steady_state

    try:
        built = resolve(request.model, **point)
    except ModelDefinitionError as err:
        return {"status": "invalid", "message": str(err)}, None
    try:
        state = steady_state(built, start=guess)
    except ModelDefinitionError as err:
        return {"status": "invalid", "message": str(err)}, None
    except PumpLeakError as err:
        return {"status": _status(err), "message": str(err)}, None
    certificate = state.certificate
    row: dict[str, Any] = {"status": "ok", "message": ""}
    row.update({column: state.values.get(column, math.nan) for column in columns})
    row.update(
        max_residual=certificate.max_residual,
        tolerance=certificate.tolerance,
        stable=certificate.stable,
        slowest_relaxation_time=certificate.slowest_relaxation_time,
        method=certificate.method,
        iterations=certificate.iterations,
        message="",
    )
    return row, state


def _timecourse_row(
    request: ScanRequest, columns: Sequence[str], point: Mapping[str, float]
) -> dict[str, Any]:
    from .api import simulate

    try:
        built = resolve(request.model, **point)
        run = simulate(built, request.end, 2)
    except ModelDefinitionError as err:
        return {"status": "invalid", "message": str(err)}
    except PumpLeakError as err:
        return {"status": "integration failed", "message": str(err)}
    row: dict[str, Any] = {"status": "ok", "message": ""}
    for column in columns:
        if column in run.columns:
            row[column] = float(run[column][-1])
    return row


def solve_block(request: ScanRequest, block: Sequence[Sequence[float]]) -> list[dict[str, Any]]:
    """Solve consecutive points in order, each steady state warm-started from the one before.

    Parameters
    ----------
    request
        The model, parameter names and mode.
    block
        Points, each a sequence of values in ``request.names`` order.

    Returns
    -------
    list of dict
        One row per point: ``status``, ``message`` and the result columns.
    """
    rows = []
    guess = None
    columns = request.columns()
    for values in block:
        point = dict(zip(request.names, (float(v) for v in values), strict=True))
        if request.mode == "steady":
            row, state = _steady_row(request, columns, point, guess)
            guess = state if state is not None else guess
        else:
            row = _timecourse_row(request, columns, point)
        rows.append(row)
    return rows


# --- running the blocks --------------------------------------------------------------------------


_WORKER: dict[str, ScanRequest] = {}  # the request of this worker process, set once


def _initialise_worker(request: ScanRequest) -> None:
    _WORKER["request"] = request


def _solve_in_worker(block: Sequence[Sequence[float]]) -> list[dict[str, Any]]:
    return solve_block(_WORKER["request"], block)


class _Progress:
    """A progress line on a terminal (points done, rate, time left); silent when piped."""

    def __init__(self, total: int, stream: Any = None) -> None:
        self.total = total
        self.stream = sys.stderr if stream is None else stream
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self.done = 0
        self.start = time.perf_counter()
        self.shown = 0.0

    def advance(self, count: int) -> None:
        self.done += count
        now = time.perf_counter()
        if not self.enabled or (now - self.shown < 0.2 and self.done < self.total):
            return
        self.shown = now
        rate = self.done / max(now - self.start, 1e-9)
        left = (self.total - self.done) / rate if rate > 0 else math.inf
        self.stream.write(
            f"\rscan: {self.done}/{self.total} points, {rate:,.0f}/s, {left:,.0f} s left   "
        )
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


def _blocks(points: np.ndarray) -> list[list[list[float]]]:
    return [points[i : i + BLOCK_SIZE].tolist() for i in range(0, len(points), BLOCK_SIZE)]


def _run_serial(
    request: ScanRequest, blocks: list[list[list[float]]], progress: _Progress
) -> list[list[dict[str, Any]]]:
    results = []
    for block in blocks:
        results.append(solve_block(request, block))
        progress.advance(len(block))
    return results


def _run_processes(
    request: ScanRequest, blocks: list[list[list[float]]], workers: int, progress: _Progress
) -> list[list[dict[str, Any]]]:
    import concurrent.futures
    import multiprocessing

    # "spawn": a clean interpreter per worker (RoadRunner and LLVM state do not survive fork).
    context = multiprocessing.get_context("spawn")
    results: list[list[dict[str, Any]] | None] = [None] * len(blocks)
    with concurrent.futures.ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_initialise_worker,
        initargs=(request,),
    ) as pool:
        futures = {
            pool.submit(_solve_in_worker, block): index for index, block in enumerate(blocks)
        }
        try:
            for future in concurrent.futures.as_completed(futures):
                index = futures[future]
                results[index] = future.result()
                progress.advance(len(blocks[index]))
        except BaseException:
            for future in futures:
                future.cancel()
            raise
    return [rows for rows in results if rows is not None]


def _run_dask(
    request: ScanRequest, blocks: list[list[list[float]]], client: Any, progress: _Progress
) -> list[list[dict[str, Any]]]:
    from dask.distributed import as_completed

    shared = client.scatter(request, broadcast=True)
    futures = client.map(solve_block, [shared] * len(blocks), blocks, pure=False)
    index = {future.key: i for i, future in enumerate(futures)}
    results: list[list[dict[str, Any]] | None] = [None] * len(blocks)
    for future in as_completed(futures):  # type: ignore[no-untyped-call]  # dask is untyped
        i = index[future.key]
        results[i] = future.result()
        progress.advance(len(blocks[i]))
    return [rows for rows in results if rows is not None]


# --- the public entry point ---------------------------------------------------------------------


def grid(params: Mapping[str, Iterable[float]]) -> tuple[tuple[str, ...], np.ndarray]:
    """Return the names and the points of a grid: the product of the value lists.

    The last parameter varies fastest (row-major order), so neighbouring points differ in one
    value and a steady state continues well from the point before.

    Raises
    ------
    ModelDefinitionError
        If a value list is empty or not numeric, or the grid has more than
        :data:`MAX_POINTS` points.
    """
    names = tuple(params)
    if not names:
        raise ModelDefinitionError("a scan needs at least one parameter to vary")
    axes = []
    for name in names:
        try:
            values = np.asarray(list(params[name]), dtype=float).ravel()
        except (TypeError, ValueError) as err:
            raise ModelDefinitionError(f"scan values of {name} must be numbers: {err}") from err
        if values.size == 0:
            raise ModelDefinitionError(f"scan parameter {name} has no values")
        axes.append(values)
    _check_size(math.prod(len(axis) for axis in axes))
    points = np.array(list(itertools.product(*axes)), dtype=float).reshape(-1, len(names))
    return names, points


def _check_size(count: int) -> None:
    if count > MAX_POINTS:
        raise ModelDefinitionError(
            f"a scan of {count:,} points is larger than the limit of {MAX_POINTS:,}; "
            "split it, or use fewer values per parameter"
        )


def _explicit(points: Any) -> tuple[tuple[str, ...], np.ndarray]:
    import pandas

    table = points if isinstance(points, pandas.DataFrame) else pandas.DataFrame(points)
    if table.empty or not len(table.columns):
        raise ModelDefinitionError("the point list is empty")
    _check_size(len(table))
    try:
        values = table.to_numpy(dtype=float)
    except (TypeError, ValueError) as err:
        raise ModelDefinitionError(f"scan points must be numbers: {err}") from err
    return tuple(str(c) for c in table.columns), values


def scan(
    model: Model,
    params: Mapping[str, Iterable[float]] | None = None,
    *,
    points: Any = None,
    mode: str = "steady",
    end: float | None = None,
    workers: int | None = None,
    client: Any = None,
    progress: bool | Any = False,
    **overrides: float,
) -> pandas.DataFrame:
    """Run a model at many parameter values; return one table row per point.

    Parameters
    ----------
    model
        A library name, a spec or SBML file (Path), a spec dict, a CellSpec or a BuiltModel.
    params
        Parameter name to values; the scan is the grid of their product (the last one varies
        fastest). Names are those overrides take (model ids; for specs also spec names).
    points
        Instead of ``params``: an explicit list of points, as a ``pandas.DataFrame`` or a
        mapping of name to equal-length value lists (one row per point).
    mode
        ``"steady"`` (a certified steady state per point) or ``"timecourse"`` (the state at
        ``end`` seconds, from the model's start).
    end
        End time in s for ``mode="timecourse"``.
    workers
        Local worker processes (default: every core; 1 runs in this process).
    client
        A ``dask.distributed.Client``: run the blocks on its cluster instead.
    progress
        Show a progress line (points done, rate, time left) on this stream, or on stderr
        when True, if it is a terminal.
    **overrides
        Values fixed for every point.

    Returns
    -------
    pandas.DataFrame
        One row per point in point order: the inputs, ``status`` (see :data:`STATUSES`),
        Vm (mV), the volume (pL), concentrations (mM), currents (µA/cm²), for steady states
        the certificate (``max_residual``, ``tolerance``, ``stable``,
        ``slowest_relaxation_time`` in s, ``method``, ``iterations``), and ``message`` (why a
        point has no result). Failed points have empty values. ``table.attrs`` holds the
        model's name, the varied ``parameters``, the id of its ``volume`` and the ``mode``.

    Raises
    ------
    ModelDefinitionError
        If the request is malformed (no parameters, both or neither of ``params`` and
        ``points``, an unknown mode, too many points), before any work.
    """
    import pandas

    if (params is None) == (points is None):
        raise ModelDefinitionError("give either params (a grid) or points (a list), not both")
    if mode not in ("steady", "timecourse"):
        raise ModelDefinitionError(f"mode must be 'steady' or 'timecourse', not {mode!r}")
    if mode == "timecourse" and not (
        isinstance(end, int | float) and end > 0 and math.isfinite(end)
    ):
        raise ModelDefinitionError(f"a time-course scan needs a positive end time, got {end!r}")
    names, values = grid(params) if params is not None else _explicit(points)
    built = resolve(model, **overrides)
    resolve(built, **dict(zip(names, values[0], strict=True)))  # names are checked once, now
    request = ScanRequest(built, names, mode, float(end or 0.0))
    blocks = _blocks(values)
    count = os.cpu_count() or 1 if workers is None else workers
    if not isinstance(count, int) or count < 1:
        raise ModelDefinitionError(f"workers must be a positive whole number, got {workers!r}")
    stream = None if progress is True else progress
    meter = _Progress(len(values), stream) if progress else _Progress(0, _Silent())
    try:
        if client is not None:
            results = _run_dask(request, blocks, client, meter)
        elif count == 1 or len(blocks) == 1:
            results = _run_serial(request, blocks, meter)
        else:
            results = _run_processes(request, blocks, min(count, len(blocks)), meter)
    finally:
        meter.close()
    rows = [row for block in results for row in block]
    table = pandas.DataFrame(values, columns=list(names))
    data = pandas.DataFrame(rows, columns=["status", *request.columns()])
    result = pandas.concat([table, data], axis=1)
    result.attrs.update(model=built.name, parameters=list(names), volume=_volume(built), mode=mode)
    return result


class _Silent:
    """A stream that is never a terminal (no progress line)."""

    def isatty(self) -> bool:
        return False

    def write(self, text: str) -> None:
        del text

    def flush(self) -> None:
        return None


# --- command-line helpers: parameter ranges, point files, output files -------------------------


def parse_range(text: str, option: str = "--param") -> tuple[str, np.ndarray]:
    """Read ``NAME=START:STOP:N[:log]`` (N values, evenly or log spaced) or ``NAME=v1,v2,...``.

    ``option`` is the command-line option that gave the text, for messages.

    Raises
    ------
    ModelDefinitionError
        Naming the malformed part.
    """
    name, sep, spec = text.partition("=")
    name = name.strip()
    if not sep or not name or not spec.strip():
        raise ModelDefinitionError(
            f"malformed {option} {text!r}: expected NAME=START:STOP:N[:log] or NAME=v1,v2,..."
        )
    if ":" not in spec:
        try:
            return name, np.array([float(v) for v in spec.split(",")], dtype=float)
        except ValueError:
            raise ModelDefinitionError(
                f"malformed {option} {text!r}: values must be numbers"
            ) from None
    parts = spec.split(":")
    log = len(parts) == 4 and parts[3].strip().lower() == "log"
    if len(parts) not in (3, 4) or (len(parts) == 4 and not log):
        raise ModelDefinitionError(
            f"malformed {option} {text!r}: expected START:STOP:N or START:STOP:N:log"
        )
    try:
        start, stop = float(parts[0]), float(parts[1])
        count = int(parts[2])
    except ValueError:
        raise ModelDefinitionError(
            f"malformed {option} {text!r}: START and STOP must be numbers and N a whole number"
        ) from None
    if not (math.isfinite(start) and math.isfinite(stop)) or count < 1:
        raise ModelDefinitionError(f"malformed {option} {text!r}: finite ends and N >= 1 needed")
    _check_size(count)
    if log:
        if start <= 0 or stop <= 0:
            raise ModelDefinitionError(f"{option} {text!r}: a log range needs positive ends")
        return name, np.geomspace(start, stop, count)
    return name, np.linspace(start, stop, count)


def read_points(path: Any) -> pandas.DataFrame:
    """Read a CSV file of points: a header of parameter names, one row per point.

    Raises
    ------
    ModelDefinitionError
        If the file cannot be read or holds anything but numbers.
    """
    import pandas

    try:
        table = pandas.read_csv(path)
    except (OSError, ValueError, UnicodeDecodeError) as err:
        raise ModelDefinitionError(f"cannot read the points file {path}: {err}") from err
    for column in table.columns:
        if not pandas.api.types.is_numeric_dtype(table[column]):
            raise ModelDefinitionError(
                f"{path}: column {column!r} of the points file must hold numbers"
            )
    return table


def save_table(table: pandas.DataFrame, path: Any, *, overwrite: bool = False) -> Any:
    """Write a scan table as CSV (``.csv``) or Parquet (``.parquet``), atomically.

    Raises
    ------
    OutputError
        If the file exists (and ``overwrite`` is False), the suffix is neither, or Parquet is
        asked for without pyarrow (``pip install 'pumpleak_sbml[parquet]'``).
    """
    from .errors import OutputError
    from .files import write_atomically

    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise OutputError(
            f"{path}: a scan is written as .csv or .parquet, not {suffix or 'no suffix'}"
        )
    if suffix == ".parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError as err:
            raise OutputError(
                "writing Parquet needs pyarrow: pip install 'pumpleak_sbml[parquet]'"
            ) from err

    def write(temporary: Any) -> None:
        if suffix == ".csv":
            table.to_csv(temporary, index=False)
        else:
            table.to_parquet(temporary, index=False)

    return write_atomically(path, write, overwrite=overwrite)
