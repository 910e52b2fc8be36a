# SPDX-License-Identifier: MIT
"""The steady-state engine: certified answers, found fast, with no simulator in the loop.

A :class:`SteadyStateSolver` works on a model's generated ODE functions (exact Jacobian
included, see :mod:`pumpleak_sbml.ode_codegen`) and gives one of three honest answers:

1. a **certified** :class:`SteadyState`;
2. **no finite steady state**, only where it is shown: for a cell with one water volume,
   the cell stays hyperosmotic at every volume (the osmotic excess, with the ions balanced
   at that volume, is positive on a grid from 1/100 to 10^5 times the initial volume and in
   the limit of infinite volume), or a fixed pump removes an ion faster than the leaks can
   bring it in even when the ion is gone;
3. **not found**, saying what was tried.

Finding. Damped Newton on the rates, with conserved moieties replacing dependent balances,
steps limited so that amounts and volumes stay positive. If Newton fails: for a cell with
one volume, *volume continuation* (the ion balance is solved at fixed volumes, warm-started
along a grid, and the volume at which water stops flowing is bracketed and refined); then
pseudo-transient continuation (implicit Euler with growing steps, which follows the
dynamics and turns into Newton near the answer).

Certifying (:class:`Certificate`). Each state's rate is judged against the gross flux that
meets in it (influx and efflux of an ion, water flow against each osmotic side), not
against the state's size: a tiny [Na+]i under a strong pump is judged on the pump and leak
fluxes that cancel in it. A state is accepted when every such residual is at most 1e-10
(or, if larger, 64 times the rounding noise of that rate), the Newton step from it moves no
state by more than 1e-9 of its value, and the Jacobian, with conserved moieties removed,
has eigenvalues with negative real parts (stable). The eigenvalues and the slowest
relaxation time are reported. A model whose rounding noise exceeds 1e-7 of its fluxes (a
cell so large that the charge-difference Vm is lost to rounding) is refused: nothing can
be certified there in double precision.

Mori, "Mathematical properties of pump-leak models of cell volume control and electrolyte
balance", J Math Biol 65:875 (2012), doi:10.1007/s00285-011-0483-8, shows that with linear
currents a pump-leak cell has at most one steady state, globally stable, and that without
one the volume grows without bound: the volume test above is then exact.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from .errors import ModelDefinitionError, SteadyStateNotFoundError
from .identifiers import MEMBRANE_POTENTIAL, volume_id
from .ode_functions import CompiledOde, OdeFunctions, functions_of

if TYPE_CHECKING:
    import pandas

    from .built_model import BuiltModel, CompiledModel

__all__ = [
    "Certificate",
    "SteadyState",
    "SteadyStateSolver",
    "solver_for",
]

RESIDUAL_TOLERANCE = 1e-10
"""Largest accepted |rate| / gross rate of any state."""
STEP_TOLERANCE = 1e-9
"""Largest accepted Newton step at the answer, relative to each state."""
NOISE_LIMIT = 1e-5
"""Largest rounding noise of a rate, relative to its gross rate, that still allows certifying.

For a charge-difference Vm the noise ratio is about the rounding error of Vm divided by the
driving forces (|Vm| + |E|): 1e-5 is Vm known to about 1 µV."""
NOISE_FACTOR = 64.0
"""Residuals and steps are accepted down to this many times their rounding noise."""

_EPSILON = float(np.finfo(float).eps)
_MAX_NEWTON = 60
_JUDGE_BELOW = 1e-5  # Newton judges convergence in full only below this scaled residual
# Rate yardsticks never fall below this fraction of the start's gross rates: at a
# thermodynamic equilibrium every ohmic driving force, and so every gross flux, vanishes.
_FLOOR = 1e-3
_MAX_PTC_STEPS = 3000
_PTC_END = 1e13  # s: pseudo-transient continuation stops here (300,000 years)
_VOLUME_GRID = tuple(10.0**k for k in np.arange(-2.0, 5.01, 0.25))
_ZERO_FRACTION = 1e-12  # an amount below this fraction of its start counts as "gone"
_MAX_INITIAL_VM = 1000.0  # mV: beyond this, the initial composition carries a net charge


@dataclass(frozen=True)
class Certificate:
    """Why a steady state is believed: residuals, stability and how it was found.

    Attributes
    ----------
    residuals
        For each state, |d state/dt| divided by the gross rate that meets in it.
    tolerance
        The largest accepted residual (1e-10, or 64 times the rounding noise if larger).
    eigenvalues
        Of the Jacobian with conserved moieties removed (1/s), slowest first.
    stable
        True when every eigenvalue has a negative real part.
    slowest_relaxation_time
        1 / (smallest |real part|) in s: how long the slowest mode takes to relax.
    method
        How it was found: ``newton``, ``volume continuation`` or
        ``pseudo-transient continuation``.
    iterations
        Newton iterations (or continuation steps) used.
    """

    residuals: Mapping[str, float]
    tolerance: float
    eigenvalues: tuple[complex, ...]
    stable: bool
    slowest_relaxation_time: float
    method: str
    iterations: int

    @property
    def max_residual(self) -> float:
        """The largest residual over the states."""
        return max(self.residuals.values(), default=0.0)

    def to_json(self) -> dict[str, object]:
        """Return the certificate as JSON-ready data (eigenvalues as [real, imaginary])."""
        return {
            "method": self.method,
            "iterations": self.iterations,
            "max_residual": self.max_residual,
            "tolerance": self.tolerance,
            "residuals": dict(self.residuals),
            "stable": self.stable,
            "slowest_relaxation_time": self.slowest_relaxation_time,
            "eigenvalues": [[z.real, z.imag] for z in self.eigenvalues],
        }


@dataclass(frozen=True)
class SteadyState:
    """A certified steady state: every quantity's value and unit, and its certificate."""

    model_id: str
    values: Mapping[str, float]
    units: Mapping[str, str]
    certificate: Certificate
    species: tuple[str, ...] = ()
    """Species ids in model order: the cell's first, then the medium's."""
    derived: tuple[str, ...] = ()
    """Ids of the quantities the model computes (assignment rules), in model order."""
    states: tuple[str, ...] = ()
    """Ids of the state variables (amounts, volumes)."""
    time: float = 0.0
    """The model time (s) the state belongs to (after a scenario's events, their time)."""
    volume: str | None = None
    """The id of the cell's (or vesicle's) water volume."""

    def __getitem__(self, name: str) -> float:
        """Return one quantity by id (``"Vm"``, ``"cell"``, ``"conc_K_i"``, ...).

        As in RoadRunner and tellurium, a species id is its amount (``state["Na_i"]``, fmol)
        and ``[S]`` its concentration (``state["[Na_i]"]``, mM).
        """
        try:
            return self.values[name]
        except KeyError:
            raise KeyError(f"{name!r} is not a quantity of {self.model_id}") from None

    @property
    def concentrations(self) -> dict[str, float]:
        """Every species' concentration by species id (mM in our models), as ``[S]`` holds it."""
        return {sid: self.values[f"[{sid}]"] for sid in self.species if f"[{sid}]" in self.values}

    @property
    def amounts(self) -> dict[str, float]:
        """Every species' amount by species id (fmol in our models), as ``S`` holds it."""
        return {sid: self.values[sid] for sid in self.species if sid in self.values}

    def to_series(self) -> pandas.Series:
        """Return every value as a ``pandas.Series`` indexed by id (units in ``.attrs``)."""
        import pandas

        series = pandas.Series(dict(self.values), name=self.model_id, dtype=float)
        series.attrs["units"] = dict(self.units)
        return series

    @property
    def state_vector(self) -> np.ndarray:
        """The state variables' values, in :attr:`states` order (for warm starts)."""
        return np.array([self.values[sid] for sid in self.states], dtype=float)


