# SPDX-License-Identifier: MIT
"""The Antimony text the builder writes: readable, deterministic, exact, strictly valid SBML.

Physics of the built cells is in ``tests/models/test_built_cells.py``; here the text itself
and the SBML it compiles to are checked: fixed layout, identifiers of the model contract,
numbers written so that they read back exactly, one event per protocol step, and zero
errors and zero warnings from the strict validator for every law, shape and combination.
"""

from __future__ import annotations

import copy
import random
import re
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import libsbml
import pytest

import pumpleak_sbml as pl
from pumpleak_sbml.testing import shuffled

LEAK_VALUES = {
    "linear": {"Na": 0.011, "K": 0.041, "Cl": 0.01},  # g, mS/cm²
    "ghk": {"Na": 3.8e-8, "K": 6.1e-7, "Cl": 1e-7},  # P, cm/s
}
PUMPS = {
    "fixed": {"law": "fixed", "I_max": 0.5},
    "na_cubic": {"law": "na_cubic", "I_max": 0.5},
    "na_linear": {"law": "na_linear", "I_max": 0.5, "Na_ref": 12.0},
    "saturating": {"law": "saturating", "I_max": 6.0, "K_Na": 10.0, "K_K": 1.5},
}
GEOMETRIES = {
    "sphere": {"shape": "sphere", "radius": 5.0},
    "cylinder": {"shape": "cylinder", "radius": 3.0, "length": 20.0},
    "explicit": {"shape": "explicit", "volume": 0.5, "area": 320.0},
}


def leak(ion: str, law: str) -> dict[str, Any]:
    """Return a leak entry of the given law with the reference value for that ion."""
    return {"law": law, ("g" if law == "linear" else "P"): LEAK_VALUES[law][ion]}


def make_spec(
    *,
    laws: Mapping[str, str] | None = None,
    pump: str | None = "fixed",
    geometry: str = "sphere",
    cotransporters: Mapping[str, float] | None = None,
    protocol: list[dict[str, Any]] | None = None,
    name: str = "built_cell",
) -> dict[str, Any]:
    """Return a valid spec dict: pump_leak's composition with the given laws and parts."""
    laws = {"Na": "linear", "K": "linear", "Cl": "linear"} if laws is None else laws
    spec: dict[str, Any] = {
        "name": name,
        "temperature": 310.15,
        "geometry": dict(GEOMETRIES[geometry]),
        "membrane": {"capacitance": 1.0, "water_permeability": 0.015},
        "medium": {"Na": 145.0, "K": 4.0, "Cl": 149.0},
        "cell": {"Na": 12.0, "K": 140.0, "Cl": 14.0, "X": 138.0, "z_X": -1.0},
        "leaks": {ion: leak(ion, law) for ion, law in laws.items()},
    }
    if pump is not None:
        spec["pump"] = dict(PUMPS[pump])
    if cotransporters:
        spec["cotransporters"] = {name: {"g": g} for name, g in cotransporters.items()}
    if protocol:
        spec["protocol"] = copy.deepcopy(protocol)
    return spec


_DOCUMENTS: list[libsbml.SBMLDocument] = []
"""Documents of the models handed out by :func:`sbml_model`, kept alive for the session."""


def sbml_model(spec: Mapping[str, Any]) -> libsbml.Model:
    """Return the libsbml model of a built spec (its document is kept alive)."""
    document = libsbml.readSBMLFromString(pl.to_sbml(spec))
    assert document.getNumErrors(libsbml.LIBSBML_SEV_ERROR) == 0
    _DOCUMENTS.append(document)
    return document.getModel()


def assert_strictly_valid(spec: Mapping[str, Any]) -> None:
    """Check that the spec's SBML has zero errors and zero warnings (strict units, scale)."""
    report = pl.validate_sbml(pl.to_sbml(spec))
    assert report.ok, report.format()


