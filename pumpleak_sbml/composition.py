# SPDX-License-Identifier: MIT
"""Compose a pump-leak cell with a pathway model: one hierarchical SBML, one flat SBML, one id map.

A metabolic model (a red-cell glycolysis model from BioModels, say) supplies the ATP our
cell's pump burns, and the pump's consumption loads the pathway. :func:`compose` links the
cell's ATP, ADP and Pi (or an ion pool) to species of the pathway and writes::

    OUT.xml           hierarchical SBML (comp): submodels "cell" and "pathway", links on top
    OUT_cell.xml      the cell as a comp module with ports (the sbml-comp export)
    OUT_pathway.xml   the pathway as a Level 3 Version 2 copy, units relabelled (below)
    OUT_flat.xml      the same model flattened by libsbml: what RoadRunner and COPASI run
    OUT_ids.json      hierarchical id ("cell/Na_i", "pathway/MgATP") -> flat id, or null

For Holzhuetter's erythrocyte, whose lumped ATP load our pump partly takes over::

    result = compose("red_cell", Path("BIOMD0000000070.xml"),
                     {"ATP": "MgATP", "ADP": "MgADP", "Pi": "Phi"}, Path("rbc.xml"),
                     replace=("vATPase",), keep_rest=True)
    result.ids["pathway/MgATP"]    # 'MgATP': its id in the flat model

What the composition means:

- **Units.** The top model has the cell's units (fmol, pL, s). The pathway copy's amount and
  volume units are relabelled 1e12 times smaller (mmol -> fmol, L -> pL): every model is
  invariant under one common rescaling of amounts and volumes, and mM = fmol/pL, so no
  number changes meaning, and once flattened the pathway's species share the cell's
  substance unit. Then SBML comp conversion factors do the rest: ``timeConversionFactor``
  (seconds per pathway time unit), ``extentConversionFactor`` and the pathway compartment's
  replacement ``conversionFactor`` (a compartment of size s, e.g. "1 litre of cells", stands
  for the cell's initial water volume V0: factor V0/s), and a replacement ``conversionFactor``
  on every linked or moved species whose concentration is not in mM (M -> mM: 1000). The
  pathway's unlinked floating species must be in mM: one extent cannot convert two ways.
- **Volume.** ``"shared"`` (default): the compartment holding the linked species becomes the
  cell's water volume, so swelling dilutes the metabolites; its boundary and constant species
  (external glucose, lactate, clamped metabolites) move to a fixed compartment
  ``pathway_boundary`` of size V0, so swelling does not dilute what the cell is bathed in.
  ``"separate"``: that compartment becomes a fixed ``pathway_volume`` of size V0. Either way
  the pathway's metabolites do not count toward the cell's osmolarity: the cell's impermeant
  pool X already stands for its organic solutes (haemoglobin, 2,3-BPG, ATP, GSH; Lew &
  Bookchin 1986, doi:10.1007/BF01869016), and the water flow reads only the cell's ``osm_i``.
- **Links** (``{"ATP": "MgATP"}``): one top-level species replaces both elements. For the
  cell's ATP, ADP and Pi (which the cell alone merely holds) the pathway's definition wins;
  for an ion pool (``"Na_i"``) the cell's wins, and the pathway must not read its species'
  concentration anywhere (an amount cannot stand in for a concentration).
- **Replace** (``replace=("vATPase",)``): the reaction is deleted from the pathway; the
  cell takes over its job through the links, so every species it changes must be linked.
  ``keep_rest=True`` keeps the part of the (one) replaced reaction's flux that the cell's
  pump does not carry at the pathway's steady state, as ``<R>_rest`` = k [ATP] V, first
  order in the linked ATP like Holzhuetter's vATPase itself.

Every check runs before anything is written; a refusal is one line naming the file, the
option and the value (:class:`~pumpleak_sbml.errors.ModelDefinitionError`). The result is
flattened with libsbml's converter (RoadRunner 2.10 given a comp document as text silently
runs only its top model) and must add no validation issue to those of the pathway alone.
RoadRunner is used directly here, for the pathway's own steady state (``keep_rest``).
"""

