# SPDX-License-Identifier: MIT
"""The documentation's model pages, written from the models themselves at build time.

Every library model (:func:`pumpleak_sbml.list_models`) gets ``models/<name>.md`` and a figure
``models/<name>.png``; ``models/index.md`` lists them and ``models/SUMMARY.md`` puts them in
the site's navigation, so a new model file gets its page without any edit here::

    files = model_files(["pump_leak"])   # GeneratedFile(path, content) for the site
    page = model_page("pump_leak")       # one page: markdown text and the figure's PNG bytes

Nothing on a page is typed by hand. The equations come from the SymPy system the package
reads from the model's SBML (:func:`pumpleak_sbml.ode_model.read_ode_system`); the parameter
table from the compiled model's quantities, with the ``// Source:`` and ``// Derivation:``
comments of the ``.ant`` file; the steady state and its certificate from
:func:`pumpleak_sbml.steady_state`; the figure from :func:`pumpleak_sbml.simulate` and
:func:`pumpleak_sbml.plotting.plot_trajectory`. The same model gives the same page, byte for
byte, on the same installation.
"""

from __future__ import annotations

import math
import re
import tempfile
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from xml.etree import ElementTree

import libsbml
import numpy as np
import sympy

import pumpleak_sbml as pl
from pumpleak_sbml.ode_model import SymbolicOde, read_ode_system
from pumpleak_sbml.plotting import plot_trajectory
from pumpleak_sbml.quantities import Quantity
from pumpleak_sbml.sbml_math import TIME

__all__ = [
    "MODELS_DIR",
    "GeneratedFile",
    "ModelPage",
    "index_page",
    "latex_name",
    "model_files",
    "model_page",
    "navigation",
    "page_paths",
    "source_comments",
]

MODELS_DIR = "models"
# Figure lengths, in slowest relaxation times of the steady state the run starts from: long
# enough to show where a perturbed cell ends up, without a hand-picked number per model.
_BLOCK_RELAXATION_TIMES = 20.0
_RELAX_RELAXATION_TIMES = 10.0
# A model with no steady state to take a time scale from (the Donnan trap) runs this long (s).
_DEFAULT_END = 20000.0
_FIGURE_POINTS = 401
_PARAMETER_DIGITS = 10  # significant digits of values as written in the model
_RESULT_DIGITS = 6  # significant digits of computed values


@dataclass(frozen=True)
class GeneratedFile:
    """One file of the site: its path under ``docs/`` and its content."""

    path: str
    content: str | bytes


@dataclass(frozen=True)
class ModelPage:
    """A model's page (markdown) and its figure (PNG bytes)."""

    name: str
    markdown: str
    figure: bytes


# --- text helpers ----------------------------------------------------------------------------

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|#<>])")
_CODE_SPAN = re.compile(r"(`[^`]+`)")


def _escape(text: str) -> str:
    """Return plain text safe inside a markdown paragraph or table cell.

    Code spans (`` `cell` ``, as the model files write identifiers) stay code spans.
    """
    parts = _CODE_SPAN.split(text) if text.count("`") % 2 == 0 else [text]
    escaped = [
        part.replace("|", "\\|")
        if _CODE_SPAN.fullmatch(part)
        else _MARKDOWN_SPECIAL.sub(r"\\\1", part)
        for part in parts
    ]
    return "".join(escaped)


def _number(value: float, digits: int = _RESULT_DIGITS) -> str:
    if value == 0:
        return "0"
    return f"{value:.{digits}g}"


_DOI = re.compile(r"doi:(10\.\S+)")


def _doi_links(escaped: str) -> str:
    """Turn ``doi:10.x/y`` into links; a DOI may hold parentheses, so unbalanced ones end it."""

    def link(match: re.Match[str]) -> str:
        doi = match.group(1).replace("\\", "")
        tail = ""
        while doi and (doi[-1] in ".,;" or (doi[-1] == ")" and doi.count(")") > doi.count("("))):
            tail = doi[-1] + tail
            doi = doi[:-1]
        return f"[doi:{_escape(doi)}](https://doi.org/{doi}){_escape(tail)}"

    return _DOI.sub(link, escaped)


# --- identifiers as LaTeX --------------------------------------------------------------------