FULL = make_spec(
    laws={"Na": "linear", "K": "ghk", "Cl": "linear"},
    pump="saturating",
    cotransporters={"NKCC1": 0.01, "KCC2": 0.02},
    protocol=[
        {"at": 500.0, "set": {"I_max": 0.0, "g_KCC2": 0.0}},
        {"at": 100.0, "set": {"medium.K": 10.0, "Na_o": 139.0}},
    ],
)
"""A spec using every kind of part: mixed leak laws, pump, both cotransporters, protocol."""


# --- determinism ----------------------------------------------------------------------------


def test_writer_same_spec_gives_identical_text() -> None:
    """Writing the same spec twice gives byte-identical text."""
    spec = pl.spec_from_dict(FULL)
    assert pl.to_antimony(spec) == pl.to_antimony(pl.spec_from_dict(copy.deepcopy(FULL)))


def test_writer_text_is_independent_of_key_order() -> None:
    """Shuffling the key order of every table, nested ones included, changes no byte."""
    reference = pl.to_antimony(pl.spec_from_dict(FULL))
    rng = random.Random(1234)
    for _ in range(10):
        variant = shuffled(FULL, rng)
        assert pl.to_antimony(pl.spec_from_dict(variant)) == reference


def test_writer_protocol_list_order_does_not_matter() -> None:
    """Protocol steps listed in any order (at distinct times) give the same text."""
    reversed_protocol = dict(FULL, protocol=list(reversed(FULL["protocol"])))
    assert pl.model_antimony(reversed_protocol) == pl.model_antimony(FULL)


def test_writer_file_and_dict_give_identical_text(tmp_path: Path) -> None:
    """A TOML spec file and the equivalent dict give the same text (model_antimony)."""
    path = tmp_path / "cell.toml"
    path.write_text(
        """
name = "built_cell"
temperature = 310.15
geometry = { shape = "sphere", radius = 5 }
membrane = { capacitance = 1, water_permeability = 0.015 }
medium = { Na = 145, K = 4, Cl = 149 }
cell = { Na = 12, K = 140, Cl = 14, X = 138, z_X = -1 }
leaks = { Na = { law = "linear", g = 0.011 }, K = { law = "linear", g = 0.041 }, \
Cl = { law = "linear", g = 0.01 } }
pump = { law = "fixed", I_max = 0.5 }
""",
        encoding="utf-8",
    )
    assert pl.model_antimony(path) == pl.model_antimony(make_spec())


def test_writer_model_antimony_of_dict_is_to_antimony_of_spec() -> None:
    """``pl.model_antimony(dict)`` is ``pl.to_antimony(pl.spec_from_dict(dict))``."""
    assert pl.model_antimony(FULL) == pl.to_antimony(pl.spec_from_dict(FULL))


def test_writer_cell_spec_object_is_a_model() -> None:
    """A validated CellSpec is itself a model: it builds the same text as its dict."""
    spec = pl.spec_from_dict(FULL)
    assert pl.model_antimony(spec) == pl.model_antimony(FULL)


# --- readable layout ------------------------------------------------------------------------


def test_writer_text_has_header_model_and_end() -> None:
    """The text starts with a licence and summary comment, defines the model, and ends."""
    text = pl.model_antimony(FULL)
    lines = text.splitlines()
    assert lines[0] == "// SPDX-License-Identifier: MIT"
    assert lines[1] == (
        "// built_cell: pump-leak cell built from a spec: ghk/linear leaks, saturating pump, "
        "KCC2, NKCC1"
    )
    assert "edit the spec, not this text" in lines[2]
    assert "model *built_cell()" in lines
    assert text.endswith("\nend\n")
    assert text.count("\nend\n") == 1


def test_writer_text_is_clean() -> None:
    """No template leftovers (no '//!' lines, no {placeholders}), no tabs or trailing blanks."""
    text = pl.model_antimony(FULL)
    assert "//!" not in text
    assert not re.search(r"\{\w*\}", text), "an unfilled placeholder"
    assert "{{" not in text
    assert "\t" not in text
    assert all(line == line.rstrip() for line in text.splitlines())