from __future__ import annotations

import difflib
import json
import math
import re
import tempfile
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import libsbml

from . import api
from .errors import ExportError, ModelDefinitionError
from .files import check_writable, write_text
from .formats.sbml_comp import flatten, to_comp
from .formats.sbml_compose import (
    CELL,
    PATHWAY,
    ROLES,
    Link,
    Plan,
    concentration_factor,
    hierarchical_document,
    read_pathway,
    unit_factor,
)
from .simulation import new_runner
from .validation import validate_sbml

if TYPE_CHECKING:
    import roadrunner

__all__ = ["VOLUME_MODES", "Composition", "compose", "composition_issues"]

VOLUME_MODES = ("shared", "separate")
"""How the pathway's compartment relates to the cell's water volume (see the module docstring)."""

_SUFFIXES = {
    "hierarchical": ".xml",
    "cell": "_cell.xml",
    "pathway": "_pathway.xml",
    "flat": "_flat.xml",
    "ids": "_ids.json",
}
_SID = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_MILLI = 1e-3
# The pathway is at steady state when no state changes by more than 1e-6 of itself (floored
# at 1e-3 of the largest state, for trace species) per pathway time unit.
PATHWAY_STEADY = 1e-6


@dataclass(frozen=True)
class Composition:
    """What :func:`compose` wrote, and how to read it.

    ``ids`` maps every hierarchical id (``"cell/Na_i"``, ``"pathway/MgATP"``) to its id in
    the flat model, or None for a deleted element. ``factors`` holds the conversion factors
    by parameter id: ``pathway_time_factor`` (s per pathway time unit),
    ``pathway_extent_factor`` and ``pathway_volume_factor`` (V0/s after relabelling) and the
    concentration factors (mM per pathway concentration unit).
    """

    hierarchical: Path
    flat: Path
    id_map: Path
    modules: tuple[Path, Path]
    ids: Mapping[str, str | None]
    reactions: int
    factors: Mapping[str, float]
    rest_rate_constant: float | None = None
    """k (1/s) of ``<R>_rest`` when the rest of a replaced reaction's load was kept."""


def _fail(where: str, message: str) -> ModelDefinitionError:
    return ModelDefinitionError(f"{where}: {message}")