_GREEK = frozenset({"alpha", "beta", "gamma", "delta", "kappa", "lambda", "mu", "psi", "tau"})
# Names whose meaning the generic rule (base letter, subscripted rest) would hide.
_SPECIAL_NAMES = {
    "Vm": r"V_{\mathrm{m}}",
    "RT_F": r"(RT/F)",
    "dp": r"\Delta p",
    "dpsi": r"\Delta\psi",
    "dpH": r"\Delta\mathrm{pH}",
    "ln10": r"\ln 10",
}


def _base(text: str, upright: bool) -> str:
    if text in _GREEK:
        return "\\" + text
    return text if len(text) == 1 and not upright else rf"\mathrm{{{text}}}"


def latex_name(identifier: str, species: Collection[str] = ()) -> str:
    """Return how an SBML identifier is written in the equations.

    ``E_Na`` is E with subscript Na, ``conc_Na_i`` is [Na]ᵢ, ``I_pump_max`` is I with
    subscript "pump,max"; unit conversions (``mV_per_V``) keep their id, in upright type.
    Ids in ``species`` (chemical names: ``K_i``, ``X_i``) are upright, variables italic.
    """
    special = {TIME.name: "t", **_SPECIAL_NAMES}
    if identifier in special:
        return special[identifier]
    if identifier.endswith("__amount"):
        return rf"n_{{\mathrm{{{_tex_escape(identifier.removesuffix('__amount'))}}}}}"
    if identifier.endswith("__concentration"):
        identifier = "conc_" + identifier.removesuffix("__concentration")
    if "_per_" in identifier:
        return rf"\mathrm{{{_tex_escape(identifier)}}}"
    concentration = identifier.startswith("conc_")
    base, _, rest = identifier.removeprefix("conc_").partition("_")
    head = _base(base, upright=concentration or identifier in species)
    if concentration:
        head = f"[{head}]"
    return rf"{head}_{{\mathrm{{{rest.replace('_', ',')}}}}}" if rest else head


def _tex_escape(text: str) -> str:
    return text.replace("_", r"\_")


def _latex(expression: sympy.Expr, species: Collection[str]) -> str:
    names = {symbol: latex_name(symbol.name, species) for symbol in expression.free_symbols}
    return str(
        sympy.latex(expression, symbol_names=names, order="old", ln_notation=True, mul_symbol="dot")
    )


def _display(lines: Sequence[str]) -> str:
    r"""Return a block of aligned display equations (MathJax through pymdownx.arithmatex).

    Each line's left side is in braces: a line starting with ``[`` would otherwise be read as
    the optional argument of ``\begin{aligned}`` or of the ``\\`` before it.
    """
    body = " \\\\\n".join(lines)
    return f"$$\n\\begin{{aligned}}\n{body}\n\\end{{aligned}}\n$$\n"


# --- the .ant file: header and source comments ---------------------------------------------

_ASSIGNMENT = re.compile(
    r"^\s*(?:(?:const|var)\s+)*(?:compartment\s+)?(?P<id>[A-Za-z_]\w*)\s*=(?!=)"
)
_TAG = re.compile(r"^(?P<tag>Source|Derivation|Chosen):\s*(?P<text>.*)$")


def _split_comment(line: str) -> tuple[str, str]:
    """Split a line of Antimony into code and its ``//`` comment (not inside a string)."""
    quoted = False
    for index, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif not quoted and line.startswith("//", index):
            return line[:index], line[index + 2 :].strip()
    return line, ""


def _model_body(text: str) -> Iterable[str]:
    """Yield the lines of an Antimony text outside its ```notes``` blocks."""
    in_notes = False
    for line in text.splitlines():
        fences = line.count("```")
        if in_notes or fences:
            in_notes = in_notes != (fences % 2 == 1)
            continue
        yield line


def source_comments(text: str) -> dict[str, str]:
    """Return each quantity's source comment in an Antimony text, by id.

    A ``// Source:``, ``// Derivation:`` or ``// Chosen:`` comment belongs to the quantity
    whose value is set on its line or, on a line of its own, to the last quantity whose value
    was set above it; the comment lines right below it continue it. Any other comment at the
    end of a line that sets a value is kept too, as a note on that value.
    """
    comments: dict[str, list[str]] = {}
    last: str | None = None
    continuing: str | None = None
    for line in _model_body(text):
        code, comment = _split_comment(line)
        assigned = _ASSIGNMENT.match(code)
        if code.strip():
            continuing = None
            if assigned:
                last = assigned["id"]
        tag = _TAG.match(comment)
        if tag:
            target = assigned["id"] if assigned else (None if code.strip() else last)
            if target is not None:
                comments.setdefault(target, []).append(f"{tag['tag']}: {tag['text']}")
                continuing = target
        elif comment and assigned:
            comments.setdefault(assigned["id"], []).append(comment)
        elif comment and continuing is not None and not comment.startswith("---"):
            comments[continuing][-1] += " " + comment
        elif not code.strip():
            continuing = None
    return {sid: " ".join(parts) for sid, parts in comments.items()}


