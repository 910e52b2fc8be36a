# SPDX-License-Identifier: MIT
"""pumpleak_sbml: reference pump-leak cell models, from Antimony to validated SBML to RoadRunner.

Quick start::

    import pumpleak_sbml as pl

    pl.list_models()                       # ['pump_leak', ...]
    state = pl.steady_state("pump_leak")   # verified steady state
    state["Vm"], state["conc_K_i"]         # mV, mM
    run = pl.simulate("pump_leak", end=1e4, points=101, I_pump_max=0.0)
    sbml = pl.to_sbml("pump_leak", g_Na=0.02)
    state = pl.steady_state(Path("cell.toml"), I_max=0.8)   # a cell spec (TOML), see new-spec
    pl.save_export("hydropic_change", Path("hc.omex"), "omex")   # sbml, sbml-l2v4, sbml-comp, ...
    pl.sensitivities("pump_leak").relative     # control coefficients, exact
    pl.compose("red_cell", Path("BIOMD0000000070.xml"), {"ATP": "MgATP"}, Path("rbc.xml"))
"""

import importlib as _importlib
from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

from .errors import (
    AntimonyError,
    ExportError,
    InvalidOverrideError,
    LimitExceededError,
    ModelDefinitionError,
    OutputError,
    PlausibilityWarning,
    PumpLeakError,
    PumpLeakWarning,
    SBMLValidationError,
    SimulationError,
    SteadyStateNotFoundError,
    UnknownModelError,
    UnsupportedSBMLError,
)

if _TYPE_CHECKING:
    from .antimony_writer import to_antimony
    from .api import (
        Model,
        load,
        model_antimony,
        parameters,
        save_csv,
        save_sbml,
        simulate,
        steady_state,
        to_sbml,
    )
    from .built_model import BuiltModel, resolve
    from .composition import Composition, compose
    from .formats import FORMATS, export, save_export
    from .library import antimony, list_models, model_info
    from .ode_functions import Ode, ode
    from .scanning import scan
    from .sensitivity import Sensitivities, sensitivities
    from .spec import CellSpec, load_spec, spec_from_dict
    from .steady import Certificate, SteadyState
    from .trajectory import Trajectory
    from .units import osmotic_pressure
    from .validation import ValidationReport, validate_sbml

# Where each public name lives. Modules are imported on first use, so `import pumpleak_sbml`
# (and every command line run) loads libsbml, RoadRunner, Antimony and SymPy only if needed.
_LAZY = {
    "to_antimony": "antimony_writer",
    **dict.fromkeys(
        (
            "Model",
            "load",
            "model_antimony",
            "parameters",
            "save_csv",
            "save_sbml",
            "simulate",
            "steady_state",
            "to_sbml",
        ),
        "api",
    ),
    **dict.fromkeys(("FORMATS", "export", "save_export"), "formats"),
    **dict.fromkeys(("antimony", "list_models", "model_info"), "library"),
    **dict.fromkeys(("Ode", "ode"), "ode_functions"),
    **dict.fromkeys(("BuiltModel", "resolve"), "built_model"),
    **dict.fromkeys(("Composition", "compose"), "composition"),
    "scan": "scanning",
    **dict.fromkeys(("Sensitivities", "sensitivities"), "sensitivity"),
    **dict.fromkeys(("CellSpec", "load_spec", "spec_from_dict"), "spec"),
    **dict.fromkeys(("Certificate", "SteadyState"), "steady"),
    "Trajectory": "trajectory",
    "osmotic_pressure": "units",
    **dict.fromkeys(("ValidationReport", "validate_sbml"), "validation"),
}


def __getattr__(name: str) -> _Any:
    """Import a public name's module on first use (PEP 562)."""
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(_importlib.import_module(f".{_LAZY[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__version__ = "0.1.0"

__all__ = [
    "AntimonyError",
    "BuiltModel",
    "CellSpec",
    "Certificate",
    "Composition",
    "ExportError",
    "FORMATS",
    "InvalidOverrideError",
    "LimitExceededError",
    "Model",
    "ModelDefinitionError",
    "Ode",
    "OutputError",
    "PlausibilityWarning",
    "PumpLeakError",
    "PumpLeakWarning",
    "SBMLValidationError",
    "Sensitivities",
    "SimulationError",
    "SteadyState",
    "SteadyStateNotFoundError",
    "Trajectory",
    "UnknownModelError",
    "UnsupportedSBMLError",
    "ValidationReport",
    "__version__",
    "antimony",
    "compose",
    "export",
    "list_models",
    "load",
    "load_spec",
    "model_antimony",
    "model_info",
    "ode",
    "osmotic_pressure",
    "parameters",
    "resolve",
    "save_csv",
    "save_export",
    "save_sbml",
    "scan",
    "sensitivities",
    "simulate",
    "spec_from_dict",
    "steady_state",
    "to_antimony",
    "to_sbml",
    "validate_sbml",
]