_RESOLVED = 1e-9  # relative accuracy below which a direct eigenvalue is recomputed


def _spectrum(matrix: np.ndarray) -> np.ndarray:
    """Return the eigenvalues of a matrix, each from the computation that resolves it.

    Near the pump limit a cell's [Na+]i (~5e-15 mM) relaxes in ~1e-11 s, because E_Na moves
    by RT/F per e-fold of a vanishing amount, and its volume in ~1e6 s; a direct eigensolver
    resolves eigenvalues only to ~2e-16 of the largest: the slow one, the one that says
    stable or not, can come out with the wrong sign. The small eigenvalues are the large ones
    of the inverse (an LU solve, accurate here to ~1e-7 against 50-digit arithmetic), so each
    eigenvalue below the geometric mean of the extremes comes from the inverse and the others
    from the direct solve, both lists in order of magnitude.
    """
    direct = _by_magnitude(np.linalg.eigvals(matrix))
    magnitudes = np.abs(direct)
    if magnitudes.size == 0 or _EPSILON * magnitudes[-1] <= _RESOLVED * magnitudes[0]:
        return direct  # every eigenvalue resolved to 1e-9 of itself: the common case
    try:
        inverse = _by_magnitude(1.0 / np.linalg.eigvals(np.linalg.inv(matrix)))
    except (np.linalg.LinAlgError, ZeroDivisionError, FloatingPointError):
        return direct
    if not np.all(np.isfinite(inverse)) or magnitudes[0] == 0.0:
        return direct
    split = math.sqrt(float(magnitudes[0] * magnitudes[-1]))
    return np.where(magnitudes < split, inverse, direct)


def _by_magnitude(values: np.ndarray) -> np.ndarray:
    """Sort eigenvalues by magnitude; a conjugate pair by its imaginary part."""
    order = np.lexsort((values.imag, np.abs(values)))
    return values[order]


# --- the square system: rates, conservation laws, fixed states -------------------------------


@dataclass
class _System:
    """The equations of one solve: rates of the free states, conservation laws, fixed states."""

    functions: OdeFunctions
    p: np.ndarray
    t: float
    positive: np.ndarray  # states that must stay > 0 (volumes, amounts that start positive)
    laws: np.ndarray  # (k, n) conservation rows
    dependent: tuple[int, ...]
    totals: np.ndarray
    fixed: dict[int, float] = field(default_factory=dict)
    floor: np.ndarray | None = None  # smallest yardstick of each rate (see `scale`)

    def __post_init__(self) -> None:
        if self.floor is None:
            self.floor = np.zeros(len(self.positive))

    def floored_at(self, y: np.ndarray) -> _System:
        """Return this system with rate yardsticks floored at 1e-3 of the gross rates at ``y``.

        At a thermodynamic equilibrium every ohmic driving force vanishes, and with it the
        gross flux of each ion; the start's gross fluxes then give the scale instead.
        """
        gross = np.abs(self.gross(y))
        floor = np.where(np.isfinite(gross), _FLOOR * gross, 0.0)
        return dataclasses.replace(self, floor=floor)

    def rates(self, y: np.ndarray) -> np.ndarray:
        """D y/dt; NaN where the model's arithmetic fails (a log of zero, a division by zero)."""
        return _call(self.functions.rhs, self.t, y, self.p, len(y))

    def jacobian(self, y: np.ndarray) -> np.ndarray:
        return _call(self.functions.jac, self.t, y, self.p, (len(y), len(y)))

    def gross(self, y: np.ndarray) -> np.ndarray:
        return _call(self.functions.gross, self.t, y, self.p, len(y))

    def residual(self, y: np.ndarray, f: np.ndarray) -> np.ndarray:
        """Return the rates, dependent rows replaced by conservation laws, fixed rows pinned."""
        residual = f.copy()
        for row, state in enumerate(self.dependent):
            residual[state] = self.laws[row] @ y - self.totals[row]
        for state, value in self.fixed.items():
            residual[state] = y[state] - value
        return residual

    def matrix(self, jacobian: np.ndarray) -> np.ndarray:
        """D residual / d y."""
        matrix = jacobian.copy()
        for row, state in enumerate(self.dependent):
            matrix[state] = self.laws[row]
        for state in self.fixed:
            matrix[state] = 0.0
            matrix[state, state] = 1.0
        return matrix

    def scale(self, y: np.ndarray, f: np.ndarray, gross: np.ndarray) -> np.ndarray:
        """Yardstick of each row: the gross rate; |l|·|y| for a law; the value for a fixed state."""
        assert self.floor is not None
        scale: np.ndarray = np.maximum(
            np.where(gross > 0, gross, np.abs(f)), np.maximum(self.floor, 1e-300)
        )
        for row, state in enumerate(self.dependent):
            scale[state] = max(float(np.abs(self.laws[row]) @ np.abs(y)), 1e-300)
        for state, value in self.fixed.items():
            scale[state] = max(abs(value), 1e-300)
        return scale

    def rate_rows(self) -> list[int]:
        skip = {*self.dependent, *self.fixed}
        return [i for i in range(len(self.positive)) if i not in skip]

    def state_scale(self, y: np.ndarray, reference: np.ndarray) -> np.ndarray:
        """Scale of each state for step tests: its own size, floored at 1e-9 of the largest."""
        size = np.maximum(np.abs(y), np.abs(reference))
        floor = 1e-9 * float(size.max()) if size.size else 1.0
        scale: np.ndarray = np.maximum(size, max(floor, 1e-300))
        return scale

    def step_limit(self, y: np.ndarray, step: np.ndarray) -> float:
        """Largest fraction of ``step`` that keeps every positive state above 10 % of itself."""
        shrinking = self.positive & (step < 0)
        if not shrinking.any():
            return 1.0
        return min(1.0, float((0.9 * y[shrinking] / -step[shrinking]).min()))


