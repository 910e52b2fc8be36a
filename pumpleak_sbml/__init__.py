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
"""

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
)
from .formats import FORMATS, export, save_export
from .library import antimony, list_models, model_info
from .simulation import SteadyState, Trajectory
from .spec import CellSpec, load_spec, spec_from_dict
from .units import osmotic_pressure
from .validation import ValidationReport, validate_sbml

__version__ = "0.1.0"

__all__ = [
    "AntimonyError",
    "CellSpec",
    "ExportError",
    "FORMATS",
    "InvalidOverrideError",
    "LimitExceededError",
    "Model",
    "ModelDefinitionError",
    "OutputError",
    "PlausibilityWarning",
    "PumpLeakError",
    "PumpLeakWarning",
    "SBMLValidationError",
    "SimulationError",
    "SteadyState",
    "SteadyStateNotFoundError",
    "Trajectory",
    "UnknownModelError",
    "ValidationReport",
    "__version__",
    "antimony",
    "export",
    "list_models",
    "load",
    "load_spec",
    "model_antimony",
    "model_info",
    "osmotic_pressure",
    "parameters",
    "save_csv",
    "save_export",
    "save_sbml",
    "simulate",
    "spec_from_dict",
    "steady_state",
    "to_antimony",
    "to_sbml",
    "validate_sbml",
]
