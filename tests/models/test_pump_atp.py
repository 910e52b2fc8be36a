# SPDX-License-Identifier: MIT
"""The ATP-dependent Na+/K+ pump law (``[pump] law = "atp"``, component ``pump_atp.ant``).

I_pump = I_max f_ATP ([Na]i/([Na]i + K_Na))^3 ([K]o/([K]o + K_K))^2 with
f_ATP = [ATP]/([ATP] + K_ATP (1 + [ADP]/K_ADP)): Michaelis-Menten in ATP (Kennedy, Lunn &
Hoffman 1986, J Gen Physiol 87:47, doi:10.1085/jgp.87.1.47) with ADP competing with ATP (the
form of Cortassa et al. 2006, Biophys J 91:1564, doi:10.1529/biophysj.105.076174). Each cycle
hydrolyses one ATP. The formulas are evaluated here from the model's state with the
constants written out in this file, not taken from the package.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import libsbml
import pytest

import pumpleak_sbml as pl

FARADAY = 96485.33212  # C/mol (CODATA 2018)
UM2_PER_CM2 = 1e8
FA_PER_UA = 1e9
# Formula checks redo the model's arithmetic in another order: 1e-12 is ~1e3 ulp.
ARITHMETIC = 1e-12

PUMP = {
    "law": "atp",
    "I_max": 2.0,
    "K_Na": 10.0,
    "K_K": 1.5,
    "K_ATP": 0.25,
    "K_ADP": 0.1,
    "ATP": 1.4,
    "ADP": 0.14,
    "Pi": 1.0,
}


def make_spec(**pump: float) -> dict[str, Any]:
    """Return pump_leak's cell (as a spec) with the atp pump, constants replaced by ``pump``."""
    return {
        "name": "atp_cell",
        "temperature": 310.15,
        "geometry": {"shape": "sphere", "radius": 5.0},
        "membrane": {"capacitance": 1.0, "water_permeability": 0.015},
        "medium": {"Na": 145.0, "K": 4.0, "Cl": 149.0},
        "cell": {"Na": 12.0, "K": 140.0, "Cl": 14.0, "X": 138.0, "z_X": -1.0},
        "leaks": {
            "Na": {"law": "linear", "g": 0.011},
            "K": {"law": "linear", "g": 0.041},
            "Cl": {"law": "linear", "g": 0.01},
        },
        "pump": {**PUMP, **pump},
    }


def atp_factor(atp: float, adp: float, k_atp: float, k_adp: float) -> float:
    """f_ATP = ATP/(ATP + K_ATP (1 + ADP/K_ADP))."""
    return atp / (atp + k_atp * (1 + adp / k_adp))


def test_atp_pump_current_follows_its_law() -> None:
    """I_pump = I_max f_ATP (Na/(Na+K_Na))^3 (K/(K+K_K))^2 and J_pump = A_F I_pump at a state."""
    runner = pl.load(make_spec())
    volume = runner["cell"]
    runner.simulate(0.0, 200.0, 2)
    na_i, atp, adp = runner["conc_Na_i"], runner["[ATP_i]"], runner["[ADP_i]"]
    # The cell alone holds the metabolites' amounts, so their concentrations follow the volume.
    assert runner["cell"] != volume
    assert atp * runner["cell"] == pytest.approx(1.4 * volume, rel=ARITHMETIC)
    expected = (
        PUMP["I_max"]
        * atp_factor(atp, adp, 0.25, 0.1)
        * (na_i / (na_i + 10.0)) ** 3
        * (4.0 / (4.0 + 1.5)) ** 2
    )
    assert runner["I_pump"] == pytest.approx(expected, rel=ARITHMETIC)
    flux = runner["A_m"] / UM2_PER_CM2 * FA_PER_UA / FARADAY * expected
    assert runner["J_pump"] == pytest.approx(flux, rel=ARITHMETIC)


@pytest.mark.parametrize(("atp", "adp"), [(1.4, 0.14), (0.05, 0.0), (2.0, 1.0)])
def test_atp_factor_is_michaelis_menten_with_competing_adp(atp: float, adp: float) -> None:
    """f_ATP follows its formula; at ATP = K_ATP (1 + ADP/K_ADP) it is exactly one half."""
    runner = pl.load(make_spec(ATP=atp, ADP=adp))
    assert runner["f_ATP"] == pytest.approx(atp_factor(atp, adp, 0.25, 0.1), rel=ARITHMETIC)
    half = 0.25 * (1 + adp / 0.1)
    assert pl.load(make_spec(ATP=half, ADP=adp))["f_ATP"] == pytest.approx(0.5, rel=ARITHMETIC)