def test_writer_sections_come_in_fixed_order() -> None:
    """Sections appear in the documented order: units, constants, geometry ... water, events."""
    text = pl.model_antimony(FULL)
    headings = [
        "// --- Units",
        "// --- Physical constants",
        "// --- Geometry: sphere",
        "// --- Membrane and compartments",
        "// --- Na+",
        "// --- K+",
        "// --- Cl-",
        "// --- Impermeant solutes",
        "// --- Osmolarities, membrane potential",
        "// --- Na+ leak: linear",
        "// --- K+ leak: GHK constant field",
        "// --- Cl- leak: linear",
        "// --- Na+/K+-ATPase: saturating",
        "// --- KCC2",
        "// --- NKCC1",
        "// --- Water flow",
        "E_step_1:",
        "E_step_2:",
    ]
    positions = [text.index(heading) for heading in headings]
    assert positions == sorted(positions)


@pytest.mark.parametrize("law", list(PUMPS))
def test_writer_notes_state_the_pump_equation(law: str) -> None:
    """The model notes give the pump law's equation and the 3 Na+ out / 2 K+ in stoichiometry."""
    equations = {
        "fixed": "I_pump = I_max;",
        "na_cubic": "I_pump = I_max ([Na+]i/[Na+]o)^3;",
        "na_linear": "I_pump = I_max [Na+]i/Na_ref;",
        "saturating": "I_pump = I_max ([Na+]i/([Na+]i + K_Na))^3 ([K+]o/([K+]o + K_K))^2;",
    }
    text = pl.model_antimony(make_spec(pump=law))
    assert f"Na+/K+-ATPase ({law}): {equations[law]}" in text
    assert "3 Na+ out and 2 K+ in per cycle" in text


def test_writer_notes_name_each_leak_law() -> None:
    """The notes list the law of each leak, and the sign convention."""
    text = pl.model_antimony(FULL)
    assert "Leaks (Na: linear, K: ghk, Cl: linear)" in text
    assert "Currents are outward positive." in text


# --- identifiers and values -----------------------------------------------------------------


def test_writer_model_id_is_the_spec_name() -> None:
    """The SBML model's id is the spec's name."""
    assert sbml_model(make_spec(name="neuron_7")).getId() == "neuron_7"


def test_writer_identifiers_follow_the_model_contract() -> None:
    """A built cell has the documented ids, with units: amounts, volume, Vm, currents, fluxes."""
    model = sbml_model(FULL)
    species = {s.getId(): s for s in model.getListOfSpecies()}
    for ion in ("Na", "K", "Cl", "X"):
        assert species[f"{ion}_i"].getHasOnlySubstanceUnits()
        assert species[f"{ion}_i"].getSubstanceUnits() == "fmol"
        assert species[f"{ion}_o"].getBoundaryCondition()
    assert model.getCompartment("cell").getUnits() == "pL"
    assert not model.getCompartment("cell").getConstant()
    reactions = {r.getId() for r in model.getListOfReactions()}
    assert reactions == {"J_leak_Na", "J_leak_K", "J_leak_Cl", "J_pump", "J_KCC2", "J_NKCC1"}
    units = {p.getId(): p.getUnits() for p in model.getListOfParameters()}
    expected_units = {
        "Vm": "mV",
        "E_Na": "mV",
        "I_Na": "uA_per_cm2",
        "I_K": "uA_per_cm2",
        "I_pump": "uA_per_cm2",
        "A_m": "um2",
        "V_init": "pL",
        "C_m": "uF_per_cm2",
        "P_f": "cm_per_s",
        "g_Na": "mS_per_cm2",
        "P_K": "cm_per_s",
        "g_Cl": "mS_per_cm2",
        "g_KCC2": "mS_per_cm2",
        "g_NKCC1": "mS_per_cm2",
        "osm_i": "mM",
        "osm_o": "mM",
        "C_cell": "pF",
        "A_F": "flux_per_current_density",
        "T": "kelvin",
        "conc_Na_i": "mM",
    }
    for sid, unit in expected_units.items():
        assert units.get(sid) == unit, sid