def _header_blocks(text: str) -> list[tuple[str, str]]:
    """Return the header comment of a model file as (label, text) blocks.

    ``// pump_leak: summary`` starts the block labelled ``pump_leak`` (its indented lines are
    the description); ``// References: ...``, ``// State: ...`` and so on start the others.
    """
    blocks: list[tuple[str, str]] = []
    for line in text.splitlines():
        if not line.startswith("//"):
            break
        content = line[2:]
        if content.strip().startswith("SPDX-License-Identifier"):
            continue
        label = re.match(r"^ (?P<label>[A-Za-z][\w ]*):\s(?P<text>.*)$", content)
        if label and not content.startswith("   "):
            blocks.append((label["label"], label["text"].strip()))
        elif blocks:
            blocks[-1] = (blocks[-1][0], f"{blocks[-1][1]} {content.strip()}")
    return blocks


def _notes(sbml: str) -> list[str]:
    """Return the paragraphs of the model's SBML notes (what the ``model notes`` block says)."""
    document = libsbml.readSBMLFromString(sbml)
    notes = document.getModel().getNotesString()
    if not notes:
        return []
    root = ElementTree.fromstring(notes)
    return [
        " ".join("".join(p.itertext()).split())
        for p in root.iter("{http://www.w3.org/1999/xhtml}p")
    ]


# --- equations -------------------------------------------------------------------------------


def _depends_on(system: SymbolicOde) -> set[str]:
    """Ids of the rules that the rates and reaction rates need, directly or through others."""
    by_symbol = {symbol: sid for sid, symbol, _ in system.rules}
    expressions = {sid: expression for sid, _, expression in system.rules}
    needed: set[str] = set()
    pending = [*system.rates, *system.reaction_rates]
    while pending:
        for symbol in pending.pop().free_symbols:
            sid = by_symbol.get(symbol)
            if sid is not None and sid not in needed:
                needed.add(sid)
                pending.append(expressions[sid])
    return needed


def _species(system: SymbolicOde) -> frozenset[str]:
    """Ids of the model's species (written upright in equations, as chemical names)."""
    kinds = [
        *zip(system.states, system.state_kinds, strict=False),
        *zip(system.constants, system.constant_kinds, strict=False),
    ]
    return frozenset(sid for sid, kind in kinds if kind in ("amount", "concentration"))


def _rate_lines(system: SymbolicOde) -> list[str]:
    species = _species(system)
    lines = []
    for index, symbol in enumerate(system.state_symbols):
        flows = system.stoichiometry[index]
        if flows:
            rate = sum(
                (coefficient * sympy.Symbol(system.reactions[reaction], real=True))
                for reaction, coefficient in flows
            )
        else:
            rate = system.rates[index]
        left = rf"{{\frac{{d\,{latex_name(symbol.name, species)}}}{{dt}}}}"
        lines.append(f"{left} &= {_latex(rate, species)}")
    return lines


def _rule_lines(system: SymbolicOde, ids: Iterable[str]) -> list[str]:
    wanted = set(ids)
    species = _species(system)
    return [
        f"{{{latex_name(sid, species)}}} &= {_latex(expression, species)}"
        for sid, _, expression in system.rules
        if sid in wanted
    ]