@dataclass(frozen=True)
class _Judgement:
    """The system at one state: residuals, the Newton step, and what they are judged against."""

    f: np.ndarray  # the rates
    jacobian: np.ndarray  # of the rates
    gross: np.ndarray
    scale: np.ndarray  # yardstick of each row
    residual: np.ndarray  # scaled residual of each row
    allowed: np.ndarray  # largest accepted scaled residual of each row
    step: np.ndarray | None  # the Newton step (None if the system is singular)
    allowed_step: np.ndarray
    noise: float  # largest rounding noise of a rate relative to its gross rate

    @property
    def converged(self) -> bool:
        return (
            self.step is not None
            and self.noise <= NOISE_LIMIT
            and bool(np.all(np.abs(self.residual) <= self.allowed))
            and bool(np.all(np.abs(self.step) <= self.allowed_step))
        )


def _judge(system: _System, y: np.ndarray, reference: np.ndarray) -> _Judgement:
    """Evaluate the system at ``y``: rates, Newton step, and tolerances from rounding noise."""
    f = system.rates(y)
    jacobian = system.jacobian(y)
    gross = system.gross(y)
    residual = system.residual(y, f)
    matrix = system.matrix(jacobian)
    scale = system.scale(y, f, gross)
    # Rounding noise of each row: the rate's sensitivity to rounding every state, plus the
    # rounding of its own gross terms (the charge-difference Vm makes the first one large).
    with np.errstate(all="ignore"):
        noise = _EPSILON * (np.abs(jacobian) @ np.abs(y) + np.abs(gross))
    for row, state in enumerate(system.dependent):
        noise[state] = _EPSILON * float(np.abs(system.laws[row]) @ np.abs(y))
    for state in system.fixed:
        noise[state] = 0.0
    scaled_noise = noise / scale
    rows = system.rate_rows()
    worst = float(np.max(scaled_noise[rows])) if rows else 0.0
    allowed = np.maximum(RESIDUAL_TOLERANCE, NOISE_FACTOR * scaled_noise)
    sizes = system.state_scale(y, reference)
    step: np.ndarray | None = None
    allowed_step = sizes
    finite = np.all(np.isfinite(residual)) and np.all(np.isfinite(matrix))
    if finite:
        try:
            inverse = np.linalg.inv(matrix)
        except np.linalg.LinAlgError:
            inverse = None
        if inverse is not None and np.all(np.isfinite(inverse)):
            step = -inverse @ residual
            allowed_step = np.maximum(
                STEP_TOLERANCE * sizes, NOISE_FACTOR * np.abs(inverse) @ noise
            )
    return _Judgement(
        f, jacobian, gross, scale, residual / scale, allowed, step, allowed_step, worst
    )


@dataclass(frozen=True)
class _Outcome:
    y: np.ndarray
    converged: bool
    iterations: int
    judgement: _Judgement | None = None  # of ``y``, when converged


def _merit(system: _System, y: np.ndarray, scale: np.ndarray) -> tuple[float, np.ndarray]:
    """Return the sum of squared residuals at ``y`` against a fixed yardstick, and the rates."""
    f = system.rates(y)
    with np.errstate(all="ignore"):
        residual = system.residual(y, f) / scale
        merit = float(residual @ residual)
    return (merit if math.isfinite(merit) else math.inf), f


def _newton(
    system: _System, y: np.ndarray, reference: np.ndarray, *, iterations: int = _MAX_NEWTON
) -> _Outcome:
    """Damped Newton with positivity-preserving steps and a backtracking line search.

    Near the answer (every scaled residual below 1e-5 and the step below 1e-6 of each state)
    the step is taken and the state it reaches is judged in full (rounding noise, the next
    step's tolerance); a converged outcome returns that judged state with its judgement.
    """
    y = y.copy()
    f = system.rates(y)
    scale = system.scale(y, f, system.gross(y))  # the start's yardstick, for the line search
    for iteration in range(1, iterations + 1):
        unscaled = system.residual(y, f)
        residual = unscaled / scale
        step = _solve(system.matrix(system.jacobian(y)), -unscaled)
        if step is None:
            return _Outcome(y, False, iteration)
        alpha = system.step_limit(y, step)
        near = float(np.abs(residual).max()) <= _JUDGE_BELOW and bool(
            (np.abs(step) <= 1e-6 * system.state_scale(y, reference)).all()
        )
        if near:
            candidate = y + alpha * step
            judgement = _judge(system, candidate, reference)
            if judgement.converged:
                return _Outcome(candidate, True, iteration, judgement)
        merit = float(residual @ residual)
        for _ in range(40):
            trial = y + alpha * step
            trial_merit, trial_f = _merit(system, trial, scale)
            if trial_merit <= (1 - 1e-4 * alpha) * merit:
                break
            alpha /= 2
        else:
            return _Outcome(y, False, iteration)
        y, f = trial, trial_f
    return _Outcome(y, False, iterations)


