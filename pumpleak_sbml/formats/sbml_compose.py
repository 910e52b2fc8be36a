# SPDX-License-Identifier: MIT
"""The SBML of a composition: the pathway's Level 3 copy and the hierarchical (comp) document.

:mod:`pumpleak_sbml.composition` checks what a user asked for and builds a :class:`Plan`; this
module turns a plan into text. It reads the pathway as a Level 3 Version 2 copy whose amount
and volume units are relabelled 1e12 times smaller (mmol -> fmol, L -> pL: every model is
invariant under one common rescaling of amounts and volumes, and mM = fmol/pL, so no number
changes meaning), and writes the top model: the cell's units, the conversion-factor
parameters, the two submodels, the compartments and species that link them::

    pathway = read_pathway(Path("BIOMD0000000070.xml"))      # relabelled L3V2 copy
    text, factors = hierarchical_document(plan, names, "rbc")

Every conversion factor is a number in a unit that says what it converts (its unit is the
ratio of the two units: s per hour is 1/3600), so the documents pass libsbml's strict unit
checks and the package's scale check.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import libsbml

from .. import api
from ..errors import ExportError, ModelDefinitionError
from ..sbml_document import si_factor
from .sbml_comp import port_id

__all__ = [
    "CELL",
    "PATHWAY",
    "ROLES",
    "Link",
    "Plan",
    "concentration_factor",
    "hierarchical_document",
    "read_pathway",
    "unit_factor",
]

ROLES = {"ATP": "ATP_i", "ADP": "ADP_i", "Pi": "Pi_i"}
"""Short names for the cell's side of a link: its ATP, ADP and Pi."""
CELL, PATHWAY = "cell", "pathway"
"""The ids of the two submodels."""
_FEMTO, _PICO, _MILLI = 1e-15, 1e-12, 1e-3
_RELABEL_DECADES = -12  # mmol -> fmol, L -> pL
_SBO_PARAMETER, _SBO_COMPARTMENT, _SBO_REACTION, _SBO_SIMPLE_CHEMICAL = 2, 290, 176, 247


def _fail(where: str, message: str) -> ModelDefinitionError:
    return ModelDefinitionError(f"{where}: {message}")


def _check(code: int, action: str) -> None:
    if code != libsbml.LIBSBML_OPERATION_SUCCESS:
        raise ExportError(
            f"composition: libsbml could not {action}: "
            f"{libsbml.OperationReturnValue_toString(code)}"
        )


# --- the pathway: read, converted to L3V2, units relabelled --------------------------------------


def read_pathway(path: Path) -> libsbml.SBMLDocument:
    """Read a pathway SBML file as a relabelled Level 3 Version 2 copy (see the docstring)."""
    where = str(path)
    if not path.is_file():
        raise _fail(where, "no such file")
    document = libsbml.readSBMLFromFile(where)
    if document.getNumErrors(libsbml.LIBSBML_SEV_ERROR) + document.getNumErrors(
        libsbml.LIBSBML_SEV_FATAL
    ):
        raise _fail(
            where, f"not readable SBML: {' '.join(document.getError(0).getMessage().split())}"
        )
    if document.getModel() is None:
        raise _fail(where, "the document contains no model")
    if document.isPackageEnabled("comp"):
        raise _fail(where, "the pathway is itself hierarchical (comp); flatten it first")
    if (document.getLevel(), document.getVersion()) != (3, 2) and not document.setLevelAndVersion(
        3, 2, False
    ):
        raise _fail(where, "libsbml cannot convert it to SBML Level 3 Version 2")
    _relabel_units(document.getModel())
    return document