def _equations(system: SymbolicOde) -> str:
    rules = [sid for sid, _, _ in system.rules if not sid.startswith("[")]
    needed = _depends_on(system)
    used = [sid for sid in rules if sid in needed]
    outputs = [sid for sid in rules if sid not in needed]
    parts = [
        "## Equations\n",
        "Generated from the model's SBML: each symbol is a model identifier (E with subscript Na "
        "is `E_Na`, [Na]ᵢ is `conc_Na_i`); the parameter table below gives each one's name, "
        "value and unit.\n",
        "### State variables\n",
        _display(_rate_lines(system)),
    ]
    if system.reactions:
        parts += [
            "### Fluxes\n",
            _display(
                [
                    f"{{{latex_name(reaction)}}} &= {_latex(rate, _species(system))}"
                    for reaction, rate in zip(system.reactions, system.reaction_rates, strict=True)
                ]
            ),
        ]
    if used:
        parts += ["### Assignment rules the rates use\n", _display(_rule_lines(system, used))]
    if outputs:
        parts += [
            "### Outputs\n",
            "Computed from the state for reporting; no rate depends on them.\n",
            _display(_rule_lines(system, outputs)),
        ]
    return "\n".join(parts)


def _events(sbml: str) -> str:
    document = libsbml.readSBMLFromString(sbml)  # owns the model: keep it alive (SWIG)
    model = document.getModel()
    if model.getNumEvents() == 0:
        return ""
    settings = libsbml.L3ParserSettings()
    settings.setParseUnits(False)

    def formula(math: libsbml.ASTNode) -> str:
        return str(libsbml.formulaToL3StringWithSettings(math, settings))

    rows = ["| event | when | what it sets |", "|---|---|---|"]
    for event in model.getListOfEvents():
        sets = "; ".join(
            f"`{assignment.getVariable()} = {formula(assignment.getMath())}`"
            for assignment in event.getListOfEventAssignments()
        )
        rows.append(
            f"| {_escape(event.getName() or event.getId())} "
            f"| `{formula(event.getTrigger().getMath())}` | {sets} |"
        )
    return "### Events\n\n" + "\n".join(rows) + "\n"


# --- quantities ------------------------------------------------------------------------------


def _initial_values(name: str) -> dict[str, float]:
    """Every state's and constant's value at t = 0, initial assignments evaluated."""
    ode = pl.ode(name)
    values = dict(zip(ode.parameter_names, (float(v) for v in ode.p), strict=True))
    values.update(zip(ode.state_names, (float(v) for v in ode.y0), strict=True))
    return values


def _quantity_rows(
    quantities: Iterable[Quantity], sources: Mapping[str, str], initial: Mapping[str, float]
) -> str:
    rows = ["| id | name | value | unit | source |", "|---|---|---|---|---|"]
    for quantity in quantities:
        value = quantity.value if np.isfinite(quantity.value) else initial.get(quantity.id)
        shown = "—" if value is None else _number(value, _PARAMETER_DIGITS)
        source = _doi_links(_escape(sources.get(quantity.id, ""))) or "—"
        rows.append(
            f"| `{quantity.id}` | {_escape(quantity.name)} | {shown} "
            f"| {_escape(quantity.unit)} | {source} |"
        )
    return "\n".join(rows) + "\n"


def _parameter_table(name: str, built: pl.BuiltModel) -> str:
    sources = source_comments(pl.antimony(name))
    initial = _initial_values(name)
    valued = [q for q in built.compiled.quantities.values() if q.derived_by != "assignment rule"]
    settable = [q for q in valued if q.settable]
    assigned = [q for q in valued if not q.settable and q.derived_by == "initial assignment"]
    fixed = [q for q in valued if not q.settable and q.derived_by != "initial assignment"]
    example = next(
        (q.id for q in settable if q.id == "I_pump_max"),
        next((q.id for q in settable if q.id.startswith("g_")), settable[0].id if settable else ""),
    )
    parts = [
        "## Parameters\n",
        "The values the model file sets, with the comment beside each in "
        f"`models/{name}.ant`. Overrides change the settable ones, in their own unit: "
        f'`pl.steady_state("{name}", {example}=...)`, `--set {example}=...`.\n'
        if settable
        else "",
        "### Settable\n",
        _quantity_rows(settable, sources, initial),
    ]
    if assigned:
        parts += [
            "### Computed at t = 0\n",
            "Initial assignments, from the settable values above (shown at their defaults).\n",
            _quantity_rows(assigned, sources, initial),
        ]
    if fixed:
        parts += [
            '??? note "Constants of nature, valences and exact unit conversions (not settable)"\n',
            _indent(_quantity_rows(fixed, sources, initial)),
        ]
    return "\n".join(parts)


def _indent(text: str) -> str:
    return "\n".join(f"    {line}" if line else line for line in text.splitlines()) + "\n"


