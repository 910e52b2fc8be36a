# SPDX-License-Identifier: MIT
"""What an SBML model means as ODEs: our reading agrees with RoadRunner, an independent one.

:func:`pumpleak_sbml.ode_model.read_ode_system` and the code that
:mod:`pumpleak_sbml.ode_codegen` generates from it are the steady-state engine's whole view of
a model. Each claim is checked against libRoadRunner (its own SBML reader, its own LLVM code)
on every library model, the two spec files, a few random valid specs, the six curated
BioModels files in ``tests/data/biomodels`` and a handful of small SBML documents written
here for the semantics the others do not use:

- the initial state and constants equal RoadRunner's after its initial assignments;
- at the initial state and at a perturbed one, d(state)/dt equals ``getRatesOfChange()``,
  every reaction rate equals ``getReactionRates()`` and every assignment rule's value
  equals RoadRunner's;
- the exact Jacobian equals a central difference of the right-hand side;
- every conservation law l satisfies l · N = 0 exactly, and the laws span all of them;
- MathML operators, ``avogadro`` and piecewise branches evaluate as SBML defines them;
- unsupported SBML is refused by name, and reading survives libsedml in the process.

Mapping the two views. RoadRunner's state holds the amount of every floating species, also
of one that no reaction or rule changes (``X_i``, the fixed impermeant; Teusink's ``SUM_P``):
we treat it as a constant, so RoadRunner's rate for it must be exactly 0. A species that a
rate rule changes in concentration units is a concentration in our state and an amount in
RoadRunner's. Selections: ``S`` is an amount, ``[S]`` a concentration; RoadRunner does not
expose local parameters, which are compared with the values libsbml reads.

Tolerances. Both programs evaluate the same formulas in double precision (unit roundoff
1.1e-16) in different orders, so they differ by rounding. A wrong reading (a unit, a sign, a
concentration taken for an amount, a missing conversion factor) is wrong by order 1. Rounding
moves a value f(x) by up to about 1.1e-16 times its *condition* sum_k |df/dx_k| |x_k| (over
every state and constant), which is far larger than |f| where f is a small difference of
large terms: the net charge Q_net at the electroneutral start is pure rounding noise (1e-9
fC against charges of 1e7 fC), and so is a reaction rate at equilibrium. So each value may
differ by EVALUATION_RTOL = 1e-9 of itself plus ROUNDING_FLOOR = 1e-12 of its condition sum
(~1e4 roundings, for chains of a few hundred operations), which the test estimates from our
functions by one-sided differences. Initial values: INITIAL_RTOL = 1e-12, no floor.
"""

from __future__ import annotations

import math
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import libsbml
import mpmath  # type: ignore[import-untyped]
import numpy as np
import pytest
import roadrunner
import strategies
from hypothesis import HealthCheck, given, settings

import pumpleak_sbml as pl
from pumpleak_sbml.built_model import resolve
from pumpleak_sbml.ode_codegen import generate
from pumpleak_sbml.ode_functions import CompiledOde, OdeFunctions, functions_of
from pumpleak_sbml.ode_model import conservation_laws, read_ode_system
from pumpleak_sbml.sbml_compiler import antimony_to_sbml

EVALUATION_RTOL = 1e-9
ROUNDING_FLOOR = 1e-12
CONDITION_STEP = 1e-7  # relative step of the one-sided differences that estimate conditions
INITIAL_RTOL = 1e-12
# The reference Jacobian is a central difference of the generated right-hand side evaluated
# in 40-digit arithmetic (mpmath): with a step of 1e-15 of each state its truncation error is
# ~1e-30 and its rounding ~1e-25, so it is exact to far below double precision. Our Jacobian
# is evaluated in doubles; each entry sums chain-rule terms up to the size of its row's largest
# entry, so it may be off by rounding of that size: JACOBIAN_RTOL of each entry, with a floor
# of JACOBIAN_ROW_FLOOR of its row's largest entry (seen: at most 7e-13 of it).
JACOBIAN_RTOL = 1e-9
JACOBIAN_ROW_FLOOR = 1e-10
JACOBIAN_DIGITS = 40

_HERE = Path(__file__).resolve().parent
_SPECS = sorted((_HERE.parent / "models" / "specs").glob("*.toml"))
_BIOMODELS = sorted((_HERE / "data" / "biomodels").glob("*.xml"))


# --- the models and how to perturb them --------------------------------------------------------