def test_writer_leak_ids_follow_the_law_and_presence() -> None:
    """Only leaking ions get I_/J_leak_; a GHK leak has P_<ion>, a linear one g_<ion>."""
    model = sbml_model(make_spec(laws={"Na": "linear", "K": "ghk"}))
    ids = {p.getId() for p in model.getListOfParameters()}
    ids |= {r.getId() for r in model.getListOfReactions()}
    assert {"g_Na", "I_Na", "J_leak_Na", "P_K", "I_K", "J_leak_K", "u_K", "ghk_K"} <= ids
    assert not {"P_Na", "g_K", "I_Cl", "J_leak_Cl", "g_Cl", "P_Cl", "J_KCC2", "J_NKCC1"} & ids


def test_writer_cell_without_pump_has_no_pump_quantities() -> None:
    """A spec without a pump writes no I_pump, I_pump_max or J_pump."""
    text = pl.model_antimony(make_spec(pump=None))
    assert "I_pump" not in text
    assert "J_pump" not in text
    assert "no pump" in text.splitlines()[1]


def test_writer_numbers_read_back_exactly() -> None:
    """Numbers are written as their shortest exact repr; SBML keeps them to 15 digits."""
    g_na = 0.1 + 0.2  # 0.30000000000000004: needs all 17 significant digits
    p_k = 1.2345678901234567e-7
    spec = make_spec(laws={"Na": "linear", "K": "ghk", "Cl": "linear"})
    spec["leaks"]["Na"]["g"] = g_na
    spec["leaks"]["K"]["P"] = p_k
    spec["temperature"] = 293.15
    text = pl.model_antimony(spec)
    assert "g_Na = 0.30000000000000004 mS_per_cm2" in text
    assert f"P_K = {p_k!r} cm_per_s" in text  # 1.2345678901234566e-07
    model = sbml_model(spec)
    # libsbml writes doubles with 15 significant digits, so the SBML value is the spec's
    # to within 5e-15 relative (0.30000000000000004 becomes 0.3): tolerance 1e-14.
    assert model.getParameter("g_Na").getValue() == pytest.approx(g_na, rel=1e-14, abs=0)
    assert model.getParameter("P_K").getValue() == pytest.approx(p_k, rel=1e-14, abs=0)
    assert model.getParameter("T").getValue() == 293.15


def test_writer_whole_numbers_have_no_trailing_zero() -> None:
    """Whole numbers are written without '.0' (``Na_o = 145 mM``), as a person would."""
    text = pl.model_antimony(make_spec())
    assert "Na_o = 145 mM" in text
    assert "Na_i_init = 12 mM" in text
    assert "radius = 5 um" in text


def test_writer_initial_values_come_from_the_spec() -> None:
    """Medium and initial cell concentrations, X and its valences appear as given."""
    spec = make_spec()
    spec["medium"] = {"Na": 140.0, "K": 5.0, "Cl": 115.0, "X": 15.0, "z_X": -2.0}
    spec["cell"] = {"Na": 10.0, "K": 145.0, "Cl": 5.0, "X": 75.0, "z_X": -2.0}
    model = sbml_model(spec)
    values = {p.getId(): p.getValue() for p in model.getListOfParameters()}
    species = {s.getId(): s.getInitialConcentration() for s in model.getListOfSpecies()}
    assert (species["Na_o"], species["K_o"], species["Cl_o"], species["X_o"]) == (
        140.0,
        5.0,
        115.0,
        15.0,
    )
    assert (values["Na_i_init"], values["K_i_init"], values["Cl_i_init"]) == (10.0, 145.0, 5.0)
    assert (values["X_i_init"], values["z_X"], values["z_X_o"]) == (75.0, -2.0, -2.0)


# --- protocol events ------------------------------------------------------------------------