# --- steady state ----------------------------------------------------------------------------


def _eigenvalue(value: complex) -> str:
    if value.imag == 0:
        return _number(value.real, 4)
    return f"{_number(value.real, 4)} ± {_number(abs(value.imag), 4)}i"


def _state_table(state: pl.SteadyState, built: pl.BuiltModel) -> str:
    quantities = built.compiled.quantities
    shown = [*state.states]
    shown += [sid for sid in quantities if sid in state.derived and sid not in shown]
    rows = ["| id | name | value | unit |", "|---|---|---|---|"]
    for sid in shown:
        title = quantities[sid].name if sid in quantities else ""
        rows.append(
            f"| `{sid}` | {_escape(title)} | {_number(state[sid])} "
            f"| {_escape(state.units.get(sid, ''))} |"
        )
    certificate = state.certificate
    eigenvalues = ", ".join(_eigenvalue(z) for z in certificate.eigenvalues)
    rows += [
        "",
        "| certificate | |",
        "|---|---|",
        f"| method | {certificate.method}, {certificate.iterations} iterations |",
        f"| largest residual | {_number(certificate.max_residual, 3)} "
        f"(tolerance {_number(certificate.tolerance, 3)}) |",
        f"| stable | {'yes' if certificate.stable else 'no'} |",
        f"| slowest relaxation time | {_number(certificate.slowest_relaxation_time, 4)} s |",
        f"| eigenvalues (1/s) | {eigenvalues} |",
    ]
    return "\n".join(rows) + "\n"


def _refusal(err: pl.PumpLeakError) -> str:
    return f'!!! warning "{type(err).__name__}"\n\n    {_escape(str(err))}\n'


def _steady_state_section(name: str, built: pl.BuiltModel) -> tuple[str, pl.SteadyState | None]:
    parts = ["## Steady state\n"]
    state: pl.SteadyState | None
    try:
        state = pl.steady_state(name)
    except pl.PumpLeakError as err:
        state = None
        parts += [
            f'`pl.steady_state("{name}")` finds none, and says why:\n',
            _refusal(err),
        ]
    else:
        intro = (
            "Before its events (the state its time courses start from)"
            if built.compiled.has_events
            else "At the model's default parameters"
        )
        parts += [
            f'{intro}, from `pl.steady_state("{name}")`; the certificate says why it is '
            "believed (see [Numerics](../numerics.md)).\n",
            _state_table(state, built),
        ]
    if built.compiled.has_events:
        parts.append("### After the events\n")
        try:
            after = pl.steady_state(name, after_events=True)
        except pl.PumpLeakError as err:
            parts += [
                f'`pl.steady_state("{name}", after_events=True)` finds none:\n',
                _refusal(err),
            ]
        else:
            parts += [
                f'From `pl.steady_state("{name}", after_events=True)` '
                f"(t = {_number(after.time)} s):\n",
                _state_table(after, built),
            ]
    return "\n".join(parts), state


# --- figure ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Figure:
    png: bytes
    caption: str
    end: float


def _figure(name: str, built: pl.BuiltModel, state: pl.SteadyState | None) -> _Figure:
    compiled = built.compiled
    scale = state.certificate.slowest_relaxation_time if state is not None else None
    events: Sequence[tuple[float, str]] | None = None
    if compiled.has_events and state is not None and scale is not None:
        end = compiled.events[-1][0] + _BLOCK_RELAXATION_TIMES * scale
        run = pl.simulate(name, end, _FIGURE_POINTS)
        title = f"{name}: the scenario from its pre-event steady state"
        caption = (
            "The scenario from its pre-event steady state; dotted lines mark the events ("
            + "; ".join(f"{_escape(label)} at t = {_number(t)} s" for t, label in compiled.events)
            + ")."
        )
    elif state is not None and scale is not None and "I_pump_max" in compiled.settable:
        end = _BLOCK_RELAXATION_TIMES * scale
        run = pl.simulate(name, end, _FIGURE_POINTS, start=state, I_pump_max=0.0)
        events = [(0.0, "pump blocked")]
        title = f"{name}: Na+/K+ pump blocked at t = 0 (from steady state)"
        caption = (
            "The pump block: from the steady state, `I_pump_max` is set to 0 at t = 0 "
            f"(run for {_BLOCK_RELAXATION_TIMES:g} slowest relaxation times of the steady state)."
        )
    else:
        end = _RELAX_RELAXATION_TIMES * scale if scale is not None else _DEFAULT_END
        run = pl.simulate(name, end, _FIGURE_POINTS, start="initial")
        title = f"{name}: from its initial state"
        caption = "From the model's initial state" + (
            f" (run for {_RELAX_RELAXATION_TIMES:g} slowest relaxation times of its steady state)."
            if scale is not None
            else f" (no steady state gives a time scale: {_number(end)} s)."
        )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{name}.png"
        plot_trajectory(run, path, events=events, title=title)
        png = path.read_bytes()
    return _Figure(png, caption, end)