def _suggest(word: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _cell_element(name: str, cell: libsbml.Model, cell_name: str) -> str:
    ours = ROLES.get(name, name)
    ports = {port.getIdRef() for port in cell.getPlugin("comp").getListOfPorts()}
    linkable = sorted(
        {
            *(role for role, sid in ROLES.items() if sid in ports),
            *(sid for sid in ports if _is_pool(cell, sid)),
        }
    )
    if ours in ports and cell.getSpecies(ours) is not None:
        return ours
    what = f"no {ours} (its pump law is not 'atp')" if name in ROLES else f"no species {name!r}"
    raise ModelDefinitionError(
        f"--link {name}=...: the cell {cell_name} has {what}{_suggest(name, linkable)}; "
        f"linkable: {', '.join(linkable)}"
    )


def _is_pool(cell: libsbml.Model, sid: str) -> bool:
    species = cell.getSpecies(sid)
    return species is not None and not species.getBoundaryCondition()


def _names_in(math_node: libsbml.ASTNode) -> list[str]:
    """Return the symbols of a formula, read from its text.

    Text, not ``ASTNode.getType()``, which libsedml breaks once it is imported after libsbml.
    """
    return _SID.findall(libsbml.formulaToL3String(math_node))


def _rule_states(model: libsbml.Model, sid: str) -> list[str]:
    """Return what an assignment-ruled id is computed from: its states, else its inputs."""
    seen, stack, inputs = {sid}, [sid], []
    while stack:
        rule = model.getAssignmentRuleByVariable(stack.pop())
        for name in _names_in(rule.getMath()) if rule is not None and rule.isSetMath() else ():
            if name in seen or model.getElementBySId(name) is None:
                continue
            seen.add(name)
            if model.getAssignmentRuleByVariable(name) is not None:
                stack.append(name)
            else:
                inputs.append(name)
    states = [name for name in inputs if _is_state(model, name)]
    return states or inputs


def _is_state(model: libsbml.Model, sid: str) -> bool:
    species = model.getSpecies(sid)
    if species is None or species.getBoundaryCondition() or species.getConstant():
        return False
    return any(
        ref.getSpecies() == sid
        for reaction in model.getListOfReactions()
        for ref in (*reaction.getListOfReactants(), *reaction.getListOfProducts())
    )


def _reads(model: libsbml.Model, sid: str, skip: Sequence[str]) -> bool:
    """Tell whether any math of the model reads ``sid`` (kinetic laws of ``skip`` aside)."""
    maths = [rule.getMath() for rule in model.getListOfRules()]
    maths += [assignment.getMath() for assignment in model.getListOfInitialAssignments()]
    maths += [
        reaction.getKineticLaw().getMath()
        for reaction in model.getListOfReactions()
        if reaction.getId() not in skip and reaction.isSetKineticLaw()
    ]
    for event in model.getListOfEvents():
        maths += [assignment.getMath() for assignment in event.getListOfEventAssignments()]
        if event.isSetTrigger():
            maths.append(event.getTrigger().getMath())
    return any(node is not None and sid in _names_in(node) for node in maths)


def _check_link(
    where: str,
    option: str,
    ours: str,
    theirs: str,
    *,
    models: tuple[libsbml.Model, ...],
    replaced: Sequence[str],
) -> Link:
    cell, pathway = models
    species = pathway.getSpecies(theirs)
    if species is None:
        if pathway.getParameter(theirs) is not None:
            raise _fail(where, f"{option}: {theirs} is a parameter; a reaction cannot consume it")
        names = [s.getId() for s in pathway.getListOfSpecies()]
        raise _fail(
            where, f"{option}: the pathway has no species {theirs!r}{_suggest(theirs, names)}"
        )
    rule = pathway.getRuleByVariable(theirs)
    if rule is not None:
        how, states = (
            ("a rate rule", [])
            if rule.isRate()
            else ("an assignment rule", _rule_states(pathway, theirs))
        )
        advice = f"; link the state it is computed from: {', '.join(states)}" if states else ""
        raise _fail(
            where,
            f"{option}: {theirs} is set by {how} ({theirs} := "
            f"{libsbml.formulaToL3String(rule.getMath())}), so no reaction can consume it{advice}",
        )
    if species.getConstant():
        raise _fail(where, f"{option}: {theirs} is a constant species; nothing can consume it")
    mine = cell.getSpecies(ours)
    pathway_wins = ours in ROLES.values()
    if mine.getHasOnlySubstanceUnits() == species.getHasOnlySubstanceUnits():
        factor = 1.0
        if not species.getHasOnlySubstanceUnits():
            factor = concentration_factor(pathway, species, where)
        return Link(option, ours, theirs, factor, pathway_wins)
    if pathway_wins or _reads(pathway, theirs, replaced):
        kind = "an amount" if mine.getHasOnlySubstanceUnits() else "a concentration"
        raise _fail(
            where,
            f"{option}: the cell's {ours} is {kind} and the pathway's {theirs} is not, and the "
            f"pathway's math reads {theirs}: link species of the same kind",
        )
    return Link(option, ours, theirs, 1.0, pathway_wins)


def _check_replaced(
    where: str, replace: Sequence[str], pathway: libsbml.Model, linked: set[str]
) -> None:
    reactions = [reaction.getId() for reaction in pathway.getListOfReactions()]
    for rid in replace:
        option = f"--replace {rid}"
        reaction = pathway.getReaction(rid)
        if reaction is None:
            raise _fail(
                where, f"{option}: the pathway has no reaction {rid!r}{_suggest(rid, reactions)}"
            )
        for ref in (*reaction.getListOfReactants(), *reaction.getListOfProducts()):
            sid = ref.getSpecies()
            if sid not in linked and not pathway.getSpecies(sid).getBoundaryCondition():
                raise _fail(
                    where,
                    f"{option}: {rid} changes {sid}, which no --link supplies; "
                    f"link {sid} or keep {rid}",
                )
        if _reads(pathway, rid, ()):
            raise _fail(where, f"{option}: the pathway's math reads the rate of {rid}")


def _check_unlinked_units(
    where: str, pathway: libsbml.Model, shared: str, linked: set[str]
) -> None:
    """Refuse unlinked floating species not in mM: one extent cannot convert two ways."""
    for species in pathway.getListOfSpecies():
        held = species.getBoundaryCondition() or species.getConstant()
        if species.getCompartment() != shared or species.getId() in linked or held:
            continue
        if species.getHasOnlySubstanceUnits():
            continue
        factor = concentration_factor(pathway, species, where)
        if not math.isclose(factor, 1.0, rel_tol=1e-9):
            raise _fail(
                where,
                f"species {species.getId()} is in units of {factor:g} mM; the pathway's unlinked "
                "species must be in mM (mmol/L) to share the cell's volume: convert it first",
            )


# Ids the top model gives its own elements; a pathway species moved or linked to the top
# keeps its id there, so it must not be one of these.
_TOP_IDS = (
    CELL,
    PATHWAY,
    "cell_module",
    "pathway_module",
    "shared_volume",
    "pathway_volume",
    "pathway_boundary",
    "pathway_time_factor",
    "pathway_extent_factor",
    "pathway_volume_factor",
    "pathway_amount_factor",
)


def _check_top_ids(where: str, species: Sequence[str], replace: Sequence[str]) -> None:
    taken = {*_TOP_IDS, *(f"{rid}_rest" for rid in replace), *(f"{rid}_rest_k" for rid in replace)}
    for sid in species:
        if sid in taken or sid.startswith("pathway_concentration_factor"):
            raise _fail(where, f"species {sid} would clash with the composition's own id {sid}")


def _plan(
    cell: api.Model,
    pathway_path: Path,
    links: Mapping[str, str],
    replace: Sequence[str],
    volume: str,
) -> Plan:
    where = str(pathway_path)
    if volume not in VOLUME_MODES:
        raise ModelDefinitionError(f"--volume {volume}: expected one of {', '.join(VOLUME_MODES)}")
    if not links:
        raise ModelDefinitionError("nothing to compose: give at least one --link ATP=<species>")
    sbml = api.to_sbml(cell)
    if isinstance(cell, str):
        cell_name = cell
    else:
        document = libsbml.readSBMLFromString(sbml)  # owns its model: keep it alive (SWIG)
        cell_name = str(document.getModel().getId())
    cell_sbml = to_comp(sbml, cell_name)
    cell_document = libsbml.readSBMLFromString(cell_sbml)  # owns cell_model below
    cell_model = cell_document.getModel()
    pathway = read_pathway(pathway_path)
    model = pathway.getModel()
    checked: list[Link] = []
    for name, theirs in links.items():
        option = f"--link {name}={theirs}"
        ours = _cell_element(name, cell_model, cell_name)
        if any(theirs == link.theirs or ours == link.ours for link in checked):
            raise _fail(where, f"{option}: {theirs} or the cell's {ours} is already linked")
        checked.append(
            _check_link(where, option, ours, theirs, models=(cell_model, model), replaced=replace)
        )
    linked = {link.theirs for link in checked}
    _check_replaced(where, replace, model, linked)
    shared = sorted({model.getSpecies(link.theirs).getCompartment() for link in checked})
    if len(shared) != 1:
        raise _fail(
            where,
            f"the linked species lie in several compartments ({', '.join(shared)}); "
            "link species of one compartment",
        )
    _check_unlinked_units(where, model, shared[0], linked)
    compartment = model.getCompartment(shared[0])
    size = compartment.getSize()
    if not (math.isfinite(size) and size > 0):
        raise _fail(where, f"compartment {shared[0]} has no positive size to scale to the cell")
    volume_unit = compartment.getUnits() or model.getVolumeUnits()
    moved = tuple(
        species.getId()
        for species in model.getListOfSpecies()
        if volume == "shared"
        and species.getCompartment() == shared[0]
        and (species.getBoundaryCondition() or species.getConstant())
        and species.getId() not in linked
        and not species.getHasOnlySubstanceUnits()
    )
    _check_top_ids(where, [link.top for link in checked] + list(moved), replace)
    return Plan(
        cell=cell,
        cell_name=cell_name,
        cell_sbml=cell_sbml,
        pathway_path=pathway_path,
        pathway=pathway,
        links=tuple(checked),
        replaced=tuple(replace),
        volume=volume,
        shared=shared[0],
        moved=moved,
        time=unit_factor(model, model.getTimeUnits(), where, "time"),
        extent=unit_factor(model, model.getExtentUnits(), where, "extent"),
        size=size,
        litres=unit_factor(model, volume_unit, where, "volume") / _MILLI,
        reference_volume=float(api.load(cell)["cell"]),
    )


# --- keeping the rest of a replaced load ---------------------------------------------------------


def _relative_rate(runner: roadrunner.RoadRunner) -> float:
    rates = [abs(float(rate)) for rate in runner.getRatesOfChange()]
    states = [abs(float(runner[runner.model.getStateVectorId(i)])) for i in range(len(rates))]
    floor = 1e-3 * max(states, default=1.0)
    return max(
        (rate / max(state, floor) for rate, state in zip(rates, states, strict=True)), default=0.0
    )


def _pathway_at_steady_state(plan: Plan) -> roadrunner.RoadRunner:
    """Return a RoadRunner of the pathway alone at its steady state (Newton, or integration)."""
    runner = new_runner(libsbml.writeSBMLToString(plan.pathway))
    runner.integrator.setValue("relative_tolerance", 1e-10)
    horizon = 1e3  # pathway time units
    for _ in range(4):
        try:
            runner.steadyState()
            if _relative_rate(runner) < PATHWAY_STEADY:
                return runner
        except RuntimeError:
            pass
        runner.simulate(runner.model.getTime(), runner.model.getTime() + horizon, 2)
        horizon *= 10
    raise _fail(
        str(plan.pathway_path),
        f"--keep-rest: the pathway alone reaches no steady state to size the rest of "
        f"{plan.replaced[0]}",
    )


def _rest_rate_constant(plan: Plan) -> float:
    """Return k (1/s) of ``<R>_rest = k [ATP] V``: R's flux minus the pump's, at steady state.

    Both are compared as concentration rates (mM/s): R's at the pathway's own steady state,
    the pump's at the cell's steady state with the linked metabolites at the pathway's values.
    """
    rid = plan.replaced[0]
    runner = _pathway_at_steady_state(plan)
    # R's rate: pathway extent per pathway time in size x litres -> mol/(L s) -> mM/s.
    reaction = float(runner[rid]) * plan.extent / (plan.size * plan.litres) / plan.time / _MILLI
    held: dict[str, Any] = {
        link.ours: float(runner[f"[{link.theirs}]"]) * link.factor
        for link in plan.links
        if link.pathway_wins
    }
    cell = api.steady_state(plan.cell, **held)
    pump = cell["A_F"] * cell["I_pump"] / cell["cell"]  # fmol/(pL s) = mM/s
    if pump >= reaction:
        raise _fail(
            str(plan.pathway_path),
            f"--keep-rest: the cell's pump alone hydrolyses {pump:.4g} mM/s of ATP at the "
            f"pathway's steady state, no less than {rid}'s {reaction:.4g} mM/s: no rest to keep",
        )
    return float((reaction - pump) / held["ATP_i"])


# --- flattening, checking, the id map ------------------------------------------------------------


def composition_issues(document: str, pathway: str) -> list[str]:
    """Return the validation issues a composed document has beyond those of its pathway alone.

    Both are validated like every SBML this package writes (libsbml with strict units, and
    the scale check). Issues are compared by code and count, since flattening renames the
    elements the messages name.

    Parameters
    ----------
    document
        The flat composed model (SBML text).
    pathway
        The pathway as composed (the ``OUT_pathway.xml`` text).

    Returns
    -------
    list of str
        One line per issue code the composition has more often than the pathway (or none).
    """
    own = Counter(issue.code for issue in validate_sbml(pathway).issues)
    found = validate_sbml(document).issues
    extra = Counter(issue.code for issue in found) - own
    return [
        f"{next(i.format() for i in found if i.code == code)} ({count} more than the pathway's)"
        for code, count in sorted(extra.items())
    ]


def _id_map(plan: Plan, model_id: str, rest: bool) -> dict[str, str | None]:
    """Return hierarchical id -> flat id (None: deleted), from the composition's rules."""
    cell = libsbml.readSBMLFromString(plan.cell_sbml)
    by_ours = {link.ours: link.top for link in plan.links}
    by_theirs = {link.theirs: link.top for link in plan.links}
    ids: dict[str, str | None] = {}
    for sid in _element_ids(cell.getModel()):
        shared = sid == "cell" and plan.volume == "shared"
        ids[f"{CELL}/{sid}"] = plan.top_volume if shared else by_ours.get(sid, f"{CELL}__{sid}")
    for sid in _element_ids(plan.pathway.getModel()):
        flat: str | None = by_theirs.get(sid, sid if sid in plan.moved else f"{PATHWAY}__{sid}")
        if sid == plan.shared:
            flat = plan.top_volume
        elif sid in plan.replaced:
            flat = None
        ids[f"{PATHWAY}/{sid}"] = flat
    top = ["pathway_time_factor", "pathway_extent_factor", "pathway_volume_factor", plan.top_volume]
    top += ["pathway_boundary"] if plan.moved else []
    top += [f"{plan.replaced[0]}_rest", f"{plan.replaced[0]}_rest_k"] if rest else []
    ids.update({f"{model_id}/{sid}": sid for sid in top})
    return ids


def _element_ids(model: libsbml.Model) -> list[str]:
    elements = (
        *model.getListOfCompartments(),
        *model.getListOfSpecies(),
        *model.getListOfParameters(),
        *model.getListOfReactions(),
    )
    return [str(element.getId()) for element in elements]


def _flatten(texts: Mapping[str, str], names: Mapping[str, str], model_id: str) -> str:
    """Flatten the hierarchical document beside its two modules, in a scratch folder."""
    with tempfile.TemporaryDirectory(prefix="pumpleak-compose-") as scratch:
        for key in ("cell", "pathway"):
            (Path(scratch) / names[key]).write_text(texts[key], encoding="utf-8")
        return flatten(texts["hierarchical"], model_id, base=Path(scratch))


def _check_flat(flat: str, pathway: str, ids: Mapping[str, str | None], expected: int) -> None:
    document = libsbml.readSBMLFromString(flat)
    model = document.getModel()
    found = None if model is None else int(model.getNumReactions())
    if found != expected:
        raise ExportError(f"composition: flattening gave {found} reactions, not {expected}")
    missing = [sid for sid in ids.values() if sid and model.getElementBySId(sid) is None]
    if missing:
        raise ExportError(f"composition: the flat model lacks {', '.join(missing[:5])}")
    issues = composition_issues(flat, pathway)
    if issues:
        raise ExportError(f"composition: the composed model adds validation issues: {issues[0]}")


def _output_paths(output: Path) -> dict[str, Path]:
    stem = output.name.removesuffix(".xml")
    return {key: output.with_name(stem + suffix) for key, suffix in _SUFFIXES.items()}


def compose(
    cell: api.Model,
    pathway: Path,
    links: Mapping[str, str],
    output: Path,
    *,
    replace: Sequence[str] = (),
    keep_rest: bool = False,
    volume: str = "shared",
    overwrite: bool = False,
) -> Composition:
    """Compose a pump-leak cell with a pathway model and write the five files.

    Parameters
    ----------
    cell
        A library name, spec file (Path), spec dict or CellSpec, as for
        :func:`pumpleak_sbml.to_sbml`; to link ATP, ADP or Pi its pump law must be ``atp``.
    pathway
        The pathway's SBML file, any level and version.
    links
        Cell side -> pathway species: ``"ATP"``, ``"ADP"``, ``"Pi"`` (the cell's ``ATP_i``,
        ``ADP_i``, ``Pi_i``) or an ion pool (``"Na_i"``).
    output
        The hierarchical document, ``OUT.xml``; ``OUT_cell.xml``, ``OUT_pathway.xml``,
        ``OUT_flat.xml`` and ``OUT_ids.json`` are written beside it.
    replace
        Pathway reactions the cell takes over (deleted from the pathway).
    keep_rest
        Keep, as ``<R>_rest``, the part of the one replaced reaction's flux that the cell's
        pump does not carry at the pathway's steady state (default False).
    volume
        ``"shared"`` (default) or ``"separate"``; see the module docstring.
    overwrite
        Replace existing output files (default False).

    Returns
    -------
    Composition
        The files written, the id map, the reaction count and the conversion factors.

    Raises
    ------
    ModelDefinitionError
        A refused link, replacement or option: one line with the file, option and reason.
    OutputError
        An output file exists (and ``overwrite`` is False) or cannot be written.
    ExportError
        libsbml cannot build or flatten the composition, or it adds validation issues.
    """
    paths = _output_paths(output)
    for path in paths.values():
        check_writable(path, overwrite=overwrite)
    if keep_rest and len(replace) != 1:
        raise ModelDefinitionError("--keep-rest needs exactly one --replace REACTION")
    plan = _plan(cell, pathway, links, replace, volume)
    if keep_rest and not any(link.ours == "ATP_i" for link in plan.links):
        raise ModelDefinitionError("--keep-rest sizes the rest by ATP: link the cell's ATP")
    rate = _rest_rate_constant(plan) if keep_rest else None
    stem = output.name.removesuffix(".xml")
    model_id = stem if _SID.fullmatch(stem) and stem not in (CELL, PATHWAY) else "composed"
    names = {key: paths[key].name for key in ("cell", "pathway")}
    hierarchical, factors = hierarchical_document(plan, names, model_id, rate)
    texts = {
        "hierarchical": hierarchical,
        "cell": plan.cell_sbml,
        "pathway": str(libsbml.writeSBMLToString(plan.pathway)),
    }
    flat = _flatten(texts, names, model_id)
    ids = _id_map(plan, model_id, rate is not None)
    pathway_reactions = int(plan.pathway.getModel().getNumReactions())
    cell_document = libsbml.readSBMLFromString(plan.cell_sbml)  # owns its model (SWIG)
    cell_reactions = int(cell_document.getModel().getNumReactions())
    reactions = cell_reactions + pathway_reactions - len(plan.replaced) + int(rate is not None)
    _check_flat(flat, texts["pathway"], ids, reactions)
    for key in ("cell", "pathway", "hierarchical"):
        write_text(paths[key], texts[key], overwrite=overwrite)
    write_text(paths["flat"], flat, overwrite=overwrite)
    write_text(paths["ids"], json.dumps(ids, indent=2, sort_keys=True) + "\n", overwrite=overwrite)
    return Composition(
        hierarchical=paths["hierarchical"],
        flat=paths["flat"],
        id_map=paths["ids"],
        modules=(paths["cell"], paths["pathway"]),
        ids=ids,
        reactions=reactions,
        factors=factors,
        rest_rate_constant=rate,
    )