def test_atp_pump_hydrolyses_one_atp_per_cycle() -> None:
    """J_pump's stoichiometry: 3 Na_i + 2 K_o + ATP_i -> 3 Na_o + 2 K_i + ADP_i + Pi_i."""
    model_document = libsbml.readSBMLFromString(pl.to_sbml(make_spec()))  # owns the model (SWIG)
    model = model_document.getModel()
    reaction = model.getReaction("J_pump")
    reactants = {r.getSpecies(): r.getStoichiometry() for r in reaction.getListOfReactants()}
    products = {p.getSpecies(): p.getStoichiometry() for p in reaction.getListOfProducts()}
    assert reactants == {"Na_i": 3.0, "K_o": 2.0, "ATP_i": 1.0}
    assert products == {"Na_o": 3.0, "K_i": 2.0, "ADP_i": 1.0, "Pi_i": 1.0}
    for metabolite in ("ATP_i", "ADP_i", "Pi_i"):
        species = model.getSpecies(metabolite)
        # Held by the cell alone (boundary); read as a concentration (mM) by the rate law.
        assert species.getBoundaryCondition()
        assert not species.getHasOnlySubstanceUnits()


def test_atp_pump_alone_moves_ions_and_leaves_the_held_metabolites() -> None:
    """Pump only: d(Na_i)/dt = -3 J_pump, d(K_i)/dt = 2 J_pump; ATP, ADP, Pi are not states."""
    spec = make_spec()
    spec["leaks"] = {}
    runner = pl.load(spec)
    j_pump = runner["J_pump"]
    assert j_pump > 0
    rates = dict(
        zip(
            [runner.model.getStateVectorId(i) for i in range(len(runner.getRatesOfChange()))],
            runner.getRatesOfChange(),
            strict=True,
        )
    )
    assert rates["Na_i"] == pytest.approx(-3 * j_pump, rel=ARITHMETIC)
    assert rates["K_i"] == pytest.approx(2 * j_pump, rel=ARITHMETIC)
    assert not {"ATP_i", "ADP_i", "Pi_i"} & set(rates)


def test_atp_pump_steady_state_balances_leaks() -> None:
    """At steady state the Na+ leak carries 3 I_pump in, the K+ leak 2 I_pump out, Vm = E_Cl."""
    state = pl.steady_state(make_spec())
    assert state["I_Na"] == pytest.approx(-3 * state["I_pump"], rel=1e-7)
    assert state["I_K"] == pytest.approx(2 * state["I_pump"], rel=1e-7)
    assert state["Vm"] == pytest.approx(state["E_Cl"], abs=1e-6)
    # Vm is F q / C: a difference of amounts ~1e5 times the net charge, hence rel 1e-7 above.
    assert state["osm_i"] == pytest.approx(state["osm_o"], rel=1e-9)


def test_atp_pump_without_atp_leaves_no_finite_steady_state() -> None:
    """With no ATP the pump stops, and with it the only barrier to Donnan swelling."""
    with pytest.raises(pl.SteadyStateNotFoundError, match="grows without bound"):
        pl.steady_state(make_spec(ATP=1e-12))


def test_less_atp_slows_the_pump_and_raises_sodium() -> None:
    """Lower ATP: smaller f_ATP, higher steady [Na+]i (the pump needs more Na+ to keep up)."""
    rich = pl.steady_state(make_spec())
    poor = pl.steady_state(make_spec(ATP=0.3))
    assert poor["f_ATP"] < rich["f_ATP"]
    assert poor["conc_Na_i"] > rich["conc_Na_i"]


def test_atp_pump_spec_validates_with_zero_issues() -> None:
    """The built SBML passes libsbml (strict units) and the scale check with no issue."""
    report = pl.validate_sbml(pl.to_sbml(make_spec()))
    assert report.ok, report.format()


@pytest.mark.parametrize("name", ["ATP", "pump.ATP", "ATP_i"])
def test_atp_pump_metabolites_are_settable_by_every_name(name: str) -> None:
    """The cell's ATP is set by its leaf alias, its spec path or its model id."""
    runner = pl.load(make_spec(), **{name: 0.5})
    assert runner["[ATP_i]"] == 0.5
    assert runner["f_ATP"] == pytest.approx(atp_factor(0.5, 0.14, 0.25, 0.1), rel=ARITHMETIC)


@pytest.mark.parametrize(
    ("key", "value", "rule"),
    [
        ("ATP", 0.0, "must be positive"),
        ("K_ATP", -0.1, "must be positive"),
        ("ADP", -1.0, "must not be negative"),
        ("Pi", math.inf, "expected a finite number"),
    ],
)
def test_atp_pump_refuses_impossible_constants(key: str, value: float, rule: str) -> None:
    """An impossible pump constant is refused naming the key, the value and the rule."""
    with pytest.raises(pl.ModelDefinitionError, match=rf"pump\.{key} = .*{rule}"):
        pl.spec_from_dict(make_spec(**{key: value}))


def test_atp_pump_zero_adp_and_pi_are_allowed() -> None:
    """A cell may start without ADP or Pi: f_ATP is then ATP/(ATP + K_ATP)."""
    runner = pl.load(make_spec(ADP=0.0, Pi=0.0))
    assert runner["f_ATP"] == pytest.approx(1.4 / (1.4 + 0.25), rel=ARITHMETIC)


def test_atp_pump_requires_every_constant() -> None:
    """Leaving out K_ADP names the missing key."""
    spec = make_spec()
    pump = copy.deepcopy(spec["pump"])
    del pump["K_ADP"]
    spec["pump"] = pump
    with pytest.raises(pl.ModelDefinitionError, match=r"missing the required key pump\.K_ADP"):
        pl.spec_from_dict(spec)