# --- using the model elsewhere ---------------------------------------------------------------


def _headline(built: pl.BuiltModel, state: pl.SteadyState | None) -> list[str]:
    """Return the quantities a snippet prints: Vm (or the model's potentials) and the volume."""
    units = built.compiled.units
    if "Vm" in units:
        shown = ["Vm"]
    else:
        shown = [sid for sid in units if units[sid] == "mV" and sid != "RT_F"][-1:]
    volume = state.volume if state is not None else None
    if volume is not None and volume in built.compiled.ode.states:
        shown.append(volume)
    return shown


def _elsewhere(name: str, built: pl.BuiltModel, state: pl.SteadyState | None, end: float) -> str:
    shown = _headline(built, state)
    columns = ", ".join(f'"{sid}"' for sid in shown)
    end_text = _number(_round_up(end))
    scenario = built.compiled.has_events
    formats = pl.FORMATS
    portable = "sbml-expanded" in formats
    myokit_file = f"{name}_expanded.xml" if portable else f"{name}.xml"
    if portable:
        myokit_prepare = (
            "import myokit\nfrom pathlib import Path\nimport pumpleak_sbml as pl\n\n"
            "# Initial assignments evaluated into values, which Myokit's SBML importer needs:\n"
            f'pl.save_export("{name}", Path("{myokit_file}"), "sbml-expanded")\n'
        )
    else:
        myokit_prepare = (
            "import libsbml\nimport myokit\nimport pumpleak_sbml as pl\n\n"
            "# Myokit's SBML importer needs initial assignments evaluated into values:\n"
            f'document = libsbml.readSBMLFromString(pl.to_sbml("{name}"))\n'
            "properties = libsbml.ConversionProperties()\n"
            'properties.addOption("expandInitialAssignments", True)\n'
            "document.convert(properties)\n"
            f'libsbml.writeSBMLToFile(document, "{myokit_file}")\n'
        )
    myokit_log = ", ".join(f'"{_myokit_name(sid, built)}"' for sid in shown)
    notes = []
    if scenario:
        notes.append(
            "`pl.simulate` starts this scenario at its pre-event steady state; the tools below "
            "start at the model's initial state. The COMBINE archive "
            f"(`pumpleak export {name} --format omex -o {name}.omex`) carries both starts, and "
            f'`te.executeCombineArchive("{name}.omex")` runs them. Myokit ignores SBML events.'
        )
    if state is not None:
        negative = [sid for sid, amount in state.amounts.items() if amount < 0]
        caveat = "".join(
            f"; {sid}, negative at steady state, is written there as its deficit "
            f"{sid}_deficit = -{sid}, because COPASI refuses a negative species"
            for sid in negative
        )
        notes.append(
            "COPASI's steady-state task with its default settings needs "
            f"`pumpleak export {name} --format sbml-copasi -o {name}_copasi.xml`: the same "
            "model with the volume in aL and the amounts in zmol (every mM unchanged), in which "
            f"its distance test can resolve the volume{caveat}."
        )
    tab = "    "

    def indent(code: str) -> str:
        return "\n".join(tab + line if line else line for line in code.splitlines())

    tabs = {
        "tellurium": (
            "import tellurium as te\nimport pumpleak_sbml as pl\n\n"
            f'r = te.loada(pl.antimony("{name}"))\n'
            "r.integrator.relative_tolerance = 1e-10  # Vm is a small difference of large amounts\n"
            f'result = r.simulate(0, {end_text}, 401, ["time", {columns}])\n\n'
            f'r = pl.load("{name}")  # or: a RoadRunner with that tolerance already set\n'
        ),
        "COPASI": (
            "import basico  # pip install copasi-basico (the [crosscheck] extra)\n"
            "from pathlib import Path\nimport pumpleak_sbml as pl\n\n"
            f'pl.save_sbml("{name}", Path("{name}.xml"))  # or: pumpleak export {name} -o '
            f"{name}.xml\n"
            f'basico.load_model("{name}.xml")  # in the COPASI GUI: File > Import SBML\n'
            'basico.set_task_settings(basico.T.TIME_COURSE, {"method": {"Relative Tolerance": '
            "1e-10}})\n"
            f"result = basico.run_time_course(duration={end_text}, intervals=400, "
            "use_sbml_id=True)\n"
            f"result[[{columns}]]\n"
        ),
        **({"COPASI steady state": _copasi_steady_state(name, shown, built)} if state else {}),
        "Myokit": (
            myokit_prepare + f'model = myokit.formats.importer("sbml").model("{myokit_file}")\n'
            "simulation = myokit.Simulation(model)\n"
            "simulation.set_tolerance(1e-12, 1e-10)\n"
            f"result = simulation.run({end_text}, log=[{myokit_log}])\n"
        ),
        "pl.ode (SciPy)": (
            "from scipy.integrate import solve_ivp\nimport pumpleak_sbml as pl\n\n"
            f'ode = pl.ode("{name}")  # rhs(t, y), exact jac(t, y), y0; states: ode.state_names\n'
            f'solution = solve_ivp(ode.rhs, (0, {end_text}), ode.y0, method="BDF", '
            "jac=ode.jac,\n"
            "                     rtol=1e-10, atol=1e-12)\n"
            f"values = ode.observe(solution.t[-1], solution.y[:, -1])  # {', '.join(shown)}, ...\n"
        ),
        "command line": (
            f"pumpleak steady {name} --json\n"
            f"pumpleak simulate {name} --end {end_text} --csv {name}.csv --plot {name}.png\n"
            f"pumpleak export {name} --format omex -o {name}.omex\n"
        ),
    }
    parts = ["## Use it elsewhere\n"]
    parts += [f"{note}\n" for note in notes]
    for label, code in tabs.items():
        language = "bash" if label == "command line" else "python"
        parts.append(f'=== "{label}"\n\n{tab}```{language}\n{indent(code)}\n{tab}```\n')
    return "\n".join(parts)