# --- pseudo-transient continuation -------------------------------------------------------------


@dataclass(frozen=True)
class _Depletion:
    """A state driven to zero: which, by which reactions, against which."""

    state: int
    efflux: dict[str, float]  # reaction id -> amount per time removed, at the state's zero
    influx: dict[str, float]


@dataclass(frozen=True)
class _Transient:
    y: np.ndarray
    converged: bool
    time: float
    steps: int
    depletion: _Depletion | None = None
    grew: int | None = None  # a positive state that grew beyond 1e4 times its start


def _pseudo_transient(
    system: _System,
    y: np.ndarray,
    reference: np.ndarray,
    accept: Callable[[np.ndarray], bool] = lambda _: True,
) -> _Transient:
    """Implicit Euler with steps that grow as the state settles; Newton tried along the way.

    Each step solves (I/dt - J) dy = f, so large steps are Newton steps and small ones follow
    the dynamics. The step grows when a step changes no state by more than 10 %. A state
    Newton converges to ends the run only if ``accept`` takes it (e.g. it is stable); after a
    refusal the dynamics go on for a while before Newton is tried again.
    """
    y = y.copy()
    resting = 0  # steps to wait before trying Newton again after a refused answer
    start = y.copy()
    dt, time = 1e-6, 0.0
    n = len(y)
    free = np.ones(n, dtype=bool)
    free[list(system.fixed)] = False
    for step_count in range(1, _MAX_PTC_STEPS + 1):
        f = system.rates(y)
        matrix = np.eye(n) / dt - system.jacobian(y)
        rhs = f.copy()
        for state in system.fixed:
            matrix[state] = 0.0
            matrix[state, state] = 1.0
            rhs[state] = 0.0
        step = _solve(matrix, rhs)
        if step is None or np.any(system.positive & (y + step <= 0)):
            depletion = _depleted(system, y, step, start)
            if depletion is not None:
                return _Transient(y, False, time, step_count, depletion=depletion)
            dt /= 4
            if dt < 1e-12:
                return _Transient(y, False, time, step_count)
            continue
        y = y + step
        time += dt
        change = float(np.max(np.abs(step) / system.state_scale(y, reference)))
        dt *= 4.0 if change < 0.1 else 1.5 if change < 0.3 else 0.5
        resting -= 1
        if resting <= 0 and (step_count % 5 == 0 or change < 1e-3):
            attempt = _newton(system, y, reference, iterations=20)
            if attempt.converged and accept(attempt.y):
                return _Transient(attempt.y, True, time, step_count)
            resting = 50 if attempt.converged else 0
        grown = np.flatnonzero(system.positive & (np.abs(y) > 1e4 * np.abs(start)) & free)
        if grown.size:
            return _Transient(y, False, time, step_count, grew=int(grown[0]))
        if time > _PTC_END:
            break
    return _Transient(y, False, time, _MAX_PTC_STEPS)


def _call(
    function: object, t: float, y: np.ndarray, p: np.ndarray, shape: int | tuple[int, int]
) -> np.ndarray:
    """Call a generated function; NaN if its arithmetic fails (the state is out of domain)."""
    try:
        return np.array(function(t, y, p), dtype=float)  # type: ignore[operator]
    except (ArithmeticError, ValueError):
        return np.full(shape, math.nan)


def _solve(matrix: np.ndarray, vector: np.ndarray) -> np.ndarray | None:
    try:
        solution = np.linalg.solve(matrix, vector)
    except np.linalg.LinAlgError:
        return None
    return solution if np.isfinite(solution).all() else None


def _depleted(
    system: _System, y: np.ndarray, step: np.ndarray | None, start: np.ndarray
) -> _Depletion | None:
    """Return the state being driven below zero: nearly gone, still falling, and out-supplied.

    Out-supplied means that the reactions removing it outrun those supplying it even as it
    vanishes, and that the supply stays bounded as it does: evaluated at 1e-12 and 1e-24 of
    its start, the supply grows by less than 1e-3. (An ohmic leak's supply grows without
    bound as the concentration vanishes, its Nernst potential diverging, so it always wins
    in the end: no depletion there, however strong the pump.)
    """
    del step
    f = system.rates(y)
    for state in np.flatnonzero(system.positive):
        if y[state] > _ZERO_FRACTION * max(abs(start[state]), 1e-300) or f[state] >= 0:
            continue
        supplies = []
        for fraction in (_ZERO_FRACTION, _ZERO_FRACTION**2):
            nearly_gone = y.copy()
            nearly_gone[state] = fraction * abs(start[state])
            efflux, influx = _contributions(system, nearly_gone, int(state))
            supplies.append(sum(influx.values()))
        bounded = math.isfinite(supplies[1]) and supplies[1] <= supplies[0] * (1 + 1e-3)
        if bounded and supplies[1] < sum(efflux.values()):
            return _Depletion(int(state), efflux, influx)
    return None


def _contributions(
    system: _System, y: np.ndarray, state: int
) -> tuple[dict[str, float], dict[str, float]]:
    """Each reaction's removal from and supply to ``state`` at ``y`` (amount per time)."""
    compiled = system.functions.compiled
    fluxes = _call(system.functions.fluxes, system.t, y, system.p, len(compiled.reactions))
    coefficients = system.functions.coefficients(system.t, y, system.p)
    efflux: dict[str, float] = {}
    influx: dict[str, float] = {}
    for reaction, index in compiled.stoichiometry[state]:
        change = float(coefficients[index]) * float(fluxes[reaction])
        name = compiled.reactions[reaction]
        if change < 0:
            efflux[name] = -change
        elif change > 0 or not math.isfinite(change):
            influx[name] = change
    return efflux, influx


# --- volume continuation -----------------------------------------------------------------------


@dataclass(frozen=True)
class _VolumePoint:
    volume: float
    y: np.ndarray
    excess: float  # d volume / dt at the ion balance (positive: water enters)
    p: np.ndarray  # the constants it was balanced with
    gross: float  # the gross water flow (against each osmotic side)