def _relabel_units(model: libsbml.Model) -> None:
    """Make every amount and volume unit 1e12 times smaller (numbers keep their meaning)."""
    for name, kind in (("mole", libsbml.UNIT_KIND_MOLE), ("litre", libsbml.UNIT_KIND_LITRE)):
        definition = model.createUnitDefinition()  # base units named directly get a definition
        definition.setId(f"relabelled_{name}")
        unit = definition.createUnit()
        unit.initDefaults()
        unit.setKind(kind)
        _repoint_units(model, name, f"relabelled_{name}")
    for definition in model.getListOfUnitDefinitions():
        for unit in definition.getListOfUnits():
            if unit.getKind() in (libsbml.UNIT_KIND_MOLE, libsbml.UNIT_KIND_LITRE):
                unit.setScale(unit.getScale() + _RELABEL_DECADES)
            elif unit.getKind() == libsbml.UNIT_KIND_METRE and abs(unit.getExponent()) == 3:
                unit.setScale(unit.getScale() + _RELABEL_DECADES // 3)


def _repoint_units(model: libsbml.Model, old: str, new: str) -> None:
    for attribute in ("SubstanceUnits", "ExtentUnits", "VolumeUnits"):
        if getattr(model, f"get{attribute}")() == old:
            getattr(model, f"set{attribute}")(new)
    elements = [*model.getListOfCompartments(), *model.getListOfParameters()]
    for reaction in model.getListOfReactions():
        if reaction.isSetKineticLaw():
            elements += list(reaction.getKineticLaw().getListOfLocalParameters())
    for element in elements:
        if element.getUnits() == old:
            element.setUnits(new)
    for species in model.getListOfSpecies():
        if species.getSubstanceUnits() == old:
            species.setSubstanceUnits(new)


def unit_factor(model: libsbml.Model, unit_id: str, where: str, what: str) -> float:
    """Return the SI factor of a unit (a UnitDefinition id or a base unit kind)."""
    if not unit_id:
        raise _fail(where, f"the pathway declares no {what} unit, so nothing can be converted")
    definition = model.getUnitDefinition(unit_id)
    if definition is None:
        definition = libsbml.UnitDefinition(model.getLevel(), model.getVersion())
        unit = definition.createUnit()
        unit.initDefaults()
        unit.setKind(libsbml.UnitKind_forName(unit_id))
    return si_factor(definition)[0]


def concentration_factor(model: libsbml.Model, species: libsbml.Species, where: str) -> float:
    """Return mM per unit of a species' concentration (1 mol/m3 is 1 mM: the SI factor)."""
    derived = species.getDerivedUnitDefinition()
    if derived is None or derived.getNumUnits() == 0:
        raise _fail(where, f"{species.getId()} has no declared units; cannot convert to mM")
    factor, si = si_factor(derived)
    if {(u.getKind(), u.getExponent()) for u in si.getListOfUnits()} != {
        (libsbml.UNIT_KIND_MOLE, 1),
        (libsbml.UNIT_KIND_METRE, -3),
    }:
        unit = libsbml.UnitDefinition.printUnits(derived, True)
        raise _fail(where, f"{species.getId()} is in {unit}, not a concentration; cannot link")
    return float(f"{factor:.12g}")  # a ratio of powers of ten, without rounding noise


# --- the plan: what compose checked, ready to build -----------------------


@dataclass(frozen=True)
class Link:
    """One checked link: the cell's element, the pathway's species, and which one survives."""

    option: str  # as the user wrote it, for messages: "--link ATP=MgATP"
    ours: str  # cell element id (a port target)
    theirs: str  # pathway species id
    factor: float  # mM per unit of the pathway species' concentration
    pathway_wins: bool  # the pathway's definition survives (else the cell's)

    @property
    def top(self) -> str:
        """The id of the species that replaces both: the surviving definition's."""
        return self.theirs if self.pathway_wins else self.ours


@dataclass(frozen=True)
class Plan:
    """A checked composition: the two models, the links and replacements, the unit scales."""

    cell: api.Model
    cell_name: str
    cell_sbml: str  # the cell's comp module
    pathway_path: Path
    pathway: libsbml.SBMLDocument
    links: tuple[Link, ...]
    replaced: tuple[str, ...]
    volume: str
    shared: str  # the pathway compartment of the linked species
    moved: tuple[str, ...]  # its boundary/constant species, moved to a fixed compartment
    time: float  # s per pathway time unit
    extent: float  # mol per pathway extent unit
    size: float  # the shared compartment's size, in its unit
    litres: float  # litres per unit of that size
    reference_volume: float  # V0: the cell's initial water volume (pL)

    @property
    def volume_factor(self) -> float:
        """The pathway compartment's size maps onto V0: V0/s (pL per pathway volume unit)."""
        return self.reference_volume / self.size

    @property
    def extent_factor(self) -> float:
        """Fmol per pathway extent unit: the same concentration in V0 as in s."""
        return self.extent * self.reference_volume * _PICO / (self.size * self.litres * _FEMTO)

    @property
    def top_volume(self) -> str:
        """The top-level compartment that stands for the pathway's shared compartment."""
        return "shared_volume" if self.volume == "shared" else "pathway_volume"


# --- the hierarchical document -------------------------------------------------------------------


def _add_unit(model: libsbml.Model, uid: str, parts: Sequence[tuple[int, int, int, float]]) -> str:
    """Add a unit of (kind, exponent, scale, multiplier) parts; return its id."""
    definition = model.createUnitDefinition()
    _check(definition.setId(uid), f"create unit {uid}")
    for kind, exponent, scale, multiplier in parts:
        unit = definition.createUnit()
        unit.initDefaults()
        unit.setKind(kind)
        unit.setExponent(exponent)
        unit.setScale(scale)
        unit.setMultiplier(multiplier)
    return uid


def _add_parameter(model: libsbml.Model, pid: str, value: float, units: str, name: str) -> None:
    parameter = model.createParameter()
    _check(parameter.setId(pid), f"create parameter {pid}")
    parameter.setMetaId(f"composition.{pid}")
    parameter.setName(name)
    parameter.setValue(value)
    parameter.setUnits(units)
    parameter.setConstant(True)
    parameter.setSBOTerm(_SBO_PARAMETER)


def _factor_id(factor: float) -> str:
    """Return the id of the concentration conversion factor of one value."""
    if factor == 1.0:
        return "pathway_concentration_factor"
    return "pathway_concentration_factor_" + re.sub(r"[^A-Za-z0-9]", "_", repr(factor))


def _add_units_and_factors(plan: Plan, model: libsbml.Model) -> dict[str, float]:
    """Add the top model's units and the conversion-factor parameters; return the factors."""
    mole, litre, ratio = (
        libsbml.UNIT_KIND_MOLE,
        libsbml.UNIT_KIND_LITRE,
        libsbml.UNIT_KIND_DIMENSIONLESS,
    )
    _add_unit(model, "fmol", [(mole, 1, -15, 1.0)])
    _add_unit(model, "pL", [(litre, 1, -12, 1.0)])
    _add_unit(model, "per_second", [(libsbml.UNIT_KIND_SECOND, -1, 0, 1.0)])
    for attribute, unit in (
        ("Substance", "fmol"),
        ("Extent", "fmol"),
        ("Volume", "pL"),
        ("Time", "second"),
    ):
        getattr(model, f"set{attribute}Units")(unit)
    # A conversion factor is a number in a unit that says what it converts: its unit is the
    # ratio of the two units (s per hour: 1/3600), so value x unit is the physical ratio.
    factors: dict[str, tuple[float, list[tuple[int, int, int, float]], str]] = {
        "pathway_time_factor": (
            plan.time,
            [(ratio, 1, 0, 1.0 / plan.time)],
            "seconds per pathway time unit (timeConversionFactor)",
        ),
        "pathway_extent_factor": (
            plan.extent_factor,
            [(ratio, 1, 0, _FEMTO / plan.extent)],
            "fmol per pathway extent unit, at the cell's initial volume (extentConversionFactor)",
        ),
        "pathway_volume_factor": (
            plan.volume_factor,
            [(ratio, 1, 0, _PICO / plan.litres)],
            "pL of cell per unit of the pathway compartment (V0/size)",
        ),
    }
    pathway = plan.pathway.getModel()
    values = {link.factor for link in plan.links if link.pathway_wins}
    values |= {concentration_factor(pathway, pathway.getSpecies(sid), "") for sid in plan.moved}
    for value in values:
        factors[_factor_id(value)] = (
            value,
            [(ratio, 1, 0, 1.0 / value)],
            "mM per unit of the pathway's concentration",
        )
    if not all(link.pathway_wins for link in plan.links):
        factors["pathway_amount_factor"] = (
            plan.reference_volume,
            [(litre, 1, -12, 1.0)],
            "pL: an amount link relates the pathway's concentration to the cell's amount by V0",
        )
    for pid, (value, parts, name) in sorted(factors.items()):
        _add_parameter(model, pid, value, _add_unit(model, f"{pid}_unit", parts), name)
    return {pid: value for pid, (value, _, _) in factors.items()}


def _replace(
    element: libsbml.SBase, submodel: str, *, port: str = "", idref: str = "", factor: str = ""
) -> None:
    replaced = element.getPlugin("comp").createReplacedElement()
    replaced.setSubmodelRef(submodel)
    _check(replaced.setPortRef(port) if port else replaced.setIdRef(idref), "point a replacement")
    if factor:
        _check(replaced.setConversionFactor(factor), f"set the conversion factor {factor}")


def _copy_annotations(source: libsbml.SBase, target: libsbml.SBase, metaid: str) -> None:
    """Copy name, SBO term (simple chemical if none) and CV terms from the source species."""
    target.setMetaId(metaid)
    target.setName(source.getName() if source.isSetName() else source.getId())
    target.setSBOTerm(source.getSBOTerm() if source.isSetSBOTerm() else _SBO_SIMPLE_CHEMICAL)
    for term in source.getCVTerms() or []:
        target.addCVTerm(term)


def _add_compartment(
    model: libsbml.Model, cid: str, name: str, size: float, *, constant: bool
) -> libsbml.Compartment:
    compartment = model.createCompartment()
    _check(compartment.setId(cid), f"create compartment {cid}")
    compartment.setMetaId(f"composition.{cid}")
    compartment.setName(name)
    compartment.setSBOTerm(_SBO_COMPARTMENT)
    compartment.setUnits("pL")
    compartment.setSpatialDimensions(3)
    compartment.setSize(size)
    compartment.setConstant(constant)
    return compartment


def _add_compartments(plan: Plan, model: libsbml.Model) -> None:
    shared = plan.volume == "shared"
    compartment = _add_compartment(
        model,
        plan.top_volume,
        "the cell's water volume, shared with the pathway"
        if shared
        else "the pathway's volume, fixed at the cell's initial water volume",
        plan.reference_volume,
        constant=not shared,
    )
    if shared:
        replaced_by = compartment.getPlugin("comp").createReplacedBy()
        replaced_by.setSubmodelRef(CELL)
        _check(replaced_by.setPortRef(port_id("cell")), "share the cell's volume")
    _replace(compartment, PATHWAY, idref=plan.shared, factor="pathway_volume_factor")
    if plan.moved:
        _add_compartment(
            model,
            "pathway_boundary",
            "fixed volume of the pathway's boundary and constant species",
            plan.reference_volume,
            constant=True,
        )


def _new_species(
    model: libsbml.Model, sid: str, source: libsbml.Species, compartment: str
) -> libsbml.Species:
    species = model.createSpecies()
    _check(species.setId(sid), f"create species {sid}")
    _copy_annotations(source, species, f"composition.{sid}")
    species.setCompartment(compartment)
    species.setSubstanceUnits("fmol")
    species.setHasOnlySubstanceUnits(source.getHasOnlySubstanceUnits())
    species.setBoundaryCondition(source.getBoundaryCondition())
    species.setConstant(source.getConstant())
    return species


def _add_species(plan: Plan, model: libsbml.Model) -> None:
    pathway = plan.pathway.getModel()
    cell = libsbml.readSBMLFromString(plan.cell_sbml)  # owns the cell model while in use
    for link in plan.links:
        source = (
            pathway.getSpecies(link.theirs)
            if link.pathway_wins
            else cell.getModel().getSpecies(link.ours)
        )
        species = _new_species(model, link.top, source, plan.top_volume)
        species.setConstant(False)
        if link.pathway_wins:
            species.setInitialConcentration(_initial_concentration(source) * link.factor)
        else:
            species.setInitialAmount(0.0)  # the cell's initial assignment sets it
        _replace(species, CELL, port=port_id(link.ours))
        # An amount standing for a concentration nothing reads: amount = concentration x V0.
        factor_id = _factor_id(link.factor) if link.pathway_wins else "pathway_amount_factor"
        _replace(species, PATHWAY, idref=link.theirs, factor=factor_id)
    for sid in plan.moved:
        source = pathway.getSpecies(sid)
        factor = concentration_factor(pathway, source, str(plan.pathway_path))
        species = _new_species(model, sid, source, "pathway_boundary")
        species.setInitialConcentration(_initial_concentration(source) * factor)
        _replace(species, PATHWAY, idref=sid, factor=_factor_id(factor))


def _initial_concentration(species: libsbml.Species) -> float:
    return float(species.getInitialConcentration()) if species.isSetInitialConcentration() else 0.0


def _add_submodels(plan: Plan, model: libsbml.Model) -> None:
    plugin = model.getPlugin("comp")
    cell = plugin.createSubmodel()
    cell.setId(CELL)
    cell.setModelRef("cell_module")
    pathway = plugin.createSubmodel()
    pathway.setId(PATHWAY)
    pathway.setModelRef("pathway_module")
    _check(pathway.setTimeConversionFactor("pathway_time_factor"), "convert the pathway's time")
    _check(pathway.setExtentConversionFactor("pathway_extent_factor"), "convert its extent")
    for rid in plan.replaced:
        deletion = pathway.createDeletion()
        deletion.setId(f"delete_{rid}")
        _check(deletion.setIdRef(rid), f"delete {rid}")


def _add_rest(plan: Plan, model: libsbml.Model, rate_constant: float) -> None:
    """Add ``<R>_rest``: R's stoichiometry over the linked species, rate k [ATP] V (fmol/s)."""
    rid = plan.replaced[0]
    atp = next(link.top for link in plan.links if link.ours == "ATP_i")
    _add_parameter(
        model, f"{rid}_rest_k", rate_constant, "per_second", f"rate constant of the rest of {rid}"
    )
    reaction = model.createReaction()
    reaction.setId(f"{rid}_rest")
    reaction.setMetaId(f"composition.{rid}_rest")
    reaction.setName(f"the part of {rid} that the cell's pump does not carry")
    reaction.setSBOTerm(_SBO_REACTION)
    reaction.setReversible(False)
    tops = {link.theirs: link.top for link in plan.links}
    source = plan.pathway.getModel().getReaction(rid)
    for references, create in (
        (source.getListOfReactants(), reaction.createReactant),
        (source.getListOfProducts(), reaction.createProduct),
    ):
        for reference in references:
            created = create()
            created.setSpecies(tops.get(reference.getSpecies(), reference.getSpecies()))
            created.setStoichiometry(reference.getStoichiometry())
            created.setConstant(True)
    law = reaction.createKineticLaw()
    _check(
        law.setMath(libsbml.parseL3Formula(f"{rid}_rest_k * {atp} * {plan.top_volume}")),
        "write its rate",
    )


def _annotate_model(plan: Plan, model: libsbml.Model) -> None:
    """Credit pumpleak_sbml as creator; the model is derived from the pathway's (MIRIAM)."""
    history = libsbml.ModelHistory()
    creator = libsbml.ModelCreator()
    creator.setGivenName("pumpleak_sbml")
    creator.setFamilyName("compose")
    creator.setOrganisation("pumpleak_sbml")
    _check(history.addCreator(creator), "credit the creator")
    _check(model.setModelHistory(history), "write the model history")
    sources = [
        term.getResourceURI(index)
        for term in plan.pathway.getModel().getCVTerms() or []
        if term.getQualifierType() == libsbml.MODEL_QUALIFIER
        and term.getModelQualifierType() == libsbml.BQM_IS
        for index in range(term.getNumResources())
    ]
    if sources:
        derived = libsbml.CVTerm(libsbml.MODEL_QUALIFIER)
        derived.setModelQualifierType(libsbml.BQM_IS_DERIVED_FROM)
        for uri in sources:
            derived.addResource(uri)
        _check(model.addCVTerm(derived), "say which model it is derived from")


def _notes(plan: Plan) -> str:
    links = ", ".join(f"{link.ours} = {link.theirs}" for link in plan.links)
    return (
        '<body xmlns="http://www.w3.org/1999/xhtml">'
        f"<p>The pump-leak cell {plan.cell_name} (submodel cell) composed by pumpleak_sbml with "
        f"the pathway {plan.pathway.getModel().getId()} (submodel pathway).</p>"
        f"<p>Links (cell = pathway): {links}. Reactions the cell takes over: "
        f"{', '.join(plan.replaced) or 'none'}. Volume: {plan.volume}.</p>"
        "<p>Units are the cell's (fmol, pL, s); the pathway enters through comp conversion "
        "factors of time, extent, volume and concentration. The pathway's metabolites do not "
        "count toward the cell's osmolarity.</p></body>"
    )


def hierarchical_document(
    plan: Plan, names: Mapping[str, str], model_id: str, rate_constant: float | None
) -> tuple[str, dict[str, float]]:
    """Return the comp document of a plan, and its conversion factors by parameter id.

    Parameters
    ----------
    plan
        From :mod:`pumpleak_sbml.composition`'s checks.
    names
        File names (``"cell"``, ``"pathway"``) of the two modules, beside the document.
    model_id
        The top model's id.
    rate_constant
        k (1/s) of the kept rest of the replaced reaction, or None.

    Returns
    -------
    tuple of str and dict
        The SBML text (L3V2 with comp) and every conversion factor's value.
    """
    document = libsbml.SBMLDocument(libsbml.SBMLNamespaces(3, 2, "comp", 1))
    document.setPackageRequired("comp", True)
    for module, key, ref in (
        ("cell_module", "cell", plan.cell_name),
        ("pathway_module", "pathway", plan.pathway.getModel().getId()),
    ):
        external = document.getPlugin("comp").createExternalModelDefinition()
        external.setId(module)
        external.setSource(names[key])
        external.setModelRef(ref)
    model = document.createModel()
    _check(model.setId(model_id), f"name the model {model_id}")
    model.setMetaId(f"composition.{model_id}")
    model.setName(f"{plan.cell_name} composed with {plan.pathway.getModel().getId()}")
    _check(model.setNotes(_notes(plan)), "write the notes")
    _annotate_model(plan, model)
    factors = _add_units_and_factors(plan, model)
    _add_submodels(plan, model)
    _add_compartments(plan, model)
    _add_species(plan, model)
    if rate_constant is not None:
        _add_rest(plan, model, rate_constant)
    return str(libsbml.writeSBMLToString(document)), factors