def _copasi_steady_state(name: str, shown: list[str], built: pl.BuiltModel) -> str:
    """Return the snippet that solves the ``sbml-copasi`` export with COPASI's default task."""
    volumes = [sid for sid in shown if built.compiled.quantities[sid].kind == "compartment"]
    values = ", ".join(
        f'"{sid}": sizes["{sid}"] * 1e-6' if sid in volumes else f'"{sid}": quantities["{sid}"]'
        for sid in shown
    )
    sizes = 'sizes = basico.get_compartments().set_index("sbml_id")["size"]  # aL\n'
    return (
        "import basico\nfrom pathlib import Path\nimport pumpleak_sbml as pl\n\n"
        "# The same model with the volume in aL and amounts in zmol (the same mM):\n"
        f'pl.save_export("{name}", Path("{name}_copasi.xml"), "sbml-copasi")\n'
        f'basico.load_model("{name}_copasi.xml")\n'
        "assert basico.run_steadystate() == 1  # found, with COPASI's default settings\n"
        'quantities = basico.get_parameters().set_index("sbml_id")["value"]\n'
        + (sizes if volumes else "")
        + f"values = {{{values}}}"
        + ("  # volumes back in pL\n" if volumes else "\n")
    )


def _round_up(value: float) -> float:
    """``value`` rounded up to two significant digits (18449 s -> 19000 s), for code samples."""
    step = 10.0 ** (math.floor(math.log10(value)) - 1)
    return math.ceil(value / step) * step


def _myokit_name(sid: str, built: pl.BuiltModel) -> str:
    """Myokit's name for a quantity of an imported SBML model (compartment sizes are ``c.size``)."""
    quantity = built.compiled.quantities.get(sid)
    if quantity is not None and quantity.kind == "compartment":
        return f"{sid}.size"
    return f"global.{sid}"


# --- pages -----------------------------------------------------------------------------------