@dataclass(frozen=True)
class _VolumeScan:
    start: float  # the initial volume
    points: tuple[_VolumePoint, ...]
    unresolved: bool = False  # the upward scan stopped where rounding hides the charge
    root: np.ndarray | None = None
    depletion: _Depletion | None = None
    limit: _VolumePoint | None = None  # the ion balance with no trapped solute (infinite volume)


def _rescaled(
    y: np.ndarray, compartments: Sequence[str], volume_id: str, ratio: float
) -> np.ndarray:
    moved = y.copy()
    for i, compartment in enumerate(compartments):
        if compartment == volume_id:
            moved[i] *= ratio
    return moved


class _VolumeContinuation:
    """The ion balance at fixed volumes, and the volume at which water stops flowing."""

    def __init__(self, system: _System, volume: int, reference: np.ndarray) -> None:
        self.system = system
        self.volume = volume
        self.reference = reference
        compiled = system.functions.compiled
        self.volume_id = compiled.states[volume]
        self.compartments = compiled.state_compartments
        self.depletion: _Depletion | None = None
        self.unresolved = False

    def balance(
        self, guess: np.ndarray, volume: float, p: np.ndarray | None = None
    ) -> _VolumePoint | None:
        """Solve every balance but water's at a fixed volume; None if the ions cannot balance."""
        system = dataclasses.replace(
            self.system, p=self.system.p if p is None else p, fixed={self.volume: volume}
        )
        # Two warm starts: the guess's concentrations (amounts scaled with the volume), and
        # its amounts (the same net charge, so a charge-difference Vm stays finite).
        scaled = _rescaled(guess, self.compartments, self.volume_id, volume / guess[self.volume])
        kept = guess.copy()
        scaled[self.volume] = kept[self.volume] = volume
        starts = [start for start in (scaled, kept) if np.all(np.isfinite(system.rates(start)))]
        if not starts:
            return None
        system = system.floored_at(starts[-1])
        for start in starts:
            outcome = _newton(system, start, self.reference)
            if outcome.converged:
                break
        y = outcome.y
        if not outcome.converged and _judge(system, y, self.reference).noise > NOISE_LIMIT:
            self.unresolved = True  # too large for its charge to be resolved: stop here
            return None
        if not outcome.converged:
            transient = _pseudo_transient(system, starts[-1], self.reference)
            if not transient.converged:
                self.depletion = self.depletion or transient.depletion
                return None
            y = transient.y
        excess = float(system.rates(y)[self.volume])
        return _VolumePoint(volume, y, excess, system.p, float(system.gross(y)[self.volume]))

    def scan(self, y0: np.ndarray) -> _VolumeScan:
        """Balance the ions on a grid of volumes around the start; refine a sign change."""
        origin = float(y0[self.volume])
        upward = [v for v in _VOLUME_GRID if v >= 1.0]
        downward = [v for v in reversed(_VOLUME_GRID) if v < 1.0]
        points: list[_VolumePoint] = []
        for direction in (upward, downward):
            guess = y0
            for factor in direction:
                point = self.balance(guess, origin * factor)
                if point is None:
                    break
                points.append(point)
                guess = point.y
        points.sort(key=lambda point: point.volume)
        for low, high in itertools.pairwise(points):
            if low.excess > 0 >= high.excess:
                return _VolumeScan(origin, tuple(points), root=self._refine(low, high))
        return _VolumeScan(
            origin,
            tuple(points),
            unresolved=self.unresolved,
            depletion=self.depletion,
            limit=self._limit(y0),
        )

    def _refine(self, low: _VolumePoint, high: _VolumePoint) -> np.ndarray | None:
        """Bisect (in log volume) between a swelling and a shrinking volume; return the state."""
        for _ in range(60):
            middle = math.sqrt(low.volume * high.volume)
            point = self.balance(low.y, middle)
            if point is None:
                return None
            if point.excess > 0:
                low = point
            else:
                high = point
            if high.volume / low.volume - 1 < 1e-6:
                break
        return low.y

    def _limit(self, y0: np.ndarray) -> _VolumePoint | None:
        """Return the ion balance as the volume tends to infinity (trapped solutes diluted away).

        Only concentrations enter the fluxes, so a cell of infinite volume balances its ions
        as a cell of finite volume with no trapped solute does.
        """
        compiled = self.system.functions.compiled
        p = np.array(self.system.p, dtype=float)
        trapped = [
            i
            for i, (kind, compartment) in enumerate(
                zip(compiled.constant_kinds, compiled.constant_compartments, strict=True)
            )
            if kind == "amount" and compartment == self.volume_id
        ]
        if not trapped:
            return None
        p[trapped] = 0.0
        return self.balance(y0, float(y0[self.volume]), p)


# --- the solver -----------------------------------------------------------------------------


@dataclass
class _Attempt:
    """One solve: its equations, its start, and what has been tried and found so far."""

    system: _System
    y0: np.ndarray
    model_id: str
    tried: list[str] = field(default_factory=list)
    unstable: Certificate | None = None
    last: np.ndarray | None = None


