# SPDX-License-Identifier: MIT
"""The identifier contract (:mod:`pumpleak_sbml.identifiers`) holds in every model and component.

Reports, figures, the cross-check, the exports and the steady-state engine find quantities by
name: ``Vm``, ``conc_<S>``, ``E_<ion>``, ``I_<mechanism>``, ``osm_i``/``osm_o``, the volume.
Each claim is checked on every library model, both spec files and a set of specs that
together use every fragment in ``models/components/`` (a test checks that they do):

- ``conc_<S>`` is the rule ``S / volume`` of an amount S in the cell's volume, in mM;
- ``E_<ion>`` is a Nernst potential in mV: RT/(zF) ln(c_o/c_i) at the initial state, with
  the CODATA 2018 constants written here (exact in the 2019 SI);
- :func:`~pumpleak_sbml.identifiers.volume_id` is ``cell`` for a cell and ``vesicle`` for the
  proton vesicle; every potential (``Vm``, ``E_*``, ``V_*``, ``dp``) is in mV;
- ``osm_i`` and ``osm_o`` exist, in mM, wherever water flows, and water flows toward the
  higher osmolarity;
- a cell's currents ``I_*`` are densities in µA/cm², and a leak current is outward positive:
  it has the sign of Vm - E_ion.

Values are read with RoadRunner from the model's SBML (our reading equals RoadRunner's:
``tests/test_ode_model.py``).
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import libsbml
import pytest
import roadrunner

import pumpleak_sbml as pl
from pumpleak_sbml import antimony_writer
from pumpleak_sbml.built_model import resolve
from pumpleak_sbml.identifiers import (
    CONCENTRATION_PREFIX,
    CURRENT_PREFIX,
    MEMBRANE_POTENTIAL,
    NERNST_PREFIX,
    OSMOLARITY_INSIDE,
    OSMOLARITY_OUTSIDE,
    is_potential,
    volume_id,
)
from pumpleak_sbml.spec import read_spec_file

FARADAY = 96485.33212  # C/mol, CODATA 2018, exact (e times N_A)
GAS_CONSTANT = 8.314462618  # J/(mol K), CODATA 2018, exact (k times N_A)
NERNST_RTOL = 1e-12  # the same few operations in double precision (a ln and four products)

_ROOT = Path(__file__).resolve().parents[1]
_SPECS = sorted((_ROOT / "models" / "specs").glob("*.toml"))
_COMPONENTS = sorted((_ROOT / "models" / "components").glob("*.ant"))


def _component_specs() -> dict[str, dict[str, Any]]:
    """Return specs that together use every component: each geometry, leak, pump law, extra."""
    base = read_spec_file(_ROOT / "models" / "specs" / "pump_leak.toml")
    variants: dict[str, dict[str, Any]] = {
        "cylinder_ghk_na_cubic_nkcc1": {
            "geometry": {"shape": "cylinder", "radius": 3.0, "length": 40.0},
            "leaks": {
                "Na": {"law": "ghk", "P": 3.8e-8},
                "K": {"law": "ghk", "P": 6.1e-7},
                "Cl": {"law": "ghk", "P": 1e-7},
            },
            "pump": {"law": "na_cubic", "I_max": 1000.0},
            "cotransporters": {"NKCC1": {"g": 0.005}},
        },
        "explicit_mixed_na_linear_kcc2": {
            "geometry": {"shape": "explicit", "volume": 1.5, "area": 800.0},
            "leaks": {
                "Na": {"law": "linear", "g": 0.011},
                "K": {"law": "ghk", "P": 6.1e-7},
                "Cl": {"law": "linear", "g": 0.01},
            },
            "pump": {"law": "na_linear", "I_max": 0.5, "Na_ref": 12.0},
            "cotransporters": {"KCC2": {"g": 0.01}},
        },
        "sphere_saturating_protocol": {
            "pump": {"law": "saturating", "I_max": 6.0, "K_Na": 10.0, "K_K": 1.5},
            "protocol": [{"at": 1000.0, "set": {"I_max": 0.0}}],
        },
    }
    specs = {}
    for name, changes in variants.items():
        spec = copy.deepcopy(base)
        spec.update(copy.deepcopy(changes))
        spec["name"] = name
        specs[name] = spec
    return specs


COMPONENT_SPECS = _component_specs()

MODELS: list[Any] = [
    *(pytest.param(name, id=name) for name in pl.list_models()),
    *(pytest.param(path, id=f"spec-{path.stem}") for path in _SPECS),
    *(pytest.param(spec, id=f"components-{name}") for name, spec in COMPONENT_SPECS.items()),
]


@dataclass
class Model:
    """One model's SBML (parsed), its compiled form and a RoadRunner at its initial state."""

    built: pl.BuiltModel
    document: libsbml.SBMLDocument
    runner: roadrunner.RoadRunner

    @property
    def sbml(self) -> libsbml.Model:
        """The parsed SBML model (kept alive by its document)."""
        return self.document.getModel()

    @property
    def units(self) -> dict[str, str]:
        """Readable unit of every quantity and rule, by id."""
        return dict(self.built.compiled.units)

    def rules(self) -> dict[str, str]:
        """Every assignment rule's formula, by variable (libsbml's infix text)."""
        return {
            rule.getVariable(): libsbml.formulaToL3String(rule.getMath())
            for rule in self.sbml.getListOfRules()
            if rule.isAssignment()
        }

    def water_volumes(self) -> list[str]:
        """Return the compartments whose size a rate rule changes: where water flows."""
        return [
            rule.getVariable()
            for rule in self.sbml.getListOfRules()
            if rule.isRate() and self.sbml.getCompartment(rule.getVariable()) is not None
        ]

    def is_cell(self) -> bool:
        """Tell whether this is a cell (not the proton vesicle)."""
        return volume_id(self.built.compiled.ode) == "cell"