@dataclass(frozen=True)
class Perturbation:
    """How far to move a model's state away from its start for the second comparison.

    Every state is multiplied by 1 + w·relative (volumes by 1 + w·0.1, an osmotic imbalance),
    with weights w of alternating sign between 0.5 and 1; a state that starts at 0 is set to
    ``zero``. For the cells, ``relative`` is 1e-5: the amounts are ~100 fmol, so ~1e-3 fmol of
    unbalanced charge, a Vm of tens of mV on a pF membrane (more would be kilovolts). The
    vesicle's excess H+ starts at 0; 1e-6 fmol makes dp about -77 mV. The metabolic models
    move by 5 %, and their empty pools (Holzhütter's AMP, NADP) get 1e-3 mM.
    """

    relative: float
    zero: float

    def apply(self, y0: np.ndarray, kinds: Sequence[str]) -> np.ndarray:
        """Return the perturbed state."""
        y = np.array(y0, dtype=float)
        for i, kind in enumerate(kinds):
            weight = (-1) ** i * (0.5 + 0.5 * abs(math.sin(i + 1)))
            step = 0.1 if kind == "compartment" else self.relative
            y[i] = y0[i] * (1 + step * weight) if y0[i] != 0 else self.zero
        return y


CELL = Perturbation(relative=1e-5, zero=1e-6)
PATHWAY = Perturbation(relative=0.05, zero=1e-3)


@dataclass(frozen=True)
class Case:
    """A model to compare: its SBML, our generated functions, how to perturb it."""

    sbml: str
    functions: OdeFunctions
    perturbation: Perturbation

    @property
    def compiled(self) -> CompiledOde:
        """The generated code and the names of its vectors."""
        return self.functions.compiled


def _case_of_model(model: str | Path, perturbation: Perturbation) -> Case:
    compiled = resolve(model).compiled
    return Case(compiled.sbml, functions_of(compiled.ode), perturbation)


def _case_of_text(sbml: str) -> Case:
    system = read_ode_system(sbml)
    return Case(sbml, functions_of(generate(system, conservation_laws(system))), PATHWAY)


MODELS: list[Any] = [
    *(pytest.param(name, CELL, id=name) for name in pl.list_models()),
    *(pytest.param(path, CELL, id=f"spec-{path.stem}") for path in _SPECS),
    *(pytest.param(path, PATHWAY, id=path.name.split("_")[0]) for path in _BIOMODELS),
]


# Small documents for SBML semantics that no model above uses. RoadRunner reads them too.
_SEMANTICS_ANTIMONY = {
    "concentration_rate_rule": """
        model concentration_rate_rule
          compartment c = 2
          species S in c = 3
          S' = -k * S
          k = 0.5
          species T in c = 1
          J: T -> ; k2 * T
          k2 = 0.3
        end""",
    "growing_compartment": """
        model growing_compartment
          compartment c = 2
          c' = 0.1 * c
          species S in c = 3, P in c = 0.5
          J1: S -> ; k * S
          J2: S -> 2.5 P; k * S * P
          k = 0.5
        end""",
    "initial_assignments": """
        model initial_assignments
          compartment c = 2, d
          d = 3 * k
          species S in c, U in d = 5
          S = 4 * k
          J1: S -> ; k * S
          J2: U -> S; k * U
          k = 0.5
        end""",
    "boundary_rate_rule": """
        model boundary_rate_rule
          compartment c = 2
          species $B in c = 3, S in c = 1
          B' = -0.1 * B
          J: B -> S; k * B
          k = 0.5
        end""",
    "functions_and_time": """
        function hill(x, K, n)
          x^n / (K^n + x^n)
        end
        model functions_and_time
          compartment c = 1.5
          species S in c = 2, P in c = 0
          J: S -> P; vmax * hill(S, K, 2) * (1 + 0.5 * sin(time))
          vmax = 1.2; K = 0.7
          ratio := P / (S + P + 1)
        end""",
}