def model_page(name: str) -> ModelPage:
    """Write one model's page and figure.

    Parameters
    ----------
    name
        A name from :func:`pumpleak_sbml.list_models`.

    Returns
    -------
    ModelPage
        The markdown text (links the figure as ``<name>.png``) and the figure's PNG bytes.
    """
    built = pl.resolve(name)
    text = pl.antimony(name)
    system = read_ode_system(built.compiled.sbml)
    summary = pl.model_info(name).summary
    steady, state = _steady_state_section(name, built)
    figure = _figure(name, built, state)
    blocks = _header_blocks(text)
    description = next((body for label, body in blocks if label == name), "")
    header = [(label, body) for label, body in blocks if label != name]
    references = [body for label, body in header if label.startswith("Reference")]
    parts = [
        f"# {name}\n",
        f"**{_escape(summary)}**\n" if summary else "",
        f"{_doi_links(_escape(description.removeprefix(summary).strip()))}\n",
        f"![Time course of {name}]({name}.png)\n",
        f"*{figure.caption}*\n",
        "## About\n",
        "From the model's SBML notes (they travel with every export):\n",
        *(f"- {_escape(paragraph)}" for paragraph in _notes(built.compiled.sbml)),
        "",
    ]
    if references:
        parts += ["## References\n", *(f"{_doi_links(_escape(r))}\n" for r in references)]
    other = [(label, body) for label, body in header if not label.startswith("Reference")]
    if other:
        parts.append(f'??? info "The header of `models/{name}.ant`"\n')
        parts += [f"    **{_escape(label)}.** {_doi_links(_escape(b))}\n" for label, b in other]
    parts += [_equations(system), _events(built.compiled.sbml), _parameter_table(name, built)]
    parts += [steady, _elsewhere(name, built, state, figure.end)]
    markdown = "\n".join(part for part in parts if part is not None)
    return ModelPage(name, re.sub(r"\n{3,}", "\n\n", markdown).strip() + "\n", figure.png)


def _library_readme() -> str:
    """models/README.md as shipped in the package, without its title."""
    text = resources.files("pumpleak_sbml.models").joinpath("README.md").read_text("utf-8")
    lines = text.splitlines()
    if lines and lines[0].startswith("# "):
        lines = lines[1:]
    return "\n".join(lines).strip() + "\n"


def index_page(names: Sequence[str]) -> str:
    """Return the models' index: a row per model with its summary, then models/README.md."""
    rows = ["| model | summary |", "|---|---|"]
    rows += [f"| [`{n}`]({n}.md) | {_escape(pl.model_info(n).summary)} |" for n in names]
    return (
        "# Models\n\n"
        "Every model in the library has a page, generated from the model itself when the site "
        "is built: its equations, parameters with units and sources, steady state, a figure and "
        "how to load it in other tools. `pumpleak list` prints the same list.\n\n"
        + "\n".join(rows)
        + "\n\n## The library (models/README.md)\n\n"
        + re.sub(r"^## ", "### ", _library_readme(), flags=re.MULTILINE)
    )


def navigation(names: Sequence[str]) -> str:
    """Return the models section's navigation (literate-nav ``SUMMARY.md``)."""
    return "* [Overview](index.md)\n" + "".join(f"* [{name}]({name}.md)\n" for name in names)


def model_files(names: Sequence[str] | None = None) -> list[GeneratedFile]:
    """Return every generated file of the models section, for ``names`` (default: the library).

    Parameters
    ----------
    names
        Model names; default :func:`pumpleak_sbml.list_models`.

    Returns
    -------
    list of GeneratedFile
        ``models/index.md``, ``models/SUMMARY.md``, and ``models/<name>.md`` with
        ``models/<name>.png`` for each model.
    """
    names = pl.list_models() if names is None else list(names)
    files = [
        GeneratedFile(f"{MODELS_DIR}/index.md", index_page(names)),
        GeneratedFile(f"{MODELS_DIR}/SUMMARY.md", navigation(names)),
    ]
    for name in names:
        page = model_page(name)
        markdown, figure = page_paths(name)
        files.append(GeneratedFile(markdown, page.markdown))
        files.append(GeneratedFile(figure, page.figure))
    return files


def page_paths(name: str) -> tuple[str, str]:
    """Return where a model's page and figure go in the site (paths under ``docs/``)."""
    return f"{MODELS_DIR}/{name}.md", f"{MODELS_DIR}/{name}.png"