def _model(model: Any) -> Model:
    built = resolve(model)
    document = libsbml.readSBMLFromString(built.compiled.sbml)
    return Model(built, document, roadrunner.RoadRunner(built.compiled.sbml))


# --- the components are all covered ----------------------------------------------------------


def test_component_specs_use_every_component(monkeypatch: pytest.MonkeyPatch) -> None:
    """The spec files and the specs above render every fragment in models/components/."""
    used: set[str] = set()
    render = antimony_writer._render

    def recording(component: str, **fields: object) -> str:
        used.add(component)
        return render(component, **fields)

    monkeypatch.setattr(antimony_writer, "_render", recording)
    for spec in [*map(read_spec_file, _SPECS), *COMPONENT_SPECS.values()]:
        antimony_writer.to_antimony(pl.spec_from_dict(spec))
    assert used == {path.stem for path in _COMPONENTS}


# --- the contract, model by model ------------------------------------------------------------


@pytest.mark.parametrize("model", MODELS)
def test_concentration_rules_are_amount_over_volume(model: Any) -> None:
    """Each conc_<S> is S / (S's compartment), S an amount in the model's volume, in mM.

    In a cell every intracellular amount has its conc_ rule (the vesicle reports pH instead).
    """
    found = _model(model)
    volume = volume_id(found.built.compiled.ode)
    rules = found.rules()
    concentrations = {sid for sid in rules if sid.startswith(CONCENTRATION_PREFIX)}
    for sid in sorted(concentrations):
        species = found.sbml.getSpecies(sid.removeprefix(CONCENTRATION_PREFIX))
        assert species is not None, f"{sid} names no species"
        assert species.getHasOnlySubstanceUnits(), f"{species.getId()} is not an amount"
        assert species.getCompartment() == volume
        assert rules[sid] == f"{species.getId()} / {volume}"
        assert found.units[sid] == "mM"
    if found.is_cell():
        amounts = {
            f"{CONCENTRATION_PREFIX}{s.getId()}"
            for s in found.sbml.getListOfSpecies()
            if s.getCompartment() == volume and s.getHasOnlySubstanceUnits()
        }
        assert amounts == concentrations


@pytest.mark.parametrize("model", MODELS)
def test_nernst_potentials_are_rt_over_zf_ln_of_the_ratio_in_mv(model: Any) -> None:
    """Each E_<ion> equals (RT/zF) ln([ion]o/[ion]i) in mV at the initial state.

    z is the model's z_<ion>, [ion]o the medium species <ion>_o, [ion]i the rule conc_<ion>_i.
    """
    found = _model(model)
    runner = found.runner
    potentials = [sid for sid in found.rules() if sid.startswith(NERNST_PREFIX)]
    if found.is_cell():
        assert {"E_Na", "E_K", "E_Cl"} <= set(potentials)
    for sid in potentials:
        ion = sid.removeprefix(NERNST_PREFIX)
        inside, outside = runner[f"conc_{ion}_i"], runner[f"[{ion}_o]"]
        expected = (1e3 * GAS_CONSTANT * runner["T"] / (runner[f"z_{ion}"] * FARADAY)) * math.log(
            outside / inside
        )
        assert found.units[sid] == "mV"
        assert runner[sid] == pytest.approx(expected, rel=NERNST_RTOL), sid


@pytest.mark.parametrize("model", MODELS)
def test_volume_is_the_cell_or_the_vesicle(model: Any) -> None:
    """volume_id is 'vesicle' for the proton vesicle and 'cell' for every cell, rigid or not."""
    found = _model(model)
    expected = "vesicle" if model == "proton_vesicle" else "cell"
    assert volume_id(found.built.compiled.ode) == expected