def test_writer_protocol_steps_become_ordered_events_with_units() -> None:
    """Each protocol step is one event at its time, assignments in model ids with their units."""
    text = pl.model_antimony(FULL)
    assert "E_step_1: at time >= 100 second, t0 = false: K_o = 10 mM, Na_o = 139 mM" in text
    assert (
        "E_step_2: at time >= 500 second, t0 = false: "
        "I_pump_max = 0 uA_per_cm2, g_KCC2 = 0 mS_per_cm2" in text
    )
    model = sbml_model(FULL)
    assert [e.getId() for e in model.getListOfEvents()] == ["E_step_1", "E_step_2"]


def test_writer_protocol_step_at_zero_fires() -> None:
    """A step at t = 0 is written with t0 = false, so that it fires at the start."""
    spec = make_spec(protocol=[{"at": 0.0, "set": {"I_max": 0.25}}])
    event = sbml_model(spec).getEvent("E_step_1")
    assert not event.getTrigger().getInitialValue()
    run = pl.simulate(spec, 1.0, 3, start="initial")
    assert run["I_pump"][-1] == 0.25


def test_writer_every_settable_kind_in_a_protocol_is_valid() -> None:
    """A protocol setting one quantity of every kind gives SBML with zero issues."""
    spec = make_spec(
        laws={"Na": "linear", "K": "ghk", "Cl": "linear"},
        pump="saturating",
        cotransporters={"KCC2": 0.02},
        protocol=[
            {"at": 1.0, "set": {"T": 300.0, "C_m": 0.9, "P_f": 0.01}},
            {"at": 2.0, "set": {"g_Na": 0.02, "P_K": 7e-7, "g_KCC2": 0.03}},
            {"at": 3.0, "set": {"I_max": 5.0, "K_Na": 12.0, "K_K": 2.0}},
            {"at": 4.0, "set": {"X_o": 10.0, "z_X_o": 0.0, "K_o": 5.0, "Na_o": 144.0}},
        ],
    )
    assert_strictly_valid(spec)


# --- strict validation of every part --------------------------------------------------------


@pytest.mark.parametrize(
    "geometry",
    list(GEOMETRIES),
)
@pytest.mark.parametrize("pump", [*PUMPS, None])
def test_writer_every_pump_and_geometry_is_strictly_valid(pump: str | None, geometry: str) -> None:
    """Each pump law (or none) with each geometry compiles to SBML with zero issues."""
    assert_strictly_valid(make_spec(pump=pump, geometry=geometry))


@pytest.mark.parametrize(
    "laws",
    [
        {"Na": "linear", "K": "linear", "Cl": "linear"},
        {"Na": "ghk", "K": "ghk", "Cl": "ghk"},
        {"Na": "ghk", "K": "linear", "Cl": "ghk"},
        {"Na": "linear", "K": "ghk"},
        {},
    ],
    ids=["linear", "ghk", "mixed", "no-Cl", "no-leaks"],
)
def test_writer_every_leak_combination_is_strictly_valid(laws: dict[str, str]) -> None:
    """Linear, GHK, mixed, partial and absent leaks compile to SBML with zero issues."""
    assert_strictly_valid(make_spec(laws=laws))


@pytest.mark.parametrize(
    "cotransporters",
    [{"KCC2": 0.02}, {"NKCC1": 0.01}, {"KCC2": 0.02, "NKCC1": 0.01}],
    ids=["KCC2", "NKCC1", "both"],
)
def test_writer_cotransporters_are_strictly_valid(cotransporters: dict[str, float]) -> None:
    """Each cotransporter, and both together, compile to SBML with zero issues."""
    assert_strictly_valid(make_spec(cotransporters=cotransporters))


def test_writer_full_spec_is_strictly_valid() -> None:
    """The spec with every kind of part compiles to SBML with zero issues."""
    assert_strictly_valid(FULL)


def test_writer_library_specs_are_strictly_valid() -> None:
    """The shipped specs of pump_leak and pump_leak_ghk compile to SBML with zero issues."""
    specs = resources.files("pumpleak_sbml.models") / "specs"
    for name in ("pump_leak.toml", "pump_leak_ghk.toml"):
        with resources.as_file(specs / name) as path:
            report = pl.validate_sbml(pl.to_sbml(Path(path)))
        assert report.ok, f"{name}: {report.format()}"