def _conversion_factor_document() -> str:
    """Return a model with model-wide and species conversion factors and a shadowing local k."""
    document = libsbml.SBMLDocument(3, 2)
    model = document.createModel()
    model.setId("conversion_factors")
    model.setConversionFactor("f_model")
    for pid, value in (("f_model", 2.0), ("f_B", 0.5), ("k", 0.3)):
        parameter = model.createParameter()
        parameter.setId(pid)
        parameter.setValue(value)
        parameter.setConstant(True)
    compartment = model.createCompartment()
    compartment.setId("c")
    compartment.setSize(1.5)
    compartment.setConstant(True)
    for sid, amount, factor in (("A", 4.0, ""), ("B", 1.0, "f_B")):
        species = model.createSpecies()
        species.setId(sid)
        species.setCompartment("c")
        species.setInitialAmount(amount)
        species.setHasOnlySubstanceUnits(False)
        species.setBoundaryCondition(False)
        species.setConstant(False)
        if factor:
            species.setConversionFactor(factor)
    reaction = model.createReaction()
    reaction.setId("J")
    reaction.setReversible(False)
    for sid, stoichiometry, create in (("A", 1.0, reaction.createReactant), ("B", 3.0, None)):
        reference = create() if create else reaction.createProduct()
        reference.setSpecies(sid)
        reference.setStoichiometry(stoichiometry)
        reference.setConstant(True)
    law = reaction.createKineticLaw()
    local = law.createLocalParameter()
    local.setId("k")  # shadows the global k = 0.3
    local.setValue(0.7)
    law.setMath(libsbml.parseL3Formula("k * A"))
    return str(libsbml.writeSBMLToString(document))


SEMANTICS: list[Any] = [
    *(pytest.param(name, id=name) for name in _SEMANTICS_ANTIMONY),
    pytest.param("conversion_factors", id="conversion_factors"),
]


def _semantics_case(name: str) -> Case:
    if name == "conversion_factors":
        return _case_of_text(_conversion_factor_document())
    return _case_of_text(antimony_to_sbml(_SEMANTICS_ANTIMONY[name]))


# --- RoadRunner's view ----------------------------------------------------------------------


class RoadRunnerView:
    """RoadRunner's values of our states, rates, rules and fluxes, mapped by id."""

    def __init__(self, case: Case) -> None:
        self.case = case
        self.runner = roadrunner.RoadRunner(case.sbml)
        self.document = libsbml.readSBMLFromString(case.sbml)
        self.model = self.document.getModel()

    def _is_concentration(self, sid: str) -> bool:
        species = self.model.getSpecies(sid)
        return species is not None and not species.getHasOnlySubstanceUnits()

    def value(self, sid: str) -> float:
        """Return a quantity as our vectors mean it: a concentration where ours is one."""
        if sid.startswith("["):
            return float(self.runner[sid])
        if "." in sid:  # a local parameter, which RoadRunner does not expose
            reaction, parameter = sid.split(".", 1)
            law = self.model.getReaction(reaction).getKineticLaw()
            local = law.getLocalParameter(parameter) or law.getParameter(parameter)
            return float(local.getValue())
        return float(self.runner[sid])

    def _species_value(self, sid: str, kind: str) -> float:
        return float(self.runner[f"[{sid}]" if kind == "concentration" else sid])

    def initial_states(self) -> np.ndarray:
        """RoadRunner's initial value of each of our states."""
        compiled = self.case.compiled
        return np.array(
            [
                self._species_value(s, k)
                for s, k in zip(compiled.states, compiled.state_kinds, strict=True)
            ]
        )

    def initial_constants(self) -> np.ndarray:
        """RoadRunner's (or libsbml's, for local parameters) value of each of our constants."""
        compiled = self.case.compiled
        values = []
        for sid, kind in zip(compiled.constants, compiled.constant_kinds, strict=True):
            values.append(self.value(sid) if "." in sid else self._species_value(sid, kind))
        return np.array(values)

    def set_state(self, y: np.ndarray) -> None:
        """Put our state into RoadRunner (volumes first: amounts stay as set)."""
        compiled = self.case.compiled
        for sid, kind, value in zip(compiled.states, compiled.state_kinds, y, strict=True):
            self.runner[f"[{sid}]" if kind == "concentration" else sid] = float(value)

    def rates(self) -> np.ndarray:
        """RoadRunner's d(state)/dt of each of our states, in our units.

        A species that RoadRunner integrates and we hold constant must not change at all.
        """
        named = self.runner.getRatesOfChangeNamedArray()
        found = {
            name.rstrip("'"): float(v) for name, v in zip(named.colnames, named[0], strict=True)
        }
        compiled = self.case.compiled
        extra = {sid: rate for sid, rate in found.items() if sid not in compiled.states}
        assert set(extra) <= set(compiled.constants), f"states RoadRunner has and we lack: {extra}"
        assert all(rate == 0.0 for rate in extra.values()), f"constants that change: {extra}"
        rates = []
        for sid, kind, compartment in zip(
            compiled.states, compiled.state_kinds, compiled.state_compartments, strict=True
        ):
            rate = found[sid]
            if kind == "concentration":  # RoadRunner's state is the amount: d(c·[S])/dt
                assert compartment not in compiled.states, "a rate-ruled [S] in a varying volume"
                rate /= float(self.runner[compartment])
            rates.append(rate)
        return np.array(rates)

    def rules(self) -> np.ndarray:
        """RoadRunner's value of every assignment rule (ours, implicit [S] rules included)."""
        observed = self.case.compiled.observables
        return np.array(
            [
                self.runner[f"[{sid}]"] if self._is_concentration(sid) else self.value(sid)
                for sid in observed
            ],
            dtype=float,
        )

    def fluxes(self) -> np.ndarray:
        """RoadRunner's reaction rates, in our reaction order."""
        assert list(self.runner.model.getReactionIds()) == list(self.case.compiled.reactions)
        return np.array(self.runner.getReactionRates(), dtype=float)