@pytest.mark.parametrize("model", MODELS)
def test_every_potential_is_in_millivolts(model: Any) -> None:
    """Vm, every E_*, V_* and dp-like potential is in mV; a cell has Vm, the vesicle dp, dpsi."""
    found = _model(model)
    units = found.units
    potentials = {sid for sid in units if is_potential(sid)}
    assert {sid: units[sid] for sid in potentials} == dict.fromkeys(potentials, "mV")
    if found.is_cell():
        assert MEMBRANE_POTENTIAL in potentials
    else:
        assert {"dp", "dpsi"} <= potentials


@pytest.mark.parametrize("model", MODELS)
def test_osmolarities_exist_wherever_water_flows(model: Any) -> None:
    """A model whose volume a rate rule changes has osm_i, osm_o (mM) and flows toward the higher.

    The rate rule uses both; with the volume 10 % smaller (osm_i higher) and 10 % larger
    (osm_i lower) than at the start, d(volume)/dt has the sign of osm_i - osm_o. (Not at the
    start itself: the red cell starts in osmotic balance.)
    """
    found = _model(model)
    volumes = found.water_volumes()
    if model in ("donnan_rigid", "proton_vesicle"):
        assert volumes == []  # a rigid wall, a vesicle: no water flow to check
        return
    assert volumes == ["cell"]
    rules = found.rules()
    assert {OSMOLARITY_INSIDE, OSMOLARITY_OUTSIDE} <= set(rules)
    assert found.units[OSMOLARITY_INSIDE] == found.units[OSMOLARITY_OUTSIDE] == "mM"
    rate_rule = libsbml.formulaToL3String(found.sbml.getRateRule("cell").getMath())
    assert set(re.findall(r"\bosm_[io]\b", rate_rule)) == {OSMOLARITY_INSIDE, OSMOLARITY_OUTSIDE}
    runner = found.runner
    start = runner["cell"]
    for scale in (0.9, 1.1):
        runner["cell"] = start * scale
        excess = runner[OSMOLARITY_INSIDE] - runner[OSMOLARITY_OUTSIDE]
        assert excess != 0
        rates = runner.getRatesOfChangeNamedArray()
        flow = float(rates[0][list(rates.colnames).index("cell'")])
        assert math.copysign(1.0, flow) == math.copysign(1.0, excess)


def _charge_states(found: Model) -> Iterator[str]:
    """Yield a label with the runner at the initial state, then with a negative Vm."""
    yield "initial state (Vm = 0)"
    # Take 1e-4 of the K+ amount out: a charge difference of about -100 to -300 mV.
    found.runner["K_i"] = found.runner["K_i"] * (1 - 1e-4)
    yield f"Vm = {found.runner['Vm']:.3g} mV"


@pytest.mark.parametrize("model", MODELS)
def test_cell_currents_are_densities_and_leaks_are_outward_positive(model: Any) -> None:
    """In a cell each I_* is in µA/cm², and a leak current I_<ion> has the sign of Vm - E_<ion>.

    Outward positive: a cation leak is outward (positive) when Vm is above its Nernst
    potential. Checked at the electroneutral start (Vm = 0) and after removing some K+.
    The proton vesicle reports whole-vesicle currents in fA (I_pump, I_leak) instead.
    """
    found = _model(model)
    currents = {sid for sid in found.units if sid.startswith(CURRENT_PREFIX)}
    if not found.is_cell():
        assert {sid: found.units[sid] for sid in currents} == {"I_pump": "fA", "I_leak": "fA"}
        return
    assert {sid: found.units[sid] for sid in currents} == dict.fromkeys(currents, "µA/cm²")
    leaks = [sid for sid in currents if sid.removeprefix(CURRENT_PREFIX) in ("Na", "K", "Cl")]
    assert leaks
    runner = found.runner
    for label in _charge_states(found):
        for sid in leaks:
            driving = runner["Vm"] - runner[f"E_{sid.removeprefix(CURRENT_PREFIX)}"]
            assert math.copysign(1.0, runner[sid]) == math.copysign(1.0, driving), (sid, label)


def test_every_comp_port_names_an_element_of_some_library_model() -> None:
    """Each contract port (identifiers.PORTS) is an element id of at least one library model."""
    from pumpleak_sbml.identifiers import PORTS

    ids: set[str] = set()
    for name in pl.list_models():
        document = libsbml.readSBMLFromString(pl.to_sbml(name))
        model = document.getModel()
        # Not getListOfAllElements(): it loops forever once libsedml is imported (an OMEX test).
        for elements in (
            model.getListOfParameters(),
            model.getListOfSpecies(),
            model.getListOfCompartments(),
            model.getListOfReactions(),
        ):
            ids |= {element.getId() for element in elements}
    assert {sid for sid, _ in PORTS} <= ids