class SteadyStateSolver:
    """The steady-state engine of one compiled model, reused across parameter values.

    Parameters
    ----------
    functions
        The model's generated ODE functions.
    units
        Readable unit of every quantity by id (for messages and results).
    species
        Species ids in model order (for the result's ``species``).
    """

    def __init__(
        self, functions: OdeFunctions, units: Mapping[str, str], species: Sequence[str]
    ) -> None:
        self.functions = functions
        self.units = dict(units)
        compiled = functions.compiled
        self.laws = np.array(compiled.conservation, dtype=float).reshape(
            len(compiled.conservation), len(compiled.states)
        )
        volumes = [i for i, kind in enumerate(compiled.state_kinds) if kind == "compartment"]
        self.volume = volumes[0] if len(volumes) == 1 else None
        self.volume_id = volume_id(compiled)
        self._by_concentration = [
            (sid, compartment, True, index)
            for index, (sid, kind, compartment) in enumerate(
                zip(compiled.states, compiled.state_kinds, compiled.state_compartments, strict=True)
            )
            if kind == "concentration"
        ] + [
            (sid, compartment, False, index)
            for index, (sid, kind, compartment) in enumerate(
                zip(
                    compiled.constants,
                    compiled.constant_kinds,
                    compiled.constant_compartments,
                    strict=True,
                )
            )
            if kind == "concentration"
        ]
        self.derived = tuple(sorted(o for o in compiled.observables if not o.startswith("[")))
        inside = {
            *compiled.states,
            *(
                c
                for c, kind in zip(compiled.constants, compiled.constant_kinds, strict=True)
                if kind == "amount"
            ),
        }
        self.species = (
            *(s for s in species if s in inside),
            *(s for s in species if s not in inside),
        )

    def system(self, y0: np.ndarray, p: np.ndarray, t: float) -> _System:
        """Return the square system of a solve from ``y0`` with constants ``p`` at time ``t``."""
        compiled = self.functions.compiled
        positive = np.array(
            [
                kind == "compartment" or (kind in ("amount", "concentration") and value > 0)
                for kind, value in zip(compiled.state_kinds, y0, strict=True)
            ],
            dtype=bool,
        )
        system = _System(
            self.functions, p, t, positive, self.laws, compiled.dependent, self.laws @ y0
        )
        return system.floored_at(y0)

    def solve(
        self,
        y0: np.ndarray,
        p: np.ndarray,
        *,
        model_id: str,
        guess: np.ndarray | None = None,
        t: float = 0.0,
    ) -> SteadyState:
        """Find and certify the steady state reached from ``y0`` with constants ``p``.

        Parameters
        ----------
        y0
            The starting state (it fixes the conserved moieties).
        p
            The constants of the run.
        model_id
            For messages and the result.
        guess
            A state to start Newton from (a warm start), e.g. a nearby steady state.
        t
            The model time the state belongs to.

        Raises
        ------
        SteadyStateNotFoundError
            With the reason: no physical or no finite steady state (shown), or not found
            (saying what was tried).
        """
        self.check_start(y0, p, t, model_id)
        attempt = _Attempt(self.system(y0, p, t), y0, model_id)
        state = self._by_newton(attempt, guess)
        if state is None:
            noise = _judge(attempt.system, y0, y0).noise
            if noise > NOISE_LIMIT:
                raise SteadyStateNotFoundError(model_id, self._noise_message(noise))
            state = self._by_volume(attempt) or self._by_transient(attempt)
        if state is None:
            raise SteadyStateNotFoundError(model_id, self._not_found_message(attempt))
        return state

    def certify(
        self, y0: np.ndarray, p: np.ndarray, y: np.ndarray, *, t: float = 0.0
    ) -> Certificate | None:
        """Return the certificate of a candidate steady state ``y``, or None if it fails.

        Parameters
        ----------
        y0
            The start the candidate was reached from (it fixes the conserved moieties).
        p
            The constants of the run.
        y
            The candidate state.
        t
            The model time the state belongs to.
        """
        attempt = _Attempt(self.system(y0, p, t), y0, self.functions.compiled.model_id)
        state = self._certified(attempt, np.asarray(y, dtype=float), method="given", iterations=0)
        return None if state is None else state.certificate

    def _accept(self, attempt: _Attempt, outcome: _Outcome, method: str) -> SteadyState | None:
        """Return the certified, stable state Newton converged to; remember an unstable one."""
        state = self._certified(
            attempt,
            outcome.y,
            method=method,
            iterations=outcome.iterations,
            judgement=outcome.judgement,
        )
        if state is not None and not state.certificate.stable:
            attempt.unstable = state.certificate
            return None
        return state

    def _by_newton(self, attempt: _Attempt, guess: np.ndarray | None) -> SteadyState | None:
        starts = [guess, attempt.y0] if guess is not None else [attempt.y0]
        for start in starts:
            outcome = _newton(attempt.system, np.asarray(start, dtype=float), attempt.y0)
            if outcome.converged:
                state = self._accept(attempt, outcome, "newton")
                if state is not None:
                    return state
        attempt.tried.append("Newton's method from the start")
        return None

    def _by_volume(self, attempt: _Attempt) -> SteadyState | None:
        """Volume continuation, for a cell with one water volume; may show there is none."""
        if self.volume is None:
            return None
        scan = _VolumeContinuation(attempt.system, self.volume, attempt.y0).scan(attempt.y0)
        if scan.root is None:
            self._refuse_without_root(attempt.system, scan, attempt.model_id)
        else:
            outcome = _newton(attempt.system, scan.root, attempt.y0)
            if outcome.converged:
                state = self._accept(
                    attempt,
                    dataclasses.replace(outcome, iterations=len(scan.points)),
                    "volume continuation",
                )
                if state is not None:
                    return state
        attempt.tried.append(f"volume continuation over {len(scan.points)} volumes")
        return None

    def _by_transient(self, attempt: _Attempt) -> SteadyState | None:
        def stable(y: np.ndarray) -> bool:
            state = self._certified(attempt, y, method="", iterations=0)
            if state is not None and not state.certificate.stable:
                attempt.unstable = state.certificate
            return state is not None and state.certificate.stable

        transient = _pseudo_transient(attempt.system, attempt.y0, attempt.y0, stable)
        if transient.converged:
            outcome = _Outcome(transient.y, True, transient.steps)
            state = self._accept(attempt, outcome, "pseudo-transient continuation")
            if state is not None:
                return state
        if transient.depletion is not None:
            raise SteadyStateNotFoundError(
                attempt.model_id, self._depletion_message(transient.depletion)
            )
        grew = ""
        if transient.grew is not None:
            sid = self.functions.compiled.states[transient.grew]
            grew = f"; {sid} grew beyond 10^4 times its start"
        attempt.tried.append(
            f"pseudo-transient continuation to t = {transient.time:.3g} s "
            f"({transient.steps} steps{grew})"
        )
        attempt.last = transient.y
        return None

    def check_start(self, y0: np.ndarray, p: np.ndarray, t: float, model_id: str) -> None:
        """Refuse an impossible start: a negative amount, a non-finite quantity, a charged cell.

        Raises
        ------
        ModelDefinitionError
            Naming the quantity, its value and the likely cause.
        """
        compiled = self.functions.compiled
        for sid, kind, value in zip(compiled.states, compiled.state_kinds, y0, strict=True):
            # A size must be positive and an amount non-negative; a parameter may be negative
            # (a membrane potential as a state, for example).
            impossible = (kind == "compartment" and value <= 0) or (
                kind != "parameter" and value < 0
            )
            if not math.isfinite(value) or impossible:
                raise ModelDefinitionError(
                    f"{model_id}: impossible initial state: {sid} starts at {value:g}; check "
                    "the initial concentrations (they must be electroneutral and non-negative)"
                )
        observed = dict(
            zip(compiled.observables, self.functions.observe_guarded(t, y0, p), strict=True)
        )
        for sid, value in observed.items():
            if not math.isfinite(value):
                raise ModelDefinitionError(
                    f"{model_id}: {sid} is {value} at t = 0{_hint(y0, p, compiled)}"
                )
        potential = observed.get(MEMBRANE_POTENTIAL)
        if potential is not None and abs(potential) > _MAX_INITIAL_VM:
            raise ModelDefinitionError(
                f"{model_id}: the initial composition is not electroneutral: its net charge puts "
                f"Vm at {potential:.3g} mV at t = 0; balance the initial concentrations"
            )

    def state_from(
        self, values: Mapping[str, float], p: np.ndarray, targets: Sequence[str]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return (y, p) from a simulator's values: every state, and the constants in ``targets``.

        ``values`` holds species amounts by id and concentrations as ``[S]``, parameters and
        volumes by id, as :meth:`~pumpleak_sbml.simulation.Simulator.advance` returns them.
        """
        compiled = self.functions.compiled

        def value(sid: str, kind: str) -> float:
            return float(values[f"[{sid}]" if kind == "concentration" else sid])

        pairs = zip(compiled.states, compiled.state_kinds, strict=True)
        y = np.array([value(sid, kind) for sid, kind in pairs], dtype=float)
        p = np.array(p, dtype=float)
        index = self.functions.constant_index
        for sid in targets:
            if sid in index:
                p[index[sid]] = value(sid, compiled.constant_kinds[index[sid]])
        return y, p

    # --- certification ---------------------------------------------------------------------

    def _certified(
        self,
        attempt: _Attempt,
        y: np.ndarray,
        *,
        method: str,
        iterations: int,
        judgement: _Judgement | None = None,
    ) -> SteadyState | None:
        """Return the certified steady state at ``y``, or None if it fails a check."""
        system = attempt.system
        if judgement is None:
            judgement = _judge(system, y, attempt.y0)
        if not judgement.converged or not _is_physical(system, y, judgement):
            return None
        compiled = self.functions.compiled
        rows = system.rate_rows()
        residuals = {compiled.states[i]: float(abs(judgement.residual[i])) for i in range(len(y))}
        tolerance = float(max((judgement.allowed[i] for i in rows), default=RESIDUAL_TOLERANCE))
        eigenvalues = self._eigenvalues(system, judgement.jacobian)
        stable = bool(np.all(eigenvalues.real < 0))
        slowest = float(1 / np.min(np.abs(eigenvalues.real))) if eigenvalues.size else 0.0
        certificate = Certificate(
            residuals,
            tolerance,
            tuple(complex(z) for z in eigenvalues),
            stable,
            slowest,
            method,
            iterations,
        )
        return self._state(system, y, certificate, attempt.model_id)

    def _eigenvalues(self, system: _System, jacobian: np.ndarray) -> np.ndarray:
        """Eigenvalues of the Jacobian on the free states, with conserved moieties removed."""
        if not system.dependent:
            eigenvalues = _spectrum(jacobian)
            return eigenvalues[np.argsort(np.abs(eigenvalues.real))]
        n = jacobian.shape[0]
        dependent = list(system.dependent)
        free = [i for i in range(n) if i not in dependent]
        reduced = jacobian[np.ix_(free, free)]
        if dependent:
            # y_dep = total - sum(l_j y_j) over the free states (the rows are reduced, pivot 1)
            coupling = -system.laws[:, free]
            reduced = reduced + jacobian[np.ix_(free, dependent)] @ coupling
        eigenvalues = _spectrum(reduced) if reduced.size else np.zeros(0)
        return eigenvalues[np.argsort(np.abs(eigenvalues.real))]

    def _state(
        self, system: _System, y: np.ndarray, certificate: Certificate, model_id: str
    ) -> SteadyState:
        compiled = self.functions.compiled
        constants = np.asarray(system.p, dtype=float).tolist()
        values = dict(zip(compiled.constants, constants, strict=True))
        observed = self.functions.observe_guarded(system.t, y, system.p)
        values.update(zip(compiled.observables, map(float, observed), strict=True))
        states = y.tolist()
        values.update(zip(compiled.states, states, strict=True))
        # A species given by its concentration: `[S]` is that, `S` its amount (RoadRunner's way).
        for sid, compartment, is_state, index in self._by_concentration:
            concentration = states[index] if is_state else constants[index]
            values[f"[{sid}]"] = concentration
            values[sid] = concentration * values[compartment]
        return SteadyState(
            model_id,
            values,
            self.units,
            certificate,
            species=self.species,
            derived=self.derived,
            states=compiled.states,
            time=system.t,
            volume=self.volume_id,
        )

    # --- messages --------------------------------------------------------------------------

    def _unit(self, sid: str, per_time: bool = False) -> str:
        unit = self.units.get(sid, "")
        return f" {unit}/s" if per_time and unit else f" {unit}" if unit else ""

    def _noise_message(self, noise: float) -> str:
        compiled = self.functions.compiled
        return (
            "no steady state can be certified in double precision: rounding the state "
            f"variables moves their rates by up to {noise:.2g} of the fluxes that "
            f"balance in them (the limit is {NOISE_LIMIT:g}); with a charge-difference Vm this "
            "happens when the cell is so large that its net charge is lost among the ion "
            f"amounts ({', '.join(compiled.states)})"
        )

    def _depletion_message(self, depletion: _Depletion) -> str:
        compiled = self.functions.compiled
        sid = compiled.states[depletion.state]
        unit = self._unit(sid, per_time=True)

        def listing(flows: Mapping[str, float]) -> str:
            return ", ".join(f"{name} {value:.3g}{unit}" for name, value in flows.items()) or "none"

        return (
            f"no physical steady state: {sid} is driven below zero; as it runs out, "
            f"its removal ({listing(depletion.efflux)}) exceeds the most its supply can bring "
            f"in ({listing(depletion.influx)}), e.g. a fixed-rate pump stronger than the leak "
            "of that ion can ever supply"
        )

    def _refuse_without_root(self, system: _System, scan: _VolumeScan, model_id: str) -> None:
        """Raise "no finite steady state" when the volume scan shows it; else return.

        It is shown only if the ions balance, and water enters, at every volume of the scan
        up to 10^5 times the start (or the largest volume whose charge double precision can
        resolve), and in the limit of infinite volume when that can be computed; a scan cut
        short for any other reason proves nothing.
        """
        if scan.depletion is not None and not scan.points:
            raise SteadyStateNotFoundError(model_id, self._depletion_message(scan.depletion))
        if not scan.points or self.volume is None:
            return
        covered = scan.unresolved or scan.points[-1].volume >= 1e4 * scan.start
        if (
            covered
            and all(point.excess > 0 for point in scan.points)
            and (
                scan.limit is None
                or scan.limit.excess >= -RESIDUAL_TOLERANCE * scan.limit.gross  # 0 within noise
            )
        ):
            raise SteadyStateNotFoundError(model_id, self._swelling_message(system, scan))

    def _observed(
        self, system: _System, y: np.ndarray, p: np.ndarray | None = None
    ) -> dict[str, float]:
        """Every computed quantity at ``y``; NaN where the arithmetic fails."""
        values = self.functions.observe_guarded(system.t, y, system.p if p is None else p)
        return dict(zip(self.functions.compiled.observables, values, strict=True))

    def _osmotic_excess(self, system: _System, point: _VolumePoint) -> float | None:
        values = self._observed(system, point.y, point.p)
        if "osm_i" in values and "osm_o" in values:
            return float(values["osm_i"] - values["osm_o"])
        return None

    def _swelling_message(self, system: _System, scan: _VolumeScan) -> str:
        compiled = self.functions.compiled
        volume_id = compiled.states[self.volume] if self.volume is not None else "volume"
        unit = self._unit(volume_id)
        first, last = scan.points[0], scan.points[-1]
        reach = (
            " (the largest whose net charge double precision resolves)" if scan.unresolved else ""
        )
        message = (
            "no finite steady state: with its ions balanced, the cell takes up water at every "
            f"volume from {first.volume:.3g} to {last.volume:.3g}{unit}{reach}"
        )
        excess = self._osmotic_excess(system, last)
        limit = self._osmotic_excess(system, scan.limit) if scan.limit is not None else None
        if excess is not None and limit is not None:
            message += (
                f" and as the volume tends to infinity: osm_i - osm_o is {excess:+.3g} mM at "
                f"{last.volume:.3g}{unit} and {limit:+.3g} mM in the limit"
            )
        message += f"; the volume {volume_id} grows without bound"
        values = self._observed(system, first.y)
        pumps = [r for r in compiled.reactions if "pump" in r.lower()]
        if not pumps or values.get("I_pump") == 0.0:
            message += (
                "; no active transport balances the osmotic pull of the trapped impermeant "
                "solutes: Donnan swelling"
            )
        return message

    def _not_found_message(self, attempt: _Attempt) -> str:
        tried = "; ".join(attempt.tried)
        if attempt.unstable is not None:
            growing = max(attempt.unstable.eigenvalues, key=lambda z: z.real)
            pair = f" ± {abs(growing.imag):.3g}i" if growing.imag else ""
            return (
                "no stable steady state: the one found is unstable (eigenvalue "
                f"{growing.real:+.3g}{pair} /s), so the dynamics leave it"
                f"{' and may oscillate' if growing.imag else ''}; tried {tried}"
            )
        system, y0 = attempt.system, attempt.y0
        judgement = _judge(system, attempt.last if attempt.last is not None else y0, y0)
        rows = system.rate_rows()
        worst = max(rows, key=lambda i: abs(judgement.residual[i])) if rows else None
        message = f"no steady state found: tried {tried}"
        if worst is not None and np.isfinite(judgement.residual[worst]):
            sid = self.functions.compiled.states[worst]
            message += (
                f"; at the end, d{sid}/dt is still {abs(judgement.residual[worst]):.2g} of the "
                f"flux that balances in it (the tolerance is {RESIDUAL_TOLERANCE:g})"
            )
        return message


def _hint(y0: np.ndarray, p: np.ndarray, compiled: CompiledOde) -> str:
    """Return the likely cause of a non-finite start, only if it is there: a zero amount."""
    empty = [
        sid
        for sid, kind, value in zip(compiled.states, compiled.state_kinds, y0, strict=True)
        if kind == "amount" and value == 0
    ]
    empty += [
        sid
        for sid, kind, value in zip(compiled.constants, compiled.constant_kinds, p, strict=True)
        if kind in ("amount", "concentration") and value == 0
    ]
    if empty:
        return (
            f"; {', '.join(empty)} start at 0 (a Nernst potential needs the ion on both sides "
            "of the membrane)"
        )
    return "; check the values that enter it for zeros and overflows"


def _is_physical(system: _System, y: np.ndarray, judgement: _Judgement) -> bool:
    """Finite, volumes positive, and no amount that started positive below zero (beyond noise)."""
    if not np.all(np.isfinite(y)):
        return False
    slack = judgement.allowed_step
    return bool(np.all(~system.positive | (y >= -slack)))


# --- one solver per compiled model ---------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def solver_for(compiled: CompiledModel) -> SteadyStateSolver:
    """Return the process's steady-state solver of a compiled model (built once)."""
    species = [q.id for q in compiled.quantities.values() if q.kind == "species"]
    return SteadyStateSolver(functions_of(compiled.ode), compiled.units, species)


def pre_event_steady_state(built: BuiltModel) -> SteadyState:
    """Return the certified steady state of a built model from its start, before any event.

    Raises
    ------
    SteadyStateNotFoundError
        As :meth:`SteadyStateSolver.solve`.
    """
    solver = solver_for(built.compiled)
    y0, p = solver.functions.start(built.overrides)
    return solver.solve(y0, p, model_id=built.name)