def condition(function: Callable[..., Any], y: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Return sum_k |df/dx_k| |x_k| over every state and constant x_k, for each output of f.

    That sum times the unit roundoff is how far rounding of the inputs alone moves f(x); it is
    estimated by one-sided differences with a relative step of CONDITION_STEP.
    """
    base = np.array(function(0.0, y, p), dtype=float)
    total = np.zeros_like(base)
    for which, vector in ((0, y), (1, p)):
        for k, value in enumerate(vector):
            if value == 0:
                continue
            bumped = np.array(vector, dtype=float)
            bumped[k] = value * (1 + CONDITION_STEP)
            moved = function(0.0, bumped, p) if which == 0 else function(0.0, y, bumped)
            total += np.abs(np.array(moved, dtype=float) - base) / CONDITION_STEP
    return total


def assert_agree(
    ours: Sequence[float] | np.ndarray,
    theirs: Sequence[float] | np.ndarray,
    names: Sequence[str],
    what: str,
    *,
    rtol: float = EVALUATION_RTOL,
    conditions: np.ndarray | None = None,
) -> None:
    """Assert entrywise agreement within rtol, plus ROUNDING_FLOOR of each value's condition."""
    mine, reference = np.asarray(ours, dtype=float), np.asarray(theirs, dtype=float)
    assert mine.shape == reference.shape, (what, mine.shape, reference.shape)
    allowed = rtol * np.abs(reference)
    if conditions is not None:
        allowed = allowed + ROUNDING_FLOOR * conditions
    wrong = ~(np.abs(mine - reference) <= allowed)
    if wrong.any():
        rows = "\n".join(
            f"  {names[i]:>20}: ours {mine[i]!r:>24}  RoadRunner {reference[i]!r:>24}"
            for i in map(int, np.flatnonzero(wrong))
        )
        raise AssertionError(f"{what} differ from RoadRunner's:\n{rows}")


def _compare_at(case: Case, view: RoadRunnerView, y: np.ndarray, label: str) -> None:
    functions, compiled = case.functions, case.compiled
    _, p = functions.start({})
    view.set_state(y)
    for function, reference, names, what in (
        (functions.rhs, view.rates(), compiled.states, "rates"),
        (functions.observe, view.rules(), compiled.observables, "rules"),
        (functions.fluxes, view.fluxes(), compiled.reactions, "fluxes"),
    ):
        assert_agree(
            function(0.0, y, p),
            reference,
            names,
            f"{what} ({label})",
            conditions=condition(function, y, p),
        )


def check_initial_values(case: Case) -> None:
    """Our initial states and constants equal RoadRunner's after initial assignments."""
    y0, p = case.functions.start({})
    view = RoadRunnerView(case)
    compiled = case.compiled
    assert_agree(y0, view.initial_states(), compiled.states, "initial states", rtol=INITIAL_RTOL)
    assert_agree(p, view.initial_constants(), compiled.constants, "constants", rtol=INITIAL_RTOL)


def check_evaluation(case: Case) -> None:
    """Rates, rules and fluxes equal RoadRunner's at the initial and a perturbed state."""
    y0, _ = case.functions.start({})
    view = RoadRunnerView(case)
    _compare_at(case, view, y0, "initial state")
    _compare_at(case, view, case.perturbation.apply(y0, case.compiled.state_kinds), "perturbed")


# --- the Jacobian -------------------------------------------------------------------------------


def _high_precision_rhs(compiled: CompiledOde) -> Callable[..., list[Any]]:
    """Return the generated ``rhs`` evaluated in mpmath arithmetic (its source, run again)."""
    namespace: dict[str, Any] = {}
    exec(compile(compiled.source, "<generated model, mpmath>", "exec"), namespace)
    # The source imports math; its functions must see mpmath's instead (same names: exp, log,
    # sin, floor, pi, inf, nan, ...), looked up at call time.
    namespace["math"] = mpmath
    rhs: Callable[..., list[Any]] = namespace["rhs"]
    return rhs


def reference_jacobian(compiled: CompiledOde, y: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Central difference of rhs in 40-digit arithmetic, step 1e-15 of each state (1e-25 at 0)."""
    rhs = _high_precision_rhs(compiled)
    with mpmath.workdps(JACOBIAN_DIGITS):
        point = [mpmath.mpf(float(v)) for v in y]
        constants = [mpmath.mpf(float(v)) for v in p]
        columns = []
        for j, value in enumerate(y):
            step = mpmath.mpf(10) ** -15 * abs(float(value)) if value else mpmath.mpf(10) ** -25
            up, down = list(point), list(point)
            up[j] += step
            down[j] -= step
            high, low = rhs(0.0, up, constants), rhs(0.0, down, constants)
            columns.append([float((a - b) / (2 * step)) for a, b in zip(high, low, strict=True)])
    return np.array(columns, dtype=float).T


def check_jacobian(case: Case) -> None:
    """Check that the exact Jacobian equals a central difference of rhs at both states."""
    functions, compiled = case.functions, case.compiled
    y0, p = functions.start({})
    for label, y in (
        ("initial state", y0),
        ("perturbed", case.perturbation.apply(y0, compiled.state_kinds)),
    ):
        exact = np.array(functions.jac(0.0, y, p), dtype=float)
        reference = reference_jacobian(compiled, y, p)
        rows = np.max(np.abs(reference), axis=1, keepdims=True)
        allowed = JACOBIAN_RTOL * np.abs(reference) + JACOBIAN_ROW_FLOOR * rows
        wrong = np.argwhere(~(np.abs(exact - reference) <= allowed))
        assert not wrong.size, f"Jacobian ({label}) differs at " + ", ".join(
            f"d {compiled.states[i]}'/d {compiled.states[j]}: {exact[i, j]!r} vs "
            f"{reference[i, j]!r}"
            for i, j in wrong
        )


# --- conservation laws ---------------------------------------------------------------------


def _exact(number: float) -> Fraction:
    """Return the rational a conservation coefficient stands for (found in exact arithmetic)."""
    fraction = Fraction(number).limit_denominator(10**6)
    assert float(fraction) == pytest.approx(number, rel=1e-15, abs=0.0), number
    return fraction


def check_conservation_laws(case: Case) -> None:
    """Each law l has l · N = 0 exactly (N: RoadRunner's stoichiometry), and none is missing.

    RoadRunner's matrix has no conversion factors, so a model with them is checked through
    the rates instead: l · dy/dt = 0 to rounding, with RoadRunner's rates.
    """
    compiled = case.compiled
    view = RoadRunnerView(case)
    matrix = view.runner.getFullStoichiometryMatrix()
    species, reactions = list(matrix.rownames), list(matrix.colnames)
    stoichiometry = np.array(matrix, dtype=float)
    moved = [s for s, row in zip(species, stoichiometry, strict=True) if np.any(row)]
    has_factors = view.model.isSetConversionFactor() or any(
        s.isSetConversionFactor() for s in view.model.getListOfSpecies()
    )
    for law in compiled.conservation:
        coefficients = {sid: _exact(c) for sid, c in zip(compiled.states, law, strict=True) if c}
        assert coefficients, "an empty conservation law"
        if has_factors:
            continue
        for column, reaction in enumerate(reactions):
            total = sum(
                coefficients.get(sid, Fraction(0)) * Fraction(stoichiometry[row, column])
                for row, sid in enumerate(species)
            )
            assert total == 0, f"law {coefficients} is not conserved by {reaction}"
    rows = [species.index(s) for s in moved]
    rank = np.linalg.matrix_rank(stoichiometry[rows]) if rows else 0
    assert len(compiled.conservation) == len(moved) - rank
    if has_factors:
        rates = dict(zip(compiled.states, view.rates(), strict=True))
        for law in compiled.conservation:
            change = sum(c * rates[s] for s, c in zip(compiled.states, law, strict=True) if c)
            scale = sum(abs(c * rates[s]) for s, c in zip(compiled.states, law, strict=True) if c)
            assert abs(change) <= 1e-12 * scale


# --- the tests -------------------------------------------------------------------------------


@pytest.mark.parametrize(("model", "perturbation"), MODELS)
def test_initial_values_equal_roadrunners(model: str | Path, perturbation: Perturbation) -> None:
    """Our initial states and constants equal RoadRunner's after initial assignments."""
    check_initial_values(_case_of_model(model, perturbation))


@pytest.mark.parametrize(("model", "perturbation"), MODELS)
def test_rates_rules_and_fluxes_equal_roadrunners(
    model: str | Path, perturbation: Perturbation
) -> None:
    """At the initial and a perturbed state, rhs, every rule and every flux equal RoadRunner's."""
    check_evaluation(_case_of_model(model, perturbation))


@pytest.mark.parametrize(("model", "perturbation"), MODELS)
def test_jacobian_equals_central_difference_of_rhs(
    model: str | Path, perturbation: Perturbation
) -> None:
    """The generated exact Jacobian equals a 40-digit central difference of the generated rhs."""
    check_jacobian(_case_of_model(model, perturbation))


@pytest.mark.parametrize(("model", "perturbation"), MODELS)
def test_conservation_laws_are_exact_and_complete(
    model: str | Path, perturbation: Perturbation
) -> None:
    """Every conservation law has l · N = 0 exactly, and there are rank-deficiency many."""
    check_conservation_laws(_case_of_model(model, perturbation))


@pytest.mark.parametrize("name", SEMANTICS)
def test_sbml_semantics_read_as_roadrunner_reads_them(name: str) -> None:
    """Rate-ruled concentrations, growing volumes, conversion factors etc. read as RoadRunner does.

    Each small document exercises one rule of SBML that the models above do not: initial
    values, rates, rules, fluxes, the Jacobian and the conservation laws are all checked.
    """
    case = _semantics_case(name)
    check_initial_values(case)
    check_evaluation(case)
    check_jacobian(case)
    check_conservation_laws(case)


@settings(
    max_examples=3,
    derandomize=True,  # the same three specs every run
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(strategies.cell_specs(protocol=False))
def test_random_spec_reads_as_roadrunner_reads_it(data: dict[str, Any]) -> None:
    """A random valid spec's ODEs (start, rates, rules, fluxes, Jacobian, laws) match RoadRunner."""
    case = _case_of_model(data, CELL)  # type: ignore[arg-type]
    check_initial_values(case)
    check_evaluation(case)
    check_jacobian(case)
    check_conservation_laws(case)


def test_holzhutter_laws_include_the_adenine_nucleotide_pool() -> None:
    """BIOMD0000000070's laws span the total adenine nucleotide pool (free and Mg-bound).

    Holzhütter (2004, Eur J Biochem 271:2905; PubMed 15233787) models red-cell metabolism
    without adenine synthesis or breakdown: every reaction that uses ATP, ADP or AMP
    (hexokinase, PFK, PGK, PK, the ATPase, adenylate kinase, PRPP synthase, Mg binding)
    turns one adenine nucleotide into another, so ATP + ADP + AMP, free and Mg-bound, is
    constant. It must lie in the span of the laws we found (it need not be one of them).
    """
    path = next(p for p in _BIOMODELS if p.name.startswith("BIOMD0000000070"))
    compiled = resolve(path).compiled.ode
    adenine = {"ATPf", "MgATP", "ADPf", "MgADP", "AMPf", "MgAMP"}
    pool = np.array([1.0 if sid in adenine else 0.0 for sid in compiled.states])
    laws = np.array(compiled.conservation)
    assert np.linalg.matrix_rank(np.vstack([laws, pool])) == np.linalg.matrix_rank(laws)
    # and it is a conservation of RoadRunner's own stoichiometry, not just of ours
    matrix = roadrunner.RoadRunner(resolve(path).compiled.sbml).getFullStoichiometryMatrix()
    rows = [list(matrix.rownames).index(sid) for sid in sorted(adenine)]
    assert not np.any(np.sum(np.array(matrix)[rows], axis=0))


# --- piecewise and MathML --------------------------------------------------------------------


def test_ghk_at_zero_potential_evaluates_only_the_taken_branch() -> None:
    """pump_leak_ghk at Vm exactly 0 has finite rhs and Jacobian (no 0/0 of the GHK factor).

    The GHK factor u/(1 - exp(-u)) is 0/0 at u = 0; the model takes its limit by a piecewise
    branch for |u| < 1e-6. Python raises on 0/0, so evaluating the untaken branch would fail.
    """
    cell = pl.ode("pump_leak_ghk")
    assert cell.observe(0.0, cell.y0)["Vm"] == 0.0  # the electroneutral start
    assert np.all(np.isfinite(cell.rhs(0.0, cell.y0)))
    assert np.all(np.isfinite(cell.jac(0.0, cell.y0)))


def test_jacobian_is_defined_wherever_rhs_is() -> None:
    """With no intracellular Na+, pump_leak_ghk's rhs and Jacobian are finite and agree with FD.

    E_Na = (RT/F) ln([Na+]o/[Na+]i) is infinite there, but no rate uses it: GHK currents and
    the saturating pump are smooth at [Na+]i = 0. The Jacobian must not evaluate rules that no
    rate needs. Na+ is replaced by K+, so the cell stays electroneutral (Vm = 0).
    """
    cell = pl.ode("pump_leak_ghk")
    index = {sid: i for i, sid in enumerate(cell.state_names)}
    y = cell.y0.copy()
    y[index["K_i"]] += y[index["Na_i"]]
    y[index["Na_i"]] = 0.0
    exact = cell.jac(0.0, y)
    assert np.all(np.isfinite(cell.rhs(0.0, y)))
    assert np.all(np.isfinite(exact))
    reference = reference_jacobian(cell.functions.compiled, y, cell.p)
    rows = np.max(np.abs(reference), axis=1, keepdims=True)
    assert np.all(np.abs(exact - reference) <= JACOBIAN_RTOL * np.abs(reference) + 1e-10 * rows)


# Each operator at arguments where the conventions differ (negative operands, mixed signs).
_OPERATORS = {
    "quotient_positive": "quotient(7, 2)",
    "quotient_negative": "quotient(-7, 2)",
    "quotient_mixed": "quotient(a, b)",
    "rem_positive": "rem(7, 3)",
    "rem_negative_dividend": "rem(-7, 3)",
    "rem_negative_divisor": "rem(7, -3)",
    "rem_mixed": "rem(a, b)",
    "log_base_10": "log10(100)",
    "log_base_2": "log(2, 8)",
    "root_cube": "root(3, 27)",
    "floor_negative": "floor(a)",
    "ceiling_negative": "ceil(a)",
    "factorial": "factorial(4)",
    "secant": "sec(a)",
    "arccotangent": "arccot(a)",
    "arccosh": "arccosh(b)",
    "arccoth": "arccoth(b)",
    "piecewise_xor": "piecewise(1, xor(a < 0, b < 0), 2)",
    "piecewise_chain": "piecewise(1, a < b < 0, 2)",
    "piecewise_equal": "piecewise(1, a == -2.5, 2)",
    "piecewise_implies": "piecewise(1, implies(a < 0, b < 0), 2)",
    "min_of_three": "min(a, b, 0)",
    "max_of_three": "max(a, b, 0)",
    "avogadro": "avogadro",
}


def _operator_document() -> str:
    document = libsbml.SBMLDocument(3, 2)
    model = document.createModel()
    model.setId("operators")
    for pid, value in (("a", -2.5), ("b", 3.0)):
        parameter = model.createParameter()
        parameter.setId(pid)
        parameter.setValue(value)
        parameter.setConstant(True)
    for pid, formula in _OPERATORS.items():
        parameter = model.createParameter()
        parameter.setId(pid)
        parameter.setConstant(False)
        rule = model.createAssignmentRule()
        rule.setVariable(pid)
        math_node = libsbml.parseL3Formula(formula)
        assert math_node is not None, (formula, libsbml.getLastParseL3Error())
        rule.setMath(math_node)
    return str(libsbml.writeSBMLToString(document))


def test_mathml_operators_evaluate_as_sbml_defines_them() -> None:
    """Every MathML operator, at mixed signs, evaluates as RoadRunner evaluates it.

    The conventions that differ between languages: quotient truncates toward zero and rem
    has the dividend's sign (MathML's quotient and rem are OpenMath integer1 quotient and
    remainder: a = b q + r, |r| < |b|, a r >= 0), and avogadro is 6.02214179e23, the value
    SBML Level 3 fixed (SBML Test Suite case 01323 checks it), not the 2019 SI value.
    """
    case = _case_of_text(_operator_document())
    y0, p = case.functions.start({})
    view = RoadRunnerView(case)
    ours = case.functions.observe(0.0, y0, p)
    assert_agree(ours, view.rules(), case.compiled.observables, "operators", rtol=1e-14)
    values = dict(zip(case.compiled.observables, ours, strict=True))
    assert values["quotient_negative"] == -3  # written down, not only RoadRunner's word
    assert values["rem_negative_dividend"] == -1
    assert values["avogadro"] == 6.02214179e23


# --- what we refuse --------------------------------------------------------------------------


def _document_with(kind: str) -> str:
    """Return a tiny model with one construct the ODE reader cannot take."""
    document = libsbml.SBMLDocument(3, 2)
    model = document.createModel()
    model.setId("refused")
    for pid, value in (("x", 1.0), ("y", 2.0)):
        parameter = model.createParameter()
        parameter.setId(pid)
        parameter.setValue(value)
        parameter.setConstant(False)
    if kind == "algebraic rule":
        rule = model.createAlgebraicRule()
        rule.setMath(libsbml.parseL3Formula("x + y - 3"))
    elif kind == "delay":
        rule = model.createRateRule()
        rule.setVariable("x")
        rule.setMath(libsbml.parseL3Formula("-delay(x, 1)"))
    else:
        rule = model.createRateRule()
        rule.setVariable("x")
        rule.setMath(libsbml.parseL3Formula("-x"))
        assignment = model.createAssignmentRule()
        assignment.setVariable("y")
        assignment.setMath(libsbml.parseL3Formula("rateOf(x)"))
    return str(libsbml.writeSBMLToString(document))


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("algebraic rule", r"refused: .*algebraic rule"),
        ("delay", r"refused: rate rule for x: .*'delay'"),
        ("rateOf", r"refused: assignment rule for y: .*'rateOf'"),
    ],
)
def test_unsupported_sbml_is_refused_naming_model_construct_and_place(
    kind: str, message: str, tmp_path: Path
) -> None:
    """Algebraic rules, delay and rateOf raise UnsupportedSBMLError naming model and element."""
    sbml = _document_with(kind)
    with pytest.raises(pl.UnsupportedSBMLError, match=message):
        read_ode_system(sbml)
    path = tmp_path / "refused.xml"
    path.write_text(sbml, encoding="utf-8")
    with pytest.raises(pl.UnsupportedSBMLError, match=message):
        pl.ode(path)


_READ_IN_SUBPROCESS = """
import hashlib, sys
{imports}
import sympy
from pumpleak_sbml.ode_model import read_ode_system
print("hazard:", not isinstance(libsbml.parseL3Formula("a + b").getType(), int))
for path in sys.argv[1:]:
    system = read_ode_system(open(path, encoding="utf-8").read())
    text = sympy.srepr((system.rates, system.rules, system.initial, system.reaction_rates))
    print("reading:", hashlib.sha256(text.encode()).hexdigest())
"""


def _read_in_fresh_process(imports: str, paths: Sequence[Path]) -> tuple[bool, list[str]]:
    """Return (whether getType() is broken, a digest of each file's reading) from a new process."""
    result = subprocess.run(
        [sys.executable, "-c", _READ_IN_SUBPROCESS.format(imports=imports), *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()  # libsbml may print SWIG leak warnings too
    hazard = [line.split()[1] == "True" for line in lines if line.startswith("hazard:")]
    readings = [line.split()[1] for line in lines if line.startswith("reading:")]
    assert len(hazard) == 1
    assert len(readings) == len(paths)
    return hazard[0], readings


def test_reading_survives_libsedml_in_the_process(tmp_path: Path) -> None:
    """With libsedml imported (in either order), every model reads exactly as without it.

    Importing libsedml after libsbml turns libsbml's ASTNode.getType() into an opaque SWIG
    object (libsbml 5.21), so a reader that walked ASTNode types would silently misread. The
    subprocesses show the hazard is real, and that our reading (from MathML text) is immune.
    """
    paths = []
    for name, sbml in (
        ("ghk.xml", resolve("pump_leak_ghk").compiled.sbml),  # piecewise, exp, ln
        ("functions.xml", antimony_to_sbml(_SEMANTICS_ANTIMONY["functions_and_time"])),
    ):
        path = tmp_path / name
        path.write_text(sbml, encoding="utf-8")
        paths.append(path)
    control_hazard, control = _read_in_fresh_process("import libsbml", paths)
    sedml_first_hazard, sedml_first = _read_in_fresh_process(
        "import libsedml\nimport libsbml", paths
    )
    sbml_first_hazard, sbml_first = _read_in_fresh_process("import libsbml\nimport libsedml", paths)
    assert not control_hazard
    assert not sedml_first_hazard
    assert sbml_first_hazard, "libsbml's getType() hazard is gone; keep the test, drop this line"
    assert sedml_first == control
    assert sbml_first == control
